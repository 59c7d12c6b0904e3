"""Render the figures docs/calibration.md quotes from the shipped calibration files.

Three blocks of ``docs/calibration.md`` are generated, never edited by hand:

* ``posterior``: the prior → posterior table, from ``fazhi_sim/data/posterior_summary.csv``;
* ``sampler``: the sentence on the sampler, from ``fazhi_sim/data/posterior.toml``;
* ``calibrated``: the point-calibrated ``Params`` values, from
  ``fazhi_sim/data/calibrated_params.toml``.

Run it after a calibration (``fazhi-sim calibrate``, ``fazhi-sim calibrate --bayes``)::

    .venv/bin/python tools/docs_calibration.py           # rewrite docs/calibration.md
    .venv/bin/python tools/docs_calibration.py --check   # exit 1 if it is out of date

``tests/test_docs_drift.py`` fails when the blocks are out of date.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_tables import current, replace  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "calibration.md"
DATA = ROOT / "fazhi_sim" / "data"

__all__ = ["DOC", "BLOCKS", "render", "update", "current", "main"]


def _num(x: float) -> str:
    """Two decimals, a true minus sign (as the rest of the page writes numbers)."""
    return f"{x:.2f}".replace("-", "−")


def _sig(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}g}".replace("-", "−")


def render_posterior() -> str:
    """The prior → posterior table of the calibrated parameters, most narrowed first."""
    s = pd.read_csv(DATA / "posterior_summary.csv")
    s = s[s.calibrated].sort_values("shrinkage", ascending=False)
    rows = ["| parameter | prior 5–95% | posterior 5–95% | narrowed by | ESS |",
            "|---|---|---|---|---|"]
    for r in s.itertuples():
        rows.append(f"| `{r.param}` | {_num(r.prior_5)} – {_num(r.prior_95)} | "
                    f"{_num(r.post_5)} – {_num(r.post_95)} | {max(r.shrinkage, 0):.0%} | "
                    f"{r.ess:.0f} |")
    return "\n".join(rows)


def render_sampler() -> str:
    """One sentence on the sampler's acceptance, autocorrelation times and ESS."""
    p = tomllib.loads((DATA / "posterior.toml").read_text("utf-8"))["provenance"]
    tau, ess = p["tau"], p["ess"]
    chain = (p["steps"] - p["burn"]) / max(tau)
    return (f"The sampler: {p['walkers']} walkers, {p['steps']:,} steps ({p['burn']:,} "
            f"burn-in), acceptance {p['acceptance']:.2f}, autocorrelation times "
            f"{min(tau):.0f}–{max(tau):.0f} steps, effective sample sizes {min(ess):.0f}–"
            f"{max(ess):.0f} per parameter (the chain after burn-in is about {chain:.0f} "
            "autocorrelation times long, so these are estimates, not guarantees).")


def render_calibrated() -> str:
    """The point-calibrated Params values with their priors and standard errors."""
    text = (DATA / "calibrated_params.toml").read_text("utf-8")
    values = tomllib.loads(text)
    ses = values.get("standard_errors", {})
    priors = {}
    for line in text.splitlines():
        if "# se" in line and "prior" in line:
            name = line.split("=")[0].strip()
            priors[name] = line.split("prior", 1)[1].split(";")[0].strip()
    rows = ["| field | prior | calibrated | se |", "|---|---|---|---|"]
    for name, value in values["params"].items():
        se = ses.get(name)
        se_text = _sig(se, 3) if se is not None else "— (derived)"
        prior = priors.get(name, "—").replace("-", "−")
        rows.append(f"| `{name}` | {prior} | {_sig(value)} | {se_text} |")
    return "\n".join(rows)


BLOCKS = {"posterior": render_posterior, "sampler": render_sampler,
          "calibrated": render_calibrated}


def render(name: str) -> str:
    """Render one generated block by its marker name."""
    return BLOCKS[name]()


def update(text: str) -> str:
    """Replace every generated block of the page with a fresh rendering."""
    for name in BLOCKS:
        text = replace(text, name, render(name))
    return text


def main(argv: list[str] | None = None) -> int:
    """Rewrite docs/calibration.md, or with ``--check`` exit 1 when it is out of date."""
    argv = sys.argv[1:] if argv is None else argv
    text = DOC.read_text("utf-8")
    new = update(text)
    if "--check" in argv:
        if new != text:
            print(f"{DOC}: quoted calibration figures are out of date; run "
                  ".venv/bin/python tools/docs_calibration.py", file=sys.stderr)
        return int(new != text)
    if new != text:
        DOC.write_text(new, "utf-8")
        print(f"{DOC}: calibration figures updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
