"""The logit draw picks what numpy's masked argmax picks, row for row."""

from __future__ import annotations

import numpy as np

from fazhi_sim.engine.behaviour import logit_choice


def _numpy(utility, available, noise):
    return np.where(available, utility + noise, -np.inf).argmax(axis=1).astype(np.int8)


def test_same_choice_as_numpys_masked_argmax():
    """Random, tied, NaN and all-unavailable rows, in both memory orders."""
    rng = np.random.default_rng(0)
    for t in range(600):
        n = int(rng.integers(0, 40))
        utility = rng.normal(size=(7, n)).T  # option by option, as the engine lays them out
        noise = rng.gumbel(size=(7, n)).T
        available = (rng.random((7, n)) < 0.6).T
        if t % 3 == 0:
            utility[rng.random((n, 7)) < 0.1] = np.nan
        if t % 4 == 0:  # ties: the first of equal maxima
            utility, noise = np.round(utility), np.zeros_like(noise)
        if t % 5 == 0:
            available[: n // 2] = False
        if t % 2:
            utility, noise, available = (np.ascontiguousarray(x) for x in
                                         (utility, noise, available))
        got = logit_choice(utility, available, noise)
        assert got.dtype == np.int8
        np.testing.assert_array_equal(got, _numpy(utility, available, noise))


def test_other_inputs_take_numpys_path():
    """Broadcast masks and float32 utilities (a researcher's rule) give numpy's answer."""
    rng = np.random.default_rng(1)
    utility = rng.normal(size=(5, 7)).astype(np.float32)
    noise = rng.gumbel(size=(5, 7))
    available = rng.random(7) < 0.5
    available[0] = True
    np.testing.assert_array_equal(logit_choice(utility, available, noise),
                                  _numpy(utility, available, noise))
