"""Readers beside a busy writer: what one process reads of the derived data is consistent, never "drift".

Two Kith objects on one database stand for two processes (a web worker and
the CLI, or two workers): each has its own engine, owner and memo. The writer
commits interaction after interaction while the reader scores everyone and
reads the report's log; the reader must never take the writer's commits
landing between two of its statements for a write that skipped the tie
states' upkeep (the suite runs with ``KITH_STRICT_TIES=1``, under which that
is an error), and must end with what a fresh process computes.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
from tests.conftest import FIXED_NOW

from kith.runtime import Kith, open_kith
from kith.services import log_cache, people
from kith.services.interactions import log_interaction
from kith.services.scores import TieTable, tie_scores
from kith.store.models import Person

WRITES = 150


def _people(kith: Kith, n: int) -> list[int]:
    with kith.session() as s:
        return [people.add_person(s, people.NewPerson(name=f"Person {i}"), now=FIXED_NOW).id for i in range(n)]


def _fresh_scores(db_url: str) -> TieTable:
    """Everyone's scores as a new process computes them."""
    fresh = open_kith(db_url, as_of=FIXED_NOW)
    try:
        with fresh.session() as s:
            return tie_scores(s, FIXED_NOW)
    finally:
        fresh.close()


def _write(db_url: str, ids: list[int], done: threading.Event, errors: list[BaseException]) -> None:
    writer = open_kith(db_url, as_of=FIXED_NOW)
    try:
        for n in range(WRITES):
            with writer.session() as s:
                group = [s.get(Person, ids[n % len(ids)]), s.get(Person, ids[(n * 7 + 1) % len(ids)])]
                log_interaction(s, [p for p in group if p is not None], "call",
                                when=FIXED_NOW - timedelta(hours=n), now=FIXED_NOW)
    except BaseException as exc:  # reported by the test
        errors.append(exc)
    finally:
        done.set()
        writer.close()


def _read_until(done: threading.Event, reader: Kith, errors: list[BaseException]) -> int:
    reads = 0
    while not done.is_set() and not errors:
        try:
            with reader.session() as s:
                tie_scores(s, FIXED_NOW)
                log_cache.log_entries(s)
            reads += 1
        except BaseException as exc:
            errors.append(exc)
    return reads


def test_a_reader_beside_a_busy_writer_never_mistakes_its_commits_for_drift(kith: Kith, db_url: str) -> None:
    ids = _people(kith, 12)
    reader = open_kith(db_url, as_of=FIXED_NOW)
    try:
        with reader.session() as s:  # the reader holds a snapshot of the tie states from here on
            tie_scores(s, FIXED_NOW)
        done, errors = threading.Event(), []
        writer = threading.Thread(target=_write, args=(db_url, ids, done, errors))
        writer.start()
        reads = _read_until(done, reader, errors)
        writer.join()
        assert not errors, errors[0]
        assert reads > 0
        with reader.session() as s:
            seen = tie_scores(s, FIXED_NOW)
            entries = log_cache.log_entries(s)
    finally:
        reader.close()
    expected = _fresh_scores(db_url)
    assert list(seen.ids) == list(expected.ids)
    assert np.allclose(seen.score, expected.score)
    assert len(entries) == 2 * WRITES


class _Undo(Exception):
    """Raised to roll a transaction back."""


def test_what_a_transaction_read_of_its_own_uncommitted_writes_is_not_kept_after_it_rolls_back(
        kith: Kith, db_url: str) -> None:
    ids = _people(kith, 3)
    reader, writer = open_kith(db_url, as_of=FIXED_NOW), open_kith(db_url, as_of=FIXED_NOW)
    try:
        with reader.session() as s:
            tie_scores(s, FIXED_NOW)  # the reader's snapshot of the records
        try:
            with reader.session() as s:  # logs, reads the states with its own write in them, then rolls back
                log_interaction(s, [s.get(Person, ids[0])], "meal", when=FIXED_NOW, now=FIXED_NOW)  # type: ignore[list-item]
                assert tie_scores(s, FIXED_NOW)[ids[0]].score > 0
                raise _Undo
        except _Undo:
            pass
        with writer.session() as s:  # another process logs someone else (and may reuse the record number)
            log_interaction(s, [s.get(Person, ids[1])], "meal", when=FIXED_NOW, now=FIXED_NOW)  # type: ignore[list-item]
        with reader.session() as s:
            seen = tie_scores(s, FIXED_NOW)
        fresh = _fresh_scores(db_url)  # a new process's view
        assert [seen[i].score for i in ids] == [fresh[i].score for i in ids]
        assert seen[ids[1]].score > seen[ids[0]].score
    finally:
        reader.close()
        writer.close()
