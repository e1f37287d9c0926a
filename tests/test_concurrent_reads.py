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
from kith.services.scores import tie_scores
from kith.store.models import Person

WRITES = 150


def _people(kith: Kith, n: int) -> list[int]:
    with kith.session() as s:
        return [people.add_person(s, people.NewPerson(name=f"Person {i}"), now=FIXED_NOW).id for i in range(n)]


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
    fresh = open_kith(db_url, as_of=FIXED_NOW)
    try:
        with fresh.session() as s:
            expected = tie_scores(s, FIXED_NOW)
    finally:
        fresh.close()
    assert list(seen.ids) == list(expected.ids)
    assert np.allclose(seen.score, expected.score)
    assert len(entries) == 2 * WRITES
