"""A researcher's model for tests/test_spec.py, in a module worker processes can import.

Pickle sends classes by reference (module and name), so a process pool or Dask worker
rebuilds them by importing this module: tests/ must be on the workers' path.
"""

from __future__ import annotations

import numpy as np

import fazhi_sim as fs
from fazhi_sim.engine.behaviour import Situation


class NeverSue(fs.Behaviour):
    """Residents who never choose court themselves."""

    def utilities(self, situation: Situation) -> np.ndarray:
        u = super().utilities(situation)
        u[:, fs.Option.COURT] = -1e9
        return u


class SlowCommittee(fs.VillageMediationCommittee):
    """A village committee that settles half as often."""

    @classmethod
    def settle_probability(cls, model, cases: fs.Cases) -> np.ndarray:
        return 0.5 * super().settle_probability(model, cases)


class NeverSueModel(fs.DisputeModel):
    """The shipped model with :class:`NeverSue` residents by default."""

    behaviour_class = NeverSue


SPEC = fs.ModelSpec(behaviour=NeverSue, institutions={fs.VillageMediationCommittee: SlowCommittee})
"""Both overrides at once: what tests/test_spec.py sends through the executors."""
