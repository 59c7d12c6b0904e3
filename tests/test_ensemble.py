"""Ensembles: execution backends agree, sweeps resume after SIGKILL, CRN cuts noise."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from concurrent.futures import Executor, Future
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fazhi_sim as fs
from fazhi_sim.experiments import ensemble as ensemble_module
from fazhi_sim.experiments import store as store_module
from fazhi_sim.experiments.ensemble import Ensemble, RunStore
from fazhi_sim.experiments.store import StoreWarning, code_digest, source_digest

SCEN = ["baseline", "plan-2025"]


def _values(ens: Ensemble) -> pd.DataFrame:
    cols = ["scenario", "replicate", "year", "region", "metric"]
    df = ens.runs.sort_values(cols).reset_index(drop=True)
    df["scenario"] = df.scenario.astype(str)
    return df


@pytest.fixture(scope="module")
def serial() -> Ensemble:
    # Seeds alone: these tests check the ensemble's mechanics against single runs at the
    # default parameters (tests/test_bayes.py checks posterior draws).
    return fs.run_ensemble(SCEN, replicates=3, region="town", executor=fs.Serial(),
                           progress=False, seed=5, uncertainty="noise")


def test_process_pool_matches_serial(serial):
    with fs.LocalProcesses(jobs=2) as ex:
        pooled = fs.run_ensemble(SCEN, replicates=3, region="town", executor=ex,
                                 progress=False, seed=5, uncertainty="noise")
    pd.testing.assert_frame_equal(_values(serial), _values(pooled))


def test_dask_local_cluster_matches_serial(serial):
    pytest.importorskip("dask.distributed")
    with fs.DaskCluster(jobs=2) as ex:
        dasked = fs.run_ensemble(SCEN, replicates=3, region="town", executor=ex,
                                 progress=False, seed=5, uncertainty="noise")
    pd.testing.assert_frame_equal(_values(serial), _values(dasked))


def test_default_executor_leaves_multiprocessing_alone():
    before = multiprocessing.get_start_method(allow_none=True)
    fs.run_ensemble(["baseline"], replicates=2, region="town", jobs=2, progress=False)
    assert multiprocessing.get_start_method(allow_none=True) == before


def test_replicates_use_consecutive_seeds_and_match_simulate(serial):
    runs = serial.runs
    assert sorted(runs.seed.unique()) == [5, 6, 7]
    one = runs[(runs.scenario == "plan-2025") & (runs.replicate == 1)]
    direct = fs.simulate("plan-2025", region="town", seed=6)
    np.testing.assert_array_equal(one.value.to_numpy(), direct.value.to_numpy())


def test_bands_contain_the_median(serial):
    s = serial.summary()
    ok = s.dropna(subset=["median"])
    assert ((ok.q10 <= ok["median"]) & (ok["median"] <= ok.q90)).all()
    assert (s.n == 3).all()
    c = serial.compare()
    ok = c.dropna(subset=["median"])
    assert ((ok.q10 <= ok["median"]) & (ok["median"] <= ok.q90)).all()
    base = c[c.scenario == "baseline"]
    assert (base["median"].dropna() == 0).all()  # a scenario minus itself is zero


def test_compare_is_paired_replicate_by_replicate(serial):
    d = serial.differences()
    r = serial.runs
    pick = dict(replicate=2, year=2024, region="town", metric="petitions")
    row = d[(d.scenario == "plan-2025")].set_index(list(pick)).loc[tuple(pick.values())]
    sel = (r.replicate == 2) & (r.year == 2024) & (r.metric == "petitions")
    want = (r[sel & (r.scenario == "plan-2025")].value.item()
            - r[sel & (r.scenario == "baseline")].value.item())
    assert row["diff"] == pytest.approx(want)


def test_progress_bar_can_be_switched_off(capsys):
    fs.run_ensemble(["baseline"], replicates=1, region="town", executor=fs.Serial(),
                    progress=False)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    fs.run_ensemble(["baseline"], replicates=1, region="town", executor=fs.Serial(),
                    progress=True)
    assert "fazhi-sim runs" in capsys.readouterr().err


MEASURE = "scenarios/measures/pre_filing_mediation_share.toml"


def test_common_random_numbers_cut_the_variance_of_differences():
    """Var(paired difference) <= 1/4 of Var(difference with independent seeds).

    2025 lawsuits_per_10k on a county (新昌), baseline against the pre-filing mediation
    measure (the lever that moves 万人成讼率 most), 14 replicates each.
    """
    n = 14
    kw = dict(region="xinchang", progress=False, jobs=2)
    paired = fs.run_ensemble({"baseline": "baseline", "plan-2025": MEASURE}, replicates=n,
                             seed=0, **kw)
    other = fs.run_ensemble({"plan-2025": MEASURE}, replicates=n, seed=1000, **kw)

    def series(ens, name):
        r = ens.runs
        sel = (r.scenario == name) & (r.year == 2025) & (r.metric == "lawsuits_per_10k") & (
            r.region == "xinchang")
        return r[sel].sort_values("replicate").value.to_numpy()

    base = series(paired, "baseline")
    var_paired = np.var(series(paired, "plan-2025") - base, ddof=1)
    var_indep = np.var(series(other, "plan-2025") - base, ddof=1)
    assert var_paired <= var_indep / 4, (var_paired, var_indep)


def test_targets_on_a_constructed_ensemble():
    rows = []
    for rep, path in enumerate([[5, 4, 3, 2, 1], [5, 4, 4.5, 2, 1]]):
        for year, v in zip(range(2021, 2026), path, strict=True):
            for metric in ("lawsuits_per_10k", "petitions", "defaulters_per_10k"):
                rows.append(("plan-2025", rep, rep, year, "town", metric, v))
    runs = pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "year", "region",
                                       "metric", "value"])
    ens = Ensemble(runs, {"plan-2025": fs.load_scenario("plan-2025")})
    t = ens.targets().set_index("target")
    assert t.at["lawsuits_per_10k", "probability"] == 0.5
    assert t.at["legal_literacy_coverage", "probability"] == 1.0
    assert t.at["public_lawyer_coverage", "probability"] == 1.0
    base = Ensemble(runs.assign(scenario="baseline"), {"baseline": fs.baseline()})
    assert base.targets().set_index("target").at["legal_literacy_coverage", "probability"] == 0


_SWEEP = """
import sys, fazhi_sim as fs
fs.run_ensemble(["baseline", "plan-2025"], replicates=8, region="town", store=sys.argv[1],
                executor=fs.Serial(), progress=False, seed=3)
"""


def finished_files(store: Path) -> list[Path]:
    # pathlib's glob also matches the hidden temporary files of runs being written.
    return [p for p in store.glob("*.parquet") if not p.name.startswith(".")]


def test_sweep_killed_with_sigkill_resumes_and_matches(tmp_path):
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-c", _SWEEP, str(store)])
    try:
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if len(finished_files(store) if store.exists() else []) >= 4:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    finished = len(finished_files(store))
    assert 4 <= finished < 16
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)  # a killed write leaves nothing corrupt
        resumed = fs.run_ensemble(["baseline", "plan-2025"], replicates=8, region="town",
                                  store=store, executor=fs.Serial(), progress=False, seed=3)
    assert resumed.loaded == finished and resumed.computed == 16 - finished
    fresh = fs.run_ensemble(["baseline", "plan-2025"], replicates=8, region="town",
                            executor=fs.Serial(), progress=False, seed=3)
    pd.testing.assert_frame_equal(_values(resumed), _values(fresh))
    again = fs.run_ensemble(["baseline", "plan-2025"], replicates=8, region="town",
                            store=store, executor=fs.Serial(), progress=False, seed=3)
    assert again.computed == 0 and again.loaded == 16


def test_store_keys_on_scenario_content(tmp_path):
    a = fs.load_scenario("plan-2025")
    b = a.with_levers(online_court=1.0)
    store = fs.RunStore(tmp_path)
    assert store.file(a, "town", 1) != store.file(b, "town", 1)
    assert store.file(a, "town", 1) == store.file(a.model_copy(update={"name": "x"}), "town", 1)


def test_store_names_runs_by_content_region_seed_and_code(tmp_path):
    sc = fs.load_scenario("plan-2025")
    shipped = tmp_path / f"{sc.content_hash()}_town_1_code-{code_digest()}.parquet"
    assert fs.RunStore(tmp_path).file(sc, "town", 1) == shipped
    assert fs.RunStore(tmp_path, model=fs.ModelSpec()).file(sc, "town", 1) == shipped
    assert fs.RunStore(tmp_path, code="0" * 12).file(sc, "town", 1) != shipped

    class Sceptics(fs.Behaviour):
        pass

    theirs = fs.RunStore(tmp_path, model=Sceptics).file(sc, "town", 1)
    assert theirs != shipped and theirs.parent == tmp_path and theirs.suffix == ".parquet"
    assert fs.RunStore(tmp_path, model=fs.ModelSpec(behaviour=Sceptics)).file(
        sc, "town", 1) == theirs
    assert RunStore is fs.RunStore  # the old import path still works


def test_ensemble_records_the_model(serial):
    assert serial.model_label == fs.ModelSpec().label == "fazhi_sim.engine.model:DisputeModel"


def test_bad_arguments():
    with pytest.raises(ValueError, match="replicates"):
        fs.run_ensemble(["baseline"], replicates=0)
    with pytest.raises(ValueError, match="from 1 to 10,000"):
        fs.run_ensemble(["baseline"], replicates=2.5)
    with pytest.raises(ValueError, match="repeated: baseline"):
        fs.run_ensemble(["baseline", "baseline"], replicates=1)
    with pytest.raises(fs.SpecError, match="give a ModelSpec"):
        fs.run_ensemble(["baseline"], replicates=1, model=42)


# -- The store: corrupt files, other code -----------------------------------------------------

STORE_ARGS = dict(region="town", executor=fs.Serial(), progress=False, seed=3)


@pytest.fixture(scope="module")
def uninterrupted() -> Ensemble:
    return fs.run_ensemble(SCEN, replicates=2, **STORE_ARGS)


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":  # a copy or a disk that stopped half-way
        path.write_bytes(data[: len(data) // 2])
        return
    if how == "altered":  # still a valid Parquet file, with a value that is not the run's
        df = pd.read_parquet(path)
        df.loc[0, "value"] += 1.0
        df.to_parquet(path, index=False)  # keeps the attrs, digest included
        return
    for at in (len(data) // 3, len(data) // 2):  # bit rot inside the column data
        data[at:at + 8] = bytes(b ^ 0xFF for b in data[at:at + 8])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "flipped", "altered"])
def test_corrupt_store_file_is_set_aside_and_run_again(tmp_path, uninterrupted, how):
    fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **STORE_ARGS)
    victim = sorted(finished_files(tmp_path))[1]
    _damage(victim, how)
    with pytest.warns(StoreWarning) as caught:
        resumed = fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **STORE_ARGS)
    assert resumed.computed == 1 and resumed.loaded == 3
    pd.testing.assert_frame_equal(_values(resumed), _values(uninterrupted))
    (message,) = [str(w.message) for w in caught]
    aside = list(tmp_path.glob(f"{victim.name}.corrupt-*"))
    assert len(aside) == 1 and "\n" not in message
    assert str(victim) in message and aside[0].name in message
    assert victim.exists()  # written again, and read back from now on
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreWarning)
        again = fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **STORE_ARGS)
    assert again.computed == 0


def test_runs_of_other_code_are_not_reused(tmp_path, uninterrupted):
    old = fs.RunStore(tmp_path, code="0" * 12)
    for name, sc in uninterrupted.scenarios.items():
        for k in range(2):
            r = uninterrupted.runs
            stale = r[(r.scenario == name) & (r.replicate == k)]
            stale = stale.drop(columns=["scenario", "replicate", "seed"]).assign(value=-1.0)
            old.save(sc, "town", 3 + k, stale.reset_index(drop=True))
    with pytest.warns(StoreWarning, match="4 runs made by another version"):
        ens = fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **STORE_ARGS)
    assert ens.loaded == 0 and ens.computed == 4
    pd.testing.assert_frame_equal(_values(ens), _values(uninterrupted))
    assert len(finished_files(tmp_path)) == 8  # the old runs are kept, not overwritten


def test_code_digest_follows_engine_source_data_and_version(tmp_path):
    package = Path(fs.__file__).parent
    copy = tmp_path / "fazhi_sim"
    shutil.copytree(package / "engine", copy / "engine",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(package / "data", copy / "data")
    (copy / "experiments").mkdir()
    for name in ("simulate.py", "spec.py"):
        shutil.copy(package / "experiments" / name, copy / "experiments" / name)
    first = source_digest(copy, "1.0")
    assert source_digest(copy, "1.0") == first
    assert source_digest(copy, "1.1") != first
    assert source_digest(package, fs.__version__) == source_digest()  # the imported package
    engine = copy / "engine" / "flow.py"
    engine.write_text(engine.read_text("utf-8") + "\n# changed\n", "utf-8")
    second = source_digest(copy, "1.0")
    assert second != first
    data = copy / "data" / "dispute_types.csv"
    data.write_bytes(data.read_bytes() + b"\n")
    assert source_digest(copy, "1.0") != second
    code_digest()
    assert code_digest.cache_info().hits >= 1  # once per process


class _Interrupting(Executor):
    """Runs tasks at once but reports them done only later, then is interrupted."""

    def __init__(self, after: int):
        self.after, self.futures = after, []

    def submit(self, fn, /, *args, **kwargs):
        if len(self.futures) == self.after:
            for fut, result in self.futures:
                fut.set_result(result)  # these finished while the last was submitted
            raise KeyboardInterrupt
        fut = Future()
        self.futures.append((fut, fn(*args, **kwargs)))
        return fut


def test_interrupted_ensemble_stores_what_finished(tmp_path, uninterrupted):
    # Runs alone (batch=1): a task is one seed's two scenarios; the first task finishes.
    kw = {**STORE_ARGS, "executor": _Interrupting(after=1), "batch": 1}
    with pytest.raises(KeyboardInterrupt):
        fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **kw)
    assert len(finished_files(tmp_path)) == 2
    resumed = fs.run_ensemble(SCEN, replicates=2, store=tmp_path, **STORE_ARGS)
    assert resumed.loaded == 2 and resumed.computed == 2
    pd.testing.assert_frame_equal(_values(resumed), _values(uninterrupted))


def test_interrupted_batches_store_every_run_they_finished(tmp_path, monkeypatch):
    # Batches of two seeds for two workers, a task holding both scenarios' batch of the same
    # seeds: the first of two tasks finishes, so its four runs of eight are stored.
    monkeypatch.setattr(ensemble_module, "default_jobs", lambda: 2)  # as on two cores
    kw = {**STORE_ARGS, "executor": _Interrupting(after=1), "batch": 2}
    with pytest.raises(KeyboardInterrupt):
        fs.run_ensemble(SCEN, replicates=4, store=tmp_path, **kw)
    assert len(finished_files(tmp_path)) == 4
    resumed = fs.run_ensemble(SCEN, replicates=4, store=tmp_path, **STORE_ARGS)
    assert resumed.loaded == 4 and resumed.computed == 4
    whole = fs.run_ensemble(SCEN, replicates=4, **STORE_ARGS)
    pd.testing.assert_frame_equal(_values(resumed), _values(whole))


def test_store_file_names_the_folder_that_is_a_file(tmp_path):
    f = tmp_path / "runs"
    f.write_text("not a folder")
    with pytest.raises(store_module.StoreError, match="is a file") as err:
        fs.RunStore(f)
    assert str(f) in str(err.value) and "\n" not in str(err.value)
