"""Packaging: the license as an SPDX expression, openpyxl declared, region files shipped."""

from __future__ import annotations

import tomllib
from pathlib import Path

import fazhi_sim as fs

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_license_is_an_spdx_string_without_a_license_classifier():
    # A table (license = { text = "MIT" }) makes setuptools 77+ print a deprecation warning
    # on every install, `make demo` included; an SPDX string needs setuptools 77 or later.
    project = PROJECT["project"]
    assert project["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))
    requires = PROJECT["build-system"]["requires"]
    assert any(r.replace(" ", "").startswith("setuptools>=") and
               tuple(map(int, r.split(">=")[1].split(".")[:1])) >= (77,) for r in requires)


def test_excel_writer_is_a_dependency():
    assert any(d.split(">")[0].split("=")[0].strip() == "openpyxl"
               for d in PROJECT["project"]["dependencies"])


def test_region_files_are_package_data():
    data = PROJECT["tool"]["setuptools"]["package-data"]["fazhi_sim"]
    package = Path(fs.__file__).parent
    for pattern, example in [("data/regions/*.csv", "data/regions/shaoxing.csv"),
                             ("examples/*.csv", "examples/region_example.csv")]:
        assert pattern in data
        assert (package / example).is_file()
