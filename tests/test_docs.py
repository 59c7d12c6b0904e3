"""docs/model.md stays in step with the code: generated tables, levers, parameters, metrics."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from fazhi_sim.engine.measures import LEVERS
from fazhi_sim.engine.metrics import METRICS
from fazhi_sim.engine.params import Params
from fazhi_sim.engine.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
MODEL_MD = ROOT / "docs" / "model.md"
SCENARIOS_MD = ROOT / "docs" / "scenarios.md"
FIX = "run: .venv/bin/python tools/docs_tables.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "tools" / "docs_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _load_generator()


@pytest.fixture(scope="module")
def model_md() -> str:
    return MODEL_MD.read_text("utf-8")


@pytest.mark.parametrize("block", ["levers", "params"])
def test_generated_tables_are_up_to_date(gen, model_md, block):
    assert gen.current(model_md, block) == gen.render(block), (
        f"docs/model.md: the {block} table is out of date; {FIX}")


def test_generator_is_idempotent(gen, model_md):
    once = gen.update(model_md)
    assert gen.update(once) == once


def test_generator_rejects_missing_markers(gen):
    with pytest.raises(ValueError, match="levers:begin"):
        gen.replace("no markers here", "levers", "x")


def test_tables_have_one_row_per_lever_and_parameter(gen):
    levers = gen.render("levers").splitlines()
    params = gen.render("params").splitlines()
    assert len(levers) == 2 + len(LEVERS)
    assert len(params) == 2 + len(Params.model_fields)
    # every row has the header's number of cells (no stray pipe broke a row)
    for table in (levers, params):
        width = table[0].count(" | ")
        assert all(row.replace("\\|", "").count(" | ") == width for row in table[2:])


@pytest.mark.parametrize("name", list(LEVERS))
def test_every_lever_is_documented(model_md, name):
    assert f"`{name}`" in model_md


@pytest.mark.parametrize("name", list(Params.model_fields))
def test_every_parameter_is_documented(model_md, name):
    assert f"`{name}`" in model_md


@pytest.mark.parametrize("name", list(METRICS))
def test_every_metric_is_defined_in_outcomes(model_md, name):
    outcomes = model_md.split("## Outcomes", 1)[1].split("\n## ", 1)[0]
    assert f"| `{name}` |" in outcomes, f"metric {name} has no row in the Outcomes table"


def test_toml_examples_in_scenarios_doc_are_valid():
    """Every ```toml block in docs/scenarios.md loads as a scenario.

    Blocks whose first line is ``# invalid`` (a documented error) or ``# template`` are skipped.
    """
    text = SCENARIOS_MD.read_text("utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert blocks
    checked = 0
    for body in blocks:
        if body.startswith(("# invalid", "# template")):
            continue
        scenario_from_dict(tomllib.loads(body), source="docs/scenarios.md")
        checked += 1
    assert checked >= 3


def test_toml_example_in_model_doc_is_valid(model_md):
    for body in re.findall(r"```toml\n(.*?)```", model_md, re.S):
        scenario_from_dict(tomllib.loads(body), source="docs/model.md")


def test_python_examples_in_model_doc_run(model_md, capsys):
    """The "How to change a behaviour" examples run as written (a town run each)."""
    section = model_md.split("## How to change a behaviour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) >= 3
    for body in blocks:
        exec(compile(body, "docs/model.md", "exec"), {"__name__": "docs_example"})
