"""Write the shipped scenario files from the measure catalogue (run after changing measures.py).

.venv/bin/python tools/make_scenarios.py
"""

from pathlib import Path

from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.scenario import LeverSchedule
from fazhi_sim.engine.scenario_toml import lever_block as schedule_block
from fazhi_sim.engine.scenario_toml import plan_article as article

OUT = Path(__file__).resolve().parent.parent / "scenarios"
HEAD = """# {title}
# {desc}
# Format: docs/scenarios.md. Levers not named here stay at their 2020 level (measures.py).
name = "{name}"
title = "{short}"
description = "{desc}"
start_year = 2021   # first reported year: the plan's period is 2021-2025
end_year = 2025     # runs to 2035 work: set end_year = 2035
"""


def lever_block(lid: str, start: int = 2021, full_by: int = 2025) -> str:
    """The commented TOML table that ramps one lever to its plan level."""
    return schedule_block(lid, LeverSchedule(target=LEVERS[lid].plan_2025, start=start,
                                             full_by=full_by))


def main() -> None:
    """Write every shipped scenario file."""
    OUT.mkdir(exist_ok=True)
    (OUT / "measures").mkdir(exist_ok=True)
    (OUT / "baseline.toml").write_text(HEAD.format(
        title="基线情景 Baseline: every lever held at its 2020 level.",
        desc="Baseline: 2020 levels held through the horizon", name="baseline",
        short="基线(保持2020年水平)"), "utf-8")
    body = HEAD.format(
        title="规划情景 Plan 2025: every measure ramps from 2021 to the plan's 2025 level.",
        desc="All plan measures at their 2025 targets (法治绍兴建设规划 2021-2025)",
        name="plan-2025", short="规划(2025年目标)")
    body += "".join(lever_block(lid) for lid in LEVERS)
    (OUT / "plan-2025.toml").write_text(body, "utf-8")
    for lid, lv in LEVERS.items():
        text = HEAD.format(title=f"单项措施 One measure alone: {lv.name_zh}",
                           desc=f"{lv.name_en} alone, ramped to its 2025 plan level",
                           name=f"measure-{lid}", short=f"单项措施:{lv.name_zh}")
        (OUT / "measures" / f"{lid}.toml").write_text(text + lever_block(lid), "utf-8")
    oc = LEVERS["online_court"]
    (OUT / "online-court.toml").write_text(HEAD.format(
        title="在线诉讼情景 Online court: cheaper, faster suing through the online court.",
        desc="Online court (移动微法院, 跨域立案) scaled up at once, nothing else: suing gets "
             "cheaper, so 万人成讼率 can RISE",
        name="online-court", short="在线诉讼") + f"""
# {article(oc.article)} {oc.name_zh}. Lower cost and delay draw disputes into court that would
# otherwise have been mediated or dropped: the model lets this measure RAISE 万人成讼率.
[levers.online_court]
start = 2021
target = 1.0        # full use of online filing and hearings from 2021
""", "utf-8")


if __name__ == "__main__":
    main()
