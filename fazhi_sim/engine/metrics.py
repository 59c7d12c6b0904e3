"""Outcome definitions and tidy results.

万人成讼率 (``lawsuits_per_10k``) follows 人民法院报 (唐震, 2023): first-instance civil plus
administrative cases *accepted* by the courts per 10,000 residents per year. A dispute settled
by pre-filing mediation (诉前调解) never becomes a case and is not counted; a filing refused as
abusive is not accepted and is not counted. The SPC's 2024 monthly 万人起诉率 (``filings_per_10k``)
counts every dispute brought to court, including those pre-filing mediation settles, so it can
stay up while 万人成讼率 falls.

The plan's 就地化解率 (``village_local_share``, ``town_local_share``, ``county_local_share``:
小事不出村、大事不出镇、矛盾不上交) are shares of the disputes *closed* in the period, not of
those resolved: a dispute dropped unresolved, lumped, given up in a queue or refused at the
court, was not resolved locally, so it counts against the share. Over resolved disputes only,
a layer that lets its disputes drop would look as local as one that settles them. The shares
of resolved disputes (``village_share_of_resolved``, ...) are kept for the layers' mix.

Every rate is computed from yearly sums, so county figures aggregate correctly to the region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .durations import DURATIONS, duration_stats, group_order
from .region import Region

__all__ = ["Tally", "METRICS", "COUNTERS", "COUNT_METRICS", "FLOW_COUNTERS", "is_share"]

COUNTERS = (
    "grievances", "disputes", "court_arrivals", "lawsuits", "petitions", "repeat_petitions",
    "resolved_negotiation", "resolved_village", "resolved_town", "resolved_county",
    "resolved_court", "resolved_petition", "dropped", "closed", "handoffs",
    "mediation_concluded", "mediation_settled", "prefiling_concluded", "prefiling_settled",
    "trials_concluded", "new_defaulters", "defaulters", "mediators", "judges",
    "prefiling_resolved", "refused", "prevented", "advised", "mediation_refused",
    "mediation_stalled", "centre_intake", "centre_legal", "centre_to_court",
    "centre_desk", "petitions_at_centre", "petitions_routed", "repeat_after_routing",
    "mediation_waiting",
    "trial_waiting",
)
"""Raw monthly counts kept per county ("defaulters", "mediators", "judges" are stocks)."""

METRICS = (
    "lawsuits_per_10k", "petitions", "petitions_per_10k", "repeat_petitions",
    "defaulters_per_10k", "disputes", "grievances", "village_share_of_resolved",
    "town_share_of_resolved", "county_share_of_resolved", "court_share_of_resolved",
    "petition_share_of_resolved", "handoffs_per_dispute", "mediation_success_rate",
    "prefiling_mediation_success_rate", "prefiling_diversion_share",
    "median_months_to_resolution", "cases_per_mediator", "cases_per_judge",
    "filings_per_10k", "lawsuits", "population", "village_local_share", "town_local_share",
    "county_local_share", "mean_months_to_resolution", "p90_months_to_resolution",
    "mediation_wait_months", "trial_wait_months",
)
"""Metrics in every yearly result."""

COUNT_METRICS = frozenset(
    {"petitions", "repeat_petitions", "disputes", "grievances", "lawsuits", "population"})
"""Metrics that are whole counts (printed without decimals); the rest are rates and shares."""

_STOCKS = ("defaulters", "mediators", "judges")

FLOW_COUNTERS = (
    "prevented", "grievances", "disputes", "resolved_negotiation", "resolved_village",
    "resolved_town", "resolved_county", "resolved_court", "resolved_petition", "dropped",
    "court_arrivals", "prefiling_resolved", "refused", "lawsuits", "petitions",
    "repeat_petitions", "repeat_after_routing", "petitions_routed", "petitions_at_centre",
    "centre_intake", "centre_legal", "centre_to_court", "centre_desk", "mediation_refused",
    "mediation_stalled", "advised",
)
"""Yearly counter sums behind the pathway decomposition (``simulate(counters=True)``)."""


def is_share(metric: str) -> bool:
    """True for a share or rate (shown in percent, changed in percentage points)."""
    return metric.endswith(("_share", "_rate", "_share_of_resolved"))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


_INDEX = {c: i for i, c in enumerate(COUNTERS)}

_BUFFERED = 1024
"""Longest county array :meth:`Tally.add` buffers."""

class Tally:
    """Monthly counters per county, and the resolution times behind the months metrics.

    Parameters
    ----------
    n_months, n_counties
        Shape of every counter.

    Notes
    -----
    :meth:`add` buffers short unweighted arrays; they reach :attr:`counts` when a later month
    is added to or :attr:`counts` is read. Counts are whole numbers, so one sum per month gives
    the same floats as adding call by call.
    """

    def __init__(self, n_months: int, n_counties: int):
        self.n_counties = n_counties
        # One block for every counter, so that a month's buffered events go in at once;
        # ``counts`` hands out views of it.
        self._data = np.zeros((len(COUNTERS), n_months, n_counties))
        self._counts = dict(zip(COUNTERS, self._data, strict=True))
        self._pending_index: list[int] = []
        self._pending_county: list[np.ndarray] = []
        self._pending_size: list[int] = []
        self._pending_month = 0
        self.resolution_county: list[np.ndarray] = []
        self.resolution_months: list[np.ndarray] = []
        self.resolution_month: list[np.ndarray] = []

    def __getstate__(self) -> dict:
        # Pickling (and deepcopy) would copy the views of ``counts`` apart from the block.
        self._flush()
        return {k: v for k, v in self.__dict__.items() if k != "_counts"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._counts = dict(zip(COUNTERS, self._data, strict=True))

    @property
    def n_months(self) -> int:
        """Months in every counter."""
        return self._data.shape[1]

    @property
    def counts(self) -> dict[str, np.ndarray]:
        """Counter name to its monthly counts per county, shape ``(n_months, n_counties)``."""
        self._flush()
        return self._counts

    def add(self, counter: str, month: int, county: np.ndarray, weights=None) -> None:
        """Count one event per entry of ``county`` (or add ``weights``) in ``month``.

        Small unweighted arrays are copied into a buffer (the caller may reuse them); the rest
        are counted at once, where a ``bincount`` of their own costs little extra.
        """
        n = len(county)
        if not n:
            return
        if weights is not None or n > _BUFFERED:
            self._data[_INDEX[counter], month] += np.bincount(county, weights, self.n_counties)
            return
        if month != self._pending_month:
            self._flush()
            self._pending_month = month
        self._pending_index.append(_INDEX[counter])
        self._pending_county.append(np.array(county))
        self._pending_size.append(n)

    def month_counts(self, counter: str, month: int) -> np.ndarray:
        """``counter``'s counts in ``month`` by county: a view, for steps that add in place."""
        return self._data[_INDEX[counter], month]

    def _flush(self) -> None:
        """Add the buffered events of the pending month to the counts, in one ``bincount``."""
        if not self._pending_index:
            return
        nc = self.n_counties
        county = np.concatenate(self._pending_county)
        # An index out of range would land silently in another counter's columns.
        if county.min() < 0 or county.max() >= nc:
            raise ValueError(f"county index outside 0..{nc - 1}")
        key = np.repeat(np.array(self._pending_index) * nc, self._pending_size) + county
        # Untouched counters get zeros added, which changes no count nor stock.
        self._data[:, self._pending_month] += np.bincount(
            key, None, len(COUNTERS) * nc).reshape(len(COUNTERS), nc)
        self._pending_index, self._pending_county, self._pending_size = [], [], []

    def set(self, counter: str, month: int, values: np.ndarray) -> None:
        """Record a stock at the end of ``month``."""
        self.counts[counter][month] = values

    def resolution_times(self, month: int, county: np.ndarray, months: np.ndarray) -> None:
        """Record how long each dispute resolved in ``month`` took (the arrays are kept)."""
        if len(county):
            self.resolution_county.append(county.astype(np.int32, copy=False))
            self.resolution_months.append(months.astype(np.float32, copy=False))
            when = np.empty(len(county), np.int32)
            when.fill(month)  # (np.full's own overhead is most of its time at these sizes)
            self.resolution_month.append(when)

    def split(self, n_replicates: int) -> list[Tally]:
        """One tally per replicate of a batched run.

        Parameters
        ----------
        n_replicates
            Replicates stacked in this tally: replicate ``r`` owns counties ``r * nc`` to
            ``r * nc + nc - 1``, where ``nc = n_counties // n_replicates``.

        Returns
        -------
        list of Tally
            Each replicate's counts and resolution times, its counties numbered from 0 and
            its resolution times in the order they were recorded.
        """
        nc, rest = divmod(self.n_counties, n_replicates)
        if rest or not nc:
            raise ValueError(f"{self.n_counties} counties do not split into "
                             f"{n_replicates} replicates")
        self._flush()
        data = self._data
        parts = [Tally(self.n_months, nc) for _ in range(n_replicates)]
        for r, part in enumerate(parts):
            part._data[...] = data[:, :, r * nc:(r + 1) * nc]
        if self.resolution_county:
            county = np.concatenate(self.resolution_county)
            replicate = county // nc
            order = group_order(replicate, n_replicates)  # each in its recorded order
            bound = np.searchsorted(replicate[order], np.arange(n_replicates + 1))
            if bound[-1] != len(county):
                raise ValueError("a resolution time has a county outside the replicates")
            columns = (county[order], np.concatenate(self.resolution_months)[order],
                       np.concatenate(self.resolution_month)[order])
            for r, part in enumerate(parts):
                if bound[r + 1] > bound[r]:
                    c, t, m = (x[bound[r]:bound[r + 1]] for x in columns)
                    part.resolution_county.append(c - np.int32(r * nc))
                    part.resolution_months.append(t)
                    part.resolution_month.append(m)
        return parts

    def _durations(self, year_of_month: np.ndarray, n_years: int, reps: int = 1,
                   whole: bool = True) -> dict[str, np.ndarray]:
        """Median, mean and 90th percentile of months to resolution, per period and county.

        Per period, replicate by replicate of ``reps``, the counties then the whole region
        (its median and percentile left NaN unless ``whole``: a region of one county reports
        the county only). The values are bit for bit those of pandas' groupby ``median``,
        ``mean`` and ``quantile(0.9)``, which leave out missing times.
        """
        if not self.resolution_county:
            nc = self.n_counties // reps
            return {m: np.full((n_years, reps * (nc + 1)), np.nan) for m in DURATIONS}
        return duration_stats(np.concatenate(self.resolution_months),
                              np.concatenate(self.resolution_county).astype(np.int32),
                              np.concatenate(self.resolution_month), year_of_month, n_years,
                              self.n_counties // reps, reps, whole)

    def _period_sums(self, region: Region, warmup: int, monthly: bool, reps: int = 1
                     ) -> tuple[dict[str, np.ndarray], list[str], np.ndarray, np.ndarray, int]:
        """Counter sums per period (stocks: last or mean), the unit names and populations.

        With ``reps`` replicates of ``region`` stacked, the columns go replicate by replicate.
        """
        if region.n_counties * reps != self.n_counties:
            raise ValueError(f"{reps} replicates of {region.id} do not have "
                             f"{self.n_counties} counties")
        counts = self.counts
        n_months = self.n_months - warmup
        names = list(region.county_ids)
        if region.n_counties > 1:
            names.append(region.id)
        pop = region.county_population().astype(float)
        pop = np.append(pop, pop.sum()) if region.n_counties > 1 else pop

        def by_period(counter: str, period: np.ndarray, n: int, stock: str | None) -> np.ndarray:
            x = counts[counter][warmup:]
            out = np.zeros((n, x.shape[1]))
            if stock is not None and n == len(x):
                out[:] = x  # a one-month period: the month is its last and its mean
            elif stock == "last":
                for k in range(n):
                    out[k] = x[period == k][-1]
            elif stock == "mean":
                for k in range(n):
                    out[k] = _replicate_means(x[period == k], reps)
            else:
                np.add.at(out, period, x)
            if len(names) == region.n_counties:
                return out
            out = out.reshape(n, reps, -1)
            return np.concatenate([out, out.sum(axis=2, keepdims=True)], axis=2).reshape(n, -1)

        if monthly:
            period = np.arange(n_months)
            n = n_months
        else:
            period = np.arange(n_months) // 12
            n = int(period.max()) + 1 if n_months else 0
        c = {k: by_period(k, period, n, "last" if k == "defaulters" else
                          "mean" if k in _STOCKS else None) for k in COUNTERS}
        return c, names, np.tile(pop, reps), period, n

    def counter_frame(self, region: Region, first_year: int, warmup: int) -> pd.DataFrame:
        """Yearly sums of :data:`FLOW_COUNTERS`, tidy like :meth:`frame`, metric = counter."""
        c, names, _pop, _period, n = self._period_sums(region, warmup, monthly=False)
        period, (columns,) = _tidy(c, FLOW_COUNTERS, names, n, 1)
        return pd.DataFrame({"year": first_year + period, **columns})

    def frame(self, region: Region, first_year: int, warmup: int, monthly: bool = False
              ) -> pd.DataFrame:
        """The tidy result: columns ``year`` (and ``month``), ``region``, ``metric``, ``value``.

        Rows come per county and, when the region has several counties, for the region as a
        whole. Warm-up months are left out.
        """
        return self.frames(1, region, first_year, warmup, monthly)[0]

    def frames(self, n_replicates: int, region: Region, first_year: int, warmup: int,
               monthly: bool = False, counters: str | None = None) -> list[pd.DataFrame]:
        """:meth:`frame` of each replicate of a batched run, as from :meth:`split`.

        Parameters
        ----------
        n_replicates
            Replicates of ``region`` stacked in this tally, as in :meth:`split`.
        region, first_year, warmup, monthly
            As for :meth:`frame`, ``region`` being one replicate's.
        counters
            If given (yearly only), :meth:`counter_frame`'s rows follow, metric prefixed so.

        Returns
        -------
        list of pandas.DataFrame
            ``split(n_replicates)[r].frame(region, ...)`` for every replicate ``r``, computed
            at once.
        """
        c, names, pop, period, n = self._period_sums(region, warmup, monthly, n_replicates)
        values = _rates_and_shares(c, pop)
        month_year = np.full(self.n_months, -1)
        month_year[warmup:] = period
        width = region.n_counties + 1
        whole = len(names) > region.n_counties
        for metric, v in self._durations(month_year, n, n_replicates, whole).items():
            values[metric] = v.reshape(n, n_replicates, width)[:, :, :len(names)].reshape(n, -1)
        keys = METRICS
        if counters is not None:
            values.update({counters + k: c[k] for k in FLOW_COUNTERS})
            keys += tuple(counters + k for k in FLOW_COUNTERS)
        period, columns = _tidy(values, keys, names, n, n_replicates)
        year = first_year + (period // 12 if monthly else period)
        month = {"month": period % 12 + 1} if monthly else {}
        return [pd.DataFrame({"year": year, **month, **x}) for x in columns]


def _replicate_means(x: np.ndarray, reps: int) -> np.ndarray:
    """Mean over the rows of ``x``, columns replicate by replicate of ``reps``.

    Each replicate's block is averaged on its own, as one contiguous array, so that numpy
    sums it in the same order as it would an unbatched run's.
    """
    blocks = x.reshape(len(x), reps, -1).swapaxes(0, 1).copy()
    return blocks.mean(axis=1).reshape(-1)


def _tidy(values: dict[str, np.ndarray], keys: tuple[str, ...], names: list[str], n: int,
          reps: int) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Long columns from ``values[key][period, unit]``: key by key, unit by unit, in periods.

    Returns
    -------
    tuple
        The period of each row, and per replicate the columns ``region``, ``metric`` and
        ``value``.
    """
    block = np.empty((reps, len(keys), len(names), n))
    for i, key in enumerate(keys):
        block[:, i] = values[key].reshape(n, reps, len(names)).transpose(1, 2, 0)
    rows = len(names) * n
    unit = np.tile(np.repeat(np.arange(len(names)), n), len(keys))
    region = pd.array(names, dtype="string").take(unit)
    metric = pd.array(list(keys), dtype="string").take(np.repeat(np.arange(len(keys)), rows))
    return np.tile(np.arange(n), len(keys) * len(names)), [
        {"region": region, "metric": metric, "value": block[r].reshape(-1)}
        for r in range(reps)]


def _rates_and_shares(c: dict[str, np.ndarray], pop: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric but the months to resolution from the period sums ``c`` of the counters."""
    resolved = sum(c[f"resolved_{x}"] for x in
                   ("negotiation", "village", "town", "county", "court", "petition"))
    village = c["resolved_negotiation"] + c["resolved_village"]
    town = village + c["resolved_town"]
    county = town + c["resolved_county"] + c["resolved_court"]
    scale = 1e4 / pop  # per 10,000 residents per period (a month when monthly)
    values = {
        "lawsuits_per_10k": c["lawsuits"] * scale,
        "petitions": c["petitions"],
        "petitions_per_10k": c["petitions"] * scale,
        "repeat_petitions": c["repeat_petitions"],
        "defaulters_per_10k": c["defaulters"] * scale,
        "disputes": c["disputes"],
        "grievances": c["grievances"],
        "village_share_of_resolved": _ratio(village, resolved),
        "town_share_of_resolved": _ratio(c["resolved_town"], resolved),
        "county_share_of_resolved": _ratio(c["resolved_county"], resolved),
        "court_share_of_resolved": _ratio(c["resolved_court"], resolved),
        "petition_share_of_resolved": _ratio(c["resolved_petition"], resolved),
        "handoffs_per_dispute": _ratio(c["handoffs"], c["closed"]),
        "mediation_success_rate": _ratio(c["mediation_settled"], c["mediation_concluded"]),
        "prefiling_mediation_success_rate": _ratio(c["prefiling_settled"],
                                                   c["prefiling_concluded"]),
        "prefiling_diversion_share": _ratio(c["prefiling_settled"], c["court_arrivals"]),
        "cases_per_mediator": _ratio(c["mediation_concluded"], c["mediators"]),
        "cases_per_judge": _ratio(c["trials_concluded"], c["judges"]),
        "filings_per_10k": c["court_arrivals"] * scale,
        "lawsuits": c["lawsuits"],
        "population": np.broadcast_to(pop, c["lawsuits"].shape),
        "village_local_share": _ratio(village, c["closed"]),
        "town_local_share": _ratio(town, c["closed"]),
        "county_local_share": _ratio(county, c["closed"]),
        # Months a case taken up had waited: case-months in the queue over cases taken up.
        "mediation_wait_months": _ratio(c["mediation_waiting"], c["mediation_concluded"]
                                        + c["mediation_refused"] + c["mediation_stalled"]),
        "trial_wait_months": _ratio(c["trial_waiting"], c["trials_concluded"]),
    }
    return values
