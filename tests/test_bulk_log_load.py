"""A bulk load of the log (an interactions import) keeps every count and tie state exact, as row-by-row writes do."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import FIXED_NOW, KITH_SCRIPT
from tests.import_helpers import run

from kith.runtime import Kith
from kith.services import tie_states
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.scores import tie_scores

_TRIGGERS = {
    "sqlite": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    "postgresql": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname",
}


def _write(path: Path, rows: int, people: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "contact", "direction", "kind", "note"])
        for i in range(rows):
            when = start + timedelta(minutes=17 * i + rng.randrange(5))
            w.writerow([when.isoformat(), f"p{rng.randrange(people)}@example.com",
                        rng.choice(["out", "in", "mutual"]), rng.choice(["email", "call", "coffee", "meal"]),
                        rng.choice(["", "", "talked shop"])])


def _counts(kith: Kith) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int, int, list[tuple[str, str]]]:
    with kith.session() as s:
        dialect = s.get_bind().dialect.name
        month = ("substr(occurred_at, 1, 7)" if dialect == "sqlite"
                 else "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')")
        kept = [tuple(r) for r in s.execute(text(
            "SELECT month, interactions FROM activity_month WHERE interactions > 0 ORDER BY month"))]
        counted = [tuple(r) for r in s.execute(text(
            f"SELECT {month} AS m, count(*) FROM interaction GROUP BY m ORDER BY m"))]
        participations = int(s.execute(text("SELECT participations FROM log_count")).scalar_one())
        rows = int(s.execute(text("SELECT count(*) FROM interaction_participant")).scalar_one())
        triggers = [(str(n), str(q)) for n, q in s.execute(text(_TRIGGERS[dialect]))]
    return kept, counted, participations, rows, triggers  # type: ignore[return-value]


def _one_call_with_ana(kith: Kith) -> None:
    """A log that is not empty: Ana Diaz (p1@example.com, whom the generated files name too) and one call."""
    with kith.session() as s:
        ana = add_person(s, NewPerson("Ana Diaz", emails=["p1@example.com"]), now=kith.as_of)
        log_interaction(s, [ana], "call", when=datetime(2022, 3, 5, tzinfo=UTC), now=kith.as_of)


def _strengths(kith: Kith) -> dict[int, float]:
    with kith.session() as s:
        return {pid: tie.strength for pid, tie in tie_scores(s, kith.as_of).items()}


def test_an_interactions_import_keeps_the_monthly_counts_the_log_size_and_the_triggers_exact(
        kith: Kith, tmp_path: Path) -> None:
    _one_call_with_ana(kith)
    before = _counts(kith)
    path = tmp_path / "log.csv"
    _write(path, 3000, 150, seed=1)
    summary = run(kith, "interactions", path)
    assert summary.interactions_added == 3000
    kept, counted, participations, rows, triggers = _counts(kith)
    assert kept == counted and sum(n for _, n in kept) == 3001
    assert participations == rows == 3001
    assert triggers == before[4]  # the load's own handling of the triggers leaves them as they were


def test_the_tie_states_after_an_import_equal_a_full_rebuild_from_the_log(kith: Kith, tmp_path: Path) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    _write(big, 8000, 300, seed=2)  # a large part of the log: everyone rebuilt
    run(kith, "interactions", big)
    _write(small, 400, 500, seed=3)  # a small part: folded into the stored states
    run(kith, "interactions", small)
    imported = _strengths(kith)
    with kith.session() as s:
        tie_states.rebuild_tie_states(s)
    rebuilt = _strengths(kith)
    assert set(imported) == set(rebuilt) and len(rebuilt) > 300
    assert all(abs(imported[p] - rebuilt[p]) < 1e-9 for p in rebuilt)


def test_importing_the_same_file_again_adds_nothing_and_moves_no_count(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    _write(path, 1500, 80, seed=4)
    run(kith, "interactions", path)
    first = _counts(kith)
    again = run(kith, "interactions", path)
    assert again.interactions_added == 0 and again.interactions_known == 1500
    assert _counts(kith) == first


@pytest.mark.parametrize("delay", [1.5, 3.0])
def test_an_interactions_import_killed_during_its_load_leaves_the_triggers_and_counts_as_before(
        kith: Kith, db_url: str, tmp_path: Path, delay: float) -> None:
    _one_call_with_ana(kith)
    before = _counts(kith)
    path = tmp_path / "log.csv"
    _write(path, 150_000, 2000, seed=5)
    env = {**os.environ, "KITH_STRICT_TIES": "1", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen([str(KITH_SCRIPT), "--db", db_url, "--as-of", FIXED_NOW.isoformat(), "import",
                             "interactions", str(path)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert _counts(kith) == before
    summary = run(kith, "interactions", path)  # and the next import runs with the triggers it needs
    assert summary.interactions_added == 150_000
    kept, counted, participations, rows, triggers = _counts(kith)
    assert kept == counted and participations == rows == 150_001 and triggers == before[4]


def test_a_bulk_write_that_fails_fails_its_transaction_whole_and_is_raised_before_anything_else_runs(
        kith: Kith) -> None:
    # On PostgreSQL the COPYs go on in a second thread while the caller goes on: the failure (an identifier of
    # a person who does not exist) must still be raised in the transaction, before its next statement, and
    # take the people written before it with it.
    from sqlalchemy import Table, func, select

    from kith.store import door
    from kith.store.models import Identifier, Person

    person, ident = Person.__table__, Identifier.__table__
    assert isinstance(person, Table) and isinstance(ident, Table)
    with kith.session() as s:
        people_before = s.scalar(select(func.count()).select_from(Person))
    with pytest.raises(Exception, match=r"(?i)foreign key"), kith.session() as s:
        ids = door.writer(s).reserve_ids(person, 2)
        stamp = datetime(2026, 1, 1, tzinfo=UTC) if kith.engine.dialect.name == "postgresql" else "2026-01-01 00:00:00"
        door.insert_contact_rows(s, [(person, ("id", "display_name", "given_name", "family_name", "nickname",
                                               "name_key", "search_key", "title", "location", "birthday", "notes",
                                               "is_key", "archived", "photo_path", "provenance", "created_at",
                                               "updated_at"),
                                      [(i, f"P {i}", "P", str(i), "", f"p {i}", f"p {i}", "", "", "", "", False, False,
                                        "", "{}", stamp, stamp) for i in ids])])
        door.insert_contact_rows(s, [(ident, ("person_id", "kind", "value", "value_key", "label", "source"),
                                      [(ids[1] + 987654, "email", "x@example.com", "x@example.com", "", "t")])])
        s.scalar(select(func.count()).select_from(Person))  # waits for the writes: raises their failure
        pytest.fail("the failed write was not raised")
    with kith.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == people_before
