"""The store: migrations create and upgrade the schema; workspaces are isolated by construction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from tests.conftest import FIXED_NOW, CliResult

from kith.errors import DatabaseError, NotFound
from kith.runtime import open_kith
from kith.services import people as svc
from kith.services.interactions import log_interaction
from kith.store import db as store_db
from kith.store.models import Interaction, Person, Workspace
from kith.store.scope import WorkspaceViolation, workspace_session


def test_the_head_constant_matches_the_newest_migration() -> None:
    assert store_db.head_revision() == store_db.HEAD


def test_init_is_idempotent(cli: Callable[..., CliResult]) -> None:
    assert cli("init").code == 0
    assert cli("init").code == 0


def test_opening_an_empty_database_creates_the_schema_by_migration(tmp_path: Path) -> None:
    k = open_kith(f"sqlite:///{tmp_path / 'new.db'}", as_of=FIXED_NOW)
    try:
        assert store_db.current_revision(k.engine) == store_db.HEAD
    finally:
        k.close()


def test_the_default_database_lives_in_the_xdg_data_dir(tmp_path: Path) -> None:
    k = open_kith(None, as_of=FIXED_NOW)
    try:
        assert k.engine.url.database == str(tmp_path / "xdg-data" / "kith" / "kith.db")
        with k.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    finally:
        k.close()


def test_a_database_from_a_newer_kith_is_refused_with_advice(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        with pytest.raises(DatabaseError, match="newer than this Kith knows"):
            store_db.ensure_current(engine)
    finally:  # the PostgreSQL database is reused by later tests
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": store_db.HEAD})
        engine.dispose()


def _second_workspace(k_factory: object) -> int:
    with k_factory() as s, s.begin():  # type: ignore[operator]
        ws = Workspace(name="Other", created_at=datetime.now(UTC), owner_emails=[])
        s.add(ws)
        s.flush()
        return int(ws.id)


def test_a_workspace_never_sees_or_changes_another_workspaces_rows(kith: object) -> None:
    from kith.runtime import Kith

    assert isinstance(kith, Kith)
    other = _second_workspace(kith.factory)
    with kith.session() as s:
        mine = svc.add_person(s, svc.NewPerson(name="Ana Diaz", emails=["ana@example.com"]), now=FIXED_NOW)
        log_interaction(s, [mine], "call", when=FIXED_NOW, now=FIXED_NOW)
    with workspace_session(kith.factory, other) as s:
        theirs = svc.add_person(s, svc.NewPerson(name="Ana Diaz"), now=FIXED_NOW)
        assert theirs.workspace_id == other
        assert [p.id for p in s.scalars(select(Person)).all()] == [theirs.id]
        assert s.scalars(select(Interaction)).all() == []
        with pytest.raises(NotFound):
            svc.resolve_person(s, str(mine.id))
        with pytest.raises(NotFound):
            svc.resolve_person(s, "ana@example.com")
        s.execute(update(Person).values(notes="overwritten"))
    with kith.session() as s:
        assert svc.get_person(s, mine.id).notes == ""


def test_writing_a_row_into_another_workspace_is_refused(kith: object) -> None:
    from kith.runtime import Kith

    assert isinstance(kith, Kith)
    other = _second_workspace(kith.factory)
    with pytest.raises(WorkspaceViolation), kith.session() as s:
        p = svc.add_person(s, svc.NewPerson(name="Ana"), now=FIXED_NOW)
        p.workspace_id = other
        s.flush()


def test_sqlite_reads_through_a_memory_map_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def mapped(name: str) -> int:
        engine = store_db.make_engine(f"sqlite:///{tmp_path / name}")
        with engine.connect() as conn:
            size = int(conn.exec_driver_sql("PRAGMA mmap_size").scalar_one())
        engine.dispose()
        return size

    monkeypatch.delenv("KITH_SQLITE_MMAP", raising=False)
    assert mapped("plain.db") == 0
    monkeypatch.setenv("KITH_SQLITE_MMAP", str(1 << 26))  # what `kith serve` sets for its workers
    assert mapped("served.db") == 1 << 26
