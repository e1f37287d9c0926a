"""The per-person accumulator: incremental, order-independent, removable, serialisable, fast."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kith.engine.ties import (
    DIRECTION_CODE,
    KIND_NAMES,
    StateArrays,
    TieState,
    Touch,
    build_arrays,
    build_state,
    kind_index,
    score,
    score_batch,
)

START = datetime(2023, 1, 1, tzinfo=UTC)
NOW = datetime(2024, 6, 1, tzinfo=UTC)

touches = st.builds(
    Touch,
    at=st.integers(0, 500 * 86400).map(lambda s: START + timedelta(seconds=s)),
    kind=st.sampled_from(KIND_NAMES),
    direction=st.sampled_from(("out", "in", "mutual")),
    sentiment=st.integers(-2, 2),
    group_size=st.integers(1, 50),
)


def assert_same(left: TieState, right: TieState) -> None:
    a, b = left.to_dict(), right.to_dict()
    assert a.keys() == b.keys()
    for key in a:
        assert math.isclose(a[key], b[key], rel_tol=1e-9, abs_tol=1e-9), key


@settings(max_examples=200, deadline=None)
@given(st.lists(touches, max_size=30), st.randoms())
def test_incremental_insertion_in_any_order_matches_a_rebuild(
    log: list[Touch], rnd: object
) -> None:
    shuffled = list(log)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    rebuilt = build_state(sorted(log, key=lambda t: t.at))
    assert_same(build_state(shuffled), rebuilt)


@settings(max_examples=100, deadline=None)
@given(st.lists(touches, min_size=2, max_size=20), st.data())
def test_removing_a_touch_gives_the_state_without_it(log: list[Touch], data: st.DataObject) -> None:
    victim = data.draw(st.integers(0, len(log) - 1))
    state = build_state(log)
    exact = state.remove(log[victim])
    without = build_state(log[:victim] + log[victim + 1 :])
    if exact:
        assert_same(state, without)
    else:  # the first or last contact went: sums still exact, extremes need a rebuild
        assert math.isclose(
            state.b, without.b * 2 ** (-(state.ref - without.ref) / 86400 / 540), abs_tol=1e-9
        )


def test_an_older_touch_is_decayed_to_the_reference_time() -> None:
    state = build_state([Touch(NOW, "call")])
    state.add(Touch(NOW - timedelta(days=90), "call"))
    assert state.ref == NOW.timestamp()
    assert math.isclose(state.a, 1.0 + 0.5)  # one fast half-life back
    assert state.first == (NOW - timedelta(days=90)).timestamp()


def test_removing_the_only_touch_empties_the_state() -> None:
    state = build_state([Touch(NOW, "coffee")])
    assert state.remove(Touch(NOW, "coffee"))
    assert state == TieState()


def test_state_round_trips_through_a_flat_dict_of_numbers() -> None:
    state = build_state(
        [Touch(NOW, "call", "out", 1), Touch(NOW - timedelta(days=3), "hello", "in")]
    )
    flat = state.to_dict()
    assert all(isinstance(v, float) for v in flat.values())
    assert TieState.from_dict(flat) == state


def make_log(rng: np.random.Generator, people: int, size: int) -> dict[str, np.ndarray]:
    return {
        "person_idx": rng.integers(0, people, size),
        "ts": START.timestamp() + rng.uniform(0, 500 * 86400, size),
        "kind_idx": rng.integers(0, len(KIND_NAMES), size),
        "direction": rng.integers(0, 3, size),
        "sentiment": rng.integers(-2, 3, size),
        "group_size": rng.integers(1, 30, size),
    }


def arrays_of(log: dict[str, np.ndarray], people: int) -> StateArrays:
    return build_arrays(
        log["person_idx"],
        log["ts"],
        log["kind_idx"],
        log["direction"],
        log["sentiment"],
        log["group_size"],
        people,
    )


def touches_of(log: dict[str, np.ndarray], person: int) -> list[Touch]:
    rows = np.flatnonzero(log["person_idx"] == person)
    return [
        Touch(
            datetime.fromtimestamp(float(log["ts"][i]), UTC),
            KIND_NAMES[int(log["kind_idx"][i])],
            ("out", "in", "mutual")[int(log["direction"][i])],
            int(log["sentiment"][i]),
            int(log["group_size"][i]),
        )
        for i in rows
    ]


def test_batch_arrays_match_scalar_states() -> None:
    log = make_log(np.random.default_rng(7), 12, 300)
    arrays = arrays_of(log, 13)
    expected = StateArrays.from_states([build_state(touches_of(log, p)) for p in range(13)])
    for name in (
        "ref",
        "n",
        "first",
        "last",
        "a",
        "a_hello",
        "b",
        "b_hello",
        "b_out",
        "b_in",
        "sent_sum",
        "sent_n",
        "a_week",
        "last_in",
        "last_out",
        "counts",
        "recent",
    ):
        np.testing.assert_allclose(
            getattr(arrays, name), getattr(expected, name), rtol=1e-6, atol=1e-9, err_msg=name
        )


def test_batch_and_scalar_scores_agree() -> None:
    log = make_log(np.random.default_rng(11), 20, 400)
    arrays = arrays_of(log, 21)  # person 20 has no touches
    closeness = np.full(21, np.nan)
    closeness[3] = 88.0
    batch = score_batch(arrays, NOW, closeness=closeness)
    for p in range(21):
        one = score(build_state(touches_of(log, p)), NOW, closeness=88.0 if p == 3 else None)
        assert math.isclose(one.score, batch.score[p], rel_tol=1e-9)
        assert (
            one.layer
            == ("inner", "close", "active", "meaningful", "acquaintance", "dormant", "new")[batch.layer[p]]
        )
        assert one.cooling == bool(batch.cooling[p])


def test_kind_index_and_direction_codes_are_what_build_arrays_expects() -> None:
    assert KIND_NAMES[kind_index("coffee")] == "coffee"
    assert DIRECTION_CODE == {"out": 0, "in": 1, "mutual": 2}


def test_packed_rows_round_trip_and_merging_two_halves_equals_one_build() -> None:
    import numpy as np

    from kith.engine.ties import build_arrays, merge_arrays, pack, unpack

    rng = np.random.default_rng(5)
    n = 400
    p = rng.integers(0, 7, n)
    ts = 1.7e9 + rng.uniform(0, 3e7, n)
    k = rng.integers(0, 12, n)
    d = rng.integers(0, 3, n)
    sent = rng.integers(-2, 3, n)
    g = rng.integers(1, 5, n)
    whole = build_arrays(p, ts, k, d, sent, g, 7)
    early = ts < 1.7e9 + 1.5e7
    a = build_arrays(p[early], ts[early], k[early], d[early], sent[early], g[early], 7)
    b = build_arrays(p[~early], ts[~early], k[~early], d[~early], sent[~early], g[~early], 7)
    merged = merge_arrays(a, b)
    assert np.allclose(pack(merged), pack(whole), rtol=1e-9, atol=1e-9)
    assert np.array_equal(pack(unpack(pack(whole))), pack(whole))
