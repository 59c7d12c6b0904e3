"""The EMA Workbench adapter (docs/interop.md).

The model side of interoperability (keyword arguments, seeds, Mesa DataCollector reporters,
so that ``mesa.batch_run`` takes :class:`~fazhi_sim.DisputeModel` or a subclass as it is) lives
in the engine (:mod:`fazhi_sim.engine.keywords`, :mod:`fazhi_sim.engine.reporters`). This
module wraps a run for ``ema_workbench``; the workbench stays an optional extra (``pip install
fazhi-sim[ema]``) and is imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.keywords import resolve_scenario
from ..engine.measures import LEVERS
from ..engine.params import Params, param_sources
from ..engine.scenario import Scenario
from .spec import as_spec

if TYPE_CHECKING:  # pragma: no cover
    import ema_workbench

__all__ = ["ema_model", "ema_run", "EMA_UNCERTAINTIES", "EMA_OUTCOMES"]


# ---------------------------------------------------------------------- EMA Workbench
EMA_UNCERTAINTIES = (
    "impatience", "b_wait", "court_cost", "relapse", "petition_repeat", "enforcement_success",
    "defaulter_exit", "trust_learning", "word_of_mouth",
)
"""Default uncertainties of :func:`ema_model`: assumed mechanism parameters whose whole
allowed range still gives a run of ordinary cost (``grievance_rate_scale``, by contrast, may
multiply the disputes tenfold)."""

EMA_OUTCOMES = (
    "lawsuits_per_10k", "petitions", "defaulters_per_10k", "filings_per_10k",
    "repeat_petitions", "mediation_success_rate", "village_share_of_resolved",
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
    model: Any = None,
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
    model
        The model to build: anything :func:`~fazhi_sim.as_spec` accepts (a
        :class:`~fazhi_sim.ModelSpec`, a ``DisputeModel`` or ``Behaviour`` subclass, or
        ``"package.module:Name"``); the shipped model if None.
    **levers_and_params
        The sampled levers and uncertainties, applied as keyword arguments to the model.

    Returns
    -------
    dict
        Metric name to a float, or to an array over the reported years.
    """
    run = as_spec(model).build(scenario, region=region, seed=seed, **levers_and_params).run()
    df = run.tally.frame(run.region, run.policy.start_year, run.warmup)
    r = run.region
    whole = r.id if r.n_counties > 1 else r.county_ids[0]
    table = df[df.region == whole].pivot(index="year", columns="metric", values="value")
    if time_series:
        return {m: table[m].to_numpy(dtype=float) for m in outcomes}
    y = run.policy.end_year if year is None else year
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
    model: Any = None,
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
    model
        The model every experiment builds: anything :func:`~fazhi_sim.as_spec` accepts;
        the shipped model if None. With EMA's multiprocessing or MPI evaluators its classes
        must live in an importable module.

    Returns
    -------
    ema_workbench.Model
        Ready for ``perform_experiments(model, scenarios=n, policies=m)``.
    """
    import ema_workbench as ew

    from ..engine.metrics import METRICS

    sc = resolve_scenario(scenario)
    spec = as_spec(model)
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

    em = ew.Model(name, function=ema_run)
    em.levers = [ew.RealParameter(k, lo, hi) for k, (lo, hi) in lever_ranges.items()]
    em.uncertainties = [ew.RealParameter(k, lo, hi) for k, (lo, hi) in unc_ranges.items()]
    # The workbench keeps one outcome class per name for the whole process, so a series is
    # named apart from the scalar of the same metric; ``variable_name`` still reads ``m``.
    em.outcomes = ([ew.TimeSeriesOutcome(f"{m}_by_year", variable_name=m) for m in outs]
                   if time_series else [ew.ScalarOutcome(m) for m in outs])
    em.constants = [
        ew.Constant("region", region), ew.Constant("scenario", sc),
        ew.Constant("seed", int(seed)), ew.Constant("year", year),
        ew.Constant("outcomes", outs), ew.Constant("time_series", bool(time_series)),
        ew.Constant("model", spec),
    ]
    return em
