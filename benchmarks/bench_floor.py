"""A bare numpy floor for a run: the same events with the fewest array operations.

For the months, grievances and claims a real run produced, the floor does only what no
dispute-flow model of this size can avoid: draw each village's grievances by type, one
uniform per grievance for claiming, a logit choice (Gumbel noise and an argmax over seven
channels) per claim, one uniform per claim for its outcome, and one tally per month. No
queues, institutions, learning or ties. The engine's time over the floor's says how much of a
run is the model's structure rather than its events.
"""

from __future__ import annotations

import time

import numpy as np

import fazhi_sim as fs
from fazhi_sim.engine.behaviour import type_table


def floor_seconds(plan: fs.Scenario, region: fs.Region, counts: dict[str, np.ndarray],
                  n_months: int, replicates: int = 1) -> float:
    """Seconds the floor takes for the events of a run's ``counts`` (its tally).

    ``replicates`` runs of ``plan`` in ``region`` made those counts (a batch's tally holds
    them all).
    """
    grievances = counts["grievances"].sum(axis=1)
    claims = counts["disputes"].sum(axis=1)
    rng = np.random.default_rng(0)
    rate = type_table()["rate_per_10k"] * plan.params.grievance_rate_scale / 1e4 / 12.0
    pop = region.village_population[:, None]
    county = region.village_county
    t0 = time.perf_counter()
    for month in range(n_months):
        for _ in range(replicates):
            rng.binomial(pop, rate[None, :])
        g, c = int(grievances[month]), int(claims[month])
        claim = rng.random(g) < c / max(g, 1)
        choice = (rng.gumbel(size=(c, 7))).argmax(axis=1)
        ok = rng.random(c) < 0.5
        where = county[rng.integers(0, len(county), c)]
        np.bincount(where * 8 + choice, weights=ok, minlength=8 * (county.max() + 1))
        np.count_nonzero(claim)
    return time.perf_counter() - t0
