"""Display labels in Chinese (the default) and English for metrics, regions and the CLI.

Chinese labels use the terms of 法治绍兴建设规划 and of Zhejiang's statistics (万人成讼率,
小事不出村, 只进一扇门) so that figures read as local officials report them.
"""

from __future__ import annotations

from functools import cache

from ..engine.measures import LEVERS
from ..engine.region import get_region
from . import text_cli, text_dashboard, text_report
from .i18n_params import param_text

__all__ = ["LANGS", "METRIC_LABELS", "TEXT", "check_lang", "label", "region_label",
           "param_label", "measure_hint"]

LANGS = ("zh", "en")
"""Supported languages; the first is the default."""

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "lawsuits_per_10k": ("万人成讼率", "Lawsuits per 10,000 residents"),
    "petitions": ("信访量", "Petitions"),
    "petitions_per_10k": ("万人信访量", "Petitions per 10,000 residents"),
    "repeat_petitions": ("重复信访量", "Repeat petitions"),
    "defaulters_per_10k": ("万人失信率", "Judgment defaulters per 10,000 residents"),
    "disputes": ("矛盾纠纷数", "Disputes"),
    "grievances": ("矛盾隐患数(含未表达)", "Grievances (voiced or not)"),
    "village_share_of_resolved": ("村级化解占已化解比例",
                                  "Share of resolved disputes resolved in the village"),
    "town_share_of_resolved": ("镇级化解占已化解比例",
                               "Share of resolved disputes resolved at the town"),
    "county_share_of_resolved": ("县级化解占已化解比例",
                                 "Share of resolved disputes resolved at the county"),
    "court_share_of_resolved": ("法院化解占已化解比例",
                                "Share of resolved disputes resolved by the courts"),
    "petition_share_of_resolved": ("信访化解占已化解比例",
                                   "Share of resolved disputes resolved through petitions"),
    "handoffs_per_dispute": ("每件纠纷流转次数 (只进一扇门)", "Hand-offs per dispute (one door)"),
    "mediation_success_rate": ("人民调解成功率", "People's mediation success rate"),
    "prefiling_mediation_success_rate": ("诉前调解成功率", "Pre-filing mediation success rate"),
    "prefiling_diversion_share": ("诉前调解分流率", "Pre-filing mediation diversion rate"),
    "median_months_to_resolution": ("化解用时中位数(月)", "Median months to resolution"),
    "mean_months_to_resolution": ("化解用时均值(月)", "Mean months to resolution"),
    "p90_months_to_resolution": ("化解用时第90百分位(月)",
                                 "90th percentile of months to resolution"),
    "cases_per_mediator": ("调解员人均案件", "Cases per mediator"),
    "cases_per_judge": ("法官人均结案", "Cases concluded per judge"),
    "filings_per_10k": ("万人起诉率",
                        "Filings per 10,000 residents (all disputes brought to court)"),
    "lawsuits": ("诉讼案件受理数", "Lawsuits accepted"),
    "population": ("常住人口", "Residents"),
    "village_local_share": ("村级就地化解率(小事不出村)",
                            "Closed disputes resolved in the village (small matters stay in "
                            "the village)"),
    "town_local_share": ("镇级就地化解率(大事不出镇)",
                         "Closed disputes resolved within the town (big matters stay in the "
                         "town)"),
    "county_local_share": ("县级就地化解率(矛盾不上交)",
                           "Closed disputes resolved within the county (disputes not passed "
                           "up)"),
    "mediation_wait_months": ("人民调解排队等候(月)",
                              "Months a mediation case waited in the queue"),
    "trial_wait_months": ("立案后排期等候(月)", "Months a lawsuit waited for trial"),
}
"""Metric id to (Chinese, English) label; covers every name in :data:`fazhi_sim.METRICS`."""

TEXT: dict[str, tuple[str, str]] = {
    "metric": ("指标", "Metric"),
    "scenario": ("情景", "Scenario"),
    "region": ("地区", "Region"),
    "seed": ("随机种子", "seed"),
    "year": ("年份", "Year"),
    "change": ("变化", "Change"),
    "change_pct": ("变化%", "Change %"),
    "levers": ("项措施", "levers"),
    "years": ("年份", "years"),
    "written": ("已写入", "written to"),
    "monthly_note": ("按月结果见 CSV", "monthly results are in the CSV"),
    "replicates": ("重复次数", "replicates"),
    "band_note": ("数值为中位数 [10%, 90%];变化为同一随机数下的配对差",
                  "values are median [10%, 90%]; changes are paired differences"),
    "targets": ("规划目标检验", "Plan targets"),
    "target": ("目标", "Target"),
    "falls every year": ("逐年下降的概率", "chance it falls every year"),
    "coverage": ("覆盖目标", "coverage target"),
    "yes": ("达到", "reached"),
    "no": ("未达到", "not reached"),
    # Charts (charts.py)
    "median": ("中位数", "Median"),
    "mean": ("均值", "Mean"),
    "q10": ("10% 分位", "10th percentile"),
    "q90": ("90% 分位", "90th percentile"),
    "band_subtitle": ("线为中位数,阴影为 10%–90% 区间({n} 次重复)",
                      "line: median; shade: 10–90% band ({n} replicates)"),
    "single_run": ("单次运行", "single run"),
    "difference": ("与基准情景之差", "Difference from the baseline"),
    "difference_title": ("{metric}:相对“{base}”的配对差", "{metric}: paired difference from "
                         "{base!r}"),
    "difference_subtitle": ("同一随机数下逐次重复相减;线为中位数,阴影为 10%–90% 区间",
                            "replicate by replicate with common random numbers; line: "
                            "median, shade: 10–90% band"),
    "pp": ("百分点", "percentage points"),
    "count": ("件数", "Count"),
    "share_of_disputes": ("占矛盾纠纷数", "of disputes"),
    "layer": ("层级", "Layer"),
    "pyramid_title": ("纠纷金字塔", "Dispute pyramid"),
    "pyramid_subtitle": ("全年件数(中位数);括号内为占矛盾纠纷数的比例",
                         "yearly counts (median); in brackets: share of disputes"),
    "layer_grievances": ("矛盾隐患(含未表达)", "Grievances (voiced or not)"),
    "layer_disputes": ("矛盾纠纷", "Disputes"),
    "layer_court": ("诉至法院", "Brought to court"),
    "layer_lawsuits": ("立案受理(成讼)", "Lawsuits accepted"),
    "layer_petitions": ("信访", "Petitions"),
    "flows_title": ("纠纷在哪一层化解", "Where disputes are resolved"),
    "flows_subtitle": ("占已化解纠纷的比例(各次重复的平均);放弃的纠纷不计入",
                       "share of resolved disputes (mean of replicates); dropped disputes "
                       "are not counted"),
    "share_of_resolved": ("占已化解纠纷比例", "Share of resolved disputes"),
    "flow_village": ("村级(含自行协商)", "Village (incl. own negotiation)"),
    "flow_town": ("乡镇(街道)", "Town"),
    "flow_county": ("县级矛调中心", "County centre"),
    "flow_court": ("法院", "Court"),
    "flow_petition": ("信访", "Petition"),
    "by_county": ("分区县", "by county"),
    "probability": ("概率", "Probability"),
    "detail": ("说明", "Detail"),
    "targets_subtitle": ("逐年下降:在多少比例的重复中逐年下降;覆盖目标:期末是否达到规划值",
                         "falls every year: share of replicates in which it does; coverage: "
                         "whether the plan's level is reached by the last year"),
    "falls_short": ("逐年下降", "falls every year"),
    "coverage_short": ("覆盖达标", "coverage reached"),
    "replicates_of": ("{k}/{n} 次重复", "{k} of {n} replicates"),
    "coverage_detail": ("{year}年为 {got},规划目标 {plan}", "{got} in {year} against the plan's "
                        "{plan}"),
    # Why did it change (explain)
    "explain": ("变化从何而来", "Why did it change"),
    "explain_note": ("同一随机种子下逐次重复的流量核算:各途径之和等于总变化;数值为中位数"
                     " [10%, 90%],占比为均值之比",
                     "flow accounting per paired replicate: pathways add up to the total "
                     "change; values are median [10%, 90%], shares are ratios of means"),
    "pathway": ("途径", "Pathway"),
    # Where the uncertainty comes from
    "uncertainty_split": ("区间来自哪里", "Where the band comes from"),
    "uncertainty_note": ("参数:校准后验抽样;噪声:仅随机种子不同;占比为方差之比",
                         "parameters: calibrated posterior draws; noise: the seed alone; "
                         "shares are of the variance"),
    "band_width": ("变化区间宽度(%,10–90%)", "band width (%, 10–90%)"),
    "noise_width": ("仅随机噪声时宽度", "width from noise alone"),
    "parameter_share": ("参数不确定性占比", "share from parameters"),
    "noise_share": ("随机噪声占比", "share from noise"),
    "source": ("来源", "Source"),
    "share_of_variance": ("占方差比例", "Share of variance"),
    "other_sources": ("其他参数、交互作用与单次运行噪声", "other parameters, interactions and one "
                      "run's noise"),
    "rank": ("序", "Rank"),
    "prior_range": ("先验 5%–95%", "prior 5–95%"),
    "posterior_range": ("后验 5%–95%", "posterior 5–95%"),
    "narrowed": ("收窄", "narrowed by"),
    "pinned_title": ("数据约束了 {n} 个参数(其余 {rest} 个保留先验范围):",
                     "The data inform {n} parameters ({rest} others keep their priors):"),
    "measure_what": ("需要测量什么", "What to measure"),
    "parameter": ("参数", "Parameter"),
    "narrower_by": ("区间可收窄", "Band narrower by"),
    "sources_title": ("什么决定了{metric}变化的不确定性", "What drives the uncertainty of the "
                      "change in {metric}"),
    "narrowing_title": ("要收窄{metric}的区间,应测量", "To narrow the band of {metric}, "
                        "measure"),
    "sources_note": ("在5万人的模拟镇上用模拟器估计:各参数单独解释的方差份额(一阶指数),也就是"
                     "确知该参数后可消除的方差", "estimated with the emulator on the "
                     "50,000-resident town: the share of variance each parameter explains "
                     "alone (first-order index), which is the variance knowing it would "
                     "remove"),
    "share_of_change": ("占比", "Share"),
    "path_arising": ("矛盾隐患发生", "Grievances arising"),
    "path_prevented": ("村规民约预防", "Prevented by village compacts"),
    "path_not_voiced": ("未提出", "Not voiced"),
    "path_lumped": ("放弃(未化解)", "Given up (unresolved)"),
    "path_negotiation": ("自行协商", "Own negotiation"),
    "path_village": ("村级调解", "Village mediation"),
    "path_town": ("乡镇(街道)调解", "Town mediation"),
    "path_centre": ("县级矛调中心(含复议前化解)", "County centre (incl. before reconsideration)"),
    "path_petition_settled": ("信访化解", "Settled by petition"),
    "path_prefiling": ("诉前调解分流化解", "Diverted and settled before filing"),
    "path_screened": ("立案审查不予受理", "Screened out at filing"),
    "path_first_petitions": ("初次信访", "First petitions"),
    "path_repeat_unsettled": ("重复信访(未化解再访)", "Repeats after an unsettled petition"),
    "path_repeat_after_routing": ("重复信访(导入法定途径后再访)",
                                  "Repeats after a lawful channel failed"),
    "path_other": ("其他(跨年结转等)", "Other (carried over, etc.)"),
    "path_total": ("合计变化", "Total change"),
    "explain_mean_note": ("条形为同一随机种子下各次配对重复的均值,各途径相加等于合计变化;"
                          "细线为 10%–90% 区间",
                          "bars: mean over paired replicates, so the pathways add up to the "
                          "total change; lines: 10–90% band"),
    # Dashboard (dashboard.py, dashboard_explain.py)
    "why_changed": ("为什么变化", "Why did it change"),
    "why_changed_scope": ("{year}年 · {scenario}相对{base}", "{year} · {scenario} against "
                          "{base}"),
    "why_changed_total": ("{outcome}合计变化 {total} [{q10}, {q90}](均值 [10%, 90%])",
                          "{outcome}: total change {total} [{q10}, {q90}] (mean [10%, 90%])"),
    "why_changed_none": ("这些运行没有记录流量计数,无法分解变化",
                         "these runs kept no flow counters, so the change cannot be split"),
    "dash_baseline": ("基线", "baseline"),
    "dash_setting": ("当前设置", "this setting"),
    "dash_baseline_button": ("基线(2020年水平)", "Baseline (2020 levels)"),
    "dash_plan_button": ("规划(2025年目标)", "Plan (2025 targets)"),
    "dash_last_year": ("期末年份", "Last year"),
    "dash_running": ("计算中…", "running…"),
    "dash_seconds": ("{s:.1f} 秒", "{s:.1f} s"),
    # HTML report (report.py)
    "report_title": ("法治绍兴建设规划(2021—2025年)情景模拟报告",
                     "Rule of law in Shaoxing 2021-2025: scenario simulation report"),
    "comparison": ("情景比较", "Scenario comparison"),
    "trajectories": ("逐年走势", "Year by year"),
    "differences": ("相对基准情景的变化", "Change from the baseline"),
    "structure": ("纠纷流向", "Where disputes go"),
    "counties": ("分区县走势", "By county"),
    "about": ("如何理解这些数字", "What the numbers mean"),
    "generated": ("生成", "generated"),
    "model": ("模型", "model"),
    "version": ("版本", "version"),
    "baseline": ("基准情景", "Baseline"),
    "report_note": (
        "本报告由 fazhi-sim 多主体仿真模型生成。机制参数按公开统计数据(案件量、调解量与成功率、"
        "诉讼占比的下降、法院收案的下降)做了贝叶斯校准:数据能约束的参数取其后验分布,数据约束不到的"
        "参数保留依据公开资料设定的先验范围。数字应理解为情景之间的比较(方向和大致幅度)及其不确定性,"
        "而不是对实际数值的预测。",
        "This report was made with the fazhi-sim agent-based model. Its mechanism parameters "
        "are calibrated by Bayes to public figures (case and mediation volumes, mediation "
        "success, the fall in litigation's share and in court intake): parameters the data "
        "constrain follow their posterior, the rest keep prior ranges set from public sources. "
        "Read the numbers as comparisons between scenarios (direction and rough size) with "
        "their uncertainty, not as forecasts of actual figures."),
    "report_note_bands": (
        "第 k 次重复使用第 k 组后验参数和第 k 个随机种子,各情景相同;表中数值为中位数,方括号内为"
        " 10% 与 90% 分位,既含参数不确定性,也含随机噪声。“变化”为同一参数、同一随机种子下与基准情景"
        "的配对差。",
        "Replicate k runs posterior draw k of the parameters and seed k, the same pair in every "
        "scenario; tables show the median with the 10th and 90th percentiles in brackets, "
        "which hold both what the model does not know about its parameters and simulation "
        "noise. A change is the paired difference from the baseline with the same draw and "
        "seed."),
    "report_note_noise": (
        "注意:本次各重复只改变随机种子,参数固定为校准点估计;区间只反映随机噪声,远窄于模型实际的"
        "不确定性。请用默认的后验抽样(--uncertainty posterior)重新运行。",
        "Note: these replicates vary the seed only, with the parameters held at their point "
        "estimates; the bands show simulation noise alone and are far narrower than what the "
        "model actually knows. Run again with posterior draws (--uncertainty posterior, the "
        "default)."),
    "report_note_metrics": (
        "万人成讼率:每万名常住人口每年法院受理的一审民事、行政案件数,诉前调解成功的纠纷不计入。"
        "信访量:每年信访件数(含重复信访)。就地化解率等比例指标以已化解纠纷为分母,"
        "当事人放弃的纠纷不计入。",
        "Lawsuits per 10,000 residents: first-instance civil and administrative cases accepted "
        "per year per 10,000 residents; disputes settled by pre-filing mediation are not "
        "counted. Petitions: petitions per year, repeats included. Shares such as resolved in "
        "the village are shares of resolved disputes; disputes given up are not counted."),
}
"""Words used by the command line, the charts and the report: key to (Chinese, English)."""


def _merged(*tables: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for table in tables:
        twice = sorted((set(out) | set(METRIC_LABELS)) & set(table))
        if twice:
            raise KeyError(f"display words defined twice: {', '.join(twice)}")
        out.update(table)
    return out


TEXT = _merged(TEXT, text_dashboard.TEXT, text_report.TEXT, text_cli.TEXT)

_TOP_REGIONS = {"shaoxing": ("绍兴市", "Shaoxing"), "town": ("示范镇", "Model town")}


def check_lang(lang: str) -> int:
    """Return the column of ``lang`` in the label tables.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    int
        0 for Chinese, 1 for English.

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return LANGS.index(lang)


def param_label(name: str, lang: str = "zh") -> str:
    """The display name of a mechanism parameter (its code name if it has none)."""
    return param_text(name, check_lang(lang))[0]


def measure_hint(name: str, lang: str = "zh") -> str:
    """What one would measure to pin a mechanism parameter down."""
    return param_text(name, check_lang(lang))[1]


def label(key: str, lang: str = "zh") -> str:
    """Return the display label of a metric or of a CLI word.

    Parameters
    ----------
    key
        A metric id (see :data:`METRIC_LABELS`), a word in :data:`TEXT` or a lever id.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    str
        The label; an unknown key comes back unchanged, so a newly added metric still shows.

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.
    """
    col = check_lang(lang)
    pair = METRIC_LABELS.get(key) or TEXT.get(key)
    if pair is None and key in LEVERS:
        pair = (LEVERS[key].name_zh, LEVERS[key].name_en)
    return pair[col] if pair else key


@cache
def _region_labels() -> dict[str, tuple[str, str]]:
    city = get_region("shaoxing")
    counties = {cid: (zh, cid.title()) for cid, zh in
                zip(city.county_ids, city.county_names_zh, strict=True)}
    return {**_TOP_REGIONS, **counties}


def region_label(region_id: str, lang: str = "zh") -> str:
    """Return the display name of a region.

    Parameters
    ----------
    region_id
        A region id as it appears in results (``"shaoxing"``, ``"zhuji"``, ``"town"``); any
        name :func:`fazhi_sim.get_region` accepts (``"诸暨"``) works too.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    str
        For example ``"诸暨市"`` or ``"Zhuji"``; ``"绍兴市"`` for ``"shaoxing"``.

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.
    fazhi_sim.RegionError
        If the region is not known (a subclass of ValueError).
    """
    col = check_lang(lang)
    labels = _region_labels()
    if region_id not in labels:
        region_id = get_region(region_id).id  # an alias such as 诸暨; RegionError if unknown
    return labels[region_id][col]
