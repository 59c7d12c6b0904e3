"""numpy's huge pages are off in fazhi-sim's processes unless the user asks for them."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_STATE = ("import numpy; print(numpy._core.multiarray._get_madvise_hugepage())")


def _huge_pages(code: str, **env: str) -> str:
    # A fresh interpreter: numpy reads the setting once, at its import.
    environ = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    out = subprocess.run([sys.executable, "-c", code], env={**environ, **env},
                         capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module", autouse=True)
def _getter_exists():
    import numpy

    if not hasattr(numpy._core.multiarray, "_get_madvise_hugepage"):
        pytest.skip("this numpy cannot report its huge-page setting")


def test_importing_fazhi_sim_first_turns_numpys_huge_pages_off():
    assert _huge_pages("import fazhi_sim; " + _STATE) == "False"


def test_a_users_own_setting_is_kept():
    assert _huge_pages("import fazhi_sim; " + _STATE, NUMPY_MADVISE_HUGEPAGE="1") == "True"


def test_worker_processes_inherit_the_setting_even_when_numpy_came_first(tmp_path):
    # A notebook imports numpy before fazhi_sim: its own process keeps numpy's default, but
    # the workers it starts for ensembles read the variable at their numpy import.
    script = tmp_path / "workers.py"
    script.write_text(
        "import numpy, fazhi_sim, concurrent.futures as cf, multiprocessing as mp\n"
        "def state():\n"
        "    import numpy\n"
        "    return numpy._core.multiarray._get_madvise_hugepage()\n"
        "if __name__ == '__main__':\n"
        "    print(numpy._core.multiarray._get_madvise_hugepage())\n"
        "    with cf.ProcessPoolExecutor(1, mp_context=mp.get_context('spawn')) as ex:\n"
        "        print(ex.submit(state).result())\n", encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    out = subprocess.run([sys.executable, str(script)], env=environ, capture_output=True,
                         text=True, check=True, timeout=120).stdout.split()
    assert out == ["True", "False"]  # the notebook's process as numpy left it; the worker off
