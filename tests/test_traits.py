"""The residents' traits are numpy's float32 normals, logit-transformed, drawn by a compiled
kernel (numba's port of numpy's ziggurat) that must give the same numbers and leave the
generator where numpy leaves it: every later draw of the population stream depends on it.
"""

from __future__ import annotations

import numpy as np
import pytest

from fazhi_sim.engine.population import _logit_normal


@pytest.mark.parametrize("n", [0, 1, 7, 50_000])
@pytest.mark.parametrize("half_word", [False, True])
def test_traits_are_numpy_s_float32_normals_logit_transformed(n: int, half_word: bool) -> None:
    ours, theirs = np.random.default_rng(11), np.random.default_rng(11)
    if half_word:  # a 32-bit draw leaves half of a 64-bit output for the next one
        for g in (ours, theirs):
            g.random(3, dtype=np.float32)
    got = np.empty(n, dtype=np.float32)
    _logit_normal(ours, got, 0.35, 0.8)
    z = theirs.standard_normal(n, dtype=np.float32)
    want = 1 / (1 + np.exp(-(z * np.float32(0.8) + np.float32(np.log(0.35 / 0.65)))))
    assert got.dtype == want.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    assert ours.random(dtype=np.float32) == theirs.random(dtype=np.float32)
    assert ours.random() == theirs.random()
