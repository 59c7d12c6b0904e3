"""Names of mechanism parameters, and what one would measure to pin each down.

Used where the uncertainty tables say which parameter drives a band and which measurement
would narrow it. A parameter missing here shows its code name and its Params description.
"""

from __future__ import annotations

from ..engine.params import Params

__all__ = ["PARAM_TEXT", "param_text"]

PARAM_TEXT: dict[str, tuple[str, str, str, str]] = {
    # name: (Chinese label, English label, what to measure in Chinese, in English)
    "grievance_rate_scale": (
        "矛盾隐患发生水平", "how many grievances arise",
        "居民法律需求调查:每年遇到纠纷的居民比例", "a legal needs survey: the share of residents "
        "with a dispute each year"),
    "claim_intercept": (
        "纠纷提出倾向", "propensity to voice a grievance",
        "法律需求调查:遇到纠纷后向对方提出主张的比例", "a legal needs survey: the share of "
        "grievances voiced as claims"),
    "claim_awareness": (
        "法律意识对提出主张的作用", "effect of legal awareness on claiming",
        "按法律意识分组的纠纷提出比例(法律需求调查)", "claiming rates by legal awareness "
        "(legal needs survey)"),
    "awareness_mean": (
        "居民平均法律意识", "residents' mean legal awareness",
        "居民法治素养抽样调查", "a sample survey of residents' legal literacy"),
    "trust_mean": (
        "对人民调解的平均信任", "mean trust in people's mediation",
        "居民对人民调解信任度调查", "a survey of trust in people's mediation"),
    "asc_court": (
        "直接起诉的倾向", "propensity to go straight to court",
        "纠纷首选渠道调查:直接到法院的比例", "a survey of first channels: the share going "
        "straight to court"),
    "asc_village": (
        "选择村级调解的倾向", "propensity to choose village mediation",
        "村级调解受理量与纠纷总量之比", "village mediation intake against all disputes"),
    "asc_town": (
        "选择乡镇调解的倾向", "propensity to choose town mediation",
        "乡镇(街道)调解受理量", "town mediation intake"),
    "asc_county": (
        "选择县级矛调中心的倾向", "propensity to choose the county centre",
        "县级矛调中心受理量及来源", "county centre intake and where it comes from"),
    "asc_petition": (
        "信访倾向", "propensity to petition",
        "信访总量及初信初访比例(县级)", "petition totals and first petitions (county)"),
    "court_cost": (
        "起诉成本", "cost of suing",
        "诉讼费用与时间成本调查;诉讼费减免前后立案量变化", "costs of suing; filings before and "
        "after fee changes"),
    "village_success": (
        "村级调解成功率", "village mediation success",
        "村级调解台账:受理、调结、反悔", "village mediation records: taken in, settled, "
        "relapsed"),
    "town_success": (
        "乡镇调解成功率", "town mediation success",
        "乡镇(街道)调解台账:受理与调结", "town mediation records: taken in and settled"),
    "county_success": (
        "县级矛调中心调解成功率", "county centre success",
        "县级矛调中心调处结果台账", "county centre outcome records"),
    "mediation_refusal": (
        "对方拒绝调解的比例", "share of mediations the other party refuses",
        "调解台账中对方不同意调解的比例", "mediation records: share the other party declines"),
    "mediation_stall": (
        "调解超期未结比例", "share of mediations not concluded in time",
        "调解台账中超期未结比例", "mediation records: share not concluded in time"),
    "b_trust": (
        "信任对选择调解的作用", "effect of trust on choosing mediation",
        "按信任度分组的渠道选择调查", "channel choice by trust (survey)"),
    "b_centre": (
        "矛调中心一站式集成的吸引力", "appeal of the integrated one-door centre",
        "矛调中心整合前后受理量变化", "centre intake before and after integration"),
    "b_fengqiao": (
        "枫桥式单位对乡镇层的吸引力", "appeal of Fengqiao-style units",
        "创建枫桥式单位前后乡镇调解受理量", "town intake before and after Fengqiao-style units"),
    "online_court_cost_cut": (
        "在线诉讼降低的起诉成本", "suing cost the online court removes",
        "在线立案前后立案量及当事人成本", "filings and litigants' costs before and after online "
        "filing"),
    "b_awareness_court": (
        "法律意识对起诉的作用", "effect of awareness on going to court",
        "按法律意识分组的起诉比例", "suing rates by legal awareness"),
    "b_litigiousness_court": (
        "好讼倾向对起诉的作用", "effect of litigiousness on going to court",
        "重复诉讼当事人比例", "the share of repeat litigants"),
    "litigiousness_mean": (
        "平均好讼倾向", "mean propensity to sue",
        "居民诉讼态度调查", "a survey of attitudes to suing"),
    "b_wait": (
        "排队等候的负效用", "disutility of waiting",
        "调解与诉讼等候时间及放弃比例", "waiting times and the share who give up"),
    "impatience": (
        "排队中放弃的概率", "hazard of leaving a queue",
        "排队期间撤回或放弃的比例", "the share withdrawing while they wait"),
    "b_advice_mediation": (
        "法律咨询对选择调解的作用", "effect of advice on choosing mediation",
        "村法律顾问咨询后的去向登记", "where advised claimants went (village adviser logs)"),
    "literacy_effect": (
        "法律明白人对法律意识的作用", "effect of 法律明白人 on awareness",
        "法律明白人培训前后居民法律意识对比", "awareness before and after 法律明白人 training"),
    "petition_resolve": (
        "信访办结化解率", "chance a petition is settled",
        "信访事项办结与化解率", "petitions concluded and settled"),
    "petition_repeat": (
        "重复信访概率", "chance of a repeat petition",
        "重复信访占比", "the share of repeat petitions"),
    "b_grievance_petition": (
        "怨气对信访的作用", "effect of grievance on petitioning",
        "信访人纠纷经历调查", "a survey of petitioners' dispute histories"),
    "prefiling_success": (
        "诉前调解成功率", "pre-filing mediation success",
        "诉前调解受理与调结(法院)", "pre-filing mediations received and settled (courts)"),
    "simple_procedure_share": (
        "简易程序适用比例", "share of trials on the simple track",
        "一审民事案件简易程序适用率", "simple-procedure share of first-instance civil cases"),
    "negotiate_success": (
        "自行协商成功率", "chance a direct negotiation settles",
        "法律需求调查:自行协商解决的比例", "a legal needs survey: share settled by "
        "negotiating"),
    "b_early_warning": (
        "矛盾风险预警对信访的抑制作用", "effect of early warning on petitioning",
        "预警排查前后调解失败后的信访比例", "petitions after failed mediation, before and "
        "after early-warning screening"),
    "b_awareness_petition": (
        "法律意识对信访的抑制作用", "effect of awareness on petitioning",
        "按法律意识分组的信访比例", "petitioning rates by legal awareness"),
    "b_trust_petition": (
        "信任对信访的抑制作用", "effect of trust on petitioning",
        "信访人对调解信任度调查", "a survey of petitioners' trust in mediation"),
    "b_public_lawyer": (
        "公职律师对行政争议信访的作用", "effect of government lawyers on petitions",
        "配备公职律师前后行政争议信访量", "administrative petitions before and after "
        "government lawyers"),
    "agency_resolve": (
        "代办员提高的信访化解率", "extra settlement with petition agents",
        "信访代办前后化解率", "settlement before and after petition agents"),
    "b_fatigue": (
        "多次失败后放弃的倾向", "propensity to give up after failures",
        "纠纷当事人放弃的比例及失败次数", "the share who give up, by failures"),
    "town_staff_per_10k": (
        "乡镇专职调解员配备(每万人)", "full-time town mediators per 10,000",
        "乡镇(街道)专职人民调解员人数", "full-time town mediator head count"),
    "centre_staff_per_10k": (
        "矛调中心专职调解员配备(每万人)", "full-time centre mediators per 10,000",
        "县级矛调中心常驻调解员人数", "head count of mediators stationed at the centre"),
    "psych_grievance_cut": (
        "心理疏导减少的怨气", "grievance build-up counselling removes",
        "心理疏导服务对象的重复信访比例", "repeat petitions among those counselled"),
}
"""Chinese and English label, and the measurement that would pin it, per parameter."""


def param_text(name: str, col: int) -> tuple[str, str]:
    """Label and measurement hint of ``name`` in language column ``col`` (0 zh, 1 en)."""
    if name in PARAM_TEXT:
        t = PARAM_TEXT[name]
        return t[col], t[2 + col]
    field = Params.model_fields.get(name)
    doc = field.description if field is not None and field.description else name
    return name, (f"专项调查:{doc}({name})" if col == 0 else f"a study of: {doc}")
