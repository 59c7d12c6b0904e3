"""The tally: buffered counts, tidy frames built from whole arrays, batched runs split.

The frames are checked bit for bit against the frames built the way they were before, one
small frame per metric and unit with pandas' groupby statistics (``_old_frame``).
"""

from __future__ import annotations

import pickle
from functools import cache
from itertools import zip_longest

import numpy as np
import pandas as pd
import pytest
from conftest import small_region

import fazhi_sim as fs
from fazhi_sim.engine.metrics import (
    _STOCKS,
    COUNTERS,
    FLOW_COUNTERS,
    METRICS,
    Tally,
    _rates_and_shares,
)

SEEDS = (1, 2, 3)


@cache
def _run(seed: int) -> fs.DisputeModel:
    return fs.DisputeModel(fs.load_scenario("plan-2025"), region="town", seed=seed).run()


def _args(m: fs.DisputeModel) -> tuple:
    return m.region, m.policy.start_year, m.warmup


def _old_sums(tally: Tally, region, warmup: int, monthly: bool):
    counts = tally.counts
    n_months = len(counts["disputes"]) - warmup
    names = list(region.county_ids) + ([region.id] if region.n_counties > 1 else [])
    pop = region.county_population().astype(float)
    pop = np.append(pop, pop.sum()) if region.n_counties > 1 else pop
    period = np.arange(n_months) if monthly else np.arange(n_months) // 12
    n = n_months if monthly else int(period.max()) + 1
    c = {}
    for k in COUNTERS:
        x = counts[k][warmup:]
        out = np.zeros((n, x.shape[1]))
        for j in range(n):
            if k == "defaulters":
                out[j] = x[period == j][-1]
            elif k in _STOCKS:
                out[j] = x[period == j].mean(axis=0)
        if k not in _STOCKS:
            np.add.at(out, period, x)
        c[k] = np.hstack([out, out.sum(axis=1, keepdims=True)]) if len(names) > x.shape[1] \
            else out
    return c, names, pop, period, n


def _old_durations(tally: Tally, year_of_month: np.ndarray, n: int) -> dict:
    stats = ("median_months_to_resolution", "mean_months_to_resolution",
             "p90_months_to_resolution")
    out = {m: np.full((n, tally.n_counties + 1), np.nan) for m in stats}
    if not tally.resolution_county:
        return out
    df = pd.DataFrame({"county": np.concatenate(tally.resolution_county),
                       "t": np.concatenate(tally.resolution_months).astype(float),
                       "year": year_of_month[np.concatenate(tally.resolution_month)]})
    df = df[df.year >= 0]
    for by, column in ((["year", "county"], None), ("year", -1)):
        t = df.groupby(by).t
        for metric, v in zip(stats, (t.median(), t.mean(), t.quantile(0.9)), strict=True):
            for key, x in v.items():
                year, county = (key, column) if column is not None else key
                out[metric][year, county] = x
    return out


def _old_frame(tally: Tally, region, first_year: int, warmup: int,
               monthly: bool = False) -> pd.DataFrame:
    c, names, pop, period, n = _old_sums(tally, region, warmup, monthly)
    values = _rates_and_shares(c, pop)
    month_year = np.full(len(tally.counts["disputes"]), -1)
    month_year[warmup:] = period
    for metric, v in _old_durations(tally, month_year, n).items():
        values[metric] = v if len(names) > 1 else v[:, :1]
    return _long(values, METRICS, names, n, first_year, monthly)


def _old_counter_frame(tally: Tally, region, first_year: int, warmup: int) -> pd.DataFrame:
    c, names, _pop, _period, n = _old_sums(tally, region, warmup, False)
    return _long(c, FLOW_COUNTERS, names, n, first_year, False)


def _long(values, keys, names, n, first_year, monthly) -> pd.DataFrame:
    df = pd.concat([pd.DataFrame({"period": np.arange(n), "region": name, "metric": k,
                                  "value": values[k][:, j]})
                    for k in keys for j, name in enumerate(names)], ignore_index=True)
    period = df.pop("period")
    if monthly:
        df.insert(0, "year", first_year + period // 12)
        df.insert(1, "month", period % 12 + 1)
    else:
        df.insert(0, "year", first_year + period)
    return df.astype({"region": "string", "metric": "string"})


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_frames_match_the_old_construction(seed):
    m = _run(seed)
    for monthly in (False, True):
        _same(m.tally.frame(*_args(m), monthly=monthly),
              _old_frame(m.tally, *_args(m), monthly=monthly))
    _same(m.tally.counter_frame(*_args(m)), _old_counter_frame(m.tally, *_args(m)))


def _random_tally(rng, n_counties: int, n_months: int = 30, times=None) -> Tally:
    tally = Tally(n_months, n_counties)
    for month in range(n_months):
        for _ in range(rng.integers(0, 4)):
            n = int(rng.integers(1, 40))
            t = rng.exponential(2, n) if times is None else times(rng, n)
            tally.resolution_times(month, rng.integers(0, n_counties, n), t)
    return tally


@pytest.mark.parametrize("case", ["plain", "tiny", "negative", "nan", "float64", "sparse"])
@pytest.mark.parametrize("n_counties", [1, 3])
def test_durations_match_pandas(case, n_counties):
    """Every path (bits or floats, exact sums or pandas' means) gives pandas' values."""
    rng = np.random.default_rng(len(case) * 10 + n_counties)
    times = {
        "plain": None,
        "tiny": lambda rng, n: rng.exponential(2, n) * (rng.random(n) < 0.9) + 1e-9,
        "negative": lambda rng, n: rng.normal(0, 3, n).round(1) * np.where(
            rng.random(n) < 0.1, -0.0, 1),
        "nan": lambda rng, n: np.where(rng.random(n) < 0.2, np.nan, rng.exponential(2, n)),
        "float64": None,
        "sparse": lambda rng, n: np.full(n, 3.25),
    }[case]
    tally = _random_tally(rng, n_counties, times=times)
    if case == "float64":
        tally.resolution_months = [t.astype(float) + 1e-12 for t in tally.resolution_months]
    if case == "sparse":
        tally.resolution_county = tally.resolution_county[:3]
        tally.resolution_months = tally.resolution_months[:3]
        tally.resolution_month = tally.resolution_month[:3]
    for warmup, monthly in ((0, True), (6, False), (5, True)):
        period = np.arange(30 - warmup) if monthly else np.arange(30 - warmup) // 12
        year_of_month = np.full(30, -1)
        year_of_month[warmup:] = period
        n = int(period.max()) + 1
        new, old = tally._durations(year_of_month, n), _old_durations(tally, year_of_month, n)
        for metric, v in old.items():
            np.testing.assert_array_equal(new[metric], v, err_msg=metric, strict=True)


def _plain_counts(calls, n_months: int, n_counties: int) -> dict[str, np.ndarray]:
    counts = {c: np.zeros((n_months, n_counties)) for c in COUNTERS}
    for kind, counter, month, county, weights in calls:
        if kind == "add":
            if len(county):
                counts[counter][month] += np.bincount(county, weights, n_counties)
        else:
            counts[counter][month] = county
    return counts


def test_buffered_counts_equal_unbuffered():
    rng = np.random.default_rng(7)
    nc, n_months = 4, 12
    calls = []
    for month in range(n_months):
        for _ in range(80):
            counter = COUNTERS[rng.integers(len(COUNTERS))]
            county = rng.integers(0, nc, rng.choice([0, 3, 20, 2000]))
            weights = rng.integers(0, 5, len(county)).astype(float) \
                if rng.random() < 0.2 else None
            calls.append(("add", counter, month, county, weights))
        calls.append(("set", "judges", month, rng.random(nc), None))
    tally = Tally(n_months, nc)
    for i, (kind, counter, month, county, weights) in enumerate(calls):
        if kind == "add":
            reused = county.copy()
            tally.add(counter, month, reused, weights)
            reused[:] = 0  # the tally holds its own copy
        else:
            tally.set(counter, month, county)
        if i % 97 == 0:  # a reader mid-month sees every event so far
            expected = _plain_counts(calls[:i + 1], n_months, nc)
            for c in COUNTERS:
                np.testing.assert_array_equal(tally.counts[c], expected[c])
    expected = _plain_counts(calls, n_months, nc)
    for c in COUNTERS:
        assert tally.counts[c].tobytes() == expected[c].tobytes(), c


def test_buffered_counts_match_a_run():
    """A run's counts are the same floats when every add reaches the counts at once.

    The engine counts most events in place (compiled steps add to this month's row) and
    buffers the rest (:meth:`Tally.add`); a tally that flushes after every add must end with
    the same bytes.
    """

    class Unbuffered(Tally):
        def add(self, counter, month, county, weights=None):
            super().add(counter, month, county, weights)
            self._flush()

    counts = []
    for tally_class in (Tally, Unbuffered):
        m = fs.DisputeModel(fs.load_scenario("plan-2025"), region="town", seed=4)
        m.tally = tally_class(m.n_months, m.region.n_counties)
        m.run()
        counts.append(m.tally.counts)
    for c in COUNTERS:
        assert counts[0][c].tobytes() == counts[1][c].tobytes(), c
    assert counts[0]["closed"].sum() > 1000  # a real run, with events in every counter kind


def test_county_outside_the_tally_is_refused():
    tally = Tally(2, 3)
    tally.add("disputes", 0, np.array([0, 3]))
    with pytest.raises(ValueError, match="county index"):
        tally.counts  # noqa: B018


def _stacked(tallies: list[Tally]) -> Tally:
    """The tally a batched run of these replicates would keep: counties replicate-major,
    each month's resolution times mixed across replicates call by call."""
    nc, n_months = tallies[0].n_counties, tallies[0].n_months
    out = Tally(n_months, nc * len(tallies))
    for c in COUNTERS:
        out.counts[c][:] = np.hstack([t.counts[c] for t in tallies])
    for month in range(n_months):
        chunks = [[(cty + r * nc, t) for cty, t, mo in zip(
            x.resolution_county, x.resolution_months, x.resolution_month, strict=True)
            if mo[0] == month] for r, x in enumerate(tallies)]
        for call in zip_longest(*chunks):
            call = [x for x in call if x is not None]
            out.resolution_county.append(np.concatenate([c for c, _ in call]))
            out.resolution_months.append(np.concatenate([t for _, t in call]))
            out.resolution_month.append(np.full(len(out.resolution_county[-1]), month))
    return out


def test_split_gives_each_replicate_its_unbatched_frames():
    runs = [_run(s) for s in SEEDS]
    stacked = _stacked([m.tally for m in runs])
    parts = stacked.split(len(runs))
    args = _args(runs[0])
    for monthly in (False, True):
        batch = stacked.frames(len(runs), *args, monthly=monthly)
        for m, part, df in zip(runs, parts, batch, strict=True):
            own = m.tally.frame(*args, monthly=monthly)
            _same(part.frame(*args, monthly=monthly), own)
            _same(df, own)
    for m, part in zip(runs, parts, strict=True):
        _same(part.counter_frame(*args), m.tally.counter_frame(*args))
        for c in COUNTERS:
            assert part.counts[c].tobytes() == m.tally.counts[c].tobytes()


def test_split_keeps_each_replicates_order():
    tally = Tally(3, 4)
    tally.resolution_times(0, np.array([3, 0, 2, 1, 2]), np.array([1., 2., 3., 4., 5.]))
    tally.resolution_times(2, np.array([1, 3]), np.array([6., 7.]))
    first, second = tally.split(2)
    assert np.concatenate(first.resolution_county).tolist() == [0, 1, 1]
    assert np.concatenate(first.resolution_months).tolist() == [2., 4., 6.]
    assert np.concatenate(second.resolution_county).tolist() == [1, 0, 0, 1]
    assert np.concatenate(second.resolution_month).tolist() == [0, 0, 0, 2]


def test_split_refuses_an_uneven_batch():
    with pytest.raises(ValueError, match="do not split"):
        Tally(2, 5).split(2)
    with pytest.raises(ValueError, match="replicates of town"):
        _run(1).tally.frames(2, *_args(_run(1)))


@pytest.mark.parametrize("case", ["plain", "tiny", "nan", "float64"])
@pytest.mark.parametrize("n_counties", [1, 2])
def test_batched_frames_on_every_path(case, n_counties):
    """Random replicates, through every path of the months statistics, batched or not."""
    rng = np.random.default_rng(n_counties)
    times = {"plain": None, "float64": None,
             "tiny": lambda rng, n: rng.exponential(2, n) + 1e-9 * (rng.random(n) < 0.5),
             "nan": lambda rng, n: np.where(rng.random(n) < 0.1, np.nan, rng.exponential(2, n))
             }[case]
    region = small_region(counties=n_counties)
    tallies = []
    for _ in range(3):
        tally = _random_tally(rng, n_counties, times=times)
        for c in COUNTERS:
            tally.counts[c][:] = rng.random((30, n_counties)) * 9 if c in _STOCKS \
                else rng.integers(0, 50, (30, n_counties))
        if case == "float64":
            tally.resolution_months = [t.astype(float) / 3 for t in tally.resolution_months]
        tallies.append(tally)
    stacked = _stacked(tallies)
    for monthly in (False, True):
        batch = stacked.frames(3, region, 2024, 6, monthly)
        for tally, part, df in zip(tallies, stacked.split(3), batch, strict=True):
            own = tally.frame(region, 2024, 6, monthly)
            _same(own, _old_frame(tally, region, 2024, 6, monthly))
            _same(part.frame(region, 2024, 6, monthly), own)
            _same(df, own)


def test_a_pickled_tally_keeps_counting():
    tally = Tally(2, 2)
    tally.add("disputes", 0, np.array([0, 1, 1]))
    copy = pickle.loads(pickle.dumps(tally))
    copy.add("disputes", 1, np.array([1]))
    copy.set("judges", 1, np.array([0.5, 2.5]))
    assert copy.counts["disputes"].tolist() == [[1, 2], [0, 1]]
    assert copy.counts["judges"][1].tolist() == [0.5, 2.5]
    assert tally.counts["disputes"].tolist() == [[1, 2], [0, 0]]
