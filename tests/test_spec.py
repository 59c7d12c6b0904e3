"""ModelSpec: a researcher's model travels through pickling, process pools and Dask."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pandas as pd
import pytest
from spec_models import SPEC, NeverSue, NeverSueModel, SlowCommittee

import fazhi_sim as fs
from fazhi_sim.engine.scenario import baseline
from fazhi_sim.experiments.ensemble import Ensemble
from fazhi_sim.experiments.spec import load_spec

TESTS = Path(__file__).resolve().parent
SHORT = {"short": baseline(end_year=2022)}
RUN = dict(replicates=2, region="town", progress=False, seed=11, uncertainty="noise")


def _values(ens: Ensemble) -> pd.DataFrame:
    cols = ["scenario", "replicate", "year", "region", "metric"]
    df = ens.runs.sort_values(cols).reset_index(drop=True)
    df["scenario"] = df.scenario.astype(str)
    return df


def _metric(ens: Ensemble, metric: str) -> pd.Series:
    r = ens.runs
    return r[r.metric == metric].value


@pytest.fixture
def workers_import_tests(monkeypatch):
    # Workers rebuild the classes by importing spec_models; spawned pools inherit sys.path,
    # but Dask's nanny starts fresh interpreters that only see the environment.
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p)
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.fixture(scope="module")
def serial() -> Ensemble:
    return fs.run_ensemble(SHORT, executor=fs.Serial(), model=SPEC, **RUN)


@pytest.fixture(scope="module")
def plain() -> Ensemble:
    return fs.run_ensemble(SHORT, executor=fs.Serial(), **RUN)


# ---------------------------------------------------------------------- the spec itself
@pytest.mark.parametrize("spec", [fs.ModelSpec(), SPEC, fs.ModelSpec(model=NeverSueModel)])
def test_spec_pickles_equal(spec):
    back = pickle.loads(pickle.dumps(spec))
    assert back == spec and hash(back) == hash(spec) and back.label == spec.label


def test_as_spec_accepts_each_form():
    assert fs.as_spec(None) == fs.ModelSpec() and fs.as_spec(None).default
    assert fs.as_spec(SPEC) is SPEC
    assert fs.as_spec(NeverSueModel) == fs.ModelSpec(model=NeverSueModel)
    assert fs.as_spec(NeverSue) == fs.ModelSpec(behaviour=NeverSue)
    assert fs.as_spec("spec_models:SPEC") == SPEC
    assert fs.as_spec("spec_models:NeverSue") == fs.ModelSpec(behaviour=NeverSue)
    assert fs.as_spec("fazhi_sim.engine.model:DisputeModel") == fs.ModelSpec()
    assert load_spec("spec_models:NeverSueModel").model is NeverSueModel
    assert not SPEC.default
    assert SPEC.institutions == ((fs.VillageMediationCommittee, SlowCommittee),)
    assert SPEC.label == ("fazhi_sim.engine.model:DisputeModel+behaviour=spec_models:NeverSue"
                          "+VillageMediationCommittee=spec_models:SlowCommittee")


@pytest.mark.parametrize(("bad", "match"), [
    (42, "give a ModelSpec"),
    (fs.Court, "give a ModelSpec"),
    ("not a target", "give package.module:Name"),
    ("no_such_module_here:X", "cannot import no_such_module_here"),
    ("spec_models:Missing", "spec_models has no Missing"),
    ("spec_models:SlowCommittee", "give a ModelSpec"),
])
def test_as_spec_rejects_with_one_line(bad, match):
    with pytest.raises(fs.SpecError, match=match) as err:
        fs.as_spec(bad)
    assert "\n" not in str(err.value)


def test_spec_rejects_classes_that_do_not_fit():
    with pytest.raises(fs.SpecError, match="model: .* not a subclass of DisputeModel"):
        fs.ModelSpec(model=int)
    with pytest.raises(fs.SpecError, match="behaviour: .* not a subclass of Behaviour"):
        fs.ModelSpec(behaviour=SlowCommittee)
    with pytest.raises(fs.SpecError, match=r"institutions\[Court\]"):
        fs.ModelSpec(institutions={fs.Court: SlowCommittee})


def test_spec_error_pickles():
    err = fs.SpecError("--model x:y: cannot import x")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is fs.SpecError and back.args == err.args


def test_build_applies_every_override():
    m = SPEC.build("baseline", region="town", seed=1, end_year=2021)
    assert isinstance(m.behaviour, NeverSue)
    assert m.institution_classes["village"] is SlowCommittee
    assert m.policy.end_year == 2021 and m.seed == 1


# ---------------------------------------------------------------------- runs
def test_the_override_changes_results(serial, plain):
    assert serial.model_label == SPEC.label
    assert plain.model_label == fs.ModelSpec().label
    # NeverSue travelled: residents never choose court; only the centre's court window and
    # petition routing still send a few (well under a twentieth of the shipped model's).
    shipped = _metric(plain, "filings_per_10k")
    assert (shipped > 50).all()
    assert (_metric(serial, "filings_per_10k") < 0.05 * shipped.mean()).all()
    # SlowCommittee travelled: village mediation settles less often than the shipped one.
    with_both = _metric(serial, "mediation_success_rate").mean()
    never_sue = fs.run_ensemble(SHORT, executor=fs.Serial(), model=NeverSue, **RUN)
    assert with_both < _metric(never_sue, "mediation_success_rate").mean()


def test_simulate_builds_through_the_spec(serial):
    direct = fs.simulate(SHORT["short"], region="town", seed=12, model=SPEC)
    r = serial.runs
    one = r[r.replicate == 1]
    assert direct.attrs["model"] == SPEC.label
    pd.testing.assert_series_equal(one.value.reset_index(drop=True),
                                   direct.value.reset_index(drop=True))


def test_researcher_model_on_a_process_pool(serial, plain, workers_import_tests):
    with fs.LocalProcesses(jobs=2) as ex:
        pooled = fs.run_ensemble(SHORT, executor=ex, model="spec_models:SPEC", **RUN)
    assert pooled.model_label == SPEC.label
    pd.testing.assert_frame_equal(_values(serial), _values(pooled))
    assert not _values(plain).value.equals(_values(pooled).value)


def test_researcher_model_on_a_dask_local_cluster(serial, plain, workers_import_tests):
    distributed = pytest.importorskip("dask.distributed")
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client):
        dasked = fs.run_ensemble(SHORT, executor=client.get_executor(), model=SPEC, **RUN)
        # The workers really imported the module: the classes were not shipped by value.
        where = client.run(lambda: "spec_models" in __import__("sys").modules)
    assert all(where.values())
    pd.testing.assert_frame_equal(_values(serial), _values(dasked))
    assert not _values(plain).value.equals(_values(dasked).value)


def test_store_never_mixes_models(tmp_path, serial, plain):
    ours = fs.run_ensemble(SHORT, executor=fs.Serial(), store=tmp_path, model=SPEC, **RUN)
    assert ours.computed == 2
    shipped = fs.run_ensemble(SHORT, executor=fs.Serial(), store=tmp_path, **RUN)
    assert shipped.computed == 2 and shipped.loaded == 0  # nothing read from SPEC's runs
    pd.testing.assert_frame_equal(_values(plain), _values(shipped))
    again = fs.run_ensemble(SHORT, executor=fs.Serial(), store=tmp_path, model=SPEC, **RUN)
    assert again.loaded == 2 and again.computed == 0
    pd.testing.assert_frame_equal(_values(serial), _values(again))
    assert len(list(tmp_path.glob("*.parquet"))) == 4
