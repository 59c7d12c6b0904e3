"""The tie network is drawn bit for bit as before the faster drawing code.

The digests below were taken when the redrawn ties came to be placed by geometric gaps
(CHANGELOG, 2026-12-02): matrix arrays with their dtypes, in-degrees, and the next draws of
the generator (so later draws from the ``"ties"`` stream are unchanged too). A change of any
of them is a change of results and needs new baselines and a CHANGELOG line.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from conftest import small_region

import fazhi_sim as fs
from fazhi_sim.engine.ties import stacked_ties, village_ties

DIGESTS = {
    "town": ("town", {}, "ace06a4a3e13f32ea52b790c"),
    "town-kin0": ("town", {"tie_kin_weight": 0}, "25281f047c881b195363e017"),
    "town-norewire": ("town", {"tie_rewire": 0.0, "tie_cross_village": 0.0},
                      "b104896a20cecb928f72faae"),
    "town-wide": ("town", {"tie_rewire": 0.7, "tie_cross_village": 0.25, "ties_mean": 12},
                  "bd0f715e87fa21ecdac10839"),
    "tiny-villages": ((9, 3, 3), {"ties_mean": 8}, "44c6e1461d1d0d4f1e181dd5"),
    "tiny-mixed": ((12, 40, 2), {"tie_cross_village": 0.5, "ties_mean": 4},
                   "2957d3b1eebc485fefaf7d9d"),
    "zhuji": ("zhuji", {}, "31e797f40fbb39655fcd44f1"),
}
HALF_WORD_DIGEST = "691d0b7e839843a36a91bdd3"


@pytest.mark.parametrize("case", list(DIGESTS))
def test_ties_are_drawn_as_before(case: str, kept_as: str) -> None:
    # The same networks whether the ties redrawn inside are kept as slots or as byte gaps.
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
    # half; the tie drawing takes float64 uniforms only, skipping ahead over stretches of
    # them, and must leave the spare half for the next float32 draw.
    rng = np.random.default_rng(7)
    rng.random(3, dtype=np.float32)  # one half left over
    spare = rng.bit_generator.state
    params = fs.load_scenario("plan-2025").params
    ties = village_ties(fs.get_region("town"), params, rng)
    after = rng.bit_generator.state
    assert after["has_uint32"] == spare["has_uint32"] == 1
    assert after["uinteger"] == spare["uinteger"]
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


def _redrawn(rng: np.random.Generator, total: int, p: float, cross: float
             ) -> tuple[np.ndarray, np.ndarray]:
    # The slots redrawn inside (read back from their list) and across.
    from fazhi_sim.engine import redrawn

    inside, across = redrawn.redrawn_slots(rng, total, p, cross)
    return inside.slots(), across


@pytest.fixture(params=["slots", "gaps"])
def kept_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test that takes it runs twice: ties inside kept as slots, and as byte gaps."""
    from fazhi_sim.engine import redrawn

    monkeypatch.setattr(redrawn, "BYTE_GAPS_FROM", 1 << 62 if request.param == "slots" else 0)
    return request.param


@pytest.mark.parametrize(("p", "cross"), [(0.15, 0.05), (0.003, 0.001), (0.9, 0.0)])
def test_the_lists_read_back_as_the_slots_placed(p, cross, kept_as) -> None:
    """The ties inside, kept as slots or as a byte per gap (255: the slot itself, kept apart),
    read back as the slots the geometric gaps place: worked out here from the same uniforms
    with numpy, in one block. At p = 0.003 most gaps are 255 or more; at 0.9 none are."""
    from fazhi_sim.engine import redrawn

    total = 200_000
    for seed in range(3):
        kept, across = redrawn.redrawn_slots(np.random.default_rng(seed), total, p, cross)
        assert isinstance(kept, redrawn.GapList if kept_as == "gaps" else redrawn.SlotList)
        k = redrawn.gap_block(total, p)
        u = np.random.default_rng(seed).random(2 * k)
        at = np.cumsum(np.floor(np.log(1.0 - u[:k]) / np.log1p(-p)) + 1.0) - 1.0
        placed = at < total
        assert not placed.all()  # one block held them all
        far = u[k:][placed] < cross / p
        slots = at[placed].astype(np.int64)
        np.testing.assert_array_equal(kept.slots(), slots[~far])
        np.testing.assert_array_equal(across, slots[far])
        if kept_as == "gaps":
            wide = np.diff(np.concatenate([[-1], slots[~far]])) > 255
            assert kept.n_big == wide.sum() and (kept.n_big > 0) == (p < 0.01)
        # Read in stretches, as runs of residents read them: the same slots.
        read = kept.reader(total)
        stretches = [read(limit).copy() for limit in range(0, total + 1, 7_919)] + [read(total)]
        np.testing.assert_array_equal(np.concatenate(stretches), slots[~far])


@pytest.mark.parametrize("gaps", [None, 50])
def test_each_tie_is_redrawn_on_its_own(monkeypatch: pytest.MonkeyPatch, gaps, kept_as) -> None:
    """Each tie is redrawn with chance p, then sent across with chance cross / p, on its own.

    The redrawn ties are placed by geometric gaps; placed so, they must look like one coin
    per tie: over 40 seeds of 20,000 ties, the share redrawn, the share of those sent across,
    the share in each of a row's eight columns and of two neighbouring ties both redrawn
    within four standard errors of the coins' chances, and the counts' spread from seed to
    seed within the 99.9% range of a binomial's. With ``gaps`` = 50 the uniforms come in
    hundreds of blocks.
    """
    from fazhi_sim.engine import redrawn

    if gaps is not None:
        monkeypatch.setattr(redrawn, "GAP_BLOCK", gaps)
    total, p, cross, seeds = 20_000, 0.15, 0.05, 40
    hit = np.zeros((seeds, total), dtype=bool)
    far = np.zeros((seeds, total), dtype=bool)
    for s in range(seeds):
        inside, across = _redrawn(np.random.default_rng(s), total, p, cross)
        for slots in (inside, across):
            assert slots.dtype == np.int32 and np.all(np.diff(slots) > 0)
        assert not np.intersect1d(inside, across).size
        hit[s, inside] = hit[s, across] = far[s, across] = True

    def near(share: float, chance: float, n: int) -> bool:
        return abs(share - chance) < 4 * np.sqrt(chance * (1 - chance) / n)

    n = hit.size
    assert near(hit.mean(), p, n)
    assert near(far.sum() / hit.sum(), cross / p, int(hit.sum()))
    for column in hit.reshape(seeds, -1, 8).mean(axis=(0, 1)):
        assert near(column, p, n // 8)
    assert near((hit[:, 1:] & hit[:, :-1]).mean(), p * p, n)
    # Sample variance over binomial variance: chi-square / 39 lies in 0.44-1.85 99.9% of times.
    spread = hit.sum(axis=1).var(ddof=1) / (total * p * (1 - p))
    assert 0.44 < spread < 1.85


def test_the_redrawn_lists_grow_without_changing_them(monkeypatch: pytest.MonkeyPatch,
                                                      kept_as) -> None:
    # Lists that start with room for three slots fill up and grow again and again.
    from fazhi_sim.engine import redrawn

    want = _redrawn(np.random.default_rng(3), 5_000, 0.3, 0.1)
    end = np.random.default_rng(3)
    _redrawn(end, 5_000, 0.3, 0.1)

    class Small(redrawn.SlotList):
        def __init__(self, expect: float, kind: type = np.intp):
            super().__init__(0, kind)
            self.out = self.out[:3]

    class SmallGaps(redrawn.GapList):
        def __init__(self, expect: float, chance: float, kind: type = np.intp):
            super().__init__(0, chance, kind)
            self.codes, self.big = self.codes[:3], self.big[:3]

    monkeypatch.setattr(redrawn, "SlotList", Small)
    monkeypatch.setattr(redrawn, "GapList", SmallGaps)
    rng = np.random.default_rng(3)
    got = _redrawn(rng, 5_000, 0.3, 0.1)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    assert len(got[0]) > 900 and len(got[1]) > 400
    assert rng.random() == end.random()  # the generator is left where the draws leave it


@pytest.mark.parametrize(("p", "cross", "inside", "across"), [
    (1.0, 0.3, None, None), (1.0, 1.0, 0, 1_000), (0.4, 0.4, 0, None), (1e-12, 0.0, 0, 0)])
def test_redrawing_at_the_ends_of_the_chances(p, cross, inside, across, kept_as) -> None:
    got = _redrawn(np.random.default_rng(1), 1_000, p, cross)
    if p == 1.0:  # every tie
        np.testing.assert_array_equal(np.union1d(*got), np.arange(1_000))
    for g, want in zip(got, (inside, across), strict=True):
        assert want is None or len(g) == want
