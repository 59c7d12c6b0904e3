import numpy as np
import pytest

from fazhi_sim.analysis.costs import annual_cost
from fazhi_sim.analysis.optimize import optimize_budget, pareto_front
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.experiments.executors import Serial

TWO = ["pre_filing_mediation_share", "psychological_services"]


@pytest.fixture(scope="module")
def result():
    # Only pre-filing mediation lowers lawsuits; psychological services act on petitions.
    return optimize_budget(200_000, levers=TWO, region="town",
                           weights={"lawsuits_per_10k": 1.0}, year=2021, replicates=2,
                           samples=10, refine_rounds=1, refine_size=6, executor=Serial(),
                           progress=False, seed=1)


def test_never_exceeds_the_budget(result):
    assert (result.candidates.yuan <= 200_000).all()
    assert result.cost["yuan"] <= 200_000
    assert annual_cost(result.scenario(), "town", 2021)["yuan"] <= 200_000
    assert result.comparison["cost_yuan"] <= 200_000 * (1 + 1e-9)


def test_money_goes_to_the_dominant_lever(result):
    spent = result.candidates.set_index("objective").sort_index().iloc[0]
    assert result.mix["pre_filing_mediation_share"] > 0.6
    assert result.mix["psychological_services"] < 0.3
    assert spent.yuan > 0.8 * 200_000
    out = result.outcomes.set_index(["scenario", "metric"])
    assert (out.loc[("best", "lawsuits_per_10k"), "median"]
            < out.loc[("baseline", "lawsuits_per_10k"), "median"])
    # the plan's own mix of the same money buys less on this objective
    assert result.comparison["gain"] > 0


def test_staff_limit_is_respected():
    r = optimize_budget(10_000_000, staff_limit=1.0, levers=TWO, region="town",
                        weights={"lawsuits_per_10k": 1.0}, year=2021, replicates=1,
                        samples=4, refine_rounds=0, executor=Serial(), progress=False)
    assert (r.candidates.staff <= 1.0).all() and r.cost["staff"] <= 1.0


def test_pareto_front_and_bad_inputs(result):
    front = result.pareto
    assert len(front) >= 1
    assert np.all(np.diff(front.yuan) > 0) and np.all(np.diff(front.objective) < 0)
    assert front.objective.min() == result.objective
    import pandas as pd
    toy = pd.DataFrame({"yuan": [0, 1, 2, 3], "objective": [5, 3, 4, 1]})
    assert pareto_front(toy).yuan.tolist() == [0, 1, 3]
    with pytest.raises(ValueError):
        optimize_budget(-1)
    with pytest.raises(ValueError):
        optimize_budget(1, levers=["nonsense"])


def test_cli_optimize(capsys):
    from fazhi_sim.cli import main

    status = main(["optimize", "--budget", "200,000", "--levers",
                   "pre_filing_mediation_share,psychological_services", "--replicates", "1",
                   "--samples", "3", "--year", "2021", "--jobs", "1", "--lang", "en"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Budget: 200,000" in out and "plan's way" in out
    cost = float(out.split("Cost a year: ")[1].split()[0].replace(",", ""))
    assert cost <= 200_000


def test_cli_optimize_bad_budget_one_line(capsys):
    from fazhi_sim.cli import main

    assert main(["optimize", "--budget", "lots"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--budget" in err
    assert main(["optimize", "--budget", "1", "--levers", "nonsense"]) == 2
    assert "unknown lever" in capsys.readouterr().err


class Counting(DisputeModel):
    """The shipped model, counting how many runs were built from it."""

    built = 0

    def __init__(self, *args, **kwargs):
        type(self).built += 1
        super().__init__(*args, **kwargs)


def test_optimize_runs_the_model_given():
    Counting.built = 0
    r = optimize_budget(100_000, levers=TWO[:1], region="town", year=2021, replicates=1,
                        samples=1, refine_rounds=0, executor=Serial(), progress=False,
                        model=Counting)
    # every candidate, then the baseline, the mix and the plan-shaped comparison
    assert Counting.built == len(r.candidates) + 3
