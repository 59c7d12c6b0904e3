"""The dashboard's runs: the baseline kept per region, the setting's runs joined to it."""

from __future__ import annotations

from typing import Any

from ..experiments.ensemble import Ensemble

__all__ = ["KEPT", "part", "joined"]

KEPT = ("lawsuits_per_10k", "petitions", "population", "lawsuits")
"""Metrics the dashboard's ensemble keeps: the charted ones, what the pathway split needs and
the yearly lawsuits the costs tab divides by."""


def part(ens: Ensemble, name: str) -> Ensemble:
    """The runs (and counters) of one scenario of ``ens``."""
    def rows(df: Any) -> Any:
        return None if df is None else df[df.scenario == name]

    return Ensemble(rows(ens.runs), {name: ens.scenarios[name]},
                    model_label=ens.model_label, counters=rows(ens.counters))


def joined(base: Ensemble, mine: Ensemble) -> Ensemble:
    """The baseline's and the setting's runs as one ensemble, with their counters."""
    import pandas as pd

    def both(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        out = pd.concat([a, b], ignore_index=True)
        out["scenario"] = pd.Categorical(out.scenario.astype(str),
                                         categories=["baseline", "scenario"])
        return out

    # Only the metrics kept: summarising all 22 would cost a third of a second.
    runs = both(base.runs[base.runs.metric.isin(KEPT)], mine.runs[mine.runs.metric.isin(KEPT)])
    counters = (both(base.counters, mine.counters)
                if base.counters is not None and mine.counters is not None else None)
    scenarios = {"baseline": base.scenarios["baseline"], "scenario": mine.scenarios["scenario"]}
    return Ensemble(runs, scenarios, model_label=mine.model_label, counters=counters)


