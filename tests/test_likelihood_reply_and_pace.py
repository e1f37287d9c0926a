"""Contact likelihood's two terms from issue 14: a reply is due when they wrote last; my whole network's pace."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import select
from tests.conftest import FIXED_NOW, CliResult

from kith.engine.fit import TERMS, LogColumns, features, windows
from kith.engine.ties import (
    DEFAULT_PARAMS,
    StateArrays,
    TieState,
    Touch,
    build_state,
    kind_index,
    network_pace,
    score,
    score_batch,
)
from kith.runtime import Kith
from kith.services.likelihood_model import fit_model, likelihood_params, model_status
from kith.store.models import ModelFit

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _chat(last_by: str, days_ago: float = 3.0) -> TieState:
    """A weekly message exchange for two months whose newest message was sent by ``last_by``."""
    touches = [Touch(NOW - timedelta(days=days_ago + 7 * k), "message", "out" if k % 2 else "in") for k in range(1, 9)]
    return build_state([*touches, Touch(NOW - timedelta(days=days_ago), "message", last_by)])


def test_a_tie_whose_last_message_was_theirs_is_more_likely_than_the_same_tie_where_i_wrote_last() -> None:
    theirs, mine = score(_chat("in"), NOW), score(_chat("out"), NOW)
    assert theirs.likelihood > mine.likelihood
    assert "reply" not in theirs.components  # who wrote last says nothing of the tie's depth
    assert any("a reply is due" in r for r in theirs.likelihood_reasons)
    assert not any("a reply is due" in r for r in mine.likelihood_reasons)


def test_a_meeting_both_sides_took_part_in_answers_their_message() -> None:
    state = _chat("in", days_ago=5.0)
    state.add(Touch(NOW - timedelta(days=1), "meeting", "mutual"))
    assert state.last_in == state.last_out
    assert score(state, NOW).likelihood_components.get("reply", 0.0) == 0.0


def test_removing_the_newest_message_either_way_asks_for_a_rebuild() -> None:
    state = _chat("in")
    newest_out = state.last_out
    assert state.remove(Touch(datetime.fromtimestamp(newest_out, UTC), "message", "out")) is False


def test_a_quiet_week_across_the_whole_network_lowers_every_ties_likelihood_and_a_busy_one_raises_it() -> None:
    steady = [_chat("out", days_ago=d) for d in (1.0, 2.0, 4.0)]
    arrays = StateArrays.from_states(steady)
    quiet_at = NOW + timedelta(days=14)  # nobody contacted for two weeks
    pace_quiet = network_pace(arrays, quiet_at)
    assert pace_quiet < 0
    with_pace = score_batch(arrays, quiet_at, pace=pace_quiet).likelihood
    without = score_batch(arrays, quiet_at).likelihood
    assert (with_pace < without).all()
    busy = StateArrays.from_states([build_state([Touch(NOW - timedelta(hours=h), "message", "out")
                                                 for h in range(1, 30)])])
    assert network_pace(busy, NOW) > 0


def test_pace_shifts_every_tie_alike_so_it_never_reorders_one_users_ties() -> None:
    arrays = StateArrays.from_states([_chat("out", d) for d in (1.0, 6.0, 20.0, 60.0)])
    pace = network_pace(arrays, NOW)
    with_pace = score_batch(arrays, NOW, pace=pace).likelihood
    assert list(np.argsort(with_pace)) == list(np.argsort(score_batch(arrays, NOW).likelihood))


def test_a_tie_with_no_contact_gets_neither_term() -> None:
    empty = score(TieState(), NOW, pace=-3.0)
    assert "reply" not in empty.likelihood_components and "pace" not in empty.likelihood_components


def test_the_personal_fit_learns_a_weight_for_both_terms_and_sees_the_pace_of_each_window() -> None:
    assert {"reply", "pace"} <= set(TERMS)
    rng = np.random.default_rng(3)
    n = 600
    ts = NOW.timestamp() - rng.uniform(0, 250 * 86400, n)
    log = LogColumns(rng.integers(0, 30, n), ts, np.full(n, kind_index("message")), rng.integers(0, 2, n),
                     np.zeros(n), np.ones(n), 30)
    data = windows(log, NOW.timestamp())
    pace_col = list(TERMS).index("pace")
    paces = {round(float(x[0, pace_col]), 9) for x, _ in data if len(x)}
    assert len(paces) > 1  # each window has the network's pace at its start
    arrays = StateArrays.from_states([_chat("in")])
    row = features(arrays, NOW.timestamp(), pace=0.5)[0]
    assert row[list(TERMS).index("reply")] == 1.0 and row[pace_col] == 0.5
    assert replace(DEFAULT_PARAMS, w_pace=0.0, w_reply=0.0).w_pace == 0.0


def test_the_explained_likelihood_of_one_person_equals_the_listings(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Diaz")
    cli("add", "Bea Lund")
    cli("log", "Ana Diaz", "call", "--on", "2026-05-01", "--by", "me")
    cli("log", "Ana Diaz", "message", "--on", "2026-06-10", "--by", "them")
    cli("log", "Bea Lund", "coffee", "--on", "2026-03-10", "--by", "me")
    listing = {p["name"]: p for p in json.loads(cli("score", "--json").out)}
    one = json.loads(cli("score", "Ana", "--explain", "--json").out)
    assert abs(one["likelihood"] - listing["Ana Diaz"]["likelihood"]) < 0.05


def test_a_stored_fit_made_before_these_terms_is_not_used_and_kith_model_refits_it(kith: Kith) -> None:
    with kith.session() as s:
        fit_model(s, FIXED_NOW)
        row = s.scalars(select(ModelFit)).one()
        old = dict(row.data)
        old["weights"] = {k: v for k, v in old["weights"].items() if k not in ("reply", "pace")}
        old["default_weights"] = dict(old["weights"])
        row.data, row.in_use = old, True
    with kith.session() as s:
        assert likelihood_params(s) == DEFAULT_PARAMS
        status = model_status(s, FIXED_NOW)
        assert status.refitted and {"reply", "pace"} <= set(status.fit.weights)
