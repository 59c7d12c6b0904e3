import numpy as np

from fazhi_sim.engine.streams import Streams


def test_uniforms_are_uniform_and_independent_across_purposes():
    s = Streams(7)
    ids = np.arange(200_000)
    u, v, w = s.uniform(ids, 3, 2), s.uniform(ids, 3, 5), s.uniform(ids, 4, 2)
    for x in (u, v, w):
        assert 0 < x.min() and x.max() < 1
        assert abs(x.mean() - 0.5) < 0.003  # sd of the mean is 0.00065
        assert abs(x.var() - 1 / 12) < 0.001
        assert np.histogram(x, bins=10, range=(0, 1))[0].min() > 19_000
    assert abs(np.corrcoef(u, v)[0, 1]) < 0.01 and abs(np.corrcoef(u, w)[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_same_dispute_same_draw_whatever_else_is_drawn():
    """Common random numbers: a dispute's draw depends on its id, not on its neighbours."""
    s = Streams(1)
    ids = np.array([5, 17, 99])
    alone = s.uniform(ids, 10, 3)
    among = s.uniform(np.array([1, 5, 2, 17, 3, 99]), 10, 3)[[1, 3, 5]]
    assert np.array_equal(alone, among)
    assert not np.array_equal(alone, Streams(2).uniform(ids, 10, 3))


def test_generators_per_process_are_seeded():
    a, b = Streams(3), Streams(3)
    assert a["arising"].random() == b["arising"].random()
    assert a["population"].random() != a["arising"].random()


def test_gumbel_has_the_gumbel_mean():
    g = Streams(0).gumbel(np.arange(100_000), 0, 4)
    assert g.shape == (100_000, 4)
    assert np.allclose(g.mean(axis=0), np.euler_gamma, atol=0.02)
