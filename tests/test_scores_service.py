"""Scores from the store: accumulators kept current as interactions arrive, equal to a rebuild."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import insert, select
from tests.conftest import FIXED_NOW, CliResult, add_workspace

from kith.engine.ties import StateArrays, pack
from kith.runtime import Kith
from kith.services import people as people_svc
from kith.services import scores, tie_log, tie_states
from kith.services.interactions import delete_interaction, log_interaction
from kith.store.models import Interaction, InteractionParticipant, LogCount, Person
from kith.store.models import TieState as TieStateRow

KINDS = ["call", "meal", "email", "message", "hello", "worked-together", "favor-received", "coffee", "note",
         "thanks-given", "referral", "intro-made"]


def _people(kith: Kith, n: int) -> list[int]:
    with kith.session() as s:
        return [people_svc.add_person(s, people_svc.NewPerson(name=f"Person {i}"), now=FIXED_NOW).id for i in range(n)]


def _stored(kith: Kith) -> dict[int, dict[str, object]]:
    """Each person's stored record: the accumulators plus the bookkeeping."""
    out: dict[int, dict[str, object]] = {}
    with kith.session() as s:
        for pid, vec in s.execute(select(TieStateRow.person_id, TieStateRow.vector)):
            record = tie_states.decode(vec)
            assert record is not None and record.person_id == pid
            marks = tuple(np.nan if record.marks[m] is None else record.marks[m] for m in tie_log.MARKS)
            out[pid] = {"state": StateArrays.from_states([record.state]), "rows": record.rows,
                        "sent": record.last_sentiment, "marks": marks}
    return out


def _n(entry: dict[str, object]) -> int:
    return int(entry["state"].n[0])  # type: ignore[attr-defined]


def _assert_same_states(a: dict[int, dict[str, object]], b: dict[int, dict[str, object]]) -> None:
    assert a.keys() == b.keys()
    for pid in a:
        assert (a[pid]["rows"], a[pid]["sent"]) == (b[pid]["rows"], b[pid]["sent"]), pid
        assert np.allclose(np.array(a[pid]["marks"], dtype=float), np.array(b[pid]["marks"], dtype=float),
                           equal_nan=True), pid
        assert np.allclose(pack(a[pid]["state"]), pack(b[pid]["state"]), rtol=1e-9, atol=1e-9), pid  # type: ignore[arg-type]


def test_states_updated_as_interactions_arrive_out_of_order_equal_a_full_rebuild(kith: Kith) -> None:
    ids = _people(kith, 4)
    rng = random.Random(3)
    for _ in range(12):  # twelve transactions, each logging a few interactions at random past times
        with kith.session() as s:
            for _ in range(3):
                group = rng.sample(ids, rng.choice([1, 1, 2, 3]))
                people = [people_svc.get_person(s, pid) for pid in group]
                when = FIXED_NOW - timedelta(days=rng.uniform(0, 700))
                log_interaction(s, people, rng.choice(KINDS), when=when, now=FIXED_NOW,
                                sentiment=rng.choice([-1, 0, 0, 1, 2]), direction=rng.choice(["me", "them", None]))
    incremental = _stored(kith)
    with kith.session() as s:
        tie_states.rebuild_tie_states(s)
    _assert_same_states(incremental, _stored(kith))
    assert set(incremental) == set(ids)


def test_deleting_an_interaction_rebuilds_its_peoples_states(kith: Kith) -> None:
    a, b = _people(kith, 2)
    with kith.session() as s:
        pa, pb = people_svc.get_person(s, a), people_svc.get_person(s, b)
        log_interaction(s, [pa], "call", when=FIXED_NOW - timedelta(days=40), now=FIXED_NOW)
        doomed = log_interaction(s, [pa, pb], "meal", when=FIXED_NOW - timedelta(days=2), now=FIXED_NOW).id
    with kith.session() as s:
        delete_interaction(s, s.get(Interaction, doomed))  # type: ignore[arg-type]
    after = _stored(kith)
    assert _n(after[a]) == 1 and b not in after
    with kith.session() as s:
        tie_states.rebuild_tie_states(s)
    _assert_same_states(after, _stored(kith))


def test_interactions_written_around_the_orm_are_noticed_and_states_rebuilt(kith: Kith) -> None:
    (a,) = _people(kith, 1)
    with kith.session() as s:
        ws = s.scalar(select(Person.workspace_id))
        iid = s.execute(insert(Interaction).returning(Interaction.id), [{
            "workspace_id": ws, "occurred_at": FIXED_NOW - timedelta(days=1), "kind": "call", "direction": "out",
            "sentiment": 0, "note": "", "source": "bulk", "created_at": FIXED_NOW}]).scalar_one()
        s.execute(insert(InteractionParticipant), [{"workspace_id": ws, "interaction_id": iid, "person_id": a}])
    assert _stored(kith) == {}
    kith.owner.strict_ties = False  # written around Kith on purpose: the safety net rebuilds
    with kith.session() as s:
        tie = scores.tie_scores(s, FIXED_NOW)[a]
    assert tie.last_at is not None and tie.score > 0
    assert _n(_stored(kith)[a]) == 1


def test_scoring_as_of_a_past_date_ignores_what_came_after(kith: Kith) -> None:
    a, b = _people(kith, 2)
    with kith.session() as s:
        pa, pb = people_svc.get_person(s, a), people_svc.get_person(s, b)
        for d in (300, 200, 100):
            log_interaction(s, [pa], "call", when=FIXED_NOW - timedelta(days=d), now=FIXED_NOW)
        log_interaction(s, [pb], "meal", when=FIXED_NOW - timedelta(days=1), now=FIXED_NOW)
    past = FIXED_NOW - timedelta(days=150)
    with kith.session() as s:
        then = scores.tie_scores(s, past)
    assert then[b].last_at is None and then[b].score < then[a].score
    assert then[a].last_at is not None and then[a].last_at.date() == (FIXED_NOW - timedelta(days=200)).date()


def test_manual_closeness_wins_and_archived_people_are_not_scored(kith: Kith) -> None:
    a, b = _people(kith, 2)
    with kith.session() as s:
        people_svc.edit_person(s, people_svc.get_person(s, a), {"closeness": 88}, now=FIXED_NOW)
        people_svc.archive_person(people_svc.get_person(s, b), now=FIXED_NOW)
    with kith.session() as s:
        ties = scores.tie_scores(s, FIXED_NOW)
    assert list(ties) == [a] and ties[a].score == 88


def test_layers_hold_about_five_inner_people_however_many_qualify(kith: Kith) -> None:
    ids = _people(kith, 9)
    with kith.session() as s:
        for pid in ids:
            people_svc.edit_person(s, people_svc.get_person(s, pid), {"closeness": 99}, now=FIXED_NOW)
    with kith.session() as s:
        layers = [t.layer for t in scores.tie_scores(s, FIXED_NOW).values()]
    assert layers.count("inner") == 5 and layers.count("close") == 4


def test_favours_i_owe_lower_readiness(kith: Kith) -> None:
    from kith.services.favors import record_favor

    a, b = _people(kith, 2)
    with kith.session() as s:
        for pid in (a, b):
            people_svc.edit_person(s, people_svc.get_person(s, pid), {"closeness": 70}, now=FIXED_NOW)
        for _ in range(2):
            record_favor(s, people_svc.get_person(s, a), "received", "intro", now=FIXED_NOW)
    with kith.session() as s:
        ties = scores.tie_scores(s, FIXED_NOW)
    assert ties[a].readiness < ties[b].readiness


def test_cli_score_explains_every_term(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Diaz")
    cli("add", "Bea Lund")
    cli("log", "Ana Diaz", "call", "--on", "2026-06-01", "--by", "me")
    cli("log", "Ana Diaz", "meal", "--on", "2026-06-10", "--by", "them", "--sentiment", "2")
    r = cli("score", "Ana", "--explain", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert {"name", "key", "score", "layer", "components"} <= set(data)
    assert data["name"] == "Ana Diaz" and 0 <= data["score"] <= 100
    assert {"strength", "likelihood"} <= set(data) and 0 <= data["likelihood"] <= 100
    logit = data["baseline"] + sum(data["components"].values())
    assert math.isclose(100 / (1 + math.exp(-logit)), data["score"], abs_tol=0.2)
    everyone = json.loads(cli("score", "--json").out)
    assert [p["name"] for p in everyone] == ["Ana Diaz", "Bea Lund"]
    text = cli("score", "Ana", "--explain").out
    assert "activity" in text and "recency" in text


@pytest.mark.parametrize("layer", ["inner", "new"])
def test_cli_list_filters_by_layer(cli: Callable[..., CliResult], layer: str) -> None:
    cli("add", "Ana Diaz", "--json")
    cli("add", "Bea Lund")
    cli("edit", "Ana Diaz", "--closeness", "95")
    names = [p["name"] for p in json.loads(cli("list", "--layer", layer, "--json").out)]
    assert names == (["Ana Diaz"] if layer == "inner" else ["Bea Lund"])


def test_stored_marks_answer_the_agendas_questions_without_reading_the_log(kith: Kith) -> None:
    a, b = _people(kith, 2)
    with kith.session() as s:
        pa, pb = people_svc.get_person(s, a), people_svc.get_person(s, b)
        log_interaction(s, [pa], "favor-received", when=FIXED_NOW - timedelta(days=30), now=FIXED_NOW)
        log_interaction(s, [pa], "thanks-given", when=FIXED_NOW - timedelta(days=20), now=FIXED_NOW)
        log_interaction(s, [pa, pb], "call", when=FIXED_NOW - timedelta(days=5), now=FIXED_NOW, sentiment=-2)
        log_interaction(s, [pb], "intro-made", when=FIXED_NOW - timedelta(days=40), now=FIXED_NOW, direction="them")
    with kith.session() as s:
        marks = scores.tie_scores(s, FIXED_NOW).marks
        assert scores.tie_scores(s, FIXED_NOW - timedelta(days=10)).marks is None  # the log has later interactions
    assert marks is not None
    day = lambda d: (FIXED_NOW - timedelta(days=d)).date()  # noqa: E731
    of = lambda pid: {name: when[pid].date() for name, when in marks.items() if pid in when}  # noqa: E731
    assert of(a) == {
        "last_any": day(5), "last_negative": day(5), "last_thanks_given": day(20), "last_favor_received": day(30)}
    assert of(b) == {"last_any": day(5), "last_negative": day(5), "last_intro_in": day(40)}


def test_a_series_of_month_ends_equals_scoring_each_month_on_its_own(kith: Kith) -> None:
    ids = _people(kith, 5)
    rng = random.Random(9)
    with kith.session() as s:
        for _ in range(40):
            group = [people_svc.get_person(s, pid) for pid in rng.sample(ids, rng.choice([1, 1, 2]))]
            log_interaction(s, group, rng.choice(KINDS[:-1]), when=FIXED_NOW - timedelta(days=rng.uniform(0, 400)),
                            now=FIXED_NOW, sentiment=rng.choice([-1, 0, 1]))
    moments = [FIXED_NOW - timedelta(days=d) for d in (300, 200, 90, 30, 0)]
    with kith.session() as s:
        series = scores.tie_scores_series(s, moments)
        each = [scores.tie_scores(s, m) for m in moments]
    for got, want in zip(series, each, strict=True):
        assert got.keys() == want.keys()
        for pid in got:
            assert math.isclose(got[pid].score, want[pid].score, abs_tol=1e-6)
            assert (got[pid].layer, got[pid].callable, got[pid].last_sentiment) == (
                want[pid].layer, want[pid].callable, want[pid].last_sentiment)


def _log_counts(kith: Kith) -> tuple[dict[int, int], dict[int, int]]:
    """The counter the triggers keep and the real count, per workspace."""
    from sqlalchemy import func

    with kith.factory() as s:  # no workspace: sees every workspace's rows
        kept = dict(s.execute(select(LogCount.workspace_id, LogCount.participations)).all())
        real = dict(s.execute(select(InteractionParticipant.workspace_id, func.count())
                              .group_by(InteractionParticipant.workspace_id)).all())
    return {ws: n for ws, n in kept.items() if n}, real


def test_the_log_count_the_database_keeps_follows_every_kind_of_write(kith: Kith) -> None:
    a, b, c = _people(kith, 3)
    with kith.session() as s:
        pa, pb, pc = (people_svc.get_person(s, i) for i in (a, b, c))
        log_interaction(s, [pa, pb], "meeting", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW)
        doomed = log_interaction(s, [pc], "call", when=FIXED_NOW - timedelta(days=2), now=FIXED_NOW).id
        log_interaction(s, [pc, pa], "meal", when=FIXED_NOW - timedelta(days=1), now=FIXED_NOW)
    kept, real = _log_counts(kith)
    assert kept == real and sum(real.values()) == 5
    with kith.session() as s:  # around the ORM: a raw insert and a raw delete
        ws = s.scalar(select(Person.workspace_id))
        iid = s.execute(insert(Interaction).returning(Interaction.id), [{
            "workspace_id": ws, "occurred_at": FIXED_NOW - timedelta(hours=5), "kind": "call", "direction": "out",
            "sentiment": 0, "note": "", "source": "bulk", "created_at": FIXED_NOW}]).scalar_one()
        s.execute(insert(InteractionParticipant), [{"workspace_id": ws, "interaction_id": iid, "person_id": p}
                                                   for p in (a, b)])
        s.execute(InteractionParticipant.__table__.delete().where(InteractionParticipant.interaction_id == doomed))
    kept, real = _log_counts(kith)
    assert kept == real and sum(real.values()) == 6
    with kith.session() as s:  # deleting a person cascades to their participations
        people_svc.delete_person(s, people_svc.get_person(s, b))
    kept, real = _log_counts(kith)
    assert kept == real and sum(real.values()) == 4
    kith.owner.strict_ties = False  # the raw writes above went around Kith on purpose
    with kith.session() as s:  # and the states, checked against the counter, are rebuilt to match
        assert scores.tie_scores(s, FIXED_NOW)[a].score > 0
        assert tie_states.states_match_log(s)


def test_a_write_around_kith_is_an_error_for_a_strict_owner_and_a_rebuild_otherwise(kith: Kith) -> None:
    a, b = _people(kith, 2)
    with kith.session() as s:
        log_interaction(s, [people_svc.get_person(s, a)], "call", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW)
    with kith.session() as s:  # a tool writes a participant row straight into the database
        iid = s.scalar(select(Interaction.id))
        s.execute(insert(InteractionParticipant), [{"workspace_id": s.scalar(select(Person.workspace_id)),
                                                   "interaction_id": iid, "person_id": b}])
    assert kith.owner.strict_ties  # the suite runs with KITH_STRICT_TIES=1
    with pytest.raises(tie_states.TieStateDrift), kith.session() as s:
        scores.tie_scores(s, FIXED_NOW)
    kith.owner.strict_ties = False
    with kith.session() as s:
        assert scores.tie_scores(s, FIXED_NOW)[b].score > 0  # rebuilt: b now has the call
        assert tie_states.states_match_log(s)


def test_a_workspace_scores_only_its_own_people_from_its_own_states(kith: Kith) -> None:
    mine = _people(kith, 3)
    with kith.session() as s:
        people = [s.get(Person, pid) for pid in mine]
        log_interaction(s, people[:2], "meal", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW)  # type: ignore[arg-type]
    with kith.session() as s:
        alone = {pid: t.score for pid, t in scores.tie_scores(s, FIXED_NOW).items()}
    other = add_workspace(kith)
    with kith.session(other) as s:
        theirs = [people_svc.add_person(s, people_svc.NewPerson(name=f"Theirs {i}"), now=FIXED_NOW) for i in range(4)]
        s.flush()
        for day in range(1, 30):
            log_interaction(s, theirs, "call", when=FIXED_NOW - timedelta(days=day), now=FIXED_NOW)
        their_ids = {p.id for p in theirs}
    with kith.session(other) as s:
        assert set(scores.tie_scores(s, FIXED_NOW)) == their_ids
    with kith.session() as s:
        again = scores.tie_scores(s, FIXED_NOW)
        assert {pid: t.score for pid, t in again.items()} == alone
        assert tie_states.states_match_log(s)


def test_a_score_listing_as_json_is_each_line_as_json(kith: Kith) -> None:
    from kith.services.score_views import score_listing

    a, b = _people(kith, 2)
    with kith.session() as s:
        log_interaction(s, [people_svc.get_person(s, a)], "coffee", when=FIXED_NOW - timedelta(days=2), now=FIXED_NOW)
    with kith.session() as s:
        listing = score_listing(s, FIXED_NOW)
    assert [line.as_dict() for line in listing.lines()] == listing.as_dicts()
    assert [row["id"] for row in listing.as_dicts()] == [a, b]
