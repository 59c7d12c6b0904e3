"""The examples in the docstrings of the most-used public names run, and print what they say.

Each docstring below is one test: its examples run on the town with short horizons and
fixed seeds, and the test fails with doctest's own report of every example whose output
differs. The examples are what the API pages show, so a change that breaks one breaks the
documentation too.
"""

from __future__ import annotations

import doctest
import io

import pytest

import fazhi_sim as fs
import fazhi_sim.experiments.spec as spec_module
from fazhi_sim.analysis.costs import annual_cost, cost_effectiveness

DOCSTRINGS = {
    "fazhi_sim": fs,  # load_scenario, Scenario, LEVERS, get_region, Params, ensembles
    "simulate": fs.simulate,
    "simulate_batch": fs.simulate_batch,
    "run_ensemble": fs.run_ensemble,  # with Ensemble.summary and Ensemble.compare
    "Params": fs.Params,
    "ModelSpec": fs.ModelSpec,
    "as_spec": fs.as_spec,
    "fazhi_sim.experiments.spec": spec_module,
    "Behaviour": fs.Behaviour,
    "DisputeModel": fs.DisputeModel,
    "load_posterior": fs.load_posterior,
    "posterior_summary": fs.posterior_summary,
    "annual_cost": annual_cost,
    "cost_effectiveness": cost_effectiveness,
}
"""Objects whose own docstring (not their members') is run, by the name the test shows: the
most-used names, then further entry points with cheap examples."""

USES = {
    "simulate": "fs.simulate(",
    "run_ensemble": "fs.run_ensemble(",
    "Ensemble.summary": ".summary()",
    "Ensemble.compare": ".compare(",
    "load_scenario": "fs.load_scenario(",
    "Scenario": ".with_levers(",
    "Scenario.lever_values": ".lever_values(",
    "Params": "Params(",
    "get_region": "fs.get_region(",
    "LEVERS": "fs.LEVERS[",
    "ModelSpec": "fs.ModelSpec(",
    "as_spec": "fs.as_spec(",
    "simulate_batch": "fs.simulate_batch(",
    "DisputeModel": "fs.DisputeModel(",
}
"""The most-used names and a call of each that some checked example must make."""

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _doctest(name: str) -> doctest.DocTest:
    obj = DOCSTRINGS[name]
    found = doctest.DocTestFinder(recurse=False).find(obj, name)
    assert len(found) == 1, f"{name}: no docstring examples found"
    return found[0]


@pytest.mark.parametrize("name", list(DOCSTRINGS))
def test_docstring_examples_print_what_they_say(name):
    test = _doctest(name)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS, verbose=False)
    result = runner.run(test, out=report.write)
    assert result.attempted > 0, f"{name}: nothing ran"
    assert result.failed == 0, f"{name}:\n{report.getvalue()}"


@pytest.mark.parametrize("name", list(DOCSTRINGS))
def test_examples_are_checked_not_skipped(name):
    examples = _doctest(name).examples
    assert not [e.source for e in examples if e.options.get(doctest.SKIP)], name
    # At least two examples compare printed output (a docstring of bare calls checks nothing).
    assert sum(bool(e.want.strip()) for e in examples) >= 2, name


def test_every_most_used_name_has_a_checked_example():
    sources = "".join(e.source for name in DOCSTRINGS for e in _doctest(name).examples)
    missing = [name for name, call in USES.items() if call not in sources]
    assert not missing, f"no checked example calls {missing}"
