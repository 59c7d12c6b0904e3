import csv
from pathlib import Path

import numpy as np
import pytest

import fazhi_sim as fs
from fazhi_sim.engine.region import TOWN_POPULATION

DATA = Path(fs.__file__).parent / "data"


def test_shaoxing_matches_its_sourced_totals():
    r = fs.get_region("shaoxing")
    rows = list(csv.DictReader((DATA / "counties.csv").open(encoding="utf-8")))
    assert r.county_ids == tuple(row["id"] for row in rows)
    assert r.county_population().tolist() == [int(row["population_2023"]) for row in rows]
    assert r.population == 5_394_000
    assert r.n_towns == 103 and r.n_villages == 2148
    assert np.bincount(r.town_county).tolist() == [int(row["towns"]) for row in rows]
    # every town has villages and every village lies in its town's county
    assert set(np.unique(r.village_town)) == set(range(r.n_towns))
    assert np.array_equal(r.town_county[r.village_town], r.village_county)
    assert (r.village_population >= 50).all()


@pytest.mark.parametrize("name", ["zhuji", "诸暨", "诸暨市", "ZHUJI"])
def test_county_by_pinyin_or_chinese(name):
    r = fs.get_region(name)
    assert r.id == "zhuji" and r.population == 1_229_200 and r.n_counties == 1


def test_town_region_is_fifty_thousand():
    r = fs.get_region("town")
    assert r.population == TOWN_POPULATION and r.n_villages >= 10


def test_layout_is_the_same_every_time():
    a, b = fs.get_region("shengzhou"), fs.get_region("嵊州")
    assert np.array_equal(a.village_population, b.village_population)


def test_unknown_region_lists_allowed_names():
    with pytest.raises(fs.RegionError, match="allowed: shaoxing, zhuji"):
        fs.get_region("hangzhou")


def test_a_county_is_built_once_per_process():
    # An ensemble groups a seed's scenarios by their region object: a county built anew
    # for each scenario would share neither set-up nor warm-up between them.
    assert fs.get_region("xinchang") is fs.get_region("新昌")
    assert fs.get_region("zhuji") is fs.get_region("诸暨市")
