import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fazhi_sim.engine.institutions import serve_in_order


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 50)), max_size=60),
       st.lists(st.integers(0, 6), min_size=5, max_size=5))
def test_serve_in_order_takes_the_oldest_up_to_capacity(cases, capacity):
    units = np.array([c[0] for c in cases], dtype=np.int64)
    order = np.array([c[1] * 100 + i for i, c in enumerate(cases)], dtype=np.int64)
    cap = np.array(capacity)
    served = serve_in_order(units, order, cap)
    for u in range(5):
        mine = np.flatnonzero(units == u)
        expect = mine[np.argsort(order[mine])][: cap[u]]
        assert set(np.flatnonzero(served & (units == u))) == set(expect)
