"""Write the notebooks in notebooks/ (without outputs) from the cells below.

    .venv/bin/python tools/make_notebooks.py                  # all three
    .venv/bin/python tools/make_notebooks.py 02-researcher    # only the ones named

Edit the cells here, not the .ipynb files, so the three stay consistent and reviewable. Cell
ids are numbered, not random, so rewriting an unchanged notebook leaves it byte for byte.
"""

import sys
from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parent.parent / "notebooks"


def md(text: str) -> nbf.NotebookNode:
    """A markdown cell."""
    return nbf.v4.new_markdown_cell(text.strip())


def code(text: str) -> nbf.NotebookNode:
    """A code cell."""
    return nbf.v4.new_code_cell(text.strip())


PLANNER = [
    md("""
# 规划人员:情景比较、目标检验与报告导出 (Planner: compare, check targets, export)

本笔记本比较 **基线情景**(各项措施保持 2020 年水平)与 **规划情景**(各项措施在 2025 年达到
《法治绍兴建设规划(2021—2025年)》目标),给出 **万人成讼率** 与 **信访量** 的逐年预测、
10%–90% 区间、配对差异,并检验"逐年下降"等规划目标,最后导出可离线打开的 HTML 报告。

为了在几秒内跑完,这里用 5 万人的示范镇、每个情景 5 次重复。正式分析请改为
`REGION = "shaoxing"`、`REPLICATES = 50`。
"""),
    code("""
import fazhi_sim as fs
from fazhi_sim import charts
from fazhi_sim.views.report import write_report

fs.use_offline_charts()   # charts draw from the installed packages: no internet needed

REGION = "town"      # "shaoxing", "zhuji" / "诸暨", ... for real work
REPLICATES = 5       # 50 or more for real work
"""),
    md("## 1. 载入情景 (Load scenarios)"),
    code("""
baseline = fs.load_scenario("baseline")
plan = fs.load_scenario("plan-2025")
print(plan.name, "-", plan.description)
print("措施数 levers:", len(plan.levers), " 年份 years:", plan.years)
"""),
    md("""
## 1b. 为什么相信基线?校准拟合 (Why believe the baseline? The calibration fit)

基线参数按公开统计数据校准(docs/calibration.md)。下表与下图对比每个统计数字与模型结果
(中位数及 10%–90% 区间);"fit" 行用于拟合,"holdout" 行用于样本外检验。
"""),
    code("""
from fazhi_sim.analysis.fit_targets import check_fit
from fazhi_sim.views.analysis_charts import fit_chart

fit = check_fit(replicates=REPLICATES)
fit[["id", "use", "value", "median", "q10", "q90", "residual"]].round(3)
"""),
    code("""
fit_chart(fit)
"""),
    md("## 2. 多次重复运行 (Ensemble with uncertainty)"),
    code("""
ens = fs.run_ensemble({"基线": baseline, "规划": plan}, replicates=REPLICATES, region=REGION)
summary = ens.summary()
summary.query("metric in ['lawsuits_per_10k', 'petitions'] and year == 2025")
"""),
    code("""
charts.trajectories(summary, "lawsuits_per_10k") | charts.trajectories(summary, "petitions")
"""),
    md("## 3. 配对比较 (Paired comparison against the baseline)"),
    code("""
diff = ens.compare(baseline="基线")
diff.query("scenario == '规划' and metric in ['lawsuits_per_10k', 'petitions'] and year == 2025")
"""),
    code("""
charts.difference(diff, "lawsuits_per_10k")
"""),
    md("## 4. 规划目标检验 (Plan targets: 逐年下降 and coverage)"),
    code("""
targets = ens.targets()
charts.targets_table(targets)
"""),
    md("## 5. 导出离线报告 (Export the offline report)"),
    code("""
path = write_report(ens, "fazhi-report.html")
print("报告已写入:", path)
"""),
]

RESEARCHER = [
    md("""
# Researcher: change a behaviour and an institution, run them with bands, check the reference

The engine keeps residents as numpy columns and institutions as Mesa agents; every rule is a
method you can override. This notebook (1) changes how residents choose a channel (a
`Behaviour` subclass), (2) changes how village mediation committees settle cases (an
institution subclass), (3) bundles both in a `ModelSpec` and runs it through `run_ensemble`
next to the shipped model, compared with 10%–90% bands and paired differences, (4) checks the
same spec against the per-agent reference model, and (5) runs an extension that lives in a
module (网格员, `fazhi_sim.examples.grid_workers`) on worker processes. docs/extending.md
explains each step.
"""),
    code("""
import numpy as np
import pandas as pd
import fazhi_sim as fs
from fazhi_sim.engine.disputes import TYPES
from fazhi_sim.engine.scenario import scenario_from_dict

fs.use_offline_charts()   # charts draw from the installed packages: no internet needed

REPLICATES = 3       # 20 or more for real work
"""),
    md("""
## 1. Residents: try mediation before petitioning (a `Behaviour` subclass)

`utilities(situation)` returns one row per choosing dispute and one column per channel; the
engine then makes its logit draw with noise from the run's keyed streams, so common random
numbers hold.
"""),
    code("""
class MediationFirst(fs.Behaviour):
    def utilities(self, situation):
        u = super().utilities(situation)
        never_mediated = situation.stage < fs.Layer.VILLAGE
        u[never_mediated, fs.Option.PETITION] -= 5.0   # petitions mostly after mediation failed
        return u
"""),
    md("""
## 2. Institutions: village committees that struggle with land disputes

Each `*_probability(cls, model, cases)` gets a `fs.Cases` of plain arrays (`kind`, `trust`,
`advised`, `stage`; one row per case) and returns one probability per row.
"""),
    code("""
LAND = TYPES.index("land")

class LandWaryCommittee(fs.VillageMediationCommittee):
    @classmethod
    def settle_probability(cls, model, cases):
        p = super().settle_probability(model, cases)
        return np.where(cases.kind == LAND, 0.5 * p, p)
"""),
    md("""
## 3. Bundle both in a `ModelSpec` and run it with bands

Classes defined in a notebook run in this process (`jobs=1`); for worker processes put them in
an importable module (section 5).
"""),
    code("""
spec = fs.ModelSpec(behaviour=MediationFirst,
                    institutions={fs.VillageMediationCommittee: LandWaryCommittee})
print(spec.label)

scenarios = ["baseline", "plan-2025"]
shipped = fs.run_ensemble(scenarios, replicates=REPLICATES, region="town", jobs=1,
                          progress=False)
mine = fs.run_ensemble(scenarios, replicates=REPLICATES, region="town", jobs=1,
                       progress=False, model=spec)
METRICS = ["petitions", "lawsuits_per_10k", "village_share_of_resolved", "mediation_success_rate"]
bands = pd.concat({"shipped": shipped.summary(), "researcher": mine.summary()},
                  names=["model"]).reset_index(level=0)
bands.query("year == 2025 and metric in @METRICS")[
    ["model", "scenario", "metric", "q10", "median", "q90"]]
"""),
    md("""
Both ensembles use seeds 0, 1, 2, ... so replicate *k* of the two models meets the same
grievances and luck: the paired difference per replicate measures the change of rules.
"""),
    code("""
keys = ["scenario", "replicate", "year", "region", "metric"]
paired = shipped.runs.merge(mine.runs, on=keys, suffixes=("_shipped", "_researcher"))
paired["diff"] = paired.value_researcher - paired.value_shipped
(paired.query("year == 2025 and metric in @METRICS")
       .groupby(["scenario", "metric"])["diff"]
       .quantile([0.1, 0.5, 0.9]).unstack().rename(columns={0.1: "q10", 0.5: "median",
                                                             0.9: "q90"}))
"""),
    md("## 4. The same spec in the per-agent reference model (one Mesa agent per resident)"),
    code("""
short = scenario_from_dict({"name": "short", "end_year": 2021})
rows = []
for seed in range(2):
    for name, m in [("engine", spec.build(short, region="town", seed=seed)),
                    ("reference", spec.build_reference(short, region="town", seed=seed))]:
        m.run()
        c = m.tally.counts
        rows.append({"model": name, "seed": seed,
                     "disputes": c["disputes"][m.warmup:].sum(),
                     "resolved_village": c["resolved_village"][m.warmup:].sum(),
                     "lawsuits": c["lawsuits"][m.warmup:].sum(),
                     "petitions": c["petitions"][m.warmup:].sum()})
pd.DataFrame(rows).groupby("model").mean(numeric_only=True)
"""),
    md("""
The two agree in distribution, not draw for draw (they draw differently). A `DisputeModel`
subclass's own agents, such as the grid workers below, do not exist in the reference model.

## 5. An extension in a module runs on worker processes: 网格员 (grid workers)

`fazhi_sim.examples.grid_workers` adds a new kind of Mesa agent that refers fresh disputes to
village mediation. Its classes live in a module, so the runs can go to worker processes.
"""),
    code("""
from fazhi_sim.examples.grid_workers import spec as grid_spec

grid = fs.run_ensemble(scenarios, replicates=REPLICATES, region="town", jobs=2,
                       progress=False, model=grid_spec)
pd.concat({"shipped": shipped.summary(), "grid workers": grid.summary()},
          names=["model"]).reset_index(level=0).query(
    "year == 2025 and metric in ['village_share_of_resolved', 'filings_per_10k']")[
    ["model", "scenario", "metric", "q10", "median", "q90"]]
"""),
]

PRESENTER = [
    md("""
# 法治绍兴 what-if 看板 (Presenter dashboard)

移动左侧滑块(按规划章节分组,悬停可见条款),约一秒后右侧 **万人成讼率** 与 **信访量** 图表随之
更新,并与基线比较。"基线"与"规划"按钮一次设置全部措施。
可用 `voila 03-presenter.ipynb` 作为网页演示。
"""),
    code("""
import fazhi_sim as fs

fs.use_offline_charts()   # charts draw from the installed packages: no internet needed
fs.dashboard(scenario="plan-2025", region="town", replicates=10)
"""),
]


NOTEBOOKS = {"01-planner": PLANNER, "02-researcher": RESEARCHER, "03-presenter": PRESENTER}


def main(names: list[str] | None = None) -> None:
    """Write the notebooks named (default: all three)."""
    unknown = sorted(set(names or ()) - set(NOTEBOOKS))
    if unknown:
        raise SystemExit(f"no notebook {', '.join(unknown)}; choose from {', '.join(NOTEBOOKS)}")
    OUT.mkdir(exist_ok=True)
    for name in names or NOTEBOOKS:
        cells = [nbf.from_dict(dict(c)) for c in NOTEBOOKS[name]]
        for i, cell in enumerate(cells):
            cell["id"] = f"{name}-{i}"
        nb = nbf.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbf.write(nb, OUT / f"{name}.ipynb")


if __name__ == "__main__":
    main(sys.argv[1:])
