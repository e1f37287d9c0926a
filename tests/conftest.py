"""Shared fixtures: a fresh real database per test, on SQLite or PostgreSQL.

``KITH_TEST_BACKEND`` picks the backend (``sqlite`` by default; ``make test``
runs the suite once with each). On PostgreSQL a fresh database is created for
the run and dropped after it; each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kith.cli.app import main
from kith.runtime import Kith, open_kith
from kith.store.db import make_engine, migrate
from kith.store.models import Base

BACKEND = os.environ.get("KITH_TEST_BACKEND", "sqlite")
PG_ADMIN = os.environ.get("KITH_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIXED_NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"
# The console script `make install` put beside this interpreter: what a user runs.
KITH_SCRIPT = Path(sys.executable).with_name("kith")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's own data or config."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("KITH_DATABASE_URL", raising=False)
    monkeypatch.delenv("KITH_NOW", raising=False)
    # Stored tie states found out of step with the log fail the test (and any `kith` it runs) instead of
    # being rebuilt quietly: a use case that skips their upkeep is a bug (kith.services.tie_states).
    monkeypatch.setenv("KITH_STRICT_TIES", "1")


class DatabasePool:
    """Hands out empty, migrated databases of the chosen backend."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []
        self.template: Path | None = None
        self.pg_urls: list[str] = []
        self.pg_used = 0

    def _sqlite(self) -> str:
        if self.template is None:
            self.template = self.tmp / "template.db"
            engine = make_engine(f"sqlite:///{self.template}")
            migrate(engine)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
        path = self.tmp / f"db-{uuid.uuid4().hex[:8]}.db"
        shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def _pg_new(self) -> str:
        name = f"kith_test_{os.getpid()}_{len(self.created)}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=name)
        rendered = url.render_as_string(hide_password=False)
        engine = make_engine(rendered)
        migrate(engine)
        engine.dispose()
        return rendered

    def fresh(self) -> str:
        """An empty migrated database URL (PostgreSQL databases are reused, emptied)."""
        if BACKEND == "sqlite":
            return self._sqlite()
        if self.pg_used < len(self.pg_urls):
            url = self.pg_urls[self.pg_used]
        else:
            url = self._pg_new()
            self.pg_urls.append(url)
        self.pg_used += 1
        empty_database(url)
        return url

    def release_all(self) -> None:
        """Make every PostgreSQL database available to the next test."""
        self.pg_used = 0

    def drop(self) -> None:
        """Drop the PostgreSQL databases of this run."""
        if not self.created:
            return
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_database(url: str) -> None:
    """Delete every row (and on PostgreSQL restart the ids) of a migrated database."""
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        # DELETE is much faster than TRUNCATE on the tiny tables of a test.
        for t in tables:
            conn.execute(text(f'DELETE FROM "{t}"'))
        if engine.dialect.name == "postgresql":
            seqs = conn.execute(text("SELECT sequence_name FROM information_schema.sequences")).scalars().all()
            for seq in seqs:
                conn.execute(text(f'ALTER SEQUENCE "{seq}" RESTART WITH 1'))
    engine.dispose()


@pytest.fixture(scope="session")
def db_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabasePool]:
    pool = DatabasePool(tmp_path_factory.mktemp("dbs"))
    yield pool
    pool.drop()


@pytest.fixture
def db_url(db_pool: DatabasePool) -> Iterator[str]:
    """A fresh, empty, migrated database for this test."""
    url = db_pool.fresh()
    yield url
    db_pool.release_all()


@pytest.fixture
def other_db_url(db_pool: DatabasePool, db_url: str) -> str:
    """A second empty database (e.g. to restore a backup into)."""
    return db_pool.fresh()


@pytest.fixture
def kith(db_url: str) -> Iterator[Kith]:
    """Kith opened on a fresh database, with "now" fixed at FIXED_NOW."""
    k = open_kith(db_url, as_of=FIXED_NOW)
    yield k
    k.close()


def add_workspace(kith: Kith, name: str = "Other") -> int:
    """A workspace beside the local one (for isolation tests); its id. ``kith.session(id)`` opens it."""
    from kith.store.models import Workspace

    with kith.factory() as s, s.begin():
        ws = Workspace(name=name, created_at=FIXED_NOW, owner_emails=[])
        s.add(ws)
        s.flush()
        return int(ws.id)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``kith --db <fresh db> --as-of FIXED_NOW ARGS...`` in-process."""

    def run(*args: str, db: str | None = None, as_of: str | None = FIXED_NOW.isoformat()) -> CliResult:
        capsys.readouterr()
        argv = ["--db", db or db_url]
        if as_of:
            argv += ["--as-of", as_of]
        code = main([*argv, *args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``kith`` process of a test: this one's, without a database or clock of its own, with
    XDG directories under ``tmp_path`` and ``KITH_STRICT_TIES=1``. Bytecode is cached as on a user's machine (a
    sandbox may forbid it: 0.3 s more per process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("KITH_DATABASE_URL", "KITH_NOW", "PYTHONDONTWRITEBYTECODE")}
    env |= {f"XDG_{name}_HOME": str(tmp_path / f"xdg-{name.lower()}") for name in ("DATA", "CONFIG", "CACHE", "STATE")}
    env["KITH_STRICT_TIES"] = "1"
    return env


@pytest.fixture
def kith_process(db_url: str, tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``kith --db <fresh db> --as-of FIXED_NOW ARGS...`` as its own process, as a user does.

    Unlike ``cli``, nothing a previous command imported or registered is still
    loaded. The XDG directories are under ``tmp_path``, and
    ``KITH_STRICT_TIES=1`` makes a command fail rather than silently rebuild
    every tie state it finds out of step with the interaction log.
    """
    if not KITH_SCRIPT.exists():
        pytest.fail(f"no console script at {KITH_SCRIPT}: run `make install`")
    env = process_env(tmp_path)

    def run(*args: str, db: str | None = None, as_of: str | None = FIXED_NOW.isoformat()) -> CliResult:
        argv = [str(KITH_SCRIPT), "--db", db or db_url, *(["--as-of", as_of] if as_of else []), *args]
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8",
                              timeout=300, check=False)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
