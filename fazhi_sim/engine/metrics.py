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


class Tally:
    """Monthly counters per county, and the resolution times behind the months metrics.

    Parameters
    ----------
    n_months, n_counties
        Shape of every counter.
    """

    def __init__(self, n_months: int, n_counties: int):
        self.n_counties = n_counties
        self.counts = {c: np.zeros((n_months, n_counties)) for c in COUNTERS}
        self.resolution_county: list[np.ndarray] = []
        self.resolution_months: list[np.ndarray] = []
        self.resolution_month: list[np.ndarray] = []

    def add(self, counter: str, month: int, county: np.ndarray, weights=None) -> None:
        """Count one event per entry of ``county`` (or add ``weights``) in ``month``."""
        if len(county):
            self.counts[counter][month] += np.bincount(county, weights, self.n_counties)

    def set(self, counter: str, month: int, values: np.ndarray) -> None:
        """Record a stock at the end of ``month``."""
        self.counts[counter][month] = values

    def resolution_times(self, month: int, county: np.ndarray, months: np.ndarray) -> None:
        """Record how long each dispute resolved in ``month`` took."""
        if len(county):
            self.resolution_county.append(county.astype(np.int32))
            self.resolution_months.append(months.astype(np.float32))
            self.resolution_month.append(np.full(len(county), month, np.int32))

    def _durations(self, year_of_month: np.ndarray, n_years: int) -> dict[str, np.ndarray]:
        """Median, mean and 90th percentile of months to resolution, per period and county.

        The last column is the whole region.
        """
        stats = ("median_months_to_resolution", "mean_months_to_resolution",
                 "p90_months_to_resolution")
        out = {m: np.full((n_years, self.n_counties + 1), np.nan) for m in stats}
        if not self.resolution_county:
            return out
        df = pd.DataFrame({
            "county": np.concatenate(self.resolution_county),
            "t": np.concatenate(self.resolution_months).astype(float),
            "year": year_of_month[np.concatenate(self.resolution_month)],
        })
        df = df[df.year >= 0]
        for by, column in ((["year", "county"], None), ("year", -1)):
            t = df.groupby(by).t
            for metric, v in zip(stats, (t.median(), t.mean(), t.quantile(0.9)),
                                 strict=True):
                for key, x in v.items():
                    year, county = (key, column) if column is not None else key
                    out[metric][year, county] = x
        return out

    def _period_sums(self, region: Region, warmup: int, monthly: bool
                     ) -> tuple[dict[str, np.ndarray], list[str], np.ndarray, np.ndarray, int]:
        """Counter sums per period (stocks: last or mean), the unit names and populations."""
        n_months = next(iter(self.counts.values())).shape[0] - warmup
        names = list(region.county_ids)
        if region.n_counties > 1:
            names.append(region.id)
        pop = region.county_population().astype(float)
        pop = np.append(pop, pop.sum()) if region.n_counties > 1 else pop

        def by_period(counter: str, period: np.ndarray, n: int, stock: str | None) -> np.ndarray:
            x = self.counts[counter][warmup:]
            out = np.zeros((n, x.shape[1]))
            if stock == "last":
                for k in range(n):
                    out[k] = x[period == k][-1]
            elif stock == "mean":
                for k in range(n):
                    out[k] = x[period == k].mean(axis=0)
            else:
                np.add.at(out, period, x)
            return np.hstack([out, out.sum(axis=1, keepdims=True)]) if len(names) > x.shape[1] \
                else out

        if monthly:
            period = np.arange(n_months)
            n = n_months
        else:
            period = np.arange(n_months) // 12
            n = int(period.max()) + 1 if n_months else 0
        c = {k: by_period(k, period, n, "last" if k == "defaulters" else
                          "mean" if k in _STOCKS else None) for k in COUNTERS}
        return c, names, pop, period, n

    def counter_frame(self, region: Region, first_year: int, warmup: int) -> pd.DataFrame:
        """Yearly sums of :data:`FLOW_COUNTERS`, tidy like :meth:`frame`, metric = counter."""
        c, names, pop, _period, n = self._period_sums(region, warmup, monthly=False)
        rows = [pd.DataFrame({"year": first_year + np.arange(n), "region": name,
                              "metric": counter, "value": c[counter][:, j]})
                for counter in FLOW_COUNTERS for j, name in enumerate(names)]
        df = pd.concat(rows, ignore_index=True)
        df["region"] = df.region.astype("string")
        df["metric"] = df.metric.astype("string")
        return df

    def frame(self, region: Region, first_year: int, warmup: int, monthly: bool = False
              ) -> pd.DataFrame:
        """The tidy result: columns ``year`` (and ``month``), ``region``, ``metric``, ``value``.

        Rows come per county and, when the region has several counties, for the region as a
        whole. Warm-up months are left out.
        """
        c, names, pop, period, n = self._period_sums(region, warmup, monthly)
        values = _rates_and_shares(c, pop)
        month_year = np.full(len(self.counts["disputes"]), -1)
        month_year[warmup:] = period
        for metric, v in self._durations(month_year, n).items():
            values[metric] = v if len(names) > 1 else v[:, :1]
        rows = []
        for metric in METRICS:
            v = values[metric]
            for j, name in enumerate(names):
                rows.append(pd.DataFrame({"period": np.arange(n), "region": name,
                                          "metric": metric, "value": v[:, j]}))
        df = pd.concat(rows, ignore_index=True)
        if monthly:
            df.insert(0, "year", first_year + df.period // 12)
            df.insert(1, "month", df.period % 12 + 1)
        else:
            df.insert(0, "year", first_year + df.period)
        df = df.drop(columns="period")
        df["region"] = df.region.astype("string")
        df["metric"] = df.metric.astype("string")
        return df


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
