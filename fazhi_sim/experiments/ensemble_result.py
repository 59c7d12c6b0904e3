"""What an ensemble returns: its runs, and the bands, paired differences and targets of them.

:func:`~fazhi_sim.run_ensemble` (``ensemble.py``) runs the replicates; :class:`Ensemble` holds
their tidy results and answers the questions asked of them. Kept apart so that each file
reads as one concern: running, and reading the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine.measures import LEVERS
from ..engine.region import get_region
from ..engine.scenario import Scenario
from .explain import explain_ensemble
from .spec import ModelSpec

__all__ = ["Ensemble", "bands", "QUANTILES", "TARGET_METRICS", "SHIPPED_MODEL"]

QUANTILES = (0.1, 0.5, 0.9)
"""Band edges and median reported by summaries."""

TARGET_METRICS = ("lawsuits_per_10k", "petitions", "defaulters_per_10k")
"""Outcomes the plan wants to fall every year (信访量、万人成讼率、万人失信率逐年下降)."""

SHIPPED_MODEL = ModelSpec().label
"""Label of the shipped model, which an :class:`Ensemble` records unless told otherwise."""


def bands(df: pd.DataFrame, keys: list[str], column: str = "value") -> pd.DataFrame:
    """Median and 10/90% quantiles of ``column`` over replicates, per ``keys``."""
    g = df.groupby(keys, observed=True)[column]
    out = g.quantile(list(QUANTILES)).unstack()
    out.columns = ["q10", "median", "q90"]
    out["mean"] = g.mean()
    out["n"] = g.count()
    return out.reset_index()


@dataclass
class Ensemble:
    """Results of :func:`run_ensemble`.

    Parameters
    ----------
    runs : pandas.DataFrame
        Tidy per-run values: scenario, replicate, seed, year, region, metric, value.
    scenarios : dict
        The scenarios by name, in the order given.
    computed, loaded : int
        Runs executed now, and runs read back from the store.
    model_label : str
        The model every run built (:attr:`ModelSpec.label <fazhi_sim.ModelSpec.label>`).
    counters : pandas.DataFrame or None
        Yearly raw counter sums per run, tidy like ``runs`` (metric = counter name, see
        :data:`~fazhi_sim.engine.metrics.FLOW_COUNTERS`); what :meth:`explain` decomposes.
    uncertainty : str
        What the replicates varied: ``"posterior"`` (parameters and seeds) or ``"noise"``.
    """

    runs: pd.DataFrame
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    computed: int = 0
    loaded: int = 0
    model_label: str = SHIPPED_MODEL
    counters: pd.DataFrame | None = None
    uncertainty: str = "noise"

    @property
    def baseline_name(self) -> str:
        """The first scenario: the default reference for comparisons."""
        return next(iter(self.scenarios))

    def summary(self) -> pd.DataFrame:
        """Median, 10% and 90% (and mean, n) per scenario, year, region and metric.

        Returns
        -------
        pandas.DataFrame
            Columns scenario, year, region, metric, q10, median, q90, mean (float), n (int).
        """
        return bands(self.runs, ["scenario", "year", "region", "metric"])

    def differences(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired differences against ``baseline``, replicate by replicate.

        Parameters
        ----------
        baseline : str, optional
            The reference scenario's name (the first if None); any other is a ``ValueError``.

        Returns
        -------
        pandas.DataFrame
            Columns scenario, replicate, year, region, metric, value, base, diff, pct (percent
            of the baseline value; NaN where that is zero).
        """
        base_name = baseline or self.baseline_name
        if base_name not in self.scenarios:
            raise ValueError(f"unknown baseline {base_name!r}; scenarios: "
                             + ", ".join(self.scenarios))
        keys = ["replicate", "year", "region", "metric"]
        base = self.runs[self.runs.scenario == base_name][keys + ["value"]]
        df = self.runs.merge(base.rename(columns={"value": "base"}), on=keys)
        df["diff"] = df.value - df.base
        with np.errstate(divide="ignore", invalid="ignore"):
            df["pct"] = np.where(df.base != 0, df["diff"] / df.base * 100, np.nan)
        return df.drop(columns="seed")

    def compare(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired differences summarised: median and 10–90% band, absolute and percent.

        Parameters
        ----------
        baseline : str, optional
            As for :meth:`differences`, which raises ``ValueError`` for an unknown name.

        Returns
        -------
        pandas.DataFrame
            Columns baseline, scenario, year, region, metric; q10, median, q90, mean, n of the
            paired differences; pct_q10, pct_median, pct_q90, pct_mean of them in percent.
        """
        d = self.differences(baseline)
        keys = ["scenario", "year", "region", "metric"]
        absolute = bands(d, keys, "diff")
        pct = bands(d, keys, "pct").drop(columns=["n"])
        pct.columns = keys + ["pct_q10", "pct_median", "pct_q90", "pct_mean"]
        out = absolute.merge(pct, on=keys)
        out.insert(0, "baseline", baseline or self.baseline_name)
        return out

    def explain(self, scenario: str | None = None, year: int | None = None,
                region: str | None = None, baseline: str | None = None) -> pd.DataFrame:
        """Why did it change: Δ万人成讼率, Δ万人起诉率 and Δ信访量 split by pathway.

        Per paired replicate, an exact flow accounting
        (:func:`~fazhi_sim.experiments.explain.pathway_components`) splits each change against
        ``baseline`` into pathways that add up to it; the table gives median and 10–90% band.

        Parameters
        ----------
        scenario, year, region, baseline : optional
            Filters (default: every scenario but the baseline, every year, the whole region)
            and the reference scenario (default: the first).

        Returns
        -------
        pandas.DataFrame
            Columns scenario, year, region, outcome, pathway (``"total"`` last), median,
            q10, q90, share_of_total (median component over median total). An ensemble that
            holds no counters raises ``ValueError``.
        """
        if self.counters is None:
            raise ValueError("this ensemble holds no counters (made before they were kept, "
                             "or built by hand); run it again with run_ensemble")
        return explain_ensemble(self.counters, self.runs, baseline or self.baseline_name,
                                scenario, year, region or self.whole_region())

    def targets(self, first: int = 2021, last: int = 2025, region: str | None = None
                ) -> pd.DataFrame:
        """Plan-target checks per scenario.

        For 万人成讼率, 信访量 and 万人失信率: the share of replicates in which it falls every
        year from ``first`` to ``last`` (逐年下降). For each coverage target the plan states
        (法律明白人 100%, 公职律师 90%, 枫桥式 units): whether the scenario reaches it by ``last``.

        Parameters
        ----------
        first, last : int
            The years checked.
        region : str, optional
            Region or county id; the whole region if None.

        Returns
        -------
        pandas.DataFrame
            Columns scenario, target, kind ("falls every year" or "coverage"), probability
            (share of replicates, 0–1), detail.
        """
        reg = region or self.whole_region()
        rows = []
        runs = self.runs[(self.runs.region == reg) & self.runs.year.between(first, last)]
        for name, sc in self.scenarios.items():
            mine = runs[runs.scenario == name]
            for metric in TARGET_METRICS:
                wide = mine[mine.metric == metric].pivot(index="replicate", columns="year",
                                                         values="value")
                if wide.shape[1] < 2:
                    p, detail = np.nan, f"needs at least two years in {first}-{last}"
                else:
                    falls = (np.diff(wide.to_numpy(), axis=1) < 0).all(axis=1)
                    p, detail = float(falls.mean()), f"{falls.sum()} of {len(falls)} replicates"
                rows.append((name, metric, "falls every year", p, detail))
            levels = sc.lever_values(np.array([float(last)]))
            for lid, lv in LEVERS.items():
                if lv.plan_target:
                    got = float(levels[lid][0])
                    rows.append((name, lid, "coverage", float(got >= lv.plan_2025 - 1e-9),
                                 f"{got:.0%} in {last} against the plan's {lv.plan_2025:.0%}"))
        return pd.DataFrame(rows, columns=["scenario", "target", "kind", "probability",
                                           "detail"])

    def whole_region(self) -> str:
        """The id of the whole region the runs cover.

        Returns
        -------
        str
            The city's id, or the one county's (``"shaoxing"``, ``"zhuji"``, ``"town"``).
        """
        regions = self.runs.region.unique().tolist()
        counties = set()
        for name in regions:
            try:
                r = get_region(name)
            except ValueError:
                continue
            if r.n_counties > 1:
                return name
            counties.add(name)
        return regions[0]
