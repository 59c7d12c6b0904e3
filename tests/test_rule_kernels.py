"""The compiled passes of the centre's triage, reputation learning and the expected wait give
the numbers of the numpy formulas they stand for, bit for bit.

The triage and the reputation run their own numpy formula when a parameter is not a plain
float (a batch whose replicates differ passes one value per row); here the same numbers as
numpy floats take that path, so the two forms meet the same inputs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from fazhi_sim import CountyCentre, Institution
from fazhi_sim.engine.cases import Cases
from fazhi_sim.engine.disputes import CentreRoute, Layer
from fazhi_sim.engine.rule_kernels import expected_wait

SHARES = {"centre_petition_desk": 0.6, "centre_route_legal": 0.25, "centre_route_court": 0.1}


def _model(as_numpy: bool, g: float, **params: float) -> SimpleNamespace:
    kind = np.float64 if as_numpy else float
    return SimpleNamespace(params=SimpleNamespace(**{k: kind(v) for k, v in params.items()}),
                           levels={"county_centre": g})


def _cases(rng: np.random.Generator, n: int) -> Cases:
    stage = rng.choice([-1, int(Layer.VILLAGE), int(Layer.COUNTY), int(Layer.COURT)], n)
    return Cases(kind=np.zeros(n, dtype=np.int64), trust=rng.random(n),
                 advised=rng.random(n) < 0.4, stage=stage.astype(np.int8))


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("g", [0.0, 0.5, 1.0])
def test_the_compiled_triage_routes_as_the_formula(seed: int, g: float) -> None:
    rng = np.random.default_rng(seed)
    n = 2_000
    cases, u, petition = _cases(rng, n), rng.random(n), rng.random(n) < 0.5
    u[:4] = [0.0, 0.6, 0.85, 1.0 - 1e-16]  # on the edges of the desk and of the ladder
    got = CountyCentre.triage(_model(False, g, **SHARES), cases, u, petition)
    want = CountyCentre.triage(_model(True, g, **SHARES), cases, u, petition)
    assert got.dtype == want.dtype == np.int8
    np.testing.assert_array_equal(got, want)
    # Every route is taken somewhere once the centre is integrated (the cases differ).
    if g == 1.0:
        assert set(np.unique(got)) == {int(r) for r in CentreRoute}


def test_the_compiled_triage_keeps_a_petition_of_a_desk_of_one() -> None:
    # A desk share of 1 leaves no width to rescale by: the formula's floor of 1e-12 holds.
    rng = np.random.default_rng(4)
    cases, u = _cases(rng, 500), rng.random(500)
    petition = np.ones(500, dtype=bool)
    shares = dict(SHARES, centre_petition_desk=1.0)
    got = CountyCentre.triage(_model(False, 1.0, **shares), cases, u, petition)
    want = CountyCentre.triage(_model(True, 1.0, **shares), cases, u, petition)
    np.testing.assert_array_equal(got, want)
    assert (got == CentreRoute.PETITION_DESK).all()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_compiled_reputation_step_is_the_formula(seed: int) -> None:
    rng = np.random.default_rng(seed)
    old = rng.random(300)
    taken = rng.poisson(1.0, 300)  # many units take up none
    lasting = rng.binomial(taken, 0.6)
    got = Institution.learn_reputation(_model(False, 0.0, reputation_learning=0.3), old,
                                       taken, lasting)
    want = Institution.learn_reputation(_model(True, 0.0, reputation_learning=0.3), old,
                                        taken, lasting)
    np.testing.assert_array_equal(got, want)
    assert (got[taken == 0] == old[taken == 0]).all() and (got != old).any()


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_compiled_expected_wait_is_the_formula(first: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    units = 50
    capacity = rng.random(units) * 3  # some below the floor, one closed
    capacity[0] = 0.0
    unit = rng.integers(0, units, 400)
    old = np.zeros(0) if first else rng.random(units) * 5
    floor, memory = 0.5, 0.2
    now = np.bincount(unit, minlength=units) / np.maximum(capacity, floor)
    was = now if first else old
    want = was + memory * (now - was)
    np.testing.assert_array_equal(expected_wait(unit, capacity, floor, old, memory), want)
