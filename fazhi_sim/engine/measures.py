"""The measure catalogue: each plan measure that acts on disputes, as a lever.

Every lever names the article of 法治绍兴建设规划(2021—2025年) it comes from, the range a
scenario may set, its 2020 level (the baseline held by ``baseline.toml``) and the level the
plan's package reaches by 2025, each marked sourced (with the source) or assumed. How each lever
acts on the dispute flow is written up in docs/model.md; the code that applies it lives in
``institutions.py`` (capacity, success) and ``behaviour.py`` (channel choice).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Lever", "LEVERS", "PLAN_SECTIONS", "lever"]


@dataclass(frozen=True)
class Lever:
    """One plan measure as a scenario parameter (the catalogue is :data:`LEVERS`).

    Parameters
    ----------
    id : str
        Identifier used in scenario files (``[levers.<id>]``).
    name_zh, name_en : str
        Labels; Chinese uses the plan's own terms.
    article : str
        The plan article, e.g. ``"二十三"`` (article 23).
    section : str
        The plan section the article sits in (used to group dashboard controls).
    unit : str
        ``"share"`` for 0–1 coverage levels, otherwise the unit of the number.
    minimum, maximum : float
        The range a scenario may set; values outside are rejected, never clipped.
    baseline : float
        The 2020 level, held constant by the baseline scenario.
    plan_2025 : float
        The level the plan's package reaches by 2025 (``plan-2025.toml``).
    source : str
        Where ``baseline`` and ``plan_2025`` come from; begins with ``"assumed"`` when they are
        assumptions rather than sourced figures.
    mechanism : str
        One line on what the lever changes in the model.
    moves : tuple of (metric, sign)
        The outcomes the lever moves and in which direction (+1 up, -1 down) when raised,
        all else equal; the tests check each on a controlled population.
    plan_target : bool
        True when ``plan_2025`` is a coverage target the plan itself states.
    """

    id: str
    name_zh: str
    name_en: str
    article: str
    section: str
    unit: str
    minimum: float
    maximum: float
    baseline: float
    plan_2025: float
    source: str
    mechanism: str
    moves: tuple[tuple[str, int], ...] = ()
    plan_target: bool = False


PLAN_SECTIONS = {
    "四": ("依法行政", "Law-based government"),
    "五": ("公正司法", "Fair justice"),
    "六": ("法治社会", "Law-based society"),
    "七": ("数字法治", "Digital rule of law"),
    "八": ("法治保障", "Support for the rule of law"),
}
"""Plan sections (第四至第八部分) that hold measures acting on disputes: (zh, en)."""

_S = "share"

LEVERS: dict[str, Lever] = {
    lv.id: lv
    for lv in [
        # 六、法治社会 — articles 20–23
        Lever(
            "mediation_coverage", "人民调解委员会覆盖率(村社)",
            "Village mediation committee coverage",
            "二十三", "六", _S, 0.0, 1.0, 0.95, 1.0,
            "baseline derived: 657,000 village/community committees for roughly 690,000 villages "
            "and communities in China, 2018 (Ministry of Justice, as reported); plan level assumed",
            "villages with an active committee offer village mediation; others must go higher",
            moves=(("village_share_of_resolved", +1),),
        ),
        Lever(
            "mediators_per_10k", "村(社区)人民调解员(每万人)",
            "Village and community people's mediators per 10,000", "二十三", "六",
            "per 10,000 residents", 0.0, 60.0, 13.1, 15.0,
            "baseline derived: 3.3 mediators per village and community (Jiande 2006: 1,792 for "
            "544, 新华社 2006-07-23) times Shaoxing's 2,148 villages and communities on 5.394 "
            "million residents; Zhejiang had 19.8 people's mediators per 10,000 at all levels in "
            "2019 (中新网 2019-09-24); plan level assumed",
            "village mediation capacity (cases a month, cases_per_mediator each); where it is "
            "short, queues, waits and drop-outs grow and claimants go higher",
            moves=(("village_local_share", +1),),
        ),
        Lever(
            "online_mediation_share", "在线调解占比", "Share of mediation done online",
            "二十一", "六", _S, 0.0, 1.0, 0.1, 0.4, "assumed",
            "raises mediation capacity and lowers the cost of choosing mediation",
            moves=(("village_share_of_resolved", +1),),
        ),
        Lever(
            "county_centre", "县级矛调中心一站式整合度(只进一扇门)",
            "County one-stop centre integration", "二十三", "六", _S, 0.0, 1.0, 0.5, 1.0,
            "assumed; Zhejiang had a centre in every county by end-2019 (浙江法制报 2022-06-01), "
            "so the lever measures how far agencies are integrated behind its one door",
            "how much of the one-stop centre works: petitions lodged at its 信访超市 desk, its "
            "legal services and court window (诉调对接) in the triage, joint mediation that "
            "fewer parties refuse, more staff and appeal; moving on inside it is no new door",
            moves=(("petitions", -1),),
        ),
        Lever(
            "petition_agency", "民情信访代办覆盖率", "Petition agent (信访代办) coverage",
            "二十三", "六", _S, 0.0, 1.0, 0.5, 1.0, "assumed",
            "petition offices settle more and fewer unresolved petitioners come back (缠访)",
            moves=(("repeat_petitions", -1),),
        ),
        Lever(
            "petition_routing", "信访诉求法定途径分类处理比例",
            "Share of petitions routed into lawful channels", "二十三", "六", _S, 0.0, 1.0, 0.4,
            0.8, "assumed",
            "a petition is taken into county mediation or court instead of circling the office",
            moves=(("repeat_petitions", -1),),
        ),
        Lever(
            "psychological_services", "社会心理服务覆盖率", "Psychological counselling coverage",
            "二十三", "六", _S, 0.0, 1.0, 0.2, 0.6, "assumed",
            "grievance from failures and waiting builds up more slowly",
            moves=(("petitions", -1),),
        ),
        Lever(
            "lawyers_per_village", "一村(社区)一法律顾问(每村律师数)",
            "Legal advisers (lawyers) per village", "二十二", "六", "lawyers per village",
            0.0, 5.0, 0.9, 1.0,
            "plan: one legal adviser in every village and community (一村一法律顾问); more than "
            "600,000 villages and communities had one by end-2022 (人民日报 2023-06-17); the 2020 "
            "level is assumed. 0.5 is one lawyer shared by two villages, 2 is two",
            "with lawyer_hours_per_month, the advice each village can give a month; claimants "
            "advised negotiate and mediate more and petition less; no gain once advice "
            "capacity exceeds demand",
            moves=(("petitions", -1),),
        ),
        Lever(
            "lawyer_hours_per_month", "法律顾问驻村服务时长(小时/月)",
            "Legal adviser hours in the village per month", "二十二", "六", "hours a month",
            0.0, 160.0, 4.0, 8.0, "assumed (plan: from 走进来 to 坐下来, so more hours on site)",
            "as lawyers_per_village: advice capacity is lawyers x hours x consultations an hour",
            moves=(("petitions", -1),),
        ),
        Lever(
            "legal_aid_coverage", "法律援助覆盖面", "Legal aid coverage", "二十二", "六", _S,
            0.0, 1.0, 0.3, 0.6, "assumed",
            "lowers the cost of going to court, so fewer turn to petitions",
            moves=(("lawsuits_per_10k", +1),),
        ),
        Lever(
            "legal_service_access", "公共法律服务(实体、热线、网络)可及性",
            "Public legal service access (12348 hotline, online)", "二十二", "六", _S, 0.0, 1.0,
            0.5, 0.8, "assumed", "raises residents' working legal awareness",
            moves=(("disputes", +1), ("petitions", -1),),
        ),
        Lever(
            "legal_literacy_coverage", "法律明白人、学法守法示范户覆盖率",
            "Legal-literate persons (法律明白人) coverage", "二十", "六", _S, 0.0, 1.0, 0.6, 1.0,
            "plan target 100% coverage (section 六 goal, sourced); 2020 level assumed",
            "in covered villages the best-connected residents become 法律明白人: those within "
            "two ties of one decide with more awareness, lean to village mediation and away "
            "from petitions, and learn from them each December; more claims, fewer petitions",
            moves=(("disputes", +1), ("petitions", -1),), plan_target=True,
        ),
        Lever(
            "village_compact_strength", "四治融合、村规民约实施强度",
            "Village compacts and four-fold governance strength", "二十一", "六", _S, 0.0, 1.0,
            0.5, 0.8, "assumed", "fewer family, neighbour and land disputes arise",
            moves=(("grievances", -1),),
        ),
        Lever(
            "credit_enforcement", "信用体系与失信惩戒、信用修复", "Credit system and sanctions",
            "二十一", "六", _S, 0.0, 1.0, 0.5, 0.8, "assumed",
            "judgments are performed more often; defaulters leave the list sooner",
            moves=(("defaulters_per_10k", -1),),
        ),
        # 五、公正司法 — articles 16–18
        Lever(
            "pre_filing_mediation_share", "诉前调解分流比例(分调裁审)",
            "Share of court-bound disputes sent to pre-filing mediation", "十七", "五", _S,
            0.0, 1.0, 0.3, 0.6,
            "assumed; consistent with Zhejiang Jan-Nov 2023, where pre-filing settlements were "
            "23.7% of disputes reaching court (China News Service, as reprinted)",
            "disputes settled before filing are not lawsuits",
            moves=(("lawsuits_per_10k", -1),),
        ),
        Lever(
            "small_claims_share", "小额诉讼、独任制适用比例", "Small-claims and single-judge share",
            "十七", "五", _S, 0.0, 1.0, 0.2, 0.4, "assumed",
            "judges conclude more cases a month (shorter trial queues) and small claims close "
            "within two months", moves=(("mean_months_to_resolution", -1),),
        ),
        Lever(
            "judicial_confirmation_share", "调解协议司法确认比例",
            "Share of mediated agreements judicially confirmed", "十七", "五", _S, 0.0, 1.0,
            0.2, 0.5, "assumed", "confirmed agreements are enforceable and seldom break down",
            moves=(("handoffs_per_dispute", -1),),
        ),
        Lever(
            "online_court", "在线诉讼(移动微法院、跨域立案)使用度", "Online court use",
            "十七", "五", _S, 0.0, 1.0, 0.3, 0.8, "assumed",
            "suing costs less and courts work faster; this can RAISE 万人成讼率",
            moves=(("lawsuits_per_10k", +1),),
        ),
        Lever(
            "abusive_litigation_screening", "虚假诉讼、恶意诉讼甄别力度",
            "Screening of false and abusive suits", "十六", "五", _S, 0.0, 1.0, 0.3, 0.7,
            "assumed", "a share of abusive filings is refused",
            moves=(("lawsuits_per_10k", -1),),
        ),
        Lever(
            "voluntary_performance_rate", "生效裁判自动履行率",
            "Voluntary performance of judgments", "十八", "五", _S, 0.0, 1.0, 0.45, 0.6,
            "assumed", "unperformed judgments go to enforcement; failed enforcement makes "
            "defaulters (失信) and petitions",
            moves=(("defaulters_per_10k", -1),),
        ),
        Lever(
            "reconsideration_premediation", "行政复议受理前调解",
            "Mediation before reconsideration",
            "十七", "五", _S, 0.0, 1.0, 0.2, 0.6, "assumed",
            "administrative disputes settle at the county before review or suit: fewer "
            "administrative lawsuits",
            moves=(("lawsuits_per_10k", -1),),
        ),
        # 七、数字法治
        Lever(
            "early_warning", "大数据矛盾纠纷预警研判", "Big-data early warning", "二十七", "七",
            _S, 0.0, 1.0, 0.1, 0.6, "assumed",
            "disputes that failed once are flagged early: petitioning loses appeal against "
            "lawful channels",
            moves=(("petitions", -1),),
        ),
        # 八、法治保障
        Lever(
            "fengqiao_units_coverage", "“枫桥式”司法所、人民法庭覆盖率",
            "Fengqiao-style justice offices and tribunals coverage", "八(目标)", "八", _S, 0.0, 1.0,
            0.6, 1.0,
            "plan target full coverage (section 八 goal, sourced); 2020 level assumed",
            "town layer capacity, appeal and success", moves=(("town_share_of_resolved", +1),),
            plan_target=True,
        ),
        Lever(
            "public_lawyer_coverage", "公职律师覆盖面", "Public-sector lawyer coverage", "三十",
            "八", _S, 0.0, 1.0, 0.5, 0.9,
            "plan target 90% within five years (section 八, sourced); 2020 level assumed",
            "administrative disputes escalate less to petitions and settle more at the county",
            moves=(("petitions", -1),), plan_target=True,
        ),
    ]
}
"""All levers by id."""


def lever(lever_id: str) -> Lever:
    """Return the lever with this id.

    Raises
    ------
    KeyError
        If no lever has this id.
    """
    return LEVERS[lever_id]
