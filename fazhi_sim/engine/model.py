"""DisputeModel: the month-by-month flow of disputes through Shaoxing's layered system.

One step is one month, in this order (docs/model.md, "Process overview"):

1. levers take this month's levels and every institution its capacity;
2. grievances arise among residents; some are voiced as claims (disputes);
3. disputes that need a channel choose one (new claims, failures, returning petitioners);
4. the village, town and county layers, the court (pre-filing mediation, trial,
   enforcement) and the petition office each take up their queue, oldest first, up to
   capacity; cases taken up settle, fail (and choose again next month) or move on;
   cases left waiting may give up on the queue;
5. defaulters leave the list at a monthly rate; in December 法律明白人 teach those who hear
   them. Through the month, claimants' ties hear how their mediations ended (word of mouth)
   and each mediation unit learns its reputation (:mod:`fazhi_sim.engine.social`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from .behaviour import Behaviour
from .disputes import DisputePool, State
from .flow import DisputeFlow
from .institutions import Institution, institution_classes
from .keywords import apply_keywords, batch_seeds, resolve_scenario
from .metrics import Tally
from .params import Params
from .population import Residents
from .region import Region, get_region
from .replicate_params import ReplicateParams
from .reporters import model_reporters
from .scenario import Scenario
from .service import Service
from .social import Social
from .streams import Streams
from .warm_start import keep_warm_up, resume_warm_up, warm_key

__all__ = ["DisputeModel"]

_COVERAGE_LEVERS = ("mediation_coverage", "legal_literacy_coverage")
_SAME = contextlib.nullcontext()
_ONE_REPLICATE = (int, np.integer)
_NOT_KEPT = ("policy", "_lever_path", "_month_levels",  # the new run's own scenario
             # set-up that equal warm-up keys make equal and no month changes
             "ties", "region", "base_region", "literacy_candidates", "_coverage_rank",
             "institution_classes", "params", "each_params", "replicate_params", "_row_params",
             "seeds")
"""Attributes a kept warm-up does not copy (:mod:`fazhi_sim.engine.warm_start`)."""


class _Rows:
    # ``model.params`` for the block's rows, then back (blocks may nest).
    __slots__ = ("model", "params", "saved")

    def __init__(self, model: Any, params: Any):
        self.model, self.params = model, params

    def __enter__(self) -> None:
        self.saved, self.model.params = self.model.params, self.params

    def __exit__(self, *exc: object) -> None:
        self.model.params = self.saved


class DisputeModel(DisputeFlow, Service, Social, mesa.Model):
    """The dispute-flow model: residents as columns, institutions as Mesa agents.

    Parameters
    ----------
    scenario
        Lever schedules and mechanism parameters: a :class:`Scenario`, a scenario file or a
        shipped scenario's name; the baseline (2020 levels) if omitted.
    region
        A region name (``"shaoxing"``, ``"zhuji"``/``"诸暨"``, ``"town"``) or a
        :class:`~fazhi_sim.Region`; the scenario's region, else ``"town"``, if omitted.
    seed
        Run seed; equal seeds give identical runs. Replicate ``k`` of different scenarios
        shares random streams (common random numbers).
    institutions
        Replacement institution classes keyed by the class they replace, e.g.
        ``{VillageMediationCommittee: MyCommittee}``.
    behaviour
        A :class:`~fazhi_sim.Behaviour` subclass for the residents (default: the class
        attribute ``behaviour_class``).
    replicate_params
        One :class:`~fazhi_sim.Params` per seed, in place of the scenario's (e.g. posterior
        draws): a batch whose replicates run different parameters. Whole-number fields must
        be the same in all.
    rng
        Mesa's name for ``seed`` (``mesa.batch_run`` passes one or the other); an integer,
        or None for a fresh seed, as is ``seed=None``.
    **levers_and_params
        Lever levels (a step change from the scenario's start year), mechanism parameters
        (:class:`~fazhi_sim.Params` fields), ``start_year`` or ``end_year``, applied
        on top of ``scenario`` and validated as in a scenario file (docs/interop.md).

    Attributes
    ----------
    residents : Residents
        Resident columns.
    ties : scipy.sparse.csr_matrix
        Who talks to whom (:mod:`fazhi_sim.engine.ties`): row ``i`` holds the residents
        resident ``i`` talks to (who hear what happened to ``i``), with tie weights.
    literate : ndarray of bool
        Residents who are 法律明白人.
    reputation : dict
        Each mediation unit's reputation, keyed by the queue's :class:`State`.
    pool : DisputePool
        Open disputes.
    tally : Tally
        Monthly counts behind the results.
    levels : dict
        This month's lever levels.
    capacity : dict
        This month's capacity per unit, keyed by the queue's :class:`State`.
    perceived_wait : dict
        Months of queue residents expect per unit, keyed by the queue's :class:`State`.
    datacollector : mesa.DataCollector
        Region-wide reporters collected after every month
        (:data:`fazhi_sim.engine.reporters.REPORTERS`).

    Examples
    --------
    A Mesa model: build it, run it, look at its agents and reporters.

    >>> import fazhi_sim as fs
    >>> m = fs.DisputeModel("baseline", region="town", seed=1, end_year=2021)
    >>> m.run() is m, m.running
    (True, False)
    >>> len(m.agents_by_type[fs.VillageMediationCommittee]), len(m.agents_by_type[fs.Court])
    (20, 1)
    >>> m.residents.awareness.shape, m.residents.awareness.dtype
    ((50000,), dtype('float32'))
    >>> monthly = m.datacollector.get_model_vars_dataframe()   # warm-up year, then 2021
    >>> len(monthly), "lawsuits_per_10k" in monthly.columns
    (24, True)
    """

    behaviour_class: type[Behaviour] = Behaviour
    """The residents' behaviour unless ``behaviour=`` is given."""

    collect_reporters: bool = True
    """Collect ``datacollector``'s reporters every month (single runs only).

    :func:`~fazhi_sim.simulate` and ensembles read the tally instead and turn this off for
    the runs they make: the reporters are year-to-date sums of the tally, and collecting
    them is a twentieth of a small region's run.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        region: str | Region | None = None,
        seed: int | None = 0,
        institutions: Mapping[type[Institution], type[Institution]] | None = None,
        *,
        behaviour: type[Behaviour] | None = None,
        rng: int | None = None,
        replicate_params: Sequence[Params] | None = None,
        **levers_and_params: Any,
    ):
        seeds = batch_seeds(seed, rng)
        super().__init__(rng=seeds[0])
        self.policy = apply_keywords(resolve_scenario(scenario), levers_and_params)
        self.base_region = get_region(region or self.policy.region or "town")
        self.seeds = seeds
        self.seed = seeds[0]
        self.n_replicates = len(seeds)
        self._set_params(replicate_params)
        # A batch simulates its replicates side by side as copies of the region.
        self.region = self.base_region.stacked(self.n_replicates)
        self.streams = Streams(seeds)
        self.start_ties()  # drawn in the background while the rest is set up
        p, r = self.params, self.region

        self.warmup = p.warmup_months
        self.first_year = self.policy.start_year
        self.n_months = self.warmup + 12 * len(self.policy.years)
        self.month = -self.warmup  # months since January of the first reported year
        times = self.first_year + np.arange(-self.warmup, self.n_months - self.warmup) / 12.0
        self._lever_path = self.policy.lever_values(times)
        # Each month's levels as a dict, made once (a month's copy of it is ``self.levels``).
        self._month_levels = [dict(zip(self._lever_path, month, strict=True)) for month in
                              zip(*(v.tolist() for v in self._lever_path.values()),
                                  strict=True)]

        self.residents = Residents(r, self.each_params, self.streams.each("population"))
        self.pool = DisputePool()
        self.tally = Tally(self.n_months, r.n_counties)
        self._list_initial_defaulters()
        self.next_id = np.zeros(self.n_replicates, dtype=np.int64)  # per replicate
        # Fixed order in which villages gain coverage as a coverage lever rises: the same
        # villages are covered in every scenario (common random numbers).
        vrngs = self.streams.each("villages")
        n = self.base_region.n_villages
        self._coverage_rank = {k: np.concatenate([g.random(n) for g in vrngs])
                               for k in _COVERAGE_LEVERS}

        self._villages = np.zeros(0, dtype=np.int32)
        self.town_population = np.bincount(r.village_town, r.village_population, r.n_towns)
        self.county_population = r.county_population().astype(float)
        self.institution_classes = institution_classes(institutions)
        self.behaviour = (behaviour or self.behaviour_class)(self)
        self._make_agents()
        self.levels: dict[str, float] = {}
        self.capacity: dict[State, np.ndarray] = {}
        self.perceived_wait: dict[State, np.ndarray] = {}
        self.running = True
        self.clock_only = 0
        """Months still to pass on Mesa's clock only (their warm-up state came with the run)."""
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        self._set_month_levels()
        self.setup_social()
        self.update_literate()

    # ------------------------------------------------------------------ set-up
    def _set_params(self, replicate_params: Sequence[Params] | None) -> None:
        each = tuple(replicate_params or ()) or (self.policy.params,) * self.n_replicates
        if len(each) != self.n_replicates:
            raise ValueError(f"replicate_params: give one Params per seed ({self.n_replicates}),"
                             f" not {len(each)}")
        batch = ReplicateParams(each) if self.n_replicates > 1 else None
        self.each_params = each
        """Each replicate's parameters, in replicate order."""
        self.replicate_params = batch if batch is not None and batch.varies else None
        """The batch's parameters by replicate when they differ (else None)."""
        # Where replicates differ, ``params`` outside :meth:`rows` holds the shared fields
        # only: a rule that reads one that differs without saying its rows fails loudly.
        self.params: Params = each[0] if self.replicate_params is None else \
            self.replicate_params.at(None)
        self._unit_replicates: dict[str, np.ndarray] = {}
        self._row_params: dict[str, Any] = {}

    def _list_initial_defaulters(self) -> None:
        per = self.residents.n // self.n_replicates
        rows, keys = [], []
        for k, (g, p) in enumerate(zip(self.streams.each("population"), self.each_params,
                                       strict=True)):
            n_def = g.binomial(per, min(1.0, p.initial_defaulters_per_10k / 1e4))
            rows.append(g.integers(0, per, n_def) + k * per)
            # Each listing has a key (the dispute that caused it) for its exit draws, so
            # exits never consume a shared generator whose position would then differ by
            # scenario.
            keys.append(np.arange(n_def, dtype=np.int64) + (1 << 62))
        self.defaulters = np.concatenate(rows)
        self.defaulter_keys = np.concatenate(keys)

    def _make_agents(self) -> None:
        r, ic = self.region, self.institution_classes
        for v in range(r.n_villages):
            ic["village"](self, v, int(r.village_county[v]), int(r.village_population[v]))
        for t in range(r.n_towns):
            ic["town"](self, t, int(r.town_county[t]), int(self.town_population[t]))
        for c in range(r.n_counties):
            for kind in ("county", "court", "petition"):
                ic[kind](self, c, c, int(self.county_population[c]))

    # ------------------------------------------------------------------ helpers
    def rows(self, rep: np.ndarray | int | None) -> contextlib.AbstractContextManager:
        """Within ``with model.rows(rep):``, ``model.params`` are those of replicates ``rep``.

        Only a batch whose replicates run different parameters needs it: there a field they
        differ in is, within the block, an array with the value of each row's replicate
        (``rep``: one replicate index per row of the arrays the rules get, or one replicate's
        index for its own :class:`~fazhi_sim.Params`). Elsewhere it changes nothing.
        """
        if self.replicate_params is None:
            return _SAME
        if isinstance(rep, _ONE_REPLICATE):  # (not numbers.Integral: a slow check)
            return _Rows(self, self.each_params[rep])
        return _Rows(self, self.replicate_params.at(rep))

    def pool_rows(self, pos: np.ndarray) -> contextlib.AbstractContextManager:
        """:meth:`rows` for the disputes at pool positions ``pos``."""
        return _SAME if self.replicate_params is None else self.rows(self.pool.rep[pos])

    def resident_rows(self, rows: np.ndarray | None) -> contextlib.AbstractContextManager:
        """:meth:`rows` for the residents at ``rows`` (None: every resident, in order)."""
        if self.replicate_params is None:
            return _SAME
        if rows is None:
            return _Rows(self, self._fixed_rows("resident"))
        return self.rows(self.replicate_of_resident(rows))

    def unit_rows(self, level: str) -> contextlib.AbstractContextManager:
        """:meth:`rows` for every unit of ``level`` (``"village"``, ``"town"``, ``"county"``)."""
        if self.replicate_params is None:
            return _SAME
        return _Rows(self, self._fixed_rows(level))

    def _fixed_rows(self, level: str) -> Any:
        # Every unit of a level (or every resident): the same rows all run, so their
        # parameters are gathered once.
        params = self._row_params.get(level)
        if params is None:
            rep = self.unit_replicates(level) if level != "resident" else \
                np.arange(self.residents.n) // (self.residents.n // self.n_replicates)
            params = self._row_params[level] = self.replicate_params.at(rep)
        return params

    def unit_replicates(self, level: str) -> np.ndarray:
        """Each unit's replicate at ``level``: a batch's replicates hold equal unit blocks."""
        rep = self._unit_replicates.get(level)
        if rep is None:
            r = self.region
            n = {"village": r.n_villages, "town": r.n_towns, "county": r.n_counties}[level]
            rep = self._unit_replicates[level] = np.arange(n) // (n // self.n_replicates)
        return rep

    def replicate_of(self, pos: np.ndarray) -> np.ndarray | None:
        """Replicate of the disputes at pool positions ``pos`` (None in a single run)."""
        return None if self.n_replicates == 1 else self.pool.rep[pos]

    def replicate_of_resident(self, rows: np.ndarray) -> np.ndarray | None:
        """Replicate of the residents at ``rows`` (None in a single run)."""
        if self.n_replicates == 1:
            return None
        return rows // (self.residents.n // self.n_replicates)

    def covered(self, lever_id: str) -> np.ndarray:
        """Per village: 1.0 where this coverage lever reaches the village this month."""
        return (self._coverage_rank[lever_id] < self.levels[lever_id]).astype(float)

    def unit_of(self, pos: np.ndarray, level: str) -> np.ndarray:
        """Unit index (village, town or county) of the disputes at pool positions ``pos``."""
        v = self.pool.village[pos]
        return v if level == "village" else self.unit_of_village(level)[v]

    def unit_of_village(self, level: str) -> np.ndarray:
        """Each village's unit index at ``level`` (``"village"``, ``"town"`` or ``"county"``)."""
        r = self.region
        if level == "town":
            return r.village_town
        if level == "county":
            return r.village_county
        if len(self._villages) != r.n_villages:
            self._villages = np.arange(r.n_villages, dtype=r.village_county.dtype)
        return self._villages

    @property
    def row(self) -> int:
        """Row of the current month in the tally (months since the warm-up began)."""
        return self.month + self.warmup

    def _set_month_levels(self) -> None:
        t = min(self.row, self.n_months - 1)
        self.levels = dict(self._month_levels[t])
        r, ic = self.region, self.institution_classes
        court, county = ic["court"], self.county_population
        with self.unit_rows("village"):
            self.capacity = {State.VILLAGE: ic["village"].monthly_capacity(
                self, r.village_population)}
        with self.unit_rows("town"):
            self.capacity[State.TOWN] = ic["town"].monthly_capacity(self, self.town_population)
        with self.unit_rows("county"):
            self.capacity.update({
                State.COUNTY: ic["county"].monthly_capacity(self, county),
                State.PREFILING: court.prefiling_capacity(self, county),
                State.TRIAL: court.monthly_capacity(self, county),
                State.ENFORCEMENT: court.enforcement_capacity(self, county),
                State.PETITION: ic["petition"].monthly_capacity(self, county),
            })

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month."""
        if self.clock_only:  # a month of a warm-up this run took from an equal one
            self.clock_only -= 1
            return
        self._set_month_levels()
        self.update_literate()
        self.arise()
        self.route(self.pool.in_state(State.CHOOSING))
        for state, kind in ((State.VILLAGE, "village"), (State.TOWN, "town"),
                            (State.COUNTY, "county")):
            self.serve_mediation(state, kind)
        self.serve_prefiling()
        self.serve_trials()
        self.serve_enforcement()
        self.serve_petitions()
        self.end_month()
        self.month += 1
        if self.collect_reporters and self.n_replicates == 1:  # reporters: one run's region
            self.datacollector.collect(self)
        if self.row >= self.n_months:
            self.running = False

    def run(self) -> DisputeModel:
        """Run every month of the scenario (warm-up included).

        Returns
        -------
        DisputeModel
            The model itself, run to the end (``running`` is False).
        """
        key = warm_key(self, self._lever_path) if self._shares_warm_up() else None
        if key is not None and not resume_warm_up(self, key):
            for _ in range(self.warmup):
                self.step()
            keep_warm_up(self, key, _NOT_KEPT)
        while self.running:
            self.step()
        return self

    def _shares_warm_up(self) -> bool:
        # The shipped model only: a subclass or another institution may keep state where
        # the kept copy does not reach (in its Mesa agents, say).
        return type(self) is DisputeModel and self.institution_classes == institution_classes()
