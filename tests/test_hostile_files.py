"""Hostile scenario files: each ends in exit status 2 and one line naming the file and field.

``tests/hostile/*.toml`` holds the small ones; the first line of each, ``# expect: FIELD``,
names the field the error must report. Large, binary and deeply nested files are made by
:func:`generated` below rather than committed. ``tests/hostile/accepted/`` holds files that
look odd but are right, and :data:`ACCEPTED_MADE` the generated ones: they must validate.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi_sim.cli import main
from fazhi_sim.engine.scenario import load_scenario

HOSTILE = Path(__file__).resolve().parent / "hostile"
PREFIX = "fazhi-sim: error: "
MESSAGE_MAX = 250
"""Longest error line without its file name (which is as long as the user made it)."""

BOM = b"\xef\xbb\xbf"
# name -> (bytes, field the error names); made here: too big, binary or too odd to commit.
MADE: dict[str, tuple[bytes, str]] = {
    "bom_comments_only": (BOM + b"# nothing else\n", "(file)"),
    "whitespace_only": (b"  \n\t\n\r\n   ", "(file)"),
    "invalid_utf8": (b'name = "\xff\xfe plan"\n', "(file)"),
    "utf16": ('name = "plan"\n'.encode("utf-16"), "(file)"),
    "gbk": ('name = "基线"\n'.encode("gbk"), "(file)"),
    "binary_junk": (bytes(range(256)) * 4, "(file)"),
    "nul_bytes": (b"\x00" * 64, "(syntax)"),
    "control_characters": (b"\x01\x02\x1b[2J\x7f", "(syntax)"),
    "nul_in_string": (b'name = "a\x00b"\n', "(syntax)"),
    "deep_arrays": (b"description = " + b"[" * 5000 + b"]" * 5000 + b"\n", "(syntax)"),
    "deep_inline_tables": (b"description = " + b"{a = " * 3000 + b"1" + b"}" * 3000,
                           "(syntax)"),
    "deep_dotted_keys": (b"[params." + b".".join([b"a"] * 3000) + b"]\nb = 1\n", "params.a"),
    "deep_dotted_lever": (b"[levers.online_court." + b".".join([b"x"] * 3000) + b"]\n",
                          "levers.online_court.x"),
    "huge_integer": (b"start_year = " + b"9" * 5000 + b"\n", "(syntax)"),
    "huge_file": (b'description = "' + b"x" * (2 << 20) + b'"\n', "(file)"),
    "huge_name": (b'name = "' + b"x" * 500_000 + b'"\n', "name"),
    "huge_region": (b'region = "' + b"x" * 500_000 + b'"\n', "region"),
    "huge_text_for_number": (b'start_year = "' + b"9" * 500_000 + b'"\n', "start_year"),
    "huge_lever_key": (b"[levers." + b"k" * 100_000 + b"]\ntarget = 1\n", "levers.'kkk"),
    "huge_params_key": (b"[params]\n" + b"p" * 100_000 + b" = 1\n", "params.'ppp"),
    "many_unknown_levers": (b"[levers]\n" + b"".join(b"lever_%d = 0.5\n" % i
                                                     for i in range(20_000)),
                            "levers.lever_0"),
}
ACCEPTED_MADE: dict[str, bytes] = {
    "bom": BOM + b'name = "plan"\n[levers]\nonline_court = 0.5\n',
    "crlf": b'name = "plan"\r\n[levers]\r\nonline_court = 0.5\r\n',
}


def _committed() -> list[Path]:
    return sorted(HOSTILE.glob("*.toml"))


def _expected(path: Path) -> str:
    first = path.read_text("utf-8").partition("\n")[0]
    return first.removeprefix("# expect: ") if first.startswith("# expect: ") else "(file)"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    out = {}
    for name, (body, field) in MADE.items():
        path = folder / f"{name}.toml"
        path.write_bytes(body)
        out[name] = (path, field)
    return out


def _names_file(line: str, path: Path) -> bool:
    """The error starts with the file, and maybe a line of it: ``<path>:<n>: ``."""
    found = re.match(re.escape(PREFIX + str(path)) + r"(?::(\d+))?: ", line)
    if found is None:
        return False
    if found.group(1) is None:
        return True
    lines = path.read_bytes().count(b"\n") + 1
    return 1 <= int(found.group(1)) <= lines


def _check_one_line(status: int, out: str, err: str, path: Path, field: str) -> None:
    assert status == 2, (path.name, out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), (path.name, err[:500])
    line = lines[0]
    assert _names_file(line, path), (path.name, line[:500])
    assert f": {field}" in line, (path.name, field, line[:500])
    assert len(line) - len(str(path)) <= MESSAGE_MAX, (path.name, len(line), line[:500])
    assert line.isprintable(), (path.name, line[:500])  # no control character got through


def _validate_and_run(path: Path, field: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    _check_one_line(status, out, err, path, field)
    assert "ok " not in out
    status = main(["run", str(path), "--region", "town"])
    out, err = capsys.readouterr()
    _check_one_line(status, out, err, path, field)
    assert out == ""


def test_the_corpus_is_big_enough():
    assert len(_committed()) + len(MADE) >= 60
    assert len(_committed()) >= 60


@pytest.mark.parametrize("path", _committed(), ids=lambda p: p.stem)
def test_hostile_file_is_one_line_and_status_2(path: Path, capsys):
    _validate_and_run(path, _expected(path), capsys)


@pytest.mark.parametrize("name", list(MADE))
def test_generated_hostile_file_is_one_line_and_status_2(name: str, generated, capsys):
    path, field = generated[name]
    _validate_and_run(path, field, capsys)


def test_every_file_of_a_validate_call_gets_its_own_line(generated, capsys):
    paths = [*_committed()[:5], generated["deep_arrays"][0], generated["huge_name"][0]]
    assert main(["validate", *map(str, paths)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(paths)
    assert all(_names_file(line, p) for line, p in zip(lines, paths, strict=True))


@pytest.mark.parametrize("name", ["deep_arrays", "huge_integer", "binary_junk", "huge_name"])
def test_no_traceback_reaches_stderr_of_the_real_command(name: str, generated):
    path, field = generated[name]
    for command in (["validate", str(path)], ["run", str(path), "--region", "town"]):
        done = subprocess.run([sys.executable, "-m", "fazhi_sim", *command],
                              capture_output=True, text=True, timeout=120)
        _check_one_line(done.returncode, done.stdout, done.stderr, path, field)


# -- Odd but right: accepted ------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((HOSTILE / "accepted").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_odd_but_right_file_validates(path: Path, capsys):
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith(f"ok  {path}  ")


@pytest.mark.parametrize("name", list(ACCEPTED_MADE))
def test_bom_and_crlf_are_accepted(name: str, tmp_path: Path, capsys):
    path = tmp_path / f"{name}.toml"
    path.write_bytes(ACCEPTED_MADE[name])
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""
    sc = load_scenario(path)
    assert sc.name == "plan" and sc.levers["online_court"].target == 0.5


def test_negative_zero_is_stored_and_hashed_as_zero():
    sc = load_scenario(HOSTILE / "accepted" / "negative_zero_target.toml")
    target = sc.levers["online_court"].target
    assert target == 0.0 and str(target) == "0.0"
    zero = sc.model_copy(update={"levers": {"online_court": {"target": 0.0}}})
    assert sc.content_hash() == zero.content_hash()


def test_a_bom_file_runs(tmp_path: Path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(ACCEPTED_MADE["bom"].replace(b"\n[levers]", b'\nend_year = 2021\n[levers]'))
    assert main(["run", str(path), "--region", "town"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "plan" in out.splitlines()[0]


# -- Names that no check saw (run_ensemble's dict keys) reach no script and no table raw -----


def test_report_and_tables_are_safe_with_separators_in_a_name():
    import fazhi_sim as fs
    from fazhi_sim.views.report import report_html
    from fazhi_sim.views.tables import compare_rows, compare_tidy, text_table

    odd = "plan\u2028b\u2029c\nfazhi-sim: error: forged"
    ens = fs.run_ensemble({"base": fs.baseline(2021, 2021), odd: fs.baseline(2021, 2021)},
                          replicates=1, region="town", progress=False)
    page = report_html(ens, lang="en")
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert scripts and not any(c in s for s in scripts for c in "\u2028\u2029")
    assert "plan\\u2028b\\u2029c" in scripts[-1]
    header, rows = compare_rows(compare_tidy(ens, "town", 2021), list(ens.scenarios), 1, "en")
    table = text_table(header, rows)
    assert len(table.splitlines()) == 2 + len(rows)
    assert not any(line.startswith("fazhi-sim: error") for line in table.splitlines())
