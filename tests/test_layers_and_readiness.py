"""Layers derived from steady cadences, Dunbar-capped networks, and favour readiness."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from kith.engine.layers import LAYER_CODE, assign_network_layers
from kith.engine.readiness import CALLABLE_THRESHOLD, readiness
from kith.engine.ties import (
    DEFAULT_PARAMS,
    REFERENCE_CADENCES,
    TieScore,
    Touch,
    build_state,
    layer_thresholds,
    reference_state,
    score,
)

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def test_layer_thresholds_fall_from_inner_to_acquaintance() -> None:
    t = layer_thresholds()
    values = [t[name] for name in ("inner", "close", "active", "meaningful", "acquaintance")]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == 5


def test_reference_activity_is_the_geometric_series_of_a_steady_cadence() -> None:
    for gap in REFERENCE_CADENCES.values():
        state, trough = reference_state(gap)
        r = 2 ** (-gap / DEFAULT_PARAMS.h_fast_days)
        at_trough = state.a * 2 ** (
            -(trough.timestamp() - state.ref) / 86400 / DEFAULT_PARAMS.h_fast_days
        )
        series = sum(r**k for k in range(1, state.n + 1))  # depth 1: one call per gap
        assert math.isclose(at_trough, series, rel_tol=1e-9)


@pytest.mark.parametrize(("layer", "gap"), list(REFERENCE_CADENCES.items()))
def test_a_steady_tie_stays_in_its_layer_even_just_before_the_next_contact(
    layer: str, gap: float
) -> None:
    state, trough = reference_state(gap)
    just_after = trough - timedelta(days=gap - 1)
    assert score(state, trough).layer == layer
    assert (
        score(state, just_after).layer
        in ("inner", "close", "active", "meaningful")[: list(REFERENCE_CADENCES).index(layer) + 1]
    )


def test_thresholds_follow_the_parameters_rather_than_fixed_numbers() -> None:
    slower = replace(DEFAULT_PARAMS, h_slow_days=1080.0)
    assert layer_thresholds(slower) != layer_thresholds()


def test_a_yearly_tie_silent_for_years_is_dormant() -> None:
    state, trough = reference_state(365.25)
    assert score(state, trough + timedelta(days=3 * 365)).layer == "dormant"


def test_network_assignment_keeps_at_most_five_in_the_inner_layer() -> None:
    scores = np.full(40, 99.0)
    codes = assign_network_layers(scores, layer_thresholds())
    assert (codes == LAYER_CODE["inner"]).sum() == 5
    assert (codes == LAYER_CODE["close"]).sum() == 10
    assert (codes == LAYER_CODE["active"]).sum() == 25


def test_network_assignment_never_promotes_a_weak_tie() -> None:
    scores = np.array([1.0, 2.0, 3.0])
    codes = assign_network_layers(scores, layer_thresholds())
    assert set(codes.tolist()) == {LAYER_CODE["dormant"]}


def tie(strength: float, cooling: bool = False) -> TieScore:
    return TieScore(strength, "close", {}, [], 14.0, 3.0, cooling)


def test_a_strong_fresh_tie_is_callable_and_a_weak_one_is_not() -> None:
    assert readiness(tie(85), 0, 0, None, 0).callable
    assert not readiness(tie(10), 0, 0, None, 0).callable
    assert readiness(tie(85), 0, 0, None, 0).value >= CALLABLE_THRESHOLD


def test_a_steady_monthly_tie_with_no_debts_is_callable() -> None:
    state, trough = reference_state(365.25 / 12)
    assert readiness(score(state, trough), 0, 0, None, 0).callable


def test_favours_they_owe_me_raise_readiness_and_favours_i_owe_lower_it() -> None:
    base = readiness(tie(60), 0, 0, None, 0).value
    assert readiness(tie(60), 0, 2, None, 0).value > base > readiness(tie(60), 2, 0, None, 0).value


def test_asking_again_soon_after_an_ask_lowers_readiness() -> None:
    values = [readiness(tie(70), 0, 0, days, 0).value for days in (3, 60, 365)]
    assert values == sorted(values)
    assert any("you last asked 3 days ago" in r for r in readiness(tie(70), 0, 0, 3, 0).reasons)


def test_a_cooling_tie_or_a_sour_last_exchange_lowers_readiness() -> None:
    base = readiness(tie(70), 0, 0, None, 0).value
    assert readiness(tie(70, cooling=True), 0, 0, None, 0).value < base
    assert readiness(tie(70), 0, 0, None, -2).value < base < readiness(tie(70), 0, 0, None, 2).value


def test_readiness_of_a_real_history_reads_its_reasons() -> None:
    touches = [Touch(NOW - timedelta(days=d), "coffee") for d in (5, 40, 80)]
    ready = readiness(score(build_state(touches), NOW), 1, 0, 20.0, 1)
    assert [r.split(" ")[0] for r in ready.reasons] == ["relationship", "you", "you", "the"]
    assert "you owe them a favour" in " ".join(ready.reasons)
    assert "you last asked 2 weeks ago" in " ".join(ready.reasons)


def test_one_recent_exchange_is_not_yet_a_tie_you_can_lean_on() -> None:
    fresh = readiness(tie(75), 0, 0, None, 0, contacts=1)
    seasoned = readiness(tie(75), 0, 0, None, 0, contacts=15)
    assert not fresh.callable and seasoned.callable
    assert any("only 1 contact so far" in r for r in fresh.reasons)


def test_batch_readiness_agrees_with_the_explained_one() -> None:
    import numpy as np

    from kith.engine.readiness import readiness_batch

    cases = [(85, False, 0, 0, None, 0, 20), (40, True, 2, 0, 3.0, -2, 1), (60, False, 0, 4, 200.0, 1, 5),
             (10, True, 1, 1, 0.0, 2, 11), (99, False, 5, 5, None, -1, 30)]
    batch = readiness_batch(
        np.array([c[0] for c in cases], dtype=float), np.array([c[1] for c in cases]),
        np.array([c[2] for c in cases], dtype=float), np.array([c[3] for c in cases], dtype=float),
        np.array([np.nan if c[4] is None else c[4] for c in cases]), np.array([c[5] for c in cases], dtype=float),
        np.array([c[6] for c in cases], dtype=float),
    )
    for (s, cool, owe, owed, ask, sent, n), value in zip(cases, batch, strict=True):
        one = readiness(tie(s, cooling=cool), owe, owed, ask, sent, contacts=n)
        assert abs(one.value - value) < 1e-9
