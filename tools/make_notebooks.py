"""Write the notebooks in notebooks/ (without outputs) from the cells below.

    .venv/bin/python tools/make_notebooks.py

Edit the cells here, not the .ipynb files, so the three stay consistent and reviewable.
"""

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
from fazhi_sim.analysis.fit_targets import check_fit, fit_chart

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
# Researcher: change a behaviour, check against the reference, run a sweep

The engine keeps residents as numpy columns and institutions as Mesa agents. Each behaviour is
one method you can override. This notebook (1) replaces residents' channel choice, (2)
replaces how a village mediation committee settles cases, (3) compares the fast engine with
the per-agent reference model, and (4) runs a small sweep over mediator staffing.
"""),
    code("""
import numpy as np
import pandas as pd
import fazhi_sim as fs
from fazhi_sim.engine.behaviour import channel_utilities, logit_choice
from fazhi_sim.engine.reference import ReferenceModel
from fazhi_sim.engine.scenario import scenario_from_dict
"""),
    md("## 1. Replace channel choice: residents always try mediation before petitioning"),
    code("""
class MediationFirst(fs.DisputeModel):
    def choose_channel(self, situation, ids):
        u = channel_utilities(situation, self.params, self.levels)
        never_mediated = situation.stage < fs.Layer.VILLAGE
        u[never_mediated, fs.Option.PETITION] -= 5.0   # petitions only after mediation failed
        return logit_choice(u, situation.available,
                            self.streams.gumbel(ids, situation.step, len(fs.Option)))

short = scenario_from_dict({"name": "short", "end_year": 2022})
base = fs.DisputeModel(short, region="town", seed=1).run()
alt_ = MediationFirst(short, region="town", seed=1).run()
for name, m in [("engine", base), ("mediation first", alt_)]:
    c = m.tally.counts
    print(f"{name:16s} petitions {c['petitions'][m.warmup:].sum():6.0f}   "
          f"lawsuits {c['lawsuits'][m.warmup:].sum():6.0f}")
"""),
    md("## 2. Replace an institution: a village committee that settles less when busy"),
    code("""
class BusyCommittee(fs.VillageMediationCommittee):
    @classmethod
    def settle_probability(cls, model, pos):
        p = super().settle_probability(model, pos)
        village = model.pool.village[pos]
        load = model.perceived_wait.get(fs.State.VILLAGE)
        return p * (1.0 if load is None else 1.0 / (1.0 + load[village]))

busy = fs.DisputeModel(short, region="town", seed=1,
                       institutions={fs.VillageMediationCommittee: BusyCommittee}).run()
c0, c1 = base.tally.counts, busy.tally.counts
print("village settlements:", c0["resolved_village"].sum(), "->", c1["resolved_village"].sum())
"""),
    md("## 3. Engine against the per-agent reference model (same mechanics, one agent each)"),
    code("""
rows = []
for seed in range(2):
    for name, cls in [("engine", fs.DisputeModel), ("reference", ReferenceModel)]:
        m = cls(short, region="town", seed=seed).run()
        c = m.tally.counts
        rows.append({"model": name, "seed": seed,
                     "lawsuits": c["lawsuits"][m.warmup:].sum(),
                     "petitions": c["petitions"][m.warmup:].sum(),
                     "disputes": c["disputes"][m.warmup:].sum()})
pd.DataFrame(rows).groupby("model").mean(numeric_only=True)
"""),
    md("## 4. A sweep over mediator staffing (resumable: results are stored as they finish)"),
    code("""
sweep = {f"mediators {v}": fs.baseline().with_levers(mediators_per_10k=v) for v in (1.0, 2.6, 6.0)}
ens = fs.run_ensemble(sweep, replicates=2, region="town", store="sweep-store", jobs=1)
ens.summary().query("metric == 'resolved_village_share' and year == 2025")[
    ["scenario", "q10", "median", "q90"]]
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

fs.dashboard(scenario="plan-2025", region="town", replicates=10)
"""),
]


def main() -> None:
    """Write the three notebooks."""
    OUT.mkdir(exist_ok=True)
    for name, cells in [("01-planner", PLANNER), ("02-researcher", RESEARCHER),
                        ("03-presenter", PRESENTER)]:
        nb = nbf.v4.new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbf.write(nb, OUT / f"{name}.ipynb")


if __name__ == "__main__":
    main()
