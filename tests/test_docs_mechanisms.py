"""docs/mechanism-tests.md is generated, up to date, and names only tests that exist."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi_sim.engine.measures import LEVERS

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "mechanism-tests.md"
FIX = "run: .venv/bin/python tools/docs_mechanisms.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location(
        "docs_mechanisms", ROOT / "tools" / "docs_mechanisms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text("utf-8")


@pytest.mark.parametrize("block", ["mechanisms", "directions"])
def test_generated_blocks_are_up_to_date(gen, page, block):
    assert gen.current(page, block) == gen.BLOCKS[block](), f"{PAGE} out of date; {FIX}"


def test_every_documented_direction_has_its_row_and_case(gen, page):
    rows = gen.current(page, "directions").splitlines()[2:]
    moves = [(lid, metric) for lid, lv in LEVERS.items() for metric, _ in lv.moves]
    assert len(rows) == len(moves)
    for (lid, metric), row in zip(moves, rows, strict=True):
        assert f"`{gen.lever_case(lid, metric)}`" in row, row
        sign = dict(LEVERS[lid].moves)[metric]
        assert ("↑" if sign > 0 else "↓") in row, row
    # Every lever a mechanism row points to has a direction case to point to.
    pointed = {lid for *_, levers in gen.MECHANISMS for lid in levers}
    assert pointed <= {lid for lid, _ in moves}, pointed - {lid for lid, _ in moves}


def test_every_named_test_is_collected(gen, page):
    named = set(gen.named_tests(page))
    assert len(named) > 40, "the page names too few tests: is named_tests broken?"
    files = sorted({n.split("::")[0] for n in named})
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         *files], cwd=ROOT, capture_output=True, text=True, timeout=300)
    collected = {line.strip() for line in out.stdout.splitlines() if "::" in line}
    assert collected, out.stdout[-2000:] + out.stderr[-2000:]
    functions = {c.split("[")[0] for c in collected}
    missing = sorted(n for n in named if n not in (collected if "[" in n else functions))
    assert not missing, f"the page names tests pytest does not collect: {missing}"


def test_check_mode_fails_on_a_stale_page(gen, tmp_path, monkeypatch, capsys):
    stale = tmp_path / "mechanism-tests.md"
    stale.write_text(PAGE.read_text("utf-8").replace("↓ down", "↑ up", 1), "utf-8")
    monkeypatch.setattr(gen, "DOC", stale)
    assert gen.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert gen.main([]) == 0 and gen.main(["--check"]) == 0
    assert stale.read_text("utf-8") == PAGE.read_text("utf-8")


def test_missing_markers_are_refused(gen):
    with pytest.raises(ValueError, match="mechanisms:begin"):
        gen.update("# a page without its markers\n")
