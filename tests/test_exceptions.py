"""Every exception the package defines survives pickling, so process pools can hand it back.

An error raised in a worker process travels to the parent pickled; one that cannot be
rebuilt there (``ScenarioError(text)`` when ``__init__`` wants three arguments) kills the
pool's result thread and ``mesa.batch_run(number_processes=2)`` waited forever.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import fazhi_sim


def _package_exceptions() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(fazhi_sim.__path__, "fazhi_sim."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, BaseException)
                    and obj.__module__.startswith("fazhi_sim")):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


EXCEPTIONS = _package_exceptions()


def _example(cls: type[BaseException]) -> BaseException:
    """An instance of ``cls``, each required argument a distinct string."""
    init = cls.__init__
    if not inspect.isfunction(init):  # the built-in __init__: any message
        return cls("something is wrong; allowed: something else")
    params = list(inspect.signature(init).parameters.values())[1:]
    args = [f"<{p.name}>" for p in params
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind is p.VAR_POSITIONAL for p in params) and not args:
        args = ["something is wrong"]
    return cls(*args)


def test_the_walk_finds_the_known_exceptions():
    names = {cls.__name__ for cls in EXCEPTIONS}
    assert {"ScenarioError", "RegionError", "SpecError", "TargetsError", "CalibrationError",
            "InputError"} <= names


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=lambda c: c.__name__)
def test_exception_pickles_and_unpickles(cls: type[BaseException]):
    err = _example(cls)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(err, protocol))
        assert type(copy) is cls
        assert str(copy) == str(err)
        assert copy.args == err.args
        assert vars(copy) == vars(err)


def test_scenario_error_keeps_its_parts_through_pickle():
    err = fazhi_sim.ScenarioError("x.toml", "levers.online_court.target", "1.5 is out of range")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.source, copy.field, copy.message) == (err.source, err.field, err.message)
    assert str(copy) == "x.toml: levers.online_court.target: 1.5 is out of range"


_BATCH_RUN = """
import warnings

import mesa

import fazhi_sim as fs

if __name__ == "__main__":  # mesa.batch_run starts its workers with "spawn"
    warnings.simplefilter("ignore")
    try:
        mesa.batch_run(fs.DisputeModel, {"misspelt": 1}, number_processes=2, iterations=1,
                       max_steps=2, display_progress=False)
    except fs.ScenarioError as err:
        print(type(err).__name__, err.field, err, sep="|")
        raise SystemExit(3)
"""


def test_batch_run_in_processes_reports_a_misspelt_keyword_instead_of_hanging(tmp_path: Path):
    script = tmp_path / "batch.py"
    script.write_text(_BATCH_RUN, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    kind, field, message = done.stdout.strip().split("|")
    assert (kind, field) == ("ScenarioError", "misspelt")
    assert message.startswith("DisputeModel keywords: misspelt: unknown keyword; allowed: ")
    assert "\n" not in message
