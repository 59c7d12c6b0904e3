"""``fazhi-sim present``: Voilà's page without links outside the machine, and clear errors."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from test_browser import _free_port, _stop, _wait_for_server

from fazhi_sim.cli.main import main

EXE = [sys.executable, "-m", "fazhi_sim"]


def test_a_missing_notebook_is_one_line_and_status_2(capsys, tmp_path):
    code = main(["present", str(tmp_path / "nope.ipynb")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "nope.ipynb" in err[0] and "notebook" in err[0]


def test_the_served_page_links_nothing_outside(tmp_path):
    notebook = tmp_path / "page.ipynb"
    notebook.write_text(
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# 演示"]}],'
        ' "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",'
        ' "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    port, log = _free_port(), tmp_path / "present.log"
    with log.open("w") as out:
        proc = subprocess.Popen([*EXE, "present", str(notebook), "--no-browser",
                                 f"--port={port}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://localhost:{port}/"
        _wait_for_server(url, proc, Path(log), "fazhi-sim present")
        page = urllib.request.urlopen(url, timeout=60).read().decode("utf-8")
    finally:
        _stop(proc)
    assert "<title>page</title>" in page  # the notebook's own page
    # Voilà's own "lab" page links two Font Awesome stylesheets on jsdelivr.
    fetched = re.findall(r'<(?:link|script)[^>]+(?:href|src)="(https?://[^"]+)"', page)
    assert fetched == []
