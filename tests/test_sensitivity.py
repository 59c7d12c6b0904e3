import lever_expectations as lx
import numpy as np
import pytest

import fazhi_sim as fs
from fazhi_sim.analysis.sensitivity import factor_ranges, sensitivity
from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.engine.params import Params
from fazhi_sim.engine.scenario import baseline
from fazhi_sim.experiments.executors import Serial
from fazhi_sim.views.analysis_charts import tornado

# Every factor over the same kind of range: from its 2020 level to its plan level (the
# catalogue's baseline -> plan_2025), so the ranking is the model's answer to "which of the
# plan's own steps moves lawsuits most", not an artefact of one factor getting a wider range.
COURT_SIDE = ["pre_filing_mediation_share", "online_court", "legal_aid_coverage",
              "abusive_litigation_screening", "psychological_services"]
FACTORS = {lid: (LEVERS[lid].baseline, LEVERS[lid].plan_2025) for lid in COURT_SIDE}

# Why pre-filing mediation should rank first on lawsuits (tests/lever_expectations.py):
# * it removes a fixed share of every court arrival: lawsuits x (1 - share x settled-and-held),
#   so 0.3 -> 0.6 takes about 24% off lawsuits (closed form from Params);
# * legal aid and screening cannot match that at first order: legal aid lowers the court's
#   cost, at most exp(0.118) - 1 = 12.5% more suits; screening refuses 5% x 0.4 = 2% of filings;
# * psychological services act on grievance and so on petitions, not on suits (about 0);
# * online courts cut the court's cost by more (a utility rise of 0.317: at most +37%), so
#   the mechanism alone does not rank them against pre-filing; only disputes at the margin
#   switch to court and many would have reached it later anyway. Online courts also speed
#   judges up, which shortens the trial waits that hold some residents back; court-annexed
#   mediators' capacity caps how much of the diversion is mediated. Measured on Zhuji, each
#   step alone: pre-filing -21%, online courts +14%, so the two lead with elementary effects
#   close to each other (ratio about 1.1 here); the test asserts the pair, not its order.


@pytest.fixture(scope="module")
def morris_rank():
    return sensitivity(FACTORS, method="morris", region="town", year=2022, trajectories=4,
                       base=baseline(2021, 2022), executor=Serial(), progress=False, seed=3)


def test_morris_ranks_the_plan_steps_on_lawsuits(morris_rank):
    r = morris_rank[morris_rank.metric == "lawsuits_per_10k"].set_index("factor")
    order = list(r.index)
    assert set(order[:2]) == {"pre_filing_mediation_share", "online_court"}, r
    assert set(order[2:4]) == {"legal_aid_coverage", "abusive_litigation_screening"}, r
    assert order[4] == "psychological_services", r
    assert list(r["rank"]) == [1, 2, 3, 4, 5]
    mu = r.mu_star
    assert mu["psychological_services"] < 0.05 * mu["pre_filing_mediation_share"], r
    # Each effect in its documented direction (signed mean elementary effect).
    for lid in COURT_SIDE[:4]:
        assert np.sign(r.at[lid, "mu"]) == dict(LEVERS[lid].moves)["lawsuits_per_10k"], lid
    # Size: Morris' mu* is the change over the whole range (SALib divides by the step as a
    # share of the range). Pre-filing's is the closed form times the lawsuit rate, but how
    # much of the diversion court-annexed mediators take depends on how many disputes reach
    # court, which the other factors move along the trajectories (online courts and legal
    # aid add at most a fifth: 1.14 x 1.05). So: at most the uncapped closed form, at least
    # the capped one with a fifth more arrivals, less 15% for four trajectories on one town
    # year (the Monte Carlo error of mu* here is about a tenth).
    runs = [fs.simulate(baseline(2021, 2022), region="town", seed=s).query("year == 2022")
            .set_index("metric").value for s in range(3, 7)]
    rate = np.mean([r["lawsuits_per_10k"] for r in runs])
    arrivals = np.mean([r["filings_per_10k"] for r in runs])
    lo, hi = FACTORS["pre_filing_mediation_share"]
    p, town = Params(), fs.get_region("town").population
    ceiling = -lx.pre_filing_lawsuit_change(p, lo, hi) * rate
    floor = -0.85 * lx.pre_filing_lawsuit_change(p, lo, hi, 1.2 * arrivals, town) * rate
    assert floor <= mu["pre_filing_mediation_share"] <= ceiling, (floor, ceiling, r)
    assert set(morris_rank.metric) == {"lawsuits_per_10k", "petitions"}
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(morris_rank.columns)


def test_sobol_ranks_pre_filing_above_online_courts():
    """The same question by variance: with additive effects ST is about each factor's
    squared range effect over their sum: (21^2 / (21^2 + 14^2)), about 0.7 for pre-filing and
    0.3 for online courts; psychological services about 0. The two interact through
    court-annexed mediators' capacity (online courts bring more arrivals, which fill it),
    which adds to both totals, so the test asks for a ratio above 1.2, not 2.2."""
    three = {k: FACTORS[k] for k in ("pre_filing_mediation_share", "online_court",
                                     "psychological_services")}
    r = sensitivity(three, method="sobol", region="town", year=2021, samples=16,
                    metrics=["lawsuits_per_10k"], base=baseline(2021, 2021),
                    executor=Serial(), progress=False, seed=0).set_index("factor")
    assert list(r.index) == ["pre_filing_mediation_share", "online_court",
                             "psychological_services"], r
    assert r.at["pre_filing_mediation_share", "ST"] > 1.2 * r.at["online_court", "ST"], r
    assert r.at["psychological_services", "ST"] < 0.05, r
    assert {"S1", "S1_conf", "ST_conf"} <= set(r.columns)


def test_tornado_chart_zh_and_en(morris_rank):
    zh = tornado(morris_rank, "lawsuits_per_10k").to_dict()
    assert "万人成讼率" in str(zh) and "诉前调解分流比例" in str(zh)
    en = tornado(morris_rank, "lawsuits_per_10k", lang="en").to_dict()
    assert "Lawsuits per 10,000" in str(en)


def test_factor_ranges_checks_names_and_ranges():
    r = factor_ranges(["online_court", "impatience"])
    assert r["online_court"] == ("lever", 0.0, 1.0)
    kind, lo, hi = r["impatience"]
    assert kind == "param" and lo < 0.15 < hi
    with pytest.raises(ValueError, match="unknown factor"):
        factor_ranges(["online_court", "nonsense"])
    with pytest.raises(ValueError, match="not allowed"):
        factor_ranges({"online_court": (0.0, 2.0), "county_centre": None})


def test_cli_sensitivity_prints_ranking(capsys):
    from fazhi_sim.cli import main

    # Both levers over their full 0-1 range (the command's default): comparable ranges, and
    # psychological services do not act on lawsuits, so pre-filing must head the table.
    status = main(["sensitivity", "--levers", "pre_filing_mediation_share,psychological_services",
                   "--trajectories", "2", "--year", "2021", "--jobs", "1", "--lang", "en"])
    out = capsys.readouterr().out
    assert status == 0
    lines = out.splitlines()
    assert "Pre-filing" in out or "pre-filing" in out.lower()
    first = next(i for i, line in enumerate(lines) if line.startswith("---"))
    assert "pre-filing" in lines[first + 1].lower()


def test_cli_sensitivity_bad_input_one_line(capsys):
    from fazhi_sim.cli import main

    assert main(["sensitivity", "--levers", "online_court", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown" in err and "'nonsense'" in err
    assert main(["sensitivity", "--method", "sobol", "--samples", "10"]) == 2
    assert "power of two" in capsys.readouterr().err


class Counting(DisputeModel):
    """The shipped model, counting how many runs were built from it."""

    built = 0

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)


def test_sensitivity_runs_the_model_given():
    Counting.built = 0
    two = {k: FACTORS[k] for k in ("pre_filing_mediation_share", "online_court")}
    r = sensitivity(two, method="morris", region="town", year=2021, trajectories=2,
                    metrics=["lawsuits_per_10k"], base=baseline(2021, 2021),
                    executor=Serial(), progress=False, model=Counting)
    assert Counting.built == r.attrs["n_runs"] > 0
