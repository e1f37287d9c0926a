"""The store: migrations create and upgrade the schema; workspaces are isolated by construction."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, select, text, update
from sqlalchemy import inspect as sa_inspect
from tests.conftest import FIXED_NOW, CliResult, add_workspace

from kith.errors import DatabaseError, NotFound
from kith.runtime import open_kith
from kith.services import people as svc
from kith.services.interactions import log_interaction
from kith.store import db as store_db
from kith.store.models import Base, Interaction, Person
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


def test_a_workspace_never_sees_or_changes_another_workspaces_rows(kith: object) -> None:
    from kith.runtime import Kith

    assert isinstance(kith, Kith)
    other = add_workspace(kith)
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
    other = add_workspace(kith)
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


def test_upgrading_to_0004_indexes_the_newest_updates_so_the_web_data_version_needs_no_scan(tmp_path: Path) -> None:
    from alembic import command

    engine = store_db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # a 0003 database whose planner statistics predate the new indexes
        cfg = store_db._alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.exec_driver_sql("INSERT INTO workspace (name, created_at, owner_emails) VALUES ('w', '2026-01-01', '[]')")
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
            "INSERT INTO person (workspace_id, display_name, given_name, family_name, nickname, name_key, search_key, "
            "title, location, birthday, notes, is_key, archived, photo_path, provenance, created_at, updated_at) "
            "SELECT 1, 'P' || i, '', '', '', '', '', '', '', '', '', 0, 0, '', '{}', '2026-01-01', '2026-01-01' FROM n")
        conn.exec_driver_sql("ANALYZE")  # while tie_state is still empty (as `kith serve` may have found it)
        conn.exec_driver_sql(
            "INSERT INTO tie_state (person_id, vector, layout, rows, last_sentiment, updated_at, workspace_id) "
            "SELECT id, x'00', 1, 0, 0, '2026-01-01', 1 FROM person")
    store_db.migrate(engine)
    with engine.connect() as conn:
        for table in ("person", "tie_state"):
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT max(updated_at) FROM {table} WHERE workspace_id = 1"))
            assert f"ix_{table}_ws_updated" in plan, plan
    engine.dispose()


def test_upgrading_to_0005_makes_the_addresses_of_people_imported_before_searchable(tmp_path: Path) -> None:
    from alembic import command

    engine = store_db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:  # a person as an import of 0004 left them: search text of the name alone
        cfg = store_db._alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.exec_driver_sql("INSERT INTO workspace (name, created_at, owner_emails) VALUES ('w', '2026-01-01', '[]')")
        conn.exec_driver_sql("INSERT INTO organization (workspace_id, name, name_key, note) VALUES (1, 'Quill Works', 'quill works', '')")
        conn.exec_driver_sql(
            "INSERT INTO person (workspace_id, display_name, given_name, family_name, nickname, name_key, search_key, "
            "organization_id, title, location, birthday, notes, is_key, archived, photo_path, provenance, created_at, "
            "updated_at) VALUES (1, 'Zed Quill', '', '', 'Zeddy', 'zed quill', 'zed quill', 1, '', '', '', '', 0, 0, "
            "'', '{}', '2026-01-01', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO identifier (workspace_id, person_id, kind, value, value_key, label, source) "
                             "VALUES (1, 1, 'email', 'zed@quillworks.example', 'zed@quillworks.example', '', 'vcard')")
    store_db.migrate(engine)
    k = open_kith(f"sqlite:///{tmp_path / 'old.db'}", as_of=FIXED_NOW)
    try:
        with k.session() as s:
            for query in ("quillworks", "zeddy", "quill works"):
                assert [p.display_name for p in svc.find_people(s, query)] == ["Zed Quill"], query
            person = svc.get_person(s, 1)
            before = (person.name_key, person.search_key)
            svc.refresh_search_key(person)
            assert (person.name_key, person.search_key) == before  # the same text the code keeps
    finally:
        k.close()
        engine.dispose()


def _schema(engine: Any) -> tuple[set[str], set[tuple[str, str]]]:
    """The indexes of the tables migration 0014 changed, and their foreign keys as (table, referred table)."""
    found = sa_inspect(engine)
    tables = ("person", "identifier", "interaction", "interaction_participant", "tie_state")
    indexes = {i["name"] for t in tables for i in found.get_indexes(t)}
    keys = {(t, k["referred_table"]) for t in tables for k in found.get_foreign_keys(t)}
    return indexes, keys


def test_migration_0014_drops_the_indexes_a_composite_one_serves_and_those_of_the_searched_texts(db_url: str) -> None:
    from alembic import command

    engine = store_db.make_engine(db_url)
    lone = {"ix_person_workspace_id", "ix_identifier_workspace_id", "ix_interaction_workspace_id",
            "ix_tie_state_workspace_id", "ix_person_ws_search", "ix_person_name_key"}
    under = {("identifier", "workspace"), ("interaction_participant", "workspace"), ("tie_state", "workspace")}
    try:
        indexes, keys = _schema(engine)
        assert not indexes & lone
        assert {"ix_person_ws_updated", "ix_identifier_lookup", "ix_interaction_ws_time", "ix_tie_state_ws_seq",
                "ix_interaction_participant_workspace_id"} <= indexes
        # PostgreSQL checked each of these keys with a locking lookup a row; SQLite keeps them (a copy to drop).
        assert bool(keys & under) == (engine.dialect.name == "sqlite")
        assert ("identifier", "person") in keys and ("interaction_participant", "interaction") in keys
        with engine.begin() as conn:
            cfg = store_db._alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0013")
        indexes, keys = _schema(engine)
        assert lone <= indexes and under <= keys
    finally:  # the PostgreSQL database is reused by later tests
        store_db.migrate(engine)
        engine.dispose()
    assert _schema(store_db.make_engine(db_url))[0].isdisjoint(lone)


def test_opening_a_current_database_to_write_imports_no_alembic(db_url: str) -> None:
    """`kith import` opens its database with init (create or upgrade): at the newest schema that is one read of
    the version, not Alembic's 0.4 s of imports."""
    probe = ("import sys\nfrom kith.store import db\ndb.migrate(db.make_engine(sys.argv[1]))\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", probe, db_url], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_foreign_key_leads_an_index_so_a_delete_never_scans_the_rows_pointing_at_it() -> None:
    """Deleting a row makes the database look up the rows of other tables that point at it; without an index
    that lookup reads the whole table once per deleted row (undoing a 40,000-person import on PostgreSQL read
    the person table 40,000 times)."""
    unindexed = []
    for table in Base.metadata.sorted_tables:
        leading = {next(iter(index.columns)).name for index in table.indexes}
        leading |= {next(iter(c.columns)).name for c in table.constraints
                    if isinstance(c, PrimaryKeyConstraint | UniqueConstraint) and c.columns}
        unindexed += [f"{table.name}.{next(iter(fk.columns)).name}" for fk in table.foreign_key_constraints
                      if next(iter(fk.columns)).name not in leading]
    assert unindexed == []


def test_the_migrations_make_every_index_the_models_declare(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    try:
        found = sa_inspect(engine)
        for table in Base.metadata.sorted_tables:
            stored = {i["name"] for i in found.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= stored, table.name
    finally:
        engine.dispose()


def test_migration_0015_indexes_the_mostly_empty_keys_where_they_hold_a_value_and_lookups_use_them(
        db_url: str) -> None:
    from alembic import command

    engine = store_db.make_engine(db_url)
    sparse = {"ix_person_introduced_by_id", "ix_person_met_at_event_id", "ix_interaction_event_id",
              "ix_sync_item_interaction_id", "ix_sync_conflict_person_id"}
    lookup = "SELECT id FROM person WHERE introduced_by_id = 7"
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether it *can* seek
                plan = " ".join(conn.execute(text(f"EXPLAIN {lookup}")).scalars())
            else:
                plan = " ".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {lookup}")))
        assert "ix_person_introduced_by_id" in plan, plan
        with engine.begin() as conn:
            cfg = store_db._alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0014")
        assert not sparse & {i["name"] for t in ("person", "interaction", "sync_item", "sync_conflict")
                             for i in sa_inspect(engine).get_indexes(t)}
    finally:  # the PostgreSQL database is reused by later tests
        store_db.migrate(engine)
        engine.dispose()
    engine = store_db.make_engine(db_url)
    try:
        assert sparse <= {i["name"] for t in ("person", "interaction", "sync_item", "sync_conflict")
                          for i in sa_inspect(engine).get_indexes(t)}
    finally:
        engine.dispose()
