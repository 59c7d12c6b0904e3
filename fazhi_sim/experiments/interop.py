"""Interoperability: Mesa's ``batch_run`` and the EMA Workbench (docs/interop.md).

Two halves with different places in the data flow:

* The model side (:func:`resolve_scenario`, :func:`apply_keywords`, :func:`run_seed`,
  :func:`model_reporters`) sits *below* :mod:`fazhi_sim.engine.model`, which imports it; it imports
  only scenarios, levers and parameters.
* The EMA side (:func:`ema_model`, :func:`ema_run`) sits *above* the model. It imports the
  model and ``ema_workbench`` inside the functions, so ``model.py`` importing this module
  creates no import cycle and the workbench stays an optional extra (``pip install
  fazhi-sim[ema]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.measures import LEVERS
from ..engine.params import Params, param_sources
from ..engine.scenario import Scenario, ScenarioError, baseline, load_scenario, scenario_from_dict

if TYPE_CHECKING:  # pragma: no cover
    import ema_workbench

    from ..engine.model import DisputeModel

__all__ = [
    "KEYWORD_SOURCE", "REPORTERS", "resolve_scenario", "apply_keywords", "run_seed",
    "model_reporters", "ema_model", "ema_run", "EMA_UNCERTAINTIES", "EMA_OUTCOMES",
]

KEYWORD_SOURCE = "DisputeModel keywords"
"""The ``source`` named in errors about keyword arguments (as a file name is for files)."""

_TOP_LEVEL = ("start_year", "end_year")


def resolve_scenario(scenario: Scenario | str | Path | None) -> Scenario:
    """A Scenario from a Scenario, a scenario file, a shipped name, or None (the baseline)."""
    if scenario is None:
        return baseline()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str | Path):
        return load_scenario(scenario)
    raise TypeError(f"scenario must be a Scenario, a file path or a shipped scenario's name, "
                    f"not {type(scenario).__name__}")


def _plain(value: Any) -> Any:
    # batch_run users pass numpy ranges (np.linspace) and EMA passes numpy scalars: give the
    # validators plain Python numbers so they apply exactly the rules a scenario file meets.
    return value.item() if isinstance(value, np.generic) else value


def apply_keywords(scenario: Scenario, keywords: Mapping[str, Any]) -> Scenario:
    """Apply lever levels and parameter values given as keyword arguments to a scenario.

    Parameters
    ----------
    scenario
        The scenario to start from.
    keywords
        Lever ids (a step change to that level from the scenario's ``start_year``, replacing
        any schedule the scenario had for the lever), :class:`~fazhi_sim.Params` fields
        (mechanism parameters), ``start_year`` or ``end_year``.

    Returns
    -------
    Scenario
        ``scenario`` itself when ``keywords`` is empty, else a validated copy.

    Raises
    ------
    ScenarioError
        For an unknown name (the message lists the allowed ones) or a value out of range
        (never clipped): the same rules and messages as a scenario file, with the source
        ``"DisputeModel keywords"``.
    """
    if not keywords:
        return scenario
    unknown = [k for k in keywords
               if k not in LEVERS and k not in Params.model_fields and k not in _TOP_LEVEL]
    if unknown:
        raise ScenarioError(
            KEYWORD_SOURCE, unknown[0],
            "unknown keyword; allowed: scenario, region, seed, rng, institutions, "
            f"{', '.join(_TOP_LEVEL)}; a lever ({', '.join(LEVERS)}); or a mechanism "
            f"parameter ({', '.join(Params.model_fields)})")
    data = scenario.model_dump(exclude={"levers", "params"})
    data.update({k: _plain(v) for k, v in keywords.items() if k in _TOP_LEVEL})
    levers: dict[str, Any] = {k: s.model_dump(exclude_none=True)
                              for k, s in scenario.levers.items()}
    levers.update({k: {"target": _plain(v)} for k, v in keywords.items() if k in LEVERS})
    params = scenario.params.model_dump()
    params.update({k: _plain(v) for k, v in keywords.items() if k in Params.model_fields})
    return scenario_from_dict({**data, "levers": levers, "params": params}, KEYWORD_SOURCE)


def run_seed(seed: int | None, rng: Any = None) -> int:
    """The run seed from ``seed`` or Mesa's ``rng`` keyword (``batch_run`` passes either).

    Parameters
    ----------
    seed
        The run seed; ``None`` draws a fresh one from the operating system, as Mesa does for
        ``rng=None`` (``batch_run(..., iterations=n)`` passes ``None``).
    rng
        Mesa's name for the seed: an integer, or None. It takes the place of ``seed`` when
        ``seed`` is left at its default 0.

    Returns
    -------
    int
        A non-negative seed for :class:`~fazhi_sim.engine.streams.Streams`.
    """
    if rng is not None:
        if seed not in (0, None) and seed != rng:
            raise ValueError(f"give either seed ({seed}) or rng ({rng}), not both")
        seed = rng
    if seed is None:
        return int(np.random.SeedSequence().entropy % (1 << 63))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed/rng must be an integer or None, not {type(seed).__name__}; "
                        "the model draws from its own counter-based streams")
    return int(seed)


# ---------------------------------------------------------------------- Mesa DataCollector
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
    "court_arrivals_per_10k": "disputes brought to court so far this year per 10,000",
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
        "court_arrivals_per_10k": partial(_year_to_date, counter="court_arrivals",
                                          per_10k=True),
        "petitions": partial(_year_to_date, counter="petitions"),
        "repeat_petitions": partial(_year_to_date, counter="repeat_petitions"),
        "disputes": partial(_year_to_date, counter="disputes"),
        "mediation_success_rate": partial(_ratio_to_date, num="mediation_settled",
                                          den="mediation_concluded"),
        "defaulters_per_10k": partial(_stock_per_10k, counter="defaulters"),
    }
    return out


# ---------------------------------------------------------------------- EMA Workbench
EMA_UNCERTAINTIES = (
    "impatience", "b_wait", "court_cost", "relapse", "petition_repeat", "enforcement_success",
    "defaulter_exit", "trust_learning", "social_influence",
)
"""Default uncertainties of :func:`ema_model`: assumed mechanism parameters whose whole
allowed range still gives a run of ordinary cost (``grievance_rate_scale``, by contrast, may
multiply the disputes tenfold)."""

EMA_OUTCOMES = (
    "lawsuits_per_10k", "petitions", "defaulters_per_10k", "court_arrivals_per_10k",
    "repeat_petitions", "mediation_success_rate", "resolved_village_share",
    "median_months_to_resolution",
)
"""Default outcomes of :func:`ema_model`: region-wide yearly metrics (see ``METRICS``)."""

Ranges = Sequence[str] | Mapping[str, tuple[float, float]]


def _param_bounds(name: str) -> tuple[float, float]:
    field = Params.model_fields.get(name)
    if field is None or field.annotation is not float:
        raise ValueError(f"uncertainties: {name}: unknown or not a real-valued parameter; "
                         "allowed: a float field of fazhi_sim.Params (e.g. impatience)")
    lo = next(m.ge for m in field.metadata if hasattr(m, "ge"))
    hi = next(m.le for m in field.metadata if hasattr(m, "le"))
    return float(lo), float(hi)


def _lever_bounds(name: str) -> tuple[float, float]:
    lev = LEVERS.get(name)
    if lev is None:
        raise ValueError(f"levers: {name}: unknown lever; allowed: {', '.join(LEVERS)}")
    return float(lev.minimum), float(lev.maximum)


def _ranges(kind: str, spec: Ranges, bounds: Callable[[str], tuple[float, float]]
            ) -> dict[str, tuple[float, float]]:
    # A narrower range must sit inside the allowed one: the model would reject the sample.
    out = {}
    for name in spec:
        lo, hi = bounds(name)
        if isinstance(spec, Mapping):
            a, b = (float(x) for x in spec[name])
            if not (lo <= a < b <= hi):
                raise ValueError(f"{kind}: {name}: range ({a:g}, {b:g}) is not inside the "
                                 f"allowed ({lo:g}, {hi:g}) with lower < upper")
            lo, hi = a, b
        out[name] = (lo, hi)
    return out


def ema_run(
    region: Any = "town",
    scenario: Scenario | str | Path | None = None,
    seed: int = 0,
    year: int | None = None,
    outcomes: Iterable[str] = EMA_OUTCOMES,
    time_series: bool = False,
    **levers_and_params: float,
) -> dict[str, Any]:
    """One run for the EMA Workbench: keywords in, region-wide outcomes out.

    Parameters
    ----------
    region, scenario, seed
        As for :class:`~fazhi_sim.DisputeModel` (EMA passes them as constants).
    year
        The year the scalar outcomes report; the scenario's ``end_year`` if None.
    outcomes
        Metric names (:data:`fazhi_sim.engine.metrics.METRICS`).
    time_series
        Return one value per reported year (an array) instead of the value in ``year``.
    **levers_and_params
        The sampled levers and uncertainties, applied as keyword arguments to the model.

    Returns
    -------
    dict
        Metric name to a float, or to an array over the reported years.
    """
    from ..engine.model import DisputeModel  # above this module in the data flow: import when run

    model = DisputeModel(scenario, region=region, seed=seed, **levers_and_params).run()
    df = model.tally.frame(model.region, model.policy.start_year, model.warmup)
    r = model.region
    whole = r.id if r.n_counties > 1 else r.county_ids[0]
    table = df[df.region == whole].pivot(index="year", columns="metric", values="value")
    if time_series:
        return {m: table[m].to_numpy(dtype=float) for m in outcomes}
    y = model.policy.end_year if year is None else year
    if y not in table.index:
        raise ValueError(f"year {y} is not reported; allowed {table.index.min()}-"
                         f"{table.index.max()}")
    return {m: float(table.at[y, m]) for m in outcomes}


def ema_model(
    region: Any = "town",
    levers: Ranges | None = None,
    uncertainties: Ranges | str | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    scenario: Scenario | str | Path | None = None,
    seed: int = 0,
    year: int | None = None,
    time_series: bool = False,
    name: str = "fazhi",
) -> ema_workbench.Model:
    """An ``ema_workbench.Model`` that runs the dispute model (``pip install fazhi-sim[ema]``).

    Parameters
    ----------
    region
        Region name or :class:`~fazhi_sim.Region`.
    levers
        Plan measures as EMA levers (``RealParameter``): lever ids over each lever's
        [minimum, maximum], or a mapping id to a narrower (lower, upper); every lever if None.
    uncertainties
        Mechanism parameters as EMA uncertainties (``RealParameter``): names over the Params
        bounds, a mapping name to a narrower (lower, upper), ``"assumed"`` for every assumed
        real-valued parameter, or None for :data:`EMA_UNCERTAINTIES`.
    outcomes
        Metric names as ``ScalarOutcome`` (the value in ``year``) or, with ``time_series``,
        ``TimeSeriesOutcome`` named ``<metric>_by_year`` (one value per reported year);
        :data:`EMA_OUTCOMES` if None.
    scenario
        The scenario the levers and uncertainties apply to (e.g. a shorter ``end_year``);
        the baseline if None.
    seed
        Run seed, the same in every experiment (common random numbers).
    year
        The year scalar outcomes report; the scenario's ``end_year`` if None.
    time_series
        Report every year of each outcome rather than one.
    name
        The EMA model's name.

    Returns
    -------
    ema_workbench.Model
        Ready for ``perform_experiments(model, scenarios=n, policies=m)``.
    """
    import ema_workbench as ew

    from ..engine.metrics import METRICS

    sc = resolve_scenario(scenario)
    if uncertainties == "assumed":
        src = param_sources()
        uncertainties = [k for k, f in Params.model_fields.items()
                         if f.annotation is float and src[k].startswith("assumed")]
    elif isinstance(uncertainties, str):
        raise ValueError(f"uncertainties: {uncertainties!r}: give names, a mapping of ranges, "
                         "'assumed' or None")
    lever_ranges = _ranges("levers", list(LEVERS) if levers is None else levers,
                          _lever_bounds)
    unc_ranges = _ranges("uncertainties", EMA_UNCERTAINTIES if uncertainties is None
                         else uncertainties, _param_bounds)
    outs = tuple(EMA_OUTCOMES if outcomes is None else outcomes)
    bad = [m for m in outs if m not in METRICS]
    if bad:
        raise ValueError(f"outcomes: {bad[0]}: unknown metric; allowed: {', '.join(METRICS)}")
    if year is not None and year not in sc.years:
        raise ValueError(f"year {year} is not reported; allowed {sc.start_year}-{sc.end_year}")

    model = ew.Model(name, function=ema_run)
    model.levers = [ew.RealParameter(k, lo, hi) for k, (lo, hi) in lever_ranges.items()]
    model.uncertainties = [ew.RealParameter(k, lo, hi) for k, (lo, hi) in unc_ranges.items()]
    # The workbench keeps one outcome class per name for the whole process, so a series is
    # named apart from the scalar of the same metric; ``variable_name`` still reads ``m``.
    model.outcomes = ([ew.TimeSeriesOutcome(f"{m}_by_year", variable_name=m) for m in outs]
                      if time_series else [ew.ScalarOutcome(m) for m in outs])
    model.constants = [
        ew.Constant("region", region), ew.Constant("scenario", sc),
        ew.Constant("seed", int(seed)), ew.Constant("year", year),
        ew.Constant("outcomes", outs), ew.Constant("time_series", bool(time_series)),
    ]
    return model
