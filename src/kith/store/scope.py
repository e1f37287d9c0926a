"""Workspace scoping: the one place that confines every query to a workspace.

A session opened with :func:`workspace_session` carries its workspace id.
Every ORM SELECT, UPDATE and DELETE it runs gets ``workspace_id = :ws`` added
for every scoped model it touches (joins and relationship loads included),
and every new row is stamped with that id on flush. Reaching another
workspace's row is impossible by construction, not by remembering a WHERE.

The two hooks that do it are installed on the session factory that
:func:`session_factory` makes, never on SQLAlchemy's global ``Session``
class: a factory made here is scoped whatever else was imported, and a
session made elsewhere is not silently changed by importing this module.
Reads that bypass the ORM go through :mod:`kith.store.door`, which binds the
workspace itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BindParameter, Engine, Integer, bindparam, event, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from kith.store.models import Scoped, Workspace

WS_KEY = "workspace_id"
# The workspace as a bound value of Core statements run on a session's
# connection. Those bypass the ORM filter below, so they name the workspace on
# every table themselves; bind it with ``{"ws": workspace_id(session)}``.
WS_PARAM: BindParameter[int] = bindparam("ws", type_=Integer)


class WorkspaceViolation(RuntimeError):
    """A row of one workspace was about to be written from another (a bug)."""


def _confine_to_workspace(state: ORMExecuteState) -> None:
    ws = state.session.info.get(WS_KEY)
    if ws is None or state.is_column_load:
        return
    if state.is_select or state.is_update or state.is_delete:
        state.statement = state.statement.options(
            with_loader_criteria(
                Scoped,
                lambda cls: cls.workspace_id == ws,
                include_aliases=True,
                track_closure_variables=False,
            )
        )


def _stamp_workspace(session: Session, _ctx: Any, _instances: Any) -> None:
    ws = session.info.get(WS_KEY)
    if ws is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Scoped):
            if obj.workspace_id is None:
                obj.workspace_id = ws
            elif obj.workspace_id != ws:
                raise WorkspaceViolation(f"{obj!r} belongs to workspace {obj.workspace_id}, not {ws}")


WROTE_KEY = "kith.wrote"  # this transaction has changed something (see has_written)


def _note_flush(session: Session, _ctx: Any) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[WROTE_KEY] = True


def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE_KEY] = True


def _note_end(session: Session, *_args: Any) -> None:
    session.info.pop(WROTE_KEY, None)


def note_write(session: Session) -> None:
    """Record that the session's transaction changed data (for writes the hooks cannot see)."""
    session.info[WROTE_KEY] = True


def has_written(session: Session) -> bool:
    """Whether the session's current transaction has changed anything (uncommitted data).

    A value computed from uncommitted data must not be kept for others: the
    transaction may still roll back (:mod:`kith.services.memo`).
    """
    return bool(session.info.get(WROTE_KEY))


def session_factory(engine: Engine, info: dict[str, Any] | None = None) -> sessionmaker[Session]:
    """A session factory for ``engine`` whose sessions are workspace-scoped (objects stay readable after commit).

    ``info`` is shared by every session the factory makes (``session.info``
    starts as a copy of it): the owner of the factory keeps its per-database
    state there (:mod:`kith.store.owner`).
    """
    factory = sessionmaker(engine, expire_on_commit=False, info=dict(info or {}))
    event.listen(factory, "do_orm_execute", _confine_to_workspace)
    event.listen(factory, "before_flush", _stamp_workspace)
    event.listen(factory, "after_flush", _note_flush)
    event.listen(factory, "do_orm_execute", _note_statement)
    event.listen(factory, "after_commit", _note_end)
    event.listen(factory, "after_soft_rollback", _note_end)
    return factory


@contextmanager
def workspace_session(factory: sessionmaker[Session], workspace_id: int) -> Iterator[Session]:
    """A session confined to one workspace; commits on success, rolls back on error."""
    session = factory(info={WS_KEY: workspace_id})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def workspace_id(session: Session) -> int:
    """The workspace a scoped session is confined to."""
    ws = session.info.get(WS_KEY)
    if ws is None:
        raise WorkspaceViolation("this session is not confined to a workspace")
    return int(ws)


def local_workspace(factory: sessionmaker[Session], name: str = "Local") -> int:
    """The id of the single-user workspace of local mode, created on first use."""
    with factory() as session, session.begin():
        ws = session.scalars(select(Workspace).order_by(Workspace.id).limit(1)).first()
        if ws is None:
            ws = Workspace(name=name, created_at=datetime.now(UTC), owner_emails=[])
            session.add(ws)
            session.flush()
        return ws.id
