"""Draw the model description's two diagrams as SVG files: the dispute ladder and the month.

.venv/bin/python tools/docs_diagrams.py           # write docs/_static/{ladder,month}.svg
.venv/bin/python tools/docs_diagrams.py --check   # exit 1 if they are out of date

The diagrams are plain SVG written from the code's own lists (the channels of
``fazhi_sim.Option`` in ladder order, and the month's phases below, which follow
``DisputeModel.step``), so they open from disk, need no drawing library at build time and
``tests/test_docs_drift.py`` notices when the code's channels change.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from fazhi_sim import Option

OUT = Path(__file__).resolve().parent.parent / "docs" / "_static"
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"

RUNGS = {  # channel: (Chinese, English, what happens there)
    Option.NEGOTIATE: ("协商", "negotiate", "the parties alone"),
    Option.VILLAGE: ("村调委会", "village mediation", "人民调解委员会"),
    Option.TOWN: ("司法所", "town justice office", "镇街调解"),
    Option.COUNTY: ("矛调中心", "county one-stop centre", "只进一扇门"),
    Option.COURT: ("法院", "court", "诉前调解 → 立案 → 审判"),
}
SIDE = {Option.PETITION: ("信访", "petition", "open at every step"),
        Option.LUMP: ("放弃", "lump it", "open at every step")}

MONTH = [  # (phase, method of DisputeModel, what it does): the order of DisputeModel.step
    ("杠杆与容量", "levels and capacities", "this month's lever levels; each unit's capacity"),
    ("矛盾产生与诉求", "arising and claiming", "grievances arise by village and type; some "
     "are voiced as claims"),
    ("渠道选择", "channel choice", "every dispute that must choose picks an open channel"),
    ("办理", "service", "each queue in turn, oldest first: settle, fail or wait"),
    ("月末", "month end", "closed disputes leave; learning, word of mouth, counters"),
]


def _box(x: float, y: float, w: float, h: float, lines: list[str], fill: str) -> str:
    out = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" '
           'stroke="#334" stroke-width="1.2"/>']
    step = 18
    top = y + h / 2 - step * (len(lines) - 1) / 2 + 5
    for i, text in enumerate(lines):
        size, weight = (16, "bold") if i == 0 else (12, "normal")
        out.append(f'<text x="{x + w / 2}" y="{top + i * step}" text-anchor="middle" '
                   f'font-size="{size}" font-weight="{weight}">{escape(text)}</text>')
    return "\n".join(out)


def _arrow(x1: float, y1: float, x2: float, y2: float, label: str = "") -> str:
    out = (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#334" stroke-width="1.5" '
           'marker-end="url(#head)"/>')
    if label:
        out += (f'<text x="{(x1 + x2) / 2}" y="{min(y1, y2) - 6}" text-anchor="middle" '
                f'font-size="11" fill="#555">{escape(label)}</text>')
    return out


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img">\n'
            f"<title>{escape(title)}</title>\n"
            '<defs><marker id="head" markerWidth="10" markerHeight="8" refX="9" refY="4" '
            'orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#334"/></marker></defs>\n'
            + "\n".join(body) + "\n</svg>\n")


def ladder() -> str:
    """The escalation ladder: a claim climbs the rungs; petition and lumping are always open."""
    w, h, gap, x0, y = 150, 76, 40, 20, 120
    body = [_box(x0, 20, 170, 56, ["诉求 claim", "a grievance voiced"], "#eef")]
    for i, (_, (zh, en, note)) in enumerate(RUNGS.items()):
        x = x0 + i * (w + gap)
        body.append(_box(x, y, w, h, [zh, en, note], "#e8f4ea"))
        if i:
            body.append(_arrow(x - gap, y + h / 2, x - 2, y + h / 2, "未化解"))
        body.append(_arrow(x + w / 2, y + h, x + w / 2, y + h + 36))
    body.append(_arrow(x0 + 85, 76, x0 + 85, y - 2))
    body.append(f'<text x="{x0 + 93}" y="{y - 14}" font-size="11" fill="#555">choose any '
                "open rung: rungs may be skipped</text>")
    end = x0 + len(RUNGS) * (w + gap) - gap
    body.append(_box(x0, y + h + 38, end - x0, 40, ["化解 resolved (at the rung reached)"],
                     "#f6f6e0"))
    for j, (zh, en, note) in enumerate(SIDE.values()):
        body.append(_box(x0 + 230 + j * 300, 20, 260, 56, [f"{zh} {en}", note], "#fbe9e7"))
    body.append(f'<text x="{x0}" y="{y + h + 98}" font-size="11" fill="#555">未化解: not '
                "resolved, the claimant chooses again among the rungs above, petition or "
                "lumping (7.7)</text>")
    return _svg(end + 20, y + h + 110, body, "矛盾纠纷化解阶梯 The dispute ladder")


def month() -> str:
    """The month's phases in the order DisputeModel.step runs them."""
    w, h, gap, y = 190, 96, 34, 30
    body = []
    for i, (zh, en, what) in enumerate(MONTH):
        x = 20 + i * (w + gap)
        words = what.split()
        half = len(words) // 2
        body.append(_box(x, y, w, h, [f"{i + 1}. {zh}", en, " ".join(words[:half]),
                                      " ".join(words[half:])], "#e8eef8"))
        if i:
            body.append(_arrow(x - gap, y + h / 2, x - 2, y + h / 2))
    end = 20 + len(MONTH) * (w + gap) - gap
    body.append(f'<path d="M{end - w / 2},{y + h} v24 H{20 + w / 2} v-22" fill="none" '
                'stroke="#334" stroke-width="1.5" marker-end="url(#head)"/>')
    body.append(f'<text x="{(end + 20) / 2}" y="{y + h + 40}" text-anchor="middle" '
                'font-size="12" fill="#555">next month 下月</text>')
    return _svg(end + 20, y + h + 56, body, "每月流程 The monthly schedule")


DIAGRAMS = {"ladder.svg": ladder, "month.svg": month}


def main(argv: list[str] | None = None) -> int:
    """Write the diagrams, or with ``--check`` exit 1 when a written one is out of date."""
    argv = sys.argv[1:] if argv is None else argv
    stale = [name for name, draw in DIAGRAMS.items()
             if not (OUT / name).is_file() or (OUT / name).read_text("utf-8") != draw()]
    if "--check" in argv:
        if stale:
            print(f"out of date: {', '.join(stale)}; run .venv/bin/python "
                  "tools/docs_diagrams.py", file=sys.stderr)
        return int(bool(stale))
    for name in stale:
        (OUT / name).write_text(DIAGRAMS[name](), "utf-8")
        print(f"{OUT / name} written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
