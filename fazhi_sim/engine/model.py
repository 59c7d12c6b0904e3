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

from collections.abc import Mapping
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
from .reporters import model_reporters
from .scenario import Scenario
from .service import Service
from .social import Social
from .streams import Streams

__all__ = ["DisputeModel"]

_COVERAGE_LEVERS = ("mediation_coverage", "legal_literacy_coverage")


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
        **levers_and_params: Any,
    ):
        seeds = batch_seeds(seed, rng)
        super().__init__(rng=seeds[0])
        self.policy = apply_keywords(resolve_scenario(scenario), levers_and_params)
        self.base_region = get_region(region or self.policy.region or "town")
        self.params: Params = self.policy.params
        self.seeds = seeds
        self.seed = seeds[0]
        self.n_replicates = len(seeds)
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

        self.residents = Residents(r, p, self.streams.each("population"))
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
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        self._set_month_levels()
        self.setup_social()
        self.update_literate()

    # ------------------------------------------------------------------ set-up
    def _list_initial_defaulters(self) -> None:
        p, per = self.params, self.residents.n // self.n_replicates
        rows, keys = [], []
        for k, g in enumerate(self.streams.each("population")):
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
        court = ic["court"]
        self.capacity = {
            State.VILLAGE: ic["village"].monthly_capacity(self, r.village_population),
            State.TOWN: ic["town"].monthly_capacity(self, self.town_population),
            State.COUNTY: ic["county"].monthly_capacity(self, self.county_population),
            State.PREFILING: court.prefiling_capacity(self, self.county_population),
            State.TRIAL: court.monthly_capacity(self, self.county_population),
            State.ENFORCEMENT: court.enforcement_capacity(self, self.county_population),
            State.PETITION: ic["petition"].monthly_capacity(self, self.county_population),
        }

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """Advance one month."""
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
        while self.running:
            self.step()
        return self
