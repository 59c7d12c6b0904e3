"""Display labels in Chinese (the default) and English for metrics, regions and the CLI.

Chinese labels use the terms of 法治绍兴建设规划 and of Zhejiang's statistics (万人成讼率,
小事不出村, 只进一扇门) so that figures read as local officials report them.
"""

from __future__ import annotations

from functools import cache

from .measures import LEVERS
from .region import get_region

__all__ = ["LANGS", "METRIC_LABELS", "TEXT", "check_lang", "label", "region_label"]

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
    "resolved_village_share": ("村级就地化解率 (小事不出村)",
                               "Resolved in the village (small matters stay in the village)"),
    "resolved_town_share": ("镇级化解率", "Resolved at the town"),
    "resolved_county_share": ("县级化解率", "Resolved at the county"),
    "resolved_court_share": ("法院裁判化解率", "Resolved by the courts"),
    "resolved_petition_share": ("信访化解率", "Resolved through petitions"),
    "handoffs_per_dispute": ("每件纠纷流转次数 (只进一扇门)", "Hand-offs per dispute (one door)"),
    "mediation_success_rate": ("人民调解成功率", "People's mediation success rate"),
    "prefiling_mediation_success_rate": ("诉前调解成功率", "Pre-filing mediation success rate"),
    "prefiling_diversion_share": ("诉前调解分流率", "Pre-filing mediation diversion rate"),
    "median_months_to_resolution": ("化解用时中位数(月)", "Median months to resolution"),
    "cases_per_mediator": ("调解员人均案件", "Cases per mediator"),
    "cases_per_judge": ("法官人均结案", "Cases concluded per judge"),
    "court_arrivals_per_10k": ("万人起诉率", "Disputes brought to court per 10,000 residents"),
    "lawsuits": ("诉讼案件受理数", "Lawsuits accepted"),
    "population": ("常住人口", "Residents"),
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
}
"""Words used by the command-line tables: key to (Chinese, English)."""

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
