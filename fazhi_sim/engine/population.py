"""Residents as columns: one row per person, one numpy array per attribute.

Shaoxing has 5.4 million residents; one Python object each would not fit the interactive
budget, so residents are arrays (as in Starsim and Covasim). Rows are ordered by village, so a
village's residents are one contiguous block; who talks to whom is ``model.ties``
(:mod:`fazhi_sim.engine.ties`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .params import Params
from .pool_kernels import negated_logit_normals, pick_rows
from .region import Region
from .shared_setup import region_key, shared

__all__ = ["Residents"]


def _logit_normal(rng: np.random.Generator, out: np.ndarray, mean: float, spread: float
                  ) -> None:
    """Fill ``out`` (float32) with logit-normal draws of median ``mean``."""
    # Logit-normal rather than Beta: float32 normals are ten times faster at 5 million rows.
    centre = np.float32(np.log(mean / (1.0 - mean)))
    negated_logit_normals(rng, out, np.float32(spread), centre)  # compiled: 25% faster
    np.exp(out, out=out)
    out += np.float32(1.0)
    np.reciprocal(out, out=out)


class Residents:
    """All residents of a region as columns.

    Attributes
    ----------
    village : ndarray of int32
        Village index of each resident (rows are sorted by village).
    awareness : ndarray of float32
        Legal awareness in [0, 1]: raises claiming and lawful channels, lowers petitions.
    trust : ndarray of float32
        Trust in people's mediation in [0, 1]; learned from outcomes, heard along ties.
    litigiousness : ndarray of float32
        Propensity to claim and to sue, in [0, 1]; fixed.
    grievance : ndarray of float32
        Grievance carried from past failures (Epstein 2002); raises petitioning.
    """

    def __init__(self, region: Region, params: Params | Sequence[Params],
                 rng: np.random.Generator | Sequence[np.random.Generator]):
        pop = region.village_population
        self.n = int(pop.sum())
        self.village_start = np.concatenate([[0], np.cumsum(pop)[:-1]]).astype(np.int64)
        self.village_size = pop.astype(np.int64)
        self.village = np.repeat(np.arange(len(pop), dtype=np.int32), pop)
        # A batch stacks its replicates' residents in equal blocks, each drawn from its own
        # replicate's generator in the order a single run draws them.
        # Each replicate draws with its own parameters (one set for all, or one each).
        rngs = [rng] if isinstance(rng, np.random.Generator) else list(rng)
        each = [params] * len(rngs) if isinstance(params, Params) else list(params)
        block = self.n // len(rngs)

        def draw() -> tuple[np.ndarray, ...]:
            # Straight into the batch's columns: drawn apart and stacked, each was copied.
            traits = tuple(np.empty(self.n, dtype=np.float32) for _ in range(3))
            for k, (g, p) in enumerate(zip(rngs, each, strict=True)):
                self._traits(g, p, tuple(t[k * block:(k + 1) * block] for t in traits))
            return traits

        key = (region_key(region), tuple((p.trait_spread, p.awareness_mean, p.trust_mean,
                                          p.litigiousness_mean) for p in each))
        # Traits change as residents learn: each run takes its own copy of shared ones.
        self.awareness, self.trust, self.litigiousness = shared(
            "traits", key, rngs, draw, copy=lambda t: tuple(x.copy() for x in t))
        self.grievance = np.zeros(self.n, dtype=np.float32)

    @staticmethod
    def _traits(rng: np.random.Generator, params: Params, out: tuple[np.ndarray, ...]) -> None:
        # Awareness, trust, litigiousness: in this order from the generator.
        means = (params.awareness_mean, params.trust_mean, params.litigiousness_mean)
        for column, mean in zip(out, means, strict=True):
            _logit_normal(rng, column, mean, params.trait_spread)

    def sample(self, villages: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One resident drawn uniformly from each given village."""
        return self.pick(villages, rng.random(len(villages)))

    def pick(self, villages: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The resident at position ``u`` (a uniform in [0, 1)) of each given village."""
        return pick_rows(villages, u, self.village_start, self.village_size)
