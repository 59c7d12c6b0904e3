"""Shared fixtures: small regions so engine tests stay fast."""

from __future__ import annotations

import numpy as np
import pytest

from fazhi_sim.engine.region import Region


def small_region(villages: int = 6, people: int = 1_000, counties: int = 2) -> Region:
    """A made-up region: ``counties`` counties, one town each, equal villages."""
    county = np.arange(villages, dtype=np.int32) % counties
    return Region(
        id="tiny", name_zh="测试区", name_en="Test", county_ids=tuple(f"c{i}" for i in
                                                                   range(counties)),
        county_names_zh=tuple(f"县{i}" for i in range(counties)),
        town_county=np.arange(counties, dtype=np.int32),
        village_town=county.copy(), village_county=county,
        village_population=np.full(villages, people, dtype=np.int64),
    )


@pytest.fixture
def tiny() -> Region:
    """Two counties, six villages of 1,000 residents."""
    return small_region()


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    # fazhi-sim speaks Chinese in a zh locale; tests that check English error lines must not
    # depend on the machine they run on (tests of the Chinese set --lang or LANG themselves).
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
