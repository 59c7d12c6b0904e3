"""Hostile arguments: each ends in one line on stderr and exit status 2, at once.

Every case here must fail before anything runs or allocates: none may take more than a
second or two (the unreachable scheduler waits for a timeout of half a second).
"""

from __future__ import annotations

import socket
import time

import pytest

import fazhi_sim as fs
from fazhi_sim.cli import main
from fazhi_sim.experiments.executors import ClusterError, DaskCluster
from fazhi_sim.experiments.store import StoreError

COMPARE = ["compare", "baseline", "plan-2025", "--region", "town"]


def one_error_line(capsys, argv: list[str]) -> str:
    """Run the CLI in this process; the one stderr line it printed, checked."""
    started = time.monotonic()
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, (argv, out, err)
    assert time.monotonic() - started < 10, "a bad argument must fail at once"
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fazhi-sim: error: "), err
    assert "Traceback" not in err
    return lines[0]


def closed_port() -> int:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_replicates_has_an_upper_bound(capsys):
    line = one_error_line(capsys, [*COMPARE, "--replicates", "1000000000"])
    assert "--replicates" in line and "10,000" in line


@pytest.mark.parametrize("value", ["0", "-3", "2.5", "lots", "9" * 5000])
def test_replicates_must_be_a_whole_number_in_range(capsys, value):
    line = one_error_line(capsys, [*COMPARE, "--replicates", value])
    assert "--replicates" in line and "1 to 10,000" in line and len(line) < 300


def test_replicates_bound_holds_in_every_command(capsys):
    for argv in (["sensitivity", "--replicates", "1000000000"],
                 ["optimize", "--budget", "1000", "--replicates", "1000000000"]):
        assert "10,000" in one_error_line(capsys, argv)


@pytest.mark.parametrize("argv, flag", [
    (["sensitivity", "--trajectories", "1000000000"], "--trajectories"),
    (["sensitivity", "--method", "sobol", "--samples", str(2**40)], "--samples"),
    (["optimize", "--budget", "1000", "--samples", "1000000000"], "--samples"),
    ([*COMPARE, "--jobs", "100000"], "--jobs"),
    ([*COMPARE, "--seed", "9" * 5000], "--seed"),
    (["optimize", "--budget", "9" * 400], "--budget"),
])
def test_other_counts_have_upper_bounds(capsys, argv, flag):
    line = one_error_line(capsys, argv)
    assert flag in line and ("too large" in line or "from 0 to" in line)


def test_python_api_refuses_a_billion_replicates_before_allocating():
    started = time.monotonic()
    with pytest.raises(ValueError) as err:
        fs.run_ensemble(["baseline", "plan-2025"], replicates=10**9, region="town")
    assert time.monotonic() - started < 1
    assert "\n" not in str(err.value) and "10,000" in str(err.value)


@pytest.mark.parametrize("address", ["notaurl", "http://10.0.0.5:8786", "tcp://10.0.0.5",
                                     "tcp://10.0.0.5:99999", "tcp://:8786", "10.0.0.5:8786"])
def test_scheduler_address_is_checked_before_connecting(capsys, address):
    line = one_error_line(capsys, [*COMPARE, "--scheduler", address])
    assert "--scheduler" in line and "tcp://HOST:PORT" in line


def test_unreachable_scheduler_is_one_line_after_a_short_timeout(capsys):
    pytest.importorskip("dask.distributed")
    address = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    line = one_error_line(capsys, [*COMPARE, "--scheduler", address,
                                   "--scheduler-timeout", "0.5"])
    assert time.monotonic() - started < 8
    assert f"cannot reach the Dask scheduler at {address}" in line
    assert "(file)" not in line


@pytest.mark.parametrize("value", ["0", "abc", "100000"])
def test_scheduler_timeout_is_checked(capsys, value):
    line = one_error_line(capsys, [*COMPARE, "--scheduler", "tcp://127.0.0.1:8786",
                                   "--scheduler-timeout", value])
    assert "--scheduler-timeout" in line


def test_store_that_is_a_file_is_named(capsys, tmp_path):
    f = tmp_path / "runs.parquet"
    f.write_text("a file, not a folder")
    line = one_error_line(capsys, [*COMPARE, "--store", str(f)])
    assert str(f) in line and "--store" in line and "is a file" in line
    assert "File exists" not in line


def test_store_under_a_file_is_named(capsys, tmp_path):
    f = tmp_path / "runs.parquet"
    f.write_text("a file, not a folder")
    line = one_error_line(capsys, [*COMPARE, "--store", str(f / "inside")])
    assert "--store" in line and "cannot create the folder" in line


def test_unknown_lever_is_named_with_the_allowed_ones(capsys):
    line = one_error_line(capsys, ["sensitivity", "--levers", "nope"])
    assert "unknown lever 'nope'; allowed: " in line and "online_court" in line
    assert "at least two" not in line


def test_unknown_parameter_is_named(capsys):
    line = one_error_line(capsys, ["sensitivity", "--params", "nope", "--levers",
                                   "online_court"])
    assert "unknown parameter 'nope'" in line


def test_lever_given_as_a_parameter_says_where_it_belongs(capsys):
    line = one_error_line(capsys, ["sensitivity", "--params", "online_court", "grievance_fail"])
    assert "give it to --levers" in line


def test_python_api_one_line_errors(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        fs.RunStore(f)
    with pytest.raises(ClusterError, match="not a scheduler address"):
        DaskCluster("notaurl")
    with pytest.raises(ClusterError, match="seconds above 0"):
        DaskCluster("tcp://127.0.0.1:8786", timeout=0)
