"""Engine tests: conservation, reproducibility, closed-form expectations, lever effect sizes."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import lever_expectations as lx
import numpy as np
import pandas as pd
import pytest
from conftest import small_region
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fazhi_sim as fs
from fazhi_sim.engine.behaviour import type_table
from fazhi_sim.engine.disputes import State
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.metrics import is_share
from fazhi_sim.engine.params import Params
from fazhi_sim.engine.scenario import scenario_from_dict


def _scenario(levers=None, params=None, end_year=2022, **kw) -> fs.Scenario:
    return scenario_from_dict({"name": "t", "end_year": end_year, "levers": levers or {},
                               "params": params or {}, **kw})


def test_mass_balance_every_month(tiny):
    """Every claim is in exactly one state each month: open in the pool or closed once.

    By dispute id as well as by count: a dispute that left the pool never comes back, a
    dispute first seen open carries an id issued that month (ids are never reused), and the
    ids seen leaving are no more than the disputes counted closed.
    """
    m = fs.DisputeModel(fs.load_scenario("scenarios/plan-2025.toml"), region=tiny, seed=3)
    c = m.tally.counts
    seen_ids: set[int] = set()  # every id found open at some month's end
    closed_ids: set[int] = set()  # ids open at one month's end and gone at a later one
    open_ids: set[int] = set()
    while m.running:
        first_new_id = int(m.next_id[0])  # ids are issued per replicate; one here
        m.step()
        t = m.row - 1
        created = c["disputes"][: t + 1].sum()
        closed = c["closed"][: t + 1].sum()
        assert created == closed + len(m.pool)
        assert m.state_counts.sum() == len(m.pool) + c["closed"][t].sum()
        assert np.all(m.pool.state < State.RESOLVED)
        assert len(np.unique(m.pool.id)) == len(m.pool)
        resolved = sum(c[k][t].sum() for k in c if k.startswith("resolved_"))
        assert resolved + c["dropped"][t].sum() == c["closed"][t].sum()
        now = set(m.pool.id.tolist())
        assert not now & closed_ids, "a closed dispute reappeared"
        assert all(i >= first_new_id for i in now - seen_ids), "an old id was reissued"
        closed_ids |= open_ids - now
        seen_ids |= now
        open_ids = now
        assert len(closed_ids) <= closed and len(seen_ids) <= created
    assert created > 500 and len(closed_ids) > 100  # the check ran on a real flow


def test_same_seed_same_result_different_seed_differs():
    a = fs.simulate("plan-2025", region="town", seed=11)
    b = fs.simulate("plan-2025", region="town", seed=11)
    c = fs.simulate("plan-2025", region="town", seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a.value.fillna(-1), c.value.fillna(-1))


def test_tidy_frame_shape_and_metrics():
    df = fs.simulate("baseline", region="shaoxing", seed=1)
    assert list(df.columns) == ["year", "region", "metric", "value"]
    assert set(df.year) == set(range(2021, 2026))
    assert set(df.region) == {*fs.get_region("shaoxing").county_ids, "shaoxing"}
    assert set(fs.METRICS) <= set(df.metric)
    wide = df[df.year == 2023].pivot(index="region", columns="metric", values="value")
    counties = wide.drop(index="shaoxing")
    # Counts add up from counties to the city; rates are recomputed from the sums.
    for count in ("lawsuits", "petitions", "disputes", "population"):
        assert counties[count].sum() == pytest.approx(wide.loc["shaoxing", count])
    city = wide.loc["shaoxing"]
    assert city.lawsuits_per_10k == pytest.approx(city.lawsuits / city.population * 1e4)
    for share in ("village_share_of_resolved", "mediation_success_rate",
                  "prefiling_diversion_share"):
        assert ((wide[share] >= 0) & (wide[share] <= 1)).all()


def test_monthly_detail_sums_to_yearly():
    yearly = fs.simulate("baseline", region="town", seed=4)
    monthly = fs.simulate("baseline", region="town", seed=4, freq="month")
    assert {"year", "month"} <= set(monthly.columns)
    got = monthly[monthly.metric == "lawsuits"].groupby("year").value.sum()
    want = yearly[yearly.metric == "lawsuits"].set_index("year").value
    pd.testing.assert_series_equal(got, want, check_names=False)


def test_horizon_to_2035(tiny):
    df = fs.simulate(_scenario(end_year=2035, levers={"online_court": 0.9}), region=tiny, seed=1)
    assert df.year.max() == 2035 and df.year.min() == 2021


def _expected_grievances_per_year(region, params: Params, compact: float) -> float:
    tt = type_table()
    rates = tt["rate_per_10k"] * params.grievance_rate_scale
    rates = np.where(tt["compact_sensitive"], rates * (1 - params.compact_effect * compact), rates)
    return region.population * rates.sum() / 1e4


def test_closed_form_counts_all_to_court():
    """With claiming fixed and every claim forced to court, expected counts are closed-form.

    grievances/year = population * sum(rate_t * (1 - compact prevention)) / 10^4;
    claims = grievances * logistic(claim_intercept); with no pre-filing diversion and no
    abusive screening every claim is filed. Tolerance: |z| < 4 per seed-year against Poisson
    (binomial) noise, and the mean over 5 seeds within 3 standard errors.
    """
    region = small_region(villages=10, people=3_000, counties=1)
    params = {"claim_awareness": 0.0, "claim_litigiousness": 0.0, "claim_intercept": 0.5,
              "asc_court": 10.0, "court_cost": 0.0, "b_wait": 0.0, "warmup_months": 0}
    levers = {"pre_filing_mediation_share": 0.0, "abusive_litigation_screening": 0.0}
    sc = _scenario(levers, params, end_year=2023)
    p_claim = 1 / (1 + np.exp(-0.5))
    g_exp = _expected_grievances_per_year(region, sc.params, LEVERS["village_compact_strength"]
                                          .baseline)
    z_g, z_l = [], []
    for seed in range(5):
        df = fs.simulate(sc, region=region, seed=seed)
        g = df[df.metric == "grievances"].value.to_numpy()
        law = df[df.metric == "lawsuits"].value.to_numpy()
        z_g.extend((g - g_exp) / np.sqrt(g_exp))
        lam = g_exp * p_claim
        z_l.extend((law - lam) / np.sqrt(lam))
    for z in (np.array(z_g), np.array(z_l)):
        assert np.all(np.abs(z) < 4)
        assert abs(z.mean()) * np.sqrt(len(z)) < 3


def test_closed_form_petition_repeats():
    """All claims petition; the office settles a share r and a share q of the rest repeat.

    Expected lodgings per claim = 1 / (1 - (1 - r) q) at steady state (geometric repeats).
    Tolerance: mean ratio over 4 seeds x 3 years within 4%.
    """
    region = small_region(villages=10, people=3_000, counties=1)
    params = {"asc_petition": 10.0, "b_awareness_petition": 0.0, "b_trust_petition": 0.0,
              "b_advice_petition": 0.0, "petition_per_10k": 100.0, "petition_resolve": 0.3,
              "agency_resolve": 0.0, "petition_repeat": 0.6, "agency_repeat_cut": 0.0,
              "warmup_months": 12}
    # No 信访超市 desk at the centre: every petition reaches the petition office.
    sc = _scenario({"petition_routing": 0.0, "county_centre": 0.0}, params, end_year=2023)
    ratios = []
    for seed in range(4):
        df = fs.simulate(sc, region=region, seed=seed).set_index(["year", "metric"]).value
        for y in range(2021, 2024):
            ratios.append(df[(y, "petitions")] / df[(y, "disputes")])
    expected = 1 / (1 - 0.7 * 0.6)
    assert np.mean(ratios) == pytest.approx(expected, rel=0.04)


# -- lever effects at the calibrated parameters -------------------------------------------
#
# Each lever moves from its 2020 level to its plan level (measures.py: ``baseline`` ->
# ``plan_2025``) as a step change in January 2021; every other lever stays at its 2020 level
# and every parameter at its shipped (calibrated) default. Paired seeds (common random
# numbers) on the 50,000-resident town; the outcome is the town's 2021-2022 mean after the
# 12-month warm-up. Each case asserts that
#   1. the mean paired change minus 2 standard errors is on the documented side of zero, and
#   2. the mean relative change lies inside a band worked out from the mechanism
#      (tests/lever_expectations.py, from Params and the catalogue; nothing fitted):
#      * "around": a closed-form first-order prediction +- a stated tolerance;
#      * "choice": a utility change du acts through a logit choice, so at most exp(du) - 1
#        (times any capacity or success factor) and at least a tenth of exp(du) - 1;
#      * "advice": newly advised claimants petition less (see _advice);
#      * "up to": a ceiling only, where no first-order floor can be worked out; the 2-se
#        test is then the only lower bound, and the reason says so;
#      * "issue 11": levers that barely act at 2020 levels are not hidden: their near-zero
#        effect is asserted as such, or the case is a strict xfail.

_P = Params()
_YEARS = 2  # reported years, 2021-2022


def _d(lid: str) -> float:
    """How far the plan moves a lever from its 2020 level."""
    return LEVERS[lid].plan_2025 - LEVERS[lid].baseline


def _plan(lid: str) -> dict[str, float]:
    return lx.levels(**{lid: LEVERS[lid].plan_2025})


def _around(pred: float, tol: float) -> tuple[float, float]:
    lo, hi = sorted((pred * (1 - tol), pred * (1 + tol)))
    return lo, hi


def _up_to(ceiling: float, floor: float = 0.0) -> tuple[float, float]:
    lo, hi = sorted((floor, ceiling))
    return lo, hi


def _choice(du: float, extra: float = 1.0) -> tuple[float, float]:
    first = lx.logit_ceiling(du)
    return _up_to((1 + first) * extra - 1, first / 10)


def _claims_per_village() -> np.ndarray:
    """Mean new claims a month in each of the town's villages, from the unmoved run."""
    pop = fs.get_region("town").village_population.astype(float)
    return pop / pop.sum() * _outcomes(None, 0)["disputes"] / 12


def _advice(lid: str) -> tuple[float, float]:
    # A share s of claimants is newly advised (each village's adviser sees up to lawyers x
    # hours x consultations an hour); an advised claimant's petition utility falls by
    # b_advice_petition, so first order -s (1 - exp(-b)). Band: half that, to -2s (twice
    # stopping every newly advised claimant's petitions, for advice's spill-over through
    # settlements, learned trust and carried grievance).
    claims = _claims_per_village()
    s = lx.advised_share(_P, _plan(lid), claims) - lx.advised_share(_P, lx.BASE, claims)
    return -2 * s, -s * (1 - math.exp(-_P.b_advice_petition)) / 2


@functools.cache
def _literacy_reach() -> float:
    """Share of residents the plan's literacy step newly brings within two ties of a 法律明白人
    (the town's network, seed 0)."""
    runs = [fs.DisputeModel("baseline", region="town", seed=0, end_year=2021, **kw).run()
            for kw in ({}, {"legal_literacy_coverage": LEVERS["legal_literacy_coverage"]
                            .plan_2025})]
    return float(runs[1].literate_tie.mean() - runs[0].literate_tie.mean())


def _centre_petitions() -> tuple[float, float]:
    # Integration acts on petitions two ways: the county option gains b_centre x 0.5 of
    # utility (a logit: petitions fall by at most 1 - exp(-du) of themselves), and more
    # petitions are lodged at the centre, where joint mediation handles those the desk does
    # not keep, so repeats fall (at most all of them). Ceiling: both at their most; floor:
    # a tenth of the desk's share of repeats removed.
    du = _P.b_centre * _d("county_centre")
    repeats = (np.mean([_outcomes(None, s)["repeat_petitions"] for s in range(8)])
               / np.mean([_outcomes(None, s)["petitions"] for s in range(8)]))
    ceiling = math.exp(-du) - 1 - repeats
    return ceiling, -repeats * _d("county_centre") * (1 - _P.centre_petition_desk) / 10


def _small_claims_months(s0: float) -> tuple[float, float]:
    # Trials heard as small claims close within two months: the mean trial shortens by the
    # change in the engine's handling draw. Ceiling: every resolved dispute had one trial
    # (x1.5 for enforcement and queue waits that shorten with it); floor: a tenth of that.
    lo, hi = (LEVERS["small_claims_share"].baseline, LEVERS["small_claims_share"].plan_2025)
    days = lx.mean_trial_days(_P, hi) - lx.mean_trial_days(_P, lo)
    ceiling = 1.5 * days / lx.DAYS_PER_MONTH / s0
    return ceiling, ceiling / 15


def _ratio(p0: float, dlogit: float) -> float:
    return lx.logistic(lx.logit(p0) + dlogit) / p0


@dataclass(frozen=True)
class Expect:
    seeds: int  # enough for the 2-se test to have power (Monte Carlo se of the paired mean)
    band: Callable[[float, float], tuple[float, float]]  # (base level, claim share) -> band
    why: str


EXPECT: dict[tuple[str, str], Expect] = {
    ("mediation_coverage", "village_share_of_resolved"): Expect(
        24, lambda s0, c: _up_to(2 * _d("mediation_coverage") * (1 - s0) / s0),
        "up to: 5% of villages (one of the town's 20, in expectation) gain a committee; if "
        "every dispute there ended at the village level instead, the share would rise by "
        "0.05 (1 - share) / share of itself; x2 for unequal village sizes"),
    ("mediators_per_10k", "village_local_share"): Expect(
        16, lambda s0, c: _up_to(LEVERS["mediators_per_10k"].plan_2025
                                 / LEVERS["mediators_per_10k"].baseline - 1),
        "up to: village capacity rises by 15/13.1; village settlements can rise by at most "
        "that share of themselves, and only where queues bind (small villages, busy months), "
        "so the effect is well below the ceiling"),
    ("online_mediation_share", "village_share_of_resolved"): Expect(
        8, lambda s0, c: _choice(
            _P.b_online_mediation * _d("online_mediation_share"),
            (1 + _P.online_mediation_capacity * LEVERS["online_mediation_share"].plan_2025)
            / (1 + _P.online_mediation_capacity * LEVERS["online_mediation_share"].baseline)),
        "choice: village mediation utility +b_online_mediation x 0.3, capacity up if it bound"),
    ("county_centre", "petitions"): Expect(
        16, lambda s0, c: _centre_petitions(),
        "centre: the county option's appeal rises and petitions lodged at the centre are "
        "triaged into joint mediation, legal services and the court window; see "
        "_centre_petitions"),
    ("petition_agency", "repeat_petitions"): Expect(
        24, lambda s0, c: _around(lx.repeat_petition_change(_P, lx.BASE,
                                                            _plan("petition_agency")), 0.3),
        "around: the geometric-repeat formula (agents settle more, fewer come back); +-30% "
        "for petitioners past court, whom nobody routes, and a Monte Carlo se of ~5 points"),
    ("petition_routing", "repeat_petitions"): Expect(
        24, lambda s0, c: _up_to(1.1 * lx.repeat_petition_change(_P, lx.BASE,
                                                                _plan("petition_routing")),
                                 0.5 * lx.repeat_petition_change(_P, lx.BASE,
                                                                _plan("petition_routing"))),
        "ceiling: the geometric-repeat formula overstates routing (petitioners past court "
        "cannot be routed, routed ones who fail come back): half of it to it, +10% for noise"),
    ("psychological_services", "petitions"): Expect(
        16, lambda s0, c: _up_to(lx.logit_ceiling(
            -_P.b_grievance_petition * (2 * _P.grievance_fail + 6 * _P.grievance_wait)
            * _P.psych_grievance_cut * _d("psychological_services"))),
        "up to: grievance build-up falls by psych_grievance_cut x 0.4, ceiling for a "
        "petitioner with two failures and six months of queue behind them; the model does "
        "not report petitioners' grievance, so no first-order floor"),
    ("lawyers_per_village", "petitions"): Expect(
        32, lambda s0, c: _advice("lawyers_per_village"),
        "advice: 0.9 -> 1 lawyer per village, 3.6 -> 4 consultations a month where about "
        "8 claims arise, so about a tenth more advice"),
    ("lawyer_hours_per_month", "petitions"): Expect(
        8, lambda s0, c: _advice("lawyer_hours_per_month"),
        "advice: 4 -> 8 hours a month; the advised share saturates at advice_uptake where "
        "hours exceed demand"),
    ("legal_aid_coverage", "lawsuits_per_10k"): Expect(
        8, lambda s0, c: _choice(lx.court_utility_change(_P, lx.BASE,
                                                         _plan("legal_aid_coverage"))),
        "choice: court cost falls by legal_aid_cost_cut x 0.3 of itself"),
    ("legal_service_access", "disputes"): Expect(
        32, lambda s0, c: _around(lx.claim_change(
            _P, _P.service_access_effect * _d("legal_service_access"), c), 0.35),
        "around: the claim logit rises by claim_awareness x the awareness gained; +-35%"),
    ("legal_service_access", "petitions"): Expect(
        32, lambda s0, c: _around(lx.petition_change(
            _P, 1.0, _P.service_access_effect * _d("legal_service_access")), 0.6),
        "around: petition utility falls by b_awareness_petition x the awareness gained; "
        "+-60%, as petitioners' awareness is not the residents' mean"),
    ("legal_literacy_coverage", "disputes"): Expect(
        16, lambda s0, c: _around(lx.claim_change(
            _P, _P.literacy_effect * _literacy_reach(), c), 0.5),
        "around: the residents newly within two ties of a 法律明白人 (measured on the run's "
        "own network) gain literacy_effect of their awareness gap; claim logit as above; "
        "+-50% for the awareness they also learn each December"),
    ("legal_literacy_coverage", "petitions"): Expect(
        16, lambda s0, c: _up_to(lx.petition_change(
            _P, _literacy_reach(), _P.literacy_effect,
            extra=_P.b_literacy_petition) * 2),
        "up to: for the residents newly reached petition utility falls by the awareness "
        "term and b_literacy_petition; twice that as the ceiling for what they teach and "
        "for petitioners being among the less aware; no first-order floor (the 2-se test)"),
    ("village_compact_strength", "grievances"): Expect(
        8, lambda s0, c: _around(lx.compact_grievance_change(
            _P, LEVERS["village_compact_strength"].baseline,
            LEVERS["village_compact_strength"].plan_2025), 0.1),
        "around: exact in expectation (compacts thin sensitive grievances); +-10%"),
    ("credit_enforcement", "defaulters_per_10k"): Expect(
        8, lambda s0, c: _around(lx.defaulter_stock_change(
            _P, lx.BASE, _plan("credit_enforcement"), _YEARS), 0.25),
        "around: stock recursion, fewer unperformed judgments, more exits; +-25%"),
    ("pre_filing_mediation_share", "lawsuits_per_10k"): Expect(
        8, lambda s0, c: _around(lx.pre_filing_lawsuit_change(
            _P, LEVERS["pre_filing_mediation_share"].baseline,
            LEVERS["pre_filing_mediation_share"].plan_2025,
            np.mean([_outcomes(None, s)["filings_per_10k"] for s in range(8)]),
            fs.get_region("town").population), 0.15),
        "around: lawsuits x (1 - mediated share x settled-and-held share), the mediated share "
        "what court-annexed mediators take of a Poisson month of diversions; +-15%"),
    ("small_claims_share", "mean_months_to_resolution"): Expect(
        8, lambda s0, c: _small_claims_months(s0),
        "months: a fifth more trials heard as small claims (2-month limit); see "
        "_small_claims_months"),
    ("judicial_confirmation_share", "handoffs_per_dispute"): Expect(
        8, lambda s0, c: _up_to(lx.relapse_change(_P, _d("judicial_confirmation_share")),
                                lx.relapse_change(_P, _d("judicial_confirmation_share")) / 10),
        "ceiling: relapses fall by this share and only their extra doors go; a tenth of it as "
        "the floor"),
    ("online_court", "lawsuits_per_10k"): Expect(
        8, lambda s0, c: _choice(lx.court_utility_change(_P, lx.BASE, _plan("online_court"))),
        "choice: court cost falls by online_court_cost_cut x 0.5 of itself (court queues do "
        "not bind at 2020 levels, so the speed-up adds little)"),
    ("abusive_litigation_screening", "lawsuits_per_10k"): Expect(
        8, lambda s0, c: _around(lx.abusive_lawsuit_change(
            _P, LEVERS["abusive_litigation_screening"].baseline,
            LEVERS["abusive_litigation_screening"].plan_2025), 0.2),
        "around: a share abusive_share x screening of filings is refused; +-20%"),
    ("voluntary_performance_rate", "defaulters_per_10k"): Expect(
        8, lambda s0, c: _around(lx.defaulter_stock_change(
            _P, lx.BASE, _plan("voluntary_performance_rate"), _YEARS), 0.25),
        "around: stock recursion, fewer unperformed judgments flow in; +-25%"),
    ("reconsideration_premediation", "lawsuits_per_10k"): Expect(
        8, lambda s0, c: _up_to(-0.05),
        "up to: barely acts on the headline rate. Administrative disputes are 20 of 565 "
        "grievances per 10k and seldom sue; ceiling -5% (every administrative lawsuit gone)"),
    ("early_warning", "petitions"): Expect(
        8, lambda s0, c: _choice(-_P.b_early_warning * _d("early_warning")),
        "choice: petition utility -b_early_warning x 0.5 for disputes that failed once"),
    ("fengqiao_units_coverage", "town_share_of_resolved"): Expect(
        8, lambda s0, c: _choice(
            _P.b_fengqiao * _d("fengqiao_units_coverage"),
            _ratio(_P.town_success, _P.success_fengqiao * _d("fengqiao_units_coverage"))
            * (1 + _P.fengqiao_capacity * LEVERS["fengqiao_units_coverage"].plan_2025)
            / (1 + _P.fengqiao_capacity * LEVERS["fengqiao_units_coverage"].baseline)),
        "choice: town utility +b_fengqiao x 0.4, success logit +0.2, capacity up if it bound"),
    ("public_lawyer_coverage", "petitions"): Expect(
        16, lambda s0, c: _up_to(lx.logit_ceiling(
            -_P.b_public_lawyer * _d("public_lawyer_coverage"))),
        "up to: acts on administrative disputes only (3.5% of grievances); ceiling as if "
        "every petition were administrative; no first-order floor"),
}

_BARELY_ACTS: dict[str, pytest.MarkDecorator] = {}

LEVER_CASES = [
    pytest.param(lid, metric, sign, id=f"{lid}-{metric}",
                 marks=[_BARELY_ACTS[lid]] if lid in _BARELY_ACTS else [])
    for lid, lv in LEVERS.items() for metric, sign in lv.moves
]


@functools.cache
def _outcomes(lever_id: str | None, seed: int) -> dict[str, float]:
    """Town outcomes, 2021-2022 mean: every lever at 2020 levels, or one at its plan level."""
    levers = {} if lever_id is None else {lever_id: LEVERS[lever_id].plan_2025}
    df = fs.simulate(_scenario(levers, end_year=2020 + _YEARS), region="town", seed=seed)
    return df[df.region == "town"].groupby("metric").value.mean().to_dict()


def test_lever_cases_cover_the_catalogue():
    assert {(lid, m) for lid, lv in LEVERS.items() for m, _ in lv.moves} == set(EXPECT)
    # The shared unmoved run is every lever's own 2020 level.
    months = 2020 + np.arange(36) / 12
    base = _scenario({}).lever_values(months)
    for lid, lv in LEVERS.items():
        own = _scenario({lid: lv.baseline}).lever_values(months)
        assert all(np.array_equal(own[k], base[k]) for k in base), lid


@pytest.mark.parametrize(("lever_id", "metric", "sign"), LEVER_CASES)
def test_lever_effect_at_calibrated_parameters(lever_id, metric, sign):
    """The plan's step in one lever moves its documented outcome, by a plausible amount.

    See the block comment above EXPECT for the design and each case's band for its reason.
    """
    exp = EXPECT[(lever_id, metric)]
    seeds = range(exp.seeds)
    base = np.array([_outcomes(None, s)[metric] for s in seeds])
    moved = np.array([_outcomes(lever_id, s)[metric] for s in seeds])
    d = moved - base
    mean, se = d.mean(), d.std(ddof=1) / np.sqrt(len(d))
    rel = mean / base.mean()
    claim_share = (np.mean([_outcomes(None, s)["disputes"] for s in seeds])
                   / np.mean([_outcomes(None, s)["grievances"] for s in seeds]))
    low, high = exp.band(base.mean(), claim_share)
    info = (f"{lever_id} on {metric}: change {mean:+.4g} (se {se:.2g}, {rel:+.2%}); "
            f"band {low:+.2%} to {high:+.2%}: {exp.why}")
    assert sign * mean - 2 * se > 0, info
    assert low <= rel <= high, info


def test_online_court_can_raise_lawsuits():
    base = fs.simulate("baseline", region="zhuji", seed=2)
    oc = fs.simulate("online-court", region="zhuji", seed=2)
    pick = lambda d: d[(d.metric == "lawsuits_per_10k") & (d.year == 2025)].value.iloc[0]  # noqa: E731
    assert pick(oc) > pick(base) * 1.02


_BOUNDED = {name: f for name, f in Params.model_fields.items() if name != "warmup_months"}


def _bounds(field):
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", lo) if getattr(m, "ge", None) is not None else lo
        hi = getattr(m, "le", hi) if getattr(m, "le", None) is not None else hi
    return lo, hi


@st.composite
def scenario_values(draw):
    levers = {}
    for lid in draw(st.lists(st.sampled_from(sorted(LEVERS)), max_size=8, unique=True)):
        lv = LEVERS[lid]
        levers[lid] = draw(st.floats(lv.minimum, lv.maximum, allow_nan=False))
    params = {}
    for name in draw(st.lists(st.sampled_from(sorted(_BOUNDED)), max_size=8, unique=True)):
        lo, hi = _bounds(_BOUNDED[name])
        whole = _BOUNDED[name].annotation is int  # e.g. fatigue_cap: a float is refused
        params[name] = draw(st.integers(lo, hi) if whole else st.floats(lo, hi, allow_nan=False))
    params["warmup_months"] = draw(st.integers(0, 6))
    return levers, params


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_values(), st.integers(0, 2**31 - 1))
def test_any_allowed_values_run(values, seed):
    """Any lever and parameter values inside their allowed ranges run without error and give
    counts that are finite and non-negative and shares inside [0, 1]."""
    levers, params = values
    df = fs.simulate(_scenario(levers, params, end_year=2021), region=small_region(4, 500),
                     seed=seed)
    counts = df[df.metric.isin(["lawsuits", "petitions", "disputes", "grievances"])].value
    assert np.isfinite(counts).all() and (counts >= 0).all()
    shares = df[df.metric.map(is_share)].value.dropna()
    assert ((shares >= 0) & (shares <= 1 + 1e-12)).all()


def test_institutions_are_mesa_agents():
    m = fs.DisputeModel(region="town", seed=0)
    r = m.region
    assert len(m.agents_by_type[fs.VillageMediationCommittee]) == r.n_villages
    assert len(m.agents_by_type[fs.TownJusticeOffice]) == r.n_towns
    assert len(m.agents_by_type[fs.Court]) == r.n_counties
    court = next(iter(m.agents_by_type[fs.Court]))
    assert court.capacity > 0


def test_subclass_changes_one_behaviour():
    class NeverSettles(fs.VillageMediationCommittee):
        @classmethod
        def settle_probability(cls, model, pos):
            return np.zeros(len(pos))

    m = fs.DisputeModel(region="town", seed=1,
                        institutions={fs.VillageMediationCommittee: NeverSettles}).run()
    assert m.tally.counts["resolved_village"].sum() == 0
    assert m.tally.counts["mediation_concluded"].sum() > 0

    class AlwaysCourt(fs.DisputeModel):
        def choose_channel(self, situation, ids):
            return np.where(situation.available[:, fs.Option.COURT], fs.Option.COURT,
                            fs.Option.PETITION).astype(np.int8)

    m2 = AlwaysCourt(region="town", seed=1).run()  # petitions past court: the desk keeps them
    c = m2.tally.counts
    assert c["mediation_concluded"].sum() == 0 and c["court_arrivals"].sum() > 0
