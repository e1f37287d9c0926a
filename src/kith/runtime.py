"""Opening Kith: the database, its session factory and the current workspace.

Interfaces (CLI, web) build one :class:`Kith` and ask it for workspace
sessions; services never open databases themselves. The :class:`Kith` owns
everything a session needs beyond its transaction, and installs it on its
own session factory, so that nothing depends on which modules were imported:

- the workspace scope (:func:`kith.store.scope.session_factory`);
- the upkeep of tie states (:class:`kith.services.tie_upkeep.TieUpkeep`);
- the change journal that undo reads (:class:`kith.store.journal.Journal`);
- the removal of control characters from every text written (:class:`kith.store.typed_text.TypedText`);
- an :class:`~kith.store.owner.Owner`: per-database caches and settings,
  reached by services through ``session.info``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kith import clock
from kith.config import Settings, database_url, load_settings
from kith.services.tie_upkeep import TieUpkeep
from kith.store.db import (
    database_failure,
    ensure_current,
    ensure_statistics,
    make_engine,
    migrate,
    refresh_statistics,
)
from kith.store.journal import Journal
from kith.store.owner import OWNER_KEY, Owner
from kith.store.scope import local_workspace, session_factory, workspace_session
from kith.store.typed_text import TypedText

STRICT_TIES_ENV = "KITH_STRICT_TIES"


@dataclass
class Kith:
    """An open Kith database plus "now" for everything time-dependent."""

    engine: Engine
    factory: sessionmaker[Session]
    workspace_id: int
    as_of: datetime
    settings: Settings = field(default_factory=Settings)
    owner: Owner = field(default_factory=Owner)

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
    db: str | None = None, *, as_of: datetime | None = None, init: bool = False, settings: Settings | None = None,
    strict_ties: bool | None = None,
) -> Kith:
    """Open (and with ``init`` create or upgrade) the database ``db`` names.

    ``strict_ties`` (default: ``KITH_STRICT_TIES=1`` in the environment)
    makes stored tie states found out of step with the log an error rather
    than a silent rebuild (:mod:`kith.services.tie_states`).
    """
    settings = settings or load_settings()
    engine = make_engine(database_url(db, settings))
    if init:
        migrate(engine)
    else:
        ensure_current(engine)
    if strict_ties is None:
        strict_ties = os.environ.get(STRICT_TIES_ENV, "") == "1"
    owner = Owner(strict_ties=strict_ties)
    factory = session_factory(engine, info={OWNER_KEY: owner})
    TieUpkeep().install(factory)
    Journal().install(factory)
    TypedText().install(factory)
    ws = local_workspace(factory)
    return Kith(engine, factory, ws, as_of or clock.now(), settings, owner)


__all__ = ["STRICT_TIES_ENV", "Kith", "database_failure", "ensure_statistics", "open_kith"]
