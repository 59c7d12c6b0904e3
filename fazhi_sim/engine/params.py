"""Mechanism parameters: every number the model's behaviour rests on, named and documented.

Each field carries its default, its allowed range and where the default comes from
(``source``: a citation, or ``"assumed"``). Scenarios override any of them in a ``[params]``
table. docs/model.md explains each in context.

Calibrated defaults: the fields declared with ``_calibrated(...)`` carry the values of the
shipped calibration (``data/calibrated_params.toml``, written by ``fazhi-sim calibrate``, see
docs/calibration.md) as their literal defaults, so what you read here is what runs. Each keeps
its hand-set value as ``prior`` (in :data:`PRIORS` and the field's ``source``);
:func:`prior_params` gives them back. After a new calibration, copy the file's ``[params]``
values here: a test fails while the two disagree.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "Params", "param_sources", "PRIORS", "CALIBRATION", "CALIBRATED_FILE", "prior_params",
    "read_calibrated",
]

A = "assumed"


def _p(default: float, lo: float, hi: float, doc: str, source: str = A) -> Any:
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra={"source": source})


def _calibrated(value: float, prior: float, lo: float, hi: float, doc: str, source: str = A,
                how: str = "calibrated to data/calibration_targets.csv") -> Any:
    # The calibrated value is the default that runs; the hand-set prior stays on record.
    text = (f"{how} (data/calibrated_params.toml, docs/calibration.md); prior {prior:g}, "
            f"{source}")
    return Field(value, ge=lo, le=hi, description=doc,
                 json_schema_extra={"source": text, "prior": prior})


class Params(BaseModel):
    """Mechanism parameters of :class:`~fazhi_sim.DisputeModel` (per month unless noted).

    Every field (listed below) has a default, an allowed range and a source; calibrated
    fields default to the shipped calibration. A scenario's ``[params]`` table overrides
    any of them. Frozen and strict: a value out of range, of the wrong type or under an
    unknown name is refused (``pydantic.ValidationError``), never clipped.

    Examples
    --------
    >>> from fazhi_sim import Params
    >>> p = Params(trust_mean=0.7)
    >>> p.trust_mean, p.awareness_mean          # one changed, the rest at their defaults
    (0.7, 0.4)
    >>> Params(trust_mean=1.5)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Params
    trust_mean
      Input should be less than or equal to 0.99 ...
    """

    # The fields are the parameters; each documents itself (description, range, source),
    # and the API page lists them. numpydoc ignore=PR01

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    # -- Residents (population.py)
    awareness_mean: float = _p(0.4, 0.01, 0.99, "mean legal awareness at start")
    trust_mean: float = _p(0.6, 0.01, 0.99, "mean trust in people's mediation at start")
    litigiousness_mean: float = _p(0.3, 0.01, 0.99, "mean propensity to sue")
    trait_spread: float = _p(0.8, 0.0, 3.0, "sd of traits on the logit scale")
    ties_mean: float = _p(
        8.0, 0.0, 50.0, "ties per resident (whose view each hears; 0: nobody talks)")
    tie_rewire: float = _p(
        0.1, 0.0, 1.0, "share of ties redrawn to anyone in the village (small world)")
    tie_cross_village: float = _p(
        0.05, 0.0, 1.0, "share of ties redrawn to anyone in the town (most land in another "
        "village)")
    tie_kin_weight: int = Field(
        2, ge=0, le=10, description="weight of a tie to one's household (the nearest on "
        "either side); a whole number, as ties are stored as small integers",
        json_schema_extra={"source": A})

    # -- Arising and claiming (naming, blaming, claiming)
    grievance_rate_scale: float = _p(
        1.0, 0.0, 10.0, "multiplies each type's grievance rate in data/dispute_types.csv"
    )
    claim_intercept: float = _calibrated(
        -0.33353, -0.3, -10.0, 10.0, "logit of claiming at zero awareness"
    )
    claim_awareness: float = _p(
        2.0, 0.0, 10.0, "awareness raises claiming",
        "assumed; calibrated against about 700 claims per 1,000 grievances "
        "(Miller & Sarat 1980-81, as summarised)",
    )
    claim_litigiousness: float = _p(1.0, 0.0, 10.0, "litigiousness raises claiming")
    compact_effect: float = _p(
        0.3, 0.0, 1.0, "share of family/neighbour/land grievances a full village compact prevents"
    )

    # -- Channel choice (behaviour.py): multinomial logit; lumping it has utility 0
    asc_negotiate: float = _p(0.4, -10.0, 10.0, "constant for negotiating directly")
    asc_village: float = _calibrated(-1.38003, 0.0, -10.0, 10.0, "constant for village mediation")
    asc_town: float = _calibrated(
        -1.58003, -0.2, -10.0, 10.0, "constant for the town justice office or tribunal"
    )
    asc_county: float = _calibrated(
        -1.98003, -0.6, -10.0, 10.0, "constant for the county one-stop centre"
    )
    asc_court: float = _calibrated(-1.00186, -0.4, -10.0, 10.0, "constant for going to court")
    asc_petition: float = _p(-0.3, -10.0, 10.0, "constant for petitioning (信访)")
    b_trust: float = _p(1.5, 0.0, 10.0, "trust in mediation raises the mediation channels")
    b_wait: float = _p(0.5, 0.0, 10.0, "utility lost per month of expected queue")
    wait_memory: float = _p(
        0.2, 0.01, 1.0, "share of this month's queue news in the expected wait (1: no lag)"
    )
    wait_capacity_floor: float = _p(
        0.5, 0.01, 10.0, "cases a month below which a unit's queue is gauged as if it had this "
        "capacity (a closed unit signals a long wait, not an infinite one)"
    )
    b_advice_negotiate: float = _p(0.4, 0.0, 10.0, "advice raises negotiating")
    b_advice_mediation: float = _p(0.6, 0.0, 10.0, "advice raises mediation")
    b_advice_petition: float = _p(1.0, 0.0, 10.0, "advice lowers petitioning")
    b_online_mediation: float = _p(0.5, 0.0, 10.0, "online mediation makes mediation cheaper")
    b_fengqiao: float = _p(0.6, 0.0, 10.0, "Fengqiao-style units raise the town layer's appeal")
    b_centre: float = _p(0.8, 0.0, 10.0, "an integrated one-door centre raises its appeal")
    b_awareness_court: float = _p(1.5, 0.0, 10.0, "awareness raises going to court")
    b_litigiousness_court: float = _p(1.5, 0.0, 10.0, "litigiousness raises going to court")
    court_cost: float = _p(1.2, 0.0, 10.0, "cost of suing, in utility")
    online_court_cost_cut: float = _p(0.6, 0.0, 1.0, "share of suing cost the online court removes")
    legal_aid_cost_cut: float = _p(0.4, 0.0, 1.0, "share of suing cost full legal aid removes")
    b_grievance_petition: float = _p(1.0, 0.0, 10.0, "grievance raises petitioning (Epstein 2002)")
    b_awareness_petition: float = _p(2.0, 0.0, 10.0, "awareness lowers petitioning")
    b_trust_petition: float = _p(1.0, 0.0, 10.0, "trust lowers petitioning")
    b_early_warning: float = _p(1.0, 0.0, 10.0, "early warning lowers petitioning after a failure")
    b_public_lawyer: float = _p(
        1.0, 0.0, 10.0, "public lawyers lower petitioning in administrative disputes"
    )
    b_fatigue: float = _p(0.6, 0.0, 10.0, "each failure raises the utility of giving up")
    county_mediation_weight: float = _p(
        0.5, 0.0, 2.0, "weight of trust and advice in the county centre's appeal, relative to "
        "village and town mediation (its staff are officials, not neighbours)"
    )

    # -- Service (institutions.py)
    negotiate_success: float = _p(0.35, 0.0, 1.0, "chance a direct negotiation settles")
    village_success: float = _calibrated(
        0.992778, 0.97, 0.0, 1.0, "chance village mediation settles a case it takes up",
        "assumed; reported success is 96-98.8% (Shengzhou 2020, China 2018, as reported)",
    )
    town_success: float = _calibrated(
        0.974531, 0.9, 0.0, 1.0, "chance town mediation settles a case"
    )
    county_success: float = _calibrated(
        0.960146, 0.85, 0.0, 1.0, "chance the county centre settles a case"
    )
    success_trust: float = _p(1.0, 0.0, 10.0, "trust raises mediation success (logit per unit)")
    success_trust_reference: float = _p(
        0.5, 0.0, 1.0, "trust at which mediation succeeds at its base rate"
    )
    success_advice: float = _p(0.4, 0.0, 10.0, "advice raises settlement (logit)")
    success_fengqiao: float = _p(0.5, 0.0, 10.0, "Fengqiao-style units raise town success (logit)")
    success_centre: float = _p(0.5, 0.0, 10.0, "integration raises centre success (logit)")
    success_reconsideration: float = _p(
        1.0, 0.0, 10.0, "pre-reconsideration mediation raises county success, administrative"
    )
    reconsideration_settle: float = _p(
        0.3, 0.0, 1.0, "share of court-bound administrative disputes settled by mediation "
        "before reconsideration, at full use"
    )
    success_public_lawyer: float = _p(
        0.5, 0.0, 10.0, "public lawyers raise county success, administrative (logit)"
    )
    relapse: float = _p(0.12, 0.0, 1.0, "chance a mediated agreement breaks down")
    confirmation_relapse_cut: float = _p(
        0.8, 0.0, 1.0, "share of breakdowns judicial confirmation prevents"
    )
    cases_per_mediator: float = _p(
        4.9 / 12, 0.01, 20.0, "cases a village people's mediator (mostly part-time) concludes a "
        "month at full load",
        "Zhejiang 2022: 640,000 disputes mediated by about 130,000 people's mediators, 4.9 each "
        "a year (statistics review, as reported); that average load is taken as capacity")
    mediation_refusal: float = _p(
        0.10, 0.0, 1.0, "chance the other party declines a people's mediation taken up "
        "(mediation is voluntary); the case is handed on, not concluded")
    mediation_stall: float = _p(
        0.05, 0.0, 1.0, "chance a people's mediation taken up is not concluded within its "
        "limit (终止调解); the case is handed on, not concluded")
    online_mediation_capacity: float = _p(0.5, 0.0, 5.0, "capacity gain at full online share")
    town_staff_per_10k: float = _p(
        0.75, 0.0, 20.0, "full-time mediators at town justice offices and tribunals",
        "derived: Shengzhou 2020 had 85 full-time people's mediators on 675,226 residents, 1.26 "
        "per 10,000 (sznews.zjol.com.cn 2020-09-15); assumed 0.75 of those at the town layer")
    town_cases_per_staff: float = _p(
        55.0 / 12, 0.1, 100.0, "cases a full-time mediator concludes a month",
        "老杨调解室, Zhuji: 4 mediators settled 1,763 disputes in 8 years, 55 each a year "
        "(中国网 2018-11-08, as reported)")
    fengqiao_capacity: float = _p(0.5, 0.0, 5.0, "town capacity gain at full Fengqiao coverage")
    centre_staff_per_10k: float = _p(
        0.5, 0.0, 20.0, "full-time mediators at the county centre (联合调处)",
        "derived: the rest of Shengzhou's 1.26 full-time mediators per 10,000 (2020), assumed")
    centre_cases_per_staff: float = _p(
        55.0 / 12, 0.1, 100.0, "cases a centre mediator concludes a month",
        "as town_cases_per_staff (老杨调解室, Zhuji, 55 a year)")
    centre_capacity: float = _p(
        0.5, 0.0, 5.0, "centre capacity gain at full integration (agencies stationed in it)")
    centre_refusal_cut: float = _p(
        0.5, 0.0, 1.0, "share of refusals joint mediation prevents at full integration (the "
        "agency concerned sits at the table)")
    centre_route_legal: float = _p(
        0.69, 0.0, 1.0, "share of unadvised disputes the integrated centre sends to its legal "
        "services desk first",
        "derived: Zhuji centre Nov 2019-Aug 2020 sent 4,995 to legal services, 2,060 to "
        "mediation bodies and 151 to court (人民论坛网 2020-09-25): 4,995 / 7,206")
    centre_route_court: float = _p(
        0.021, 0.0, 1.0, "share of disputes the integrated centre sends to the court window "
        "(诉调对接)", "derived: Zhuji centre, 151 / 7,206 (as centre_route_legal)")
    centre_petition_desk: float = _p(
        0.5, 0.0, 1.0, "share of petitions lodged at the centre (信访超市) its petition desk "
        "keeps; the rest are triaged like disputes")
    impatience: float = _p(0.15, 0.0, 5.0, "hazard of leaving a queue per month waited")
    prefiling_success: float = _p(
        0.69, 0.0, 1.0, "chance court pre-filing mediation settles",
        "SPC 2023: 11,998,100 of 17,459,800 pre-filing mediations settled (as reprinted)",
    )
    prefiling_per_10k: float = _p(
        7.0, 0.0, 100.0, "court pre-filing mediation capacity, cases a month per 10,000",
        "derived: Zhejiang Jan-Nov 2023, 342,000 pre-filing settlements at 69% success on 66.27 "
        "million residents is about 81 mediations per 10,000 a year (China News Service, as "
        "reprinted); rounded up to 7 a month")
    judges_per_10k: float = _p(
        0.41, 0.01, 10.0, "judges' time on first-instance civil and administrative cases, in "
        "judges per 10,000",
        "derived: Shengzhou 2020, 14,779 cases at 273.1 per front-line judge is 54 judges on "
        "675,226 residents (0.80 per 10,000), times the civil/commercial share of cases "
        "(7,579 / 14,779) (sznews.zjol.com.cn 2021-02-20)")
    cases_per_judge: float = _p(
        273.1 / 0.83 / 12 / 1.1 / 1.06, 1.0, 200.0, "cases a judge can conclude a month "
        "without small claims or online hearings",
        "derived: Shengzhou's front-line judges concluded 273.1 cases each in 2020, a year "
        "intake fell 17%, so about 329 in 2019 (sznews.zjol.com.cn 2021-02-20; Keqiao 2018: "
        "484); 329 a year divided by the small-claims and online-court gains at 2020 levels "
        "(1.1 and 1.06)")
    small_claims_speedup: float = _p(0.5, 0.0, 5.0, "capacity gain at full small-claims share")
    online_court_speedup: float = _p(0.2, 0.0, 5.0, "capacity gain at full online-court use")
    court_settle: float = _p(0.35, 0.0, 1.0, "share of trials ending in court mediation/withdrawal")
    abusive_share: float = _p(0.05, 0.0, 1.0, "share of filings that are false or abusive")
    enforcement_per_10k: float = _p(3.0, 0.0, 100.0, "enforcement capacity per 10,000 residents")
    enforcement_success: float = _p(0.5, 0.0, 1.0, "chance enforcement recovers the judgment")
    credit_performance: float = _p(
        0.4, 0.0, 1.0, "share of would-be non-performers a full credit system makes perform"
    )
    defaulter_exit: float = _p(0.03, 0.0, 1.0, "chance a defaulter leaves the list each month")
    credit_exit: float = _p(0.05, 0.0, 1.0, "extra exit chance at full credit repair")
    petition_per_10k: float = _p(5.0, 0.0, 100.0, "petition office capacity per 10,000 residents")
    petition_resolve: float = _p(0.25, 0.0, 1.0, "chance the petition office settles a petition")
    agency_resolve: float = _p(0.25, 0.0, 1.0, "extra settlement chance at full agent coverage")
    petition_repeat: float = _p(0.5, 0.0, 1.0, "chance an unsettled petitioner petitions again")
    agency_repeat_cut: float = _p(0.5, 0.0, 1.0, "share of repeats full agent coverage prevents")
    grievance_fail: float = _p(0.5, 0.0, 10.0, "grievance added by a failure")
    grievance_resolution_keep: float = _p(
        0.5, 0.0, 1.0, "share of a claimant's carried grievance left once a dispute is resolved"
    )
    grievance_yearly_keep: float = _p(
        0.8, 0.0, 1.0, "share of carried grievance left after each year (old grievances fade)"
    )
    fatigue_cap: int = Field(
        100, ge=1, le=100, description="failures counted toward fatigue (more are not told "
        "apart; 100 also keeps the count inside its int8 column)",
        json_schema_extra={"source": A},
    )
    grievance_wait: float = _p(0.1, 0.0, 10.0, "grievance added per month in a queue")
    psych_grievance_cut: float = _p(
        0.5, 0.0, 1.0, "share of grievance build-up counselling removes"
    )

    # -- Learning (behaviour.py) and advice
    trust_learning: float = _p(0.2, 0.0, 1.0, "step toward the outcome in trust after mediation")
    awareness_learning: float = _p(0.05, 0.0, 1.0, "awareness gained from court or advice")
    word_of_mouth: float = _p(
        0.05, 0.0, 1.0, "step a resident's trust takes toward what a tie reports of a "
        "mediation it went through, per unit of tie weight (DeGroot)")
    literacy_effect: float = _p(
        0.3, 0.0, 1.0, "share of the awareness gap a 法律明白人 closes for residents tied to "
        "them (and for themselves) at the moment of deciding"
    )
    literacy_learning: float = _p(
        0.05, 0.0, 1.0, "yearly lasting awareness gain of each resident per unit of tie weight "
        "to 法律明白人 (teaching along ties)"
    )
    literacy_per_village: float = _p(
        6.0, 0.0, 100.0, "法律明白人 per covered village, the best-connected residents",
        "derived: 4.2 million 法律明白人 nationally, 'at least one in every village' (央视网 "
        "2024-10-30), over about 690,000 villages and communities")
    b_literacy_village: float = _p(
        0.5, 0.0, 10.0, "a 法律明白人 among one's ties refers disputes to village mediation")
    b_literacy_petition: float = _p(
        0.5, 0.0, 10.0, "a 法律明白人 among one's ties steers away from petitions")
    reputation_learning: float = _p(
        0.1, 0.0, 1.0, "monthly step of a unit's reputation toward its month's share of "
        "cases taken up that ended in a lasting settlement")
    b_reputation: float = _p(
        2.0, 0.0, 20.0, "utility per unit of a mediation unit's reputation above its "
        "expected level")
    service_access_effect: float = _p(0.1, 0.0, 1.0, "awareness gap closed at full access")
    consultations_per_hour: float = _p(
        1.0, 0.05, 20.0, "claimants a village legal adviser can advise per hour on site")
    advice_uptake: float = _p(
        0.5, 0.0, 1.0, "share of claimants who seek the village legal adviser's advice when "
        "the adviser has time")

    # -- Handling times (handling.py): days a layer takes over a case, drawn per case from a
    # lognormal with this mean and coefficient of variation, truncated at the layer's limit.
    handling_days_negotiation: float = _p(7.0, 0.5, 365.0, "mean days a direct negotiation "
                                          "takes (before truncation)")
    handling_days_village: float = _p(12.0, 0.5, 365.0, "mean days of village mediation")
    handling_days_town: float = _p(18.0, 0.5, 365.0, "mean days of town mediation")
    handling_days_county: float = _p(22.0, 0.5, 365.0, "mean days at the county centre")
    handling_days_prefiling: float = _p(20.0, 0.5, 365.0, "mean days of pre-filing mediation")
    handling_days_simple: float = _p(
        50.0, 0.5, 730.0, "mean days from filing to judgment on the simple track (简易程序, "
        "incl. small claims)")
    handling_days_ordinary: float = _p(
        120.0, 0.5, 730.0, "mean days from filing to judgment under the ordinary procedure")
    handling_days_enforcement: float = _p(
        49.79, 0.5, 730.0, "mean days an enforcement case takes",
        "人民法院报 2024-08: Zhejiang courts' average enforcement time, Jan-Jun 2024, 49.79 days")
    handling_days_small_claims: float = _p(
        30.0, 0.5, 730.0, "mean days from filing to judgment in small claims (小额诉讼)")
    handling_days_petition: float = _p(40.0, 0.5, 365.0, "mean days the petition office takes")
    handling_cv_mediation: float = _p(
        0.7, 0.05, 3.0, "coefficient of variation of negotiation and people's and pre-filing "
        "mediation days")
    handling_cv_court: float = _p(0.6, 0.05, 3.0, "coefficient of variation of trial days")
    handling_cv_enforcement: float = _p(
        0.6, 0.05, 3.0, "coefficient of variation of enforcement days (small enough that the "
        "6-month cut keeps the mean near the reported 49.79 days)")
    handling_cv_petition: float = _p(0.5, 0.05, 3.0, "coefficient of variation of petition days")
    simple_procedure_share: float = _p(
        0.75, 0.0, 1.0, "share of first-instance trials on the simple track (summary procedure "
        "and small claims)")
    limit_days_negotiation: float = _p(
        30.0, 1.0, 365.0, "longest a direct negotiation runs (one model month: one not "
        "settled by then has failed)")
    limit_days_mediation: float = _p(
        30.0, 1.0, 365.0, "limit on people's mediation at village, town and county",
        "人民调解工作若干规定 (司法部 2002): a dispute is generally mediated within one month "
        "(人民调解法 itself sets no limit)")
    limit_days_prefiling: float = _p(
        30.0, 1.0, 365.0, "limit on court pre-filing (委派) mediation",
        "SPC 关于进一步完善委派调解机制的指导意见 (2020): 30 days unless the parties agree to "
        "extend")
    limit_days_simple: float = _p(
        90.0, 1.0, 730.0, "limit on the simple procedure",
        "Civil Procedure Law (2021 text) art. 164: simple-procedure cases close within 3 months")
    limit_days_small_claims: float = _p(
        60.0, 1.0, 730.0, "limit on small-claims procedure",
        "Civil Procedure Law (2021 text) art. 169: small-claims cases close within 2 months")
    limit_days_ordinary: float = _p(
        180.0, 1.0, 730.0, "limit on the ordinary procedure",
        "Civil Procedure Law (2021 text) art. 152: ordinary-procedure cases close within 6 months")
    limit_days_enforcement: float = _p(
        180.0, 1.0, 730.0, "limit on an enforcement case",
        "SPC 关于人民法院办理执行案件若干期限的规定 (2006) art. 1: 6 months where the debtor "
        "has assets")
    limit_days_petition: float = _p(
        60.0, 1.0, 365.0, "limit on the petition office's reply",
        "信访条例 (2005) art. 33, kept by 信访工作条例 (2022): handled within 60 days")
    initial_defaulters_per_10k: float = _calibrated(
        22.8661, 27.0, 0.0, 1000.0, "defaulters (失信被执行人) listed at the start, per 10,000",
        "assumed: the default baseline's own steady state, so the baseline starts level",
        how="set to the calibrated baseline's steady state",
    )
    warmup_months: int = Field(
        12, ge=0, le=240, description="months run at 2020 levels before the first reported year",
        json_schema_extra={"source": A},
    )


def param_sources() -> dict[str, str]:
    """Map each parameter to its source (a citation or ``"assumed"``)."""
    out = {}
    for name, field in Params.model_fields.items():
        extra = field.json_schema_extra
        out[name] = extra["source"] if isinstance(extra, dict) else A  # type: ignore[assignment]
    return out


CALIBRATED_FILE = "data/calibrated_params.toml"
"""The shipped calibrated parameter set, inside the package."""

PRIORS: dict[str, float] = {
    name: float(f.json_schema_extra["prior"]) for name, f in Params.model_fields.items()
    if isinstance(f.json_schema_extra, dict) and "prior" in f.json_schema_extra
}
"""Hand-set defaults of the calibrated fields (the calibration's priors and starting point)."""

CALIBRATION: dict[str, Any] = {}
"""Provenance of the calibrated defaults (the file's ``[provenance]`` table); empty if none."""


def read_calibrated(text: str, source: str) -> tuple[dict[str, float], dict[str, Any]]:
    """Parse and check a calibrated parameter file.

    Parameters
    ----------
    text
        The file's TOML text: a ``[params]`` table of Params fields (floats), and optionally a
        ``[provenance]`` table.
    source
        Name of the file, for messages.

    Returns
    -------
    tuple
        The values (field name to float) and the provenance table.

    Raises
    ------
    ValueError
        One line: file, field, what is allowed (malformed TOML, no ``[params]``, an unknown
        field, a value that is not a number or out of the field's range).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{source}: (syntax): malformed TOML: {err}") from None
    table = data.get("params")
    if not isinstance(table, dict):
        raise ValueError(f"{source}: params: missing; the file needs a [params] table")
    values: dict[str, float] = {}
    for name, value in table.items():
        field = Params.model_fields.get(name)
        if field is None or field.annotation is not float:
            raise ValueError(f"{source}: params.{name}: unknown or not a real-valued field; "
                             "allowed: a float field of fazhi_sim.Params (e.g. asc_court)")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{source}: params.{name}: must be a number (got {value!r})")
        values[name] = float(value)
    try:
        Params(**values)
    except ValidationError as err:
        e = err.errors()[0]
        raise ValueError(f"{source}: params.{'.'.join(map(str, e['loc']))}: "
                         f"{e['msg']}") from None
    prov = data.get("provenance", {})
    return values, prov if isinstance(prov, dict) else {}


def _read_provenance() -> dict[str, Any]:
    res = resources.files("fazhi_sim").joinpath(CALIBRATED_FILE)
    if not res.is_file():
        return {}
    return read_calibrated(res.read_text("utf-8"), f"fazhi_sim/{CALIBRATED_FILE}")[1]


def prior_params(**overrides: float) -> Params:
    """Params with every calibrated field back at its hand-set prior (uncalibrated).

    Parameters
    ----------
    **overrides
        Further field values.

    Returns
    -------
    Params
        The parameter set before calibration, with ``overrides`` applied.
    """
    return Params(**{**PRIORS, **overrides})


CALIBRATION.update(_read_provenance())
