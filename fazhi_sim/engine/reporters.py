"""Mesa ``DataCollector`` reporters of :class:`~fazhi_sim.DisputeModel`: whole region, monthly."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

# Reporters read any model with ``month``, ``warmup``, ``first_year``, ``tally`` and ``region``
# (the engine, a subclass, a researcher's own); no import of the model, which imports us.
DisputeModel = Any

__all__ = ["REPORTERS", "model_reporters"]

def _rows(model: DisputeModel) -> tuple[int, int]:
    # Tally rows of this calendar year so far, up to the month just simulated (collect runs
    # after the step); a warm-up that starts mid-year counts from its first month.
    last = model.month - 1 + model.warmup
    return max(0, last - (model.month - 1) % 12), last + 1


def _year_to_date(model: DisputeModel, counter: str, per_10k: bool = False) -> float:
    a, b = _rows(model)
    total = float(model.tally.counts[counter][a:b].sum())
    return total * 1e4 / float(model.region.population) if per_10k else total


def _ratio_to_date(model: DisputeModel, num: str, den: str) -> float:
    d = _year_to_date(model, den)
    return _year_to_date(model, num) / d if d > 0 else float("nan")


def _stock_per_10k(model: DisputeModel, counter: str) -> float:
    row = model.month - 1 + model.warmup
    return float(model.tally.counts[counter][row].sum()) * 1e4 / float(model.region.population)


def _year(model: DisputeModel) -> int:
    return model.first_year + (model.month - 1) // 12


def _month(model: DisputeModel) -> int:
    return (model.month - 1) % 12 + 1


REPORTERS: dict[str, str] = {
    "year": "calendar year of the month just simulated (before start_year: warm-up)",
    "month": "calendar month (1-12) just simulated",
    "lawsuits_per_10k": "cases accepted so far this year per 10,000 residents (万人成讼率)",
    "filings_per_10k": "disputes brought to court so far this year per 10,000",
    "petitions": "petitions lodged so far this year (信访量)",
    "repeat_petitions": "second or later petitions lodged so far this year",
    "disputes": "grievances voiced as claims so far this year",
    "mediation_success_rate": "share of people's mediations concluded this year that settled",
    "defaulters_per_10k": "defaulters (失信被执行人) listed at the end of the month per 10,000",
}
"""Model reporters of ``DisputeModel.datacollector``: whole region, collected every month.

Flows are year-to-date, so the December row of a year equals that year's region-wide figure
in :func:`~fazhi_sim.experiments.simulate.simulate`; ``defaulters_per_10k`` is the month-end stock.
"""


def model_reporters() -> dict[str, Callable[[DisputeModel], float]]:
    """Reporters for ``mesa.DataCollector(model_reporters=...)``; meanings in :data:`REPORTERS`."""
    out: dict[str, Callable[[DisputeModel], float]] = {
        "year": _year,
        "month": _month,
        "lawsuits_per_10k": partial(_year_to_date, counter="lawsuits", per_10k=True),
        "filings_per_10k": partial(_year_to_date, counter="court_arrivals",
                                          per_10k=True),
        "petitions": partial(_year_to_date, counter="petitions"),
        "repeat_petitions": partial(_year_to_date, counter="repeat_petitions"),
        "disputes": partial(_year_to_date, counter="disputes"),
        "mediation_success_rate": partial(_ratio_to_date, num="mediation_settled",
                                          den="mediation_concluded"),
        "defaulters_per_10k": partial(_stock_per_10k, counter="defaulters"),
    }
    return out
