"""Opening Kith: the database, its session factory and the current workspace.

Interfaces (CLI, web) build one :class:`Kith` and ask it for workspace
sessions; services never open databases themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kith import clock
from kith.config import Settings, database_url, load_settings
from kith.store.db import ensure_current, make_engine, migrate, refresh_statistics
from kith.store.scope import local_workspace, session_factory, workspace_session


@dataclass
class Kith:
    """An open Kith database plus "now" for everything time-dependent."""

    engine: Engine
    factory: sessionmaker[Session]
    workspace_id: int
    as_of: datetime
    settings: Settings = field(default_factory=Settings)

    @contextmanager
    def session(self, workspace_id: int | None = None) -> Iterator[Session]:
        """A transaction confined to the workspace (committed when the block ends)."""
        with workspace_session(self.factory, workspace_id or self.workspace_id) as session:
            yield session

    def close(self) -> None:
        """Refresh the planner's statistics if needed, then release the connections."""
        refresh_statistics(self.engine)
        self.engine.dispose()


def open_kith(
    db: str | None = None, *, as_of: datetime | None = None, init: bool = False, settings: Settings | None = None
) -> Kith:
    """Open (and with ``init`` create or upgrade) the database ``db`` names."""
    settings = settings or load_settings()
    engine = make_engine(database_url(db, settings))
    if init:
        migrate(engine)
    else:
        ensure_current(engine)
    factory = session_factory(engine)
    ws = local_workspace(factory)
    return Kith(engine, factory, ws, as_of or clock.now(), settings)
