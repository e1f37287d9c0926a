"""Opening a database: engine, connection settings, schema version checks.

SQLite gets WAL, foreign keys and a busy timeout on every connection. The
schema is created and upgraded by Alembic migrations only.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError

from kith.config import env_int
from kith.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Kept in step with the migrations folder by a test, so
# that opening a current database needs no Alembic import (CLI start-up time).
HEAD = "0015"


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Read through a memory map when asked (`kith serve` asks; docs/web.md): no
    # system call and copy per page, and one copy of hot pages for every
    # connection of every worker. Off by default: a short command reads little,
    # and mapped pages count in its resident memory.
    mmap = env_int("KITH_SQLITE_MMAP", 0)
    if mmap > 0:
        cur.execute(f"PRAGMA mmap_size={mmap}")
    cur.close()


# PostgreSQL limits on every connection (milliseconds; KITH_PG_LOCK_TIMEOUT,
# KITH_PG_STATEMENT_TIMEOUT, KITH_PG_IDLE_TIMEOUT override, 0 turns one off).
# A lock wait past the first is a lost race the interfaces retry
# (kith.services.retrying); a runaway statement or a transaction left open by
# a stuck client is ended instead of holding its locks for ever.
PG_LOCK_TIMEOUT_MS = 5_000
PG_STATEMENT_TIMEOUT_MS = 300_000
PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def pg_timeouts() -> str:
    """The libpq ``options`` that set the PostgreSQL timeouts of a connection."""
    lock = env_int("KITH_PG_LOCK_TIMEOUT", PG_LOCK_TIMEOUT_MS)
    statement = env_int("KITH_PG_STATEMENT_TIMEOUT", PG_STATEMENT_TIMEOUT_MS)
    idle = env_int("KITH_PG_IDLE_TIMEOUT", PG_IDLE_IN_TRANSACTION_TIMEOUT_MS)
    return (f"-c lock_timeout={lock} -c statement_timeout={statement} "
            f"-c idle_in_transaction_session_timeout={idle}")


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; a malformed or unsupported URL is a user error."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL or path: '{url}'") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"unsupported database '{parsed.get_backend_name()}' (use SQLite or PostgreSQL)")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                folder = Path(parsed.database).parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise DatabaseError(f"cannot create the data folder {folder}: {exc.strerror}") from None
            engine = create_engine(parsed, connect_args={"timeout": 10})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, connect_args={"options": pg_timeouts()})
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(f"cannot use the database URL '{url}': {exc}") from None
    return engine


def refresh_statistics(engine: Engine, *, full: bool = False) -> None:
    """Keep the query planner's statistics current (ANALYZE).

    Without statistics SQLite prefers the ``workspace_id`` index, which
    matches every row of a one-workspace database, over a primary key: a
    one-person lookup in a million interactions then takes seconds. ``full``
    after bulk loads; otherwise SQLite's own ``PRAGMA optimize``, which only
    re-analyses what changed a lot.
    """
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("ANALYZE" if full else "PRAGMA optimize")
            elif full:
                conn.exec_driver_sql("ANALYZE")
    except (OperationalError, SADatabaseError):
        pass  # statistics are an optimisation; never fail a command over them


def ensure_statistics(engine: Engine) -> None:
    """Give SQLite's query planner statistics once (``ANALYZE``; about 0.5 s at a million interactions).

    Without them SQLite guesses that ``workspace_id = ?`` (on every query)
    is as selective as ``person_id = ?`` and scans the whole
    ``interaction_participant`` index for one person's interactions (160 ms
    instead of 0.1 ms at a million rows). The statistics keep their shape as
    the data grows (one workspace value, many people), so once is enough; a
    long-lived process (``kith serve``) asks at its start.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None:
            conn.exec_driver_sql("ANALYZE")


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration this version of Kith knows (read from the folder)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration a database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (OperationalError, SADatabaseError) as exc:
        raise DatabaseError(f"cannot open the database {engine.url!r}: {_reason(exc)}") from None


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (idempotent; a database already at the newest
    is left without importing Alembic, about 0.4 s of every ``kith import``'s start-up)."""
    if _at_head(engine):
        return
    from alembic import command

    try:
        with engine.begin() as conn:
            cfg = _alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, SADatabaseError) as exc:
        raise DatabaseError(f"cannot set up the database {engine.url!r}: {_reason(exc)}") from None


def ensure_current(engine: Engine, *, auto_upgrade: bool = True) -> None:
    """Make sure the schema is current: upgrade an old one, refuse an unknown one."""
    if _at_head(engine):
        return
    from alembic.script import ScriptDirectory

    rev = current_revision(engine)
    if rev == head_revision():
        return
    script = ScriptDirectory.from_config(_alembic_config(engine))
    if rev is not None and not _known(script, rev):
        raise DatabaseError(
            f"the database is at schema {rev}, newer than this Kith knows; upgrade Kith"
        )
    if rev is None and not auto_upgrade:
        raise DatabaseError("the database is empty; run 'kith init' first")
    migrate(engine)


def _known(script: object, rev: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(rev) is not None  # type: ignore[attr-defined]
    except CommandError:
        return False


def _at_head(engine: Engine) -> bool:
    """Fast path: is the database exactly at HEAD? (No Alembic import needed.)"""
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except (OperationalError, SADatabaseError) as exc:
        if "alembic_version" in str(exc):
            return False  # an empty database: no version table yet
        raise DatabaseError(f"cannot open the database {engine.url!r}: {_reason(exc)}") from None
    return row is not None and row[0] == HEAD


# What SQLite and PostgreSQL say when the file or its pages are damaged.
_DAMAGE = ("malformed", "file is not a database", "disk i/o error", "corrupt", "checksum")


def database_failure(exc: BaseException) -> DatabaseError | None:
    """A database failure as one line a person can act on, or None if ``exc`` is not one.

    Covers SQLAlchemy's wrapped errors and the drivers' own (``sqlite3``,
    ``psycopg``), which the door's raw-cursor reads raise unwrapped: a
    database damaged in the middle is "the database is damaged", never a
    traceback, whichever read meets the damage first.
    """
    if isinstance(exc, SADatabaseError | OperationalError):
        inner: BaseException = getattr(exc, "orig", None) or exc
    elif isinstance(exc, sqlite3.DatabaseError) or (type(exc).__module__.startswith("psycopg")
                                                    and _is_psycopg_error(exc)):
        inner = exc
    else:
        return None
    reason = _reason(inner)  # type: ignore[arg-type]
    if any(word in reason.lower() for word in _DAMAGE):
        return DatabaseError(f"the database is damaged ({reason}); restore it from a backup "
                             "(kith import backup FILE into a new database)")
    return DatabaseError(f"database: {reason}")


def _is_psycopg_error(exc: BaseException) -> bool:
    import psycopg

    return isinstance(exc, psycopg.DatabaseError)


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
