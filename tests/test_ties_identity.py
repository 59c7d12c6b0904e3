"""The tie network is drawn bit for bit as before the faster drawing code.

The digests below were taken from the first implementation of ``village_ties`` (one pass over
the whole region): matrix arrays with their dtypes, in-degrees, and the next draws of the
generator (so later draws from the ``"ties"`` stream are unchanged too). A change of any of
them is a change of results and needs new baselines and a CHANGELOG line.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from conftest import small_region

import fazhi_sim as fs
from fazhi_sim.engine.ties import stacked_ties, village_ties

DIGESTS = {
    "town": ("town", {}, "43fb6242c344f19ada6a4310"),
    "town-kin0": ("town", {"tie_kin_weight": 0}, "d38eb2caca5ed9c232d11e2d"),
    "town-norewire": ("town", {"tie_rewire": 0.0, "tie_cross_village": 0.0},
                      "b104896a20cecb928f72faae"),
    "town-wide": ("town", {"tie_rewire": 0.7, "tie_cross_village": 0.25, "ties_mean": 12},
                  "1be356d533dd48e41b1de22f"),
    "tiny-villages": ((9, 3, 3), {"ties_mean": 8}, "11a88f485ee1f2d198e82102"),
    "tiny-mixed": ((12, 40, 2), {"tie_cross_village": 0.5, "ties_mean": 4},
                   "97a2ecc4f04966b6988b5f3e"),
    "zhuji": ("zhuji", {}, "5cf381691f948f80bdc50274"),
}
HALF_WORD_DIGEST = "05a2e7359af4223e7692e7ad"  # (taken before the stretches were skipped to)


@pytest.mark.parametrize("case", list(DIGESTS))
def test_ties_are_drawn_as_before(case: str) -> None:
    where, update, digest = DIGESTS[case]
    region = fs.get_region(where) if isinstance(where, str) else small_region(*where)
    params = fs.load_scenario("plan-2025").params.model_copy(update=update)
    rng = np.random.default_rng(7)
    ties = village_ties(region, params, rng)
    h = hashlib.sha256()
    for a in (ties.matrix.indptr, ties.matrix.indices, ties.matrix.data, ties.heard_from,
              rng.random(4)):
        h.update(str(a.dtype).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    assert h.hexdigest()[:24] == digest


def test_a_half_used_32_bit_word_is_left_as_drawing_leaves_it() -> None:
    # float32 draws take 32-bit halves of the generator's 64-bit outputs and keep the spare
    # half; the tie drawing skips ahead over float64 stretches and must keep it too.
    rng = np.random.default_rng(7)
    rng.random(3, dtype=np.float32)  # one half left over
    params = fs.load_scenario("plan-2025").params
    ties = village_ties(fs.get_region("town"), params, rng)
    h = hashlib.sha256()
    for a in (ties.matrix.indices, ties.heard_from, rng.random(5, dtype=np.float32),
              rng.random(3)):
        h.update(np.ascontiguousarray(a).tobytes())
    assert h.hexdigest()[:24] == HALF_WORD_DIGEST



def test_a_batch_draws_each_replicate_s_ties_as_its_own_run_does() -> None:
    # A batch draws each replicate's ties straight into one block-diagonal network; posterior
    # draws give replicates different tie counts, and none at all must work too.
    region = small_region(12, 40, 2)
    base = fs.load_scenario("plan-2025").params
    each = [base.model_copy(update={"ties_mean": k, "tie_kin_weight": w})
            for k, w in ((8, 2), (0, 2), (4, 0), (12, 1))]
    alone = [village_ties(region, p, np.random.default_rng(s)) for s, p in enumerate(each)]
    batch = stacked_ties(region, each, [np.random.default_rng(s) for s in range(len(each))])
    # Side by side as stored, ties in their drawn order (scipy's block_diag would sort them).
    n, m = region.population, batch.matrix
    nnz = np.cumsum([0] + [t.matrix.nnz for t in alone])
    assert m.shape == (n * len(each), n * len(each))
    np.testing.assert_array_equal(m.indptr, np.concatenate(
        [t.matrix.indptr[:-1] + nnz[k] for k, t in enumerate(alone)] + [nnz[-1:]]))
    np.testing.assert_array_equal(m.indices, np.concatenate(
        [t.matrix.indices + k * n for k, t in enumerate(alone)]))
    np.testing.assert_array_equal(m.data, np.concatenate([t.matrix.data for t in alone]))
    np.testing.assert_array_equal(batch.heard_from,
                                  np.concatenate([t.heard_from for t in alone]))
    assert batch.matrix.indices.dtype == np.int32 and batch.matrix.data.dtype == np.int8


def _reach_plainly(ties, village, literate):
    # The rule in plain numpy (as the kernel once computed it): whom the literate talk to
    # inside their village with their summed weights, and everyone within two such ties.
    def audience(rows):
        who, weight = [], []
        for r in rows:
            for t in range(ties.indptr[r], ties.indptr[r + 1]):
                x = ties.indices[t]
                if village[x] == village[r] and ties.data[t] > 0:
                    who.append(x)
                    weight.append(float(np.float32(ties.data[t])))
        return np.array(who, np.int64), np.array(weight)

    who, w = audience(literate)
    reached = np.unique(who)
    weight = np.zeros(len(reached))
    for x, wx in zip(who, w, strict=True):
        weight[np.searchsorted(reached, x)] += wx
    first = np.unique(np.concatenate([literate, reached]))
    return reached, weight.astype(np.float32), np.unique(np.concatenate([first,
                                                                      audience(first)[0]]))


@pytest.mark.parametrize("where", [(9, 3, 3), (12, 40, 2), "town"])
def test_who_hears_the_literate_is_the_plain_rule(where) -> None:
    from fazhi_sim.engine.social import literate_reach

    region = fs.get_region(where) if isinstance(where, str) else small_region(*where)
    params = fs.load_scenario("plan-2025").params.model_copy(
        update={"tie_cross_village": 0.3, "tie_kin_weight": 2})
    ties = village_ties(region, params, np.random.default_rng(3)).matrix
    village = np.repeat(np.arange(region.n_villages, dtype=np.int32), region.village_population)
    rng = np.random.default_rng(5)
    # Nobody, a handful far apart (sorted: few rows against a long span), a few, many
    # (marked: many rows against the span).
    for share in (0.0, 2e-4, 0.02, 0.3):
        literate = np.flatnonzero(rng.random(len(village)) < share)
        if where == "town":
            literate = literate[village[literate] % 3 == 1]  # villages in the middle, too
        got = literate_reach(ties, village, literate)
        want = _reach_plainly(ties, village, literate)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g, w)
            assert g.dtype == w.dtype or len(w) == 0


@pytest.mark.parametrize("room", [None, 3])
def test_the_redrawn_ties_are_the_plain_rule(monkeypatch: pytest.MonkeyPatch, room) -> None:
    """Which ties are redrawn, inside or across, is numpy's comparisons of one float32 draw.

    With ``room`` the lists start with room for three slots and blocks of 1,000 uniforms, so
    they fill up and grow again and again.
    """
    from fazhi_sim.engine import ties

    if room is not None:
        class Small(ties._Slots):
            def __init__(self, expect: float, kind: type = np.intp):
                super().__init__(0, kind)
                self.out = self.out[:room]

        monkeypatch.setattr(ties, "_Slots", Small)
        monkeypatch.setattr(ties, "_BLOCK", 1_000)
    total, p, cross = 5_000, 0.3, 0.1
    rng = np.random.default_rng(3)
    inside, across = ties._redrawn(rng, total, p, cross)
    plain = np.random.default_rng(3)
    u = plain.random(total, dtype=np.float32)
    hit, far = u < np.float32(p), u < np.float32(cross)
    assert inside.dtype == across.dtype == np.int32
    assert np.array_equal(inside, np.flatnonzero(hit & ~far))
    assert np.array_equal(across, np.flatnonzero(hit & far))
    assert len(across) > 400 and len(inside) > 900
    assert rng.random() == plain.random()  # the generator is left where one draw leaves it
