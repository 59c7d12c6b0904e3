"""The grievance cells' binomials are numpy's, number for number, generators left alike."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import fazhi_sim as fs
from fazhi_sim.engine.binomial import CellBinomials
from fazhi_sim.engine.flow import _monthly_rates


def _numpy_draws(gens, cells):
    return np.concatenate([g.binomial(n, p).ravel() for g, (n, p) in zip(gens, cells, strict=True)])


def _pairs(seed, k):
    return ([np.random.default_rng([seed, r]) for r in range(k)],
            [np.random.default_rng([seed, r]) for r in range(k)])


def _states(gens):
    return [g.bit_generator.state for g in gens]


@pytest.mark.parametrize(("region", "scales"), [
    ("town", [1.0] * 5),
    ("town", [0.6, 1.8, 1.0]),
    # 1.9 puts a few of Zhuji's largest villages past n * p = 30 (numpy's other algorithm),
    # as Shaoxing's two largest are at 1.0: numpy draws those cells, in their turn, and the
    # compiled pass the runs of cells between them.
    ("zhuji", [1.0, 1.9, 0.7]),
    ("shaoxing", [1.0, 0.8]),
])
def test_counts_and_states_are_numpys(region, scales):
    pop = fs.get_region(region).village_population[:, None]
    cells = [(pop, _monthly_rates(s)) for s in scales]
    ours = CellBinomials(cells)
    for seed in range(12):
        theirs, mine = _pairs(seed, len(scales))
        for _month in range(12):
            np.testing.assert_array_equal(ours.draw(mine), _numpy_draws(theirs, cells))
        assert _states(mine) == _states(theirs)


def test_cells_of_numpys_other_algorithm_are_few_and_found():
    pop = fs.get_region("zhuji").village_population[:, None]
    ours = CellBinomials([(pop, _monthly_rates(s)) for s in (1.0, 1.9)])
    assert ours.ours == [True, False]
    city = fs.get_region("shaoxing").village_population[:, None]
    rates = _monthly_rates(1.0)
    (theirs,) = CellBinomials([(city, rates)])._theirs
    np.testing.assert_array_equal(theirs, np.flatnonzero((city * rates).ravel() > 30))
    assert 0 < len(theirs) < 5


def test_zero_cells_and_edge_probabilities():
    """n = 0 and p = 0 take no uniform (as numpy), p = 0.5 and n * p = 30 are inverted;
    p > 0.5 is numpy's, between cells of ours."""
    n = np.array([0, 5, 60, 1, 0, 40, 7])
    p = np.array([0.3, 0.0, 0.5, 0.5, 0.0, 0.75, 1e-9])
    ours = CellBinomials([(n[:5], p[:5]), (n, p)])  # the second has p > 0.5: numpy's
    assert ours.ours == [True, False]
    cells = [(n[:5], p[:5]), (n, p)]
    for seed in range(200):
        theirs, mine = _pairs(seed, 2)
        np.testing.assert_array_equal(ours.draw(mine), _numpy_draws(theirs, cells))
        assert _states(mine) == _states(theirs)


def _inversion(g, n, p, bound):
    # numpy's random_binomial_inversion, line for line, with a given bound (and the number
    # of restarts it made); math's exp and log are the C library's, as numpy's C code calls.
    out, restarts = [], 0
    for nc, pc, bc in zip(n.tolist(), p.tolist(), bound.tolist(), strict=True):
        if nc == 0 or pc == 0.0:
            out.append(0)
            continue
        q = 1.0 - pc
        qn = math.exp(nc * math.log(q))
        x, px, u = 0, qn, g.random()
        while u > px:
            x += 1
            if x > bc:
                x, px, u = 0, qn, g.random()
                restarts += 1
            else:
                u -= px
                px = ((nc - x + 1) * pc * px) / (x * q)
        out.append(x)
    return np.array(out), restarts


def test_restarts_take_fresh_uniforms_in_order():
    """numpy restarts a cell past its bound: the pass must then draw exactly as numpy does.

    At numpy's bound a restart is too rare to meet, so the bound is cut to the mean, where
    about half of all cells restart at least once, and the pass is compared with numpy's
    loop written out in Python.
    """
    rng = np.random.default_rng(3)
    restarts = 0
    for t in range(150):
        n = rng.integers(0, 40, 30)
        p = rng.uniform(0.01, 0.5, 30) * (rng.random(30) < 0.9)
        ours = CellBinomials([(n, p), (n[::-1], p)])
        ours.bound[:] = np.minimum(ours.bound, np.floor(ours.n * ours.p).astype(np.int64))
        mine = [np.random.default_rng([t, r]) for r in range(2)]
        ref = [np.random.default_rng([t, r]) for r in range(2)]
        got = ours.draw(mine)
        (a, ra), (b, rb) = (_inversion(ref[0], n, p, ours.bound[:30]),
                            _inversion(ref[1], n[::-1], p, ours.bound[30:]))
        np.testing.assert_array_equal(got, np.concatenate([a, b]))
        assert _states(mine) == _states(ref)
        restarts += ra + rb
    assert restarts > 1000  # the bound cut really did force restarts


def test_a_deep_copy_draws_alike():
    """A kept warm-up deep-copies the model, and with it its cells: the copy draws alike."""
    pop = fs.get_region("town").village_population[:, None]
    cells = [(pop, _monthly_rates(1.0))] * 3
    ours = copy.deepcopy(CellBinomials(cells))
    theirs, mine = _pairs(7, 3)
    for _month in range(6):
        np.testing.assert_array_equal(ours.draw(mine), _numpy_draws(theirs, cells))
