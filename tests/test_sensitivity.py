import pytest

from fazhi_sim.analysis.sensitivity import factor_ranges, sensitivity
from fazhi_sim.engine.model import DisputeModel
from fazhi_sim.engine.scenario import baseline
from fazhi_sim.experiments.executors import Serial
from fazhi_sim.views.analysis_charts import tornado

FACTORS = {"psychological_services": (0.2, 0.21), "pre_filing_mediation_share": (0.0, 1.0)}


@pytest.fixture(scope="module")
def morris_rank():
    return sensitivity(FACTORS, method="morris", region="town", year=2022, trajectories=4,
                       base=baseline(2021, 2022), executor=Serial(), progress=False, seed=3)


def test_morris_puts_the_dominant_lever_first(morris_rank):
    r = morris_rank[morris_rank.metric == "lawsuits_per_10k"]
    assert r.factor.tolist()[0] == "pre_filing_mediation_share"
    assert list(r["rank"]) == [1, 2]
    top, low = r.mu_star.tolist()
    assert top > 5 * low
    assert set(morris_rank.metric) == {"lawsuits_per_10k", "petitions"}
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(morris_rank.columns)


def test_sobol_puts_the_dominant_lever_first():
    r = sensitivity(FACTORS, method="sobol", region="town", year=2021, samples=8,
                    metrics=["lawsuits_per_10k"], base=baseline(2021, 2021),
                    executor=Serial(), progress=False)
    assert r.factor.iloc[0] == "pre_filing_mediation_share"
    assert r.ST.iloc[0] > r.ST.iloc[1]
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
    assert err.count("\n") == 1 and "unknown factor" in err
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
    r = sensitivity(FACTORS, method="morris", region="town", year=2021, trajectories=2,
                    metrics=["lawsuits_per_10k"], base=baseline(2021, 2021),
                    executor=Serial(), progress=False, model=Counting)
    assert Counting.built == r.attrs["n_runs"] > 0
