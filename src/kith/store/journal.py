"""The change journal: what each labelled change did to the rows of a workspace, so that it can be undone.

A service use case that changes data runs inside :func:`change` (or is
decorated with :func:`journaled`). While a change is open, the hooks that
:class:`Journal` installs on a session factory (by the object that owns it,
:func:`kith.runtime.open_kith`; never on SQLAlchemy's global classes) note,
for every row of a journaled table the change inserts, updates or deletes,
its image before the change:

- rows the unit of work updates or deletes are read from the database just
  before the flush that writes them (``before_flush``), new rows are noted by
  primary key after it (``after_flush``);
- bulk ``UPDATE``/``DELETE`` statements run through the session read the rows
  they are about to change first (``do_orm_execute``);
- a delete also reads the rows the database's own ``ON DELETE CASCADE`` /
  ``SET NULL`` would change, through the foreign keys of the metadata.

When the change ends, the rows' images after it are read too and one
:class:`~kith.store.models.Change` row keeps both (``rows``: table, primary
key, before, after; ``None`` where the row did not exist). :func:`restore`
puts the before-images back in one statement per row: inserts parents
first, then updates, then deletes children first. It refuses (returns the
rows) when a row is no longer as the change left it, whoever changed it
since, except in the ``LOOSE`` tables (the links a sync keeps), whose rows
changed since are left as they are. Derived tables (tie states, caches, counters) are not journaled: the
service that undoes a change brings them up to date explicitly.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import JSON, LargeBinary, Table, and_, delete, event, insert, or_, select, update
from sqlalchemy.orm import ORMExecuteState, Session, object_session, sessionmaker
from sqlalchemy.orm.attributes import instance_state

from kith.store.models import Base, Change
from kith.store.scope import WS_KEY

CHANGE_KEY = "kith.change"  # the open change of a session (a _Recorder)
LAST_KEY = "kith.last_change"  # (id, label) of the change this session's transaction wrote last
KEEP = 50  # changes kept per workspace

#: The tables of a workspace's own data, and the links from people to their cards on a server (a merge or a
#: delete re-points or clears them; undone before the next sync, they come back); everything else is derived,
#: an account, or a sync's other bookkeeping.
JOURNALED = frozenset({
    "person", "identifier", "organization", "tag", "person_tag", "relation", "event", "event_member",
    "interaction", "interaction_participant", "favor", "goal", "opportunity", "cadence", "agenda_mark",
    "kept_apart", "sync_item",
})

#: Journaled tables whose rows a sync changes on its own: a row changed since the change is left as the sync made
#: it (the server is the truth about what a link now points to) rather than stopping the undo.
LOOSE = frozenset({"sync_item"})

Key = tuple[str, tuple[Any, ...]]
P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Recorder:
    label: str
    before: dict[Key, dict[str, Any] | None] = field(default_factory=dict)  # first image wins: before the change
    opaque: bool = False  # a bulk insert into a journaled table: the change cannot be undone row by row
    off: bool = False  # journaling suspended for the session (an import, a sync, the demo)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _encode(table: Table, row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in table.columns:
        value = row._mapping[col]
        if value is None:
            out[col.name] = None
        elif isinstance(col.type, JSON):
            out[col.name] = {"j": value}
        elif isinstance(value, datetime):
            out[col.name] = {"t": value.isoformat()}
        elif isinstance(value, date):
            out[col.name] = {"d": value.isoformat()}
        elif isinstance(col.type, LargeBinary):
            out[col.name] = {"b": base64.b64encode(value).decode()}
        else:
            out[col.name] = value
    return out


def _decode(image: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in image.items():
        if isinstance(value, dict):
            tag, raw = next(iter(value.items()))
            value = (raw if tag == "j" else datetime.fromisoformat(raw) if tag == "t" else
                     date.fromisoformat(raw) if tag == "d" else base64.b64decode(raw))
        out[name] = value
    return out


def _pk_of(table: Table, image_or_row: Any) -> tuple[Any, ...]:
    return tuple(image_or_row[c.name] for c in table.primary_key.columns)


def _where_pk(table: Table, pk: tuple[Any, ...]) -> Any:
    return and_(*(c == v for c, v in zip(table.primary_key.columns, pk, strict=True)))


def _read(session: Session, table: Table, where: Any) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    ws = session.info[WS_KEY]
    rows = session.connection().execute(select(table).where(where, table.c.workspace_id == ws)).all()
    out = []
    for row in rows:
        image = _encode(table, row)
        out.append((_pk_of(table, image), image))
    return out


def _read_keys(session: Session, table: Table, pks: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(pks), 200):
        chunk = pks[start:start + 200]
        out.update(_read(session, table, or_(*(_where_pk(table, pk) for pk in chunk))))
    return out


def _note_rows(rec: _Recorder, table: Table, rows: list[tuple[tuple[Any, ...], dict[str, Any]]]) -> None:
    for pk, image in rows:
        rec.before.setdefault((table.name, pk), image)


def _note_cascade(session: Session, rec: _Recorder, table: Table, rows: list[tuple[tuple[Any, ...], dict[str, Any]]],
                  depth: int = 0) -> None:
    """Note the rows the database's ON DELETE rules would change when ``rows`` of ``table`` go."""
    if not rows or depth > 4:
        return
    for other in Base.metadata.sorted_tables:
        if other.name not in JOURNALED:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name != table.name or fk.ondelete not in ("CASCADE", "SET NULL"):
                continue
            values = sorted({image[fk.column.name] for _pk, image in rows if image[fk.column.name] is not None})
            for start in range(0, len(values), 500):
                found = _read(session, other, fk.parent.in_(values[start:start + 500]))
                _note_rows(rec, other, found)
                if fk.ondelete == "CASCADE":
                    _note_cascade(session, rec, other, found, depth + 1)


class Journal:
    """Session hooks that record the rows a labelled change touches (installed by the factory's owner)."""

    def install(self, factory: sessionmaker[Session]) -> None:
        """Register the hooks on ``factory`` (and on no other session)."""
        event.listen(factory, "before_flush", self._before_flush)
        event.listen(factory, "after_flush", self._after_flush)
        event.listen(factory, "do_orm_execute", self._statement)

    @staticmethod
    def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
        rec: _Recorder | None = session.info.get(CHANGE_KEY)
        if rec is None or rec.off:
            return
        for obj in list(session.dirty) + list(session.deleted):
            table = getattr(obj, "__table__", None)
            if table is None or table.name not in JOURNALED:
                continue
            state = instance_state(obj)
            if state.key is None:
                continue
            pk = tuple(state.key[1])
            if obj in session.deleted:
                found = _read(session, table, _where_pk(table, pk))
                _note_cascade(session, rec, table, found)
                _note_rows(rec, table, found)
            elif session.is_modified(obj, include_collections=False) and (table.name, pk) not in rec.before:
                _note_rows(rec, table, _read(session, table, _where_pk(table, pk)))

    @staticmethod
    def _after_flush(session: Session, _ctx: Any) -> None:
        rec: _Recorder | None = session.info.get(CHANGE_KEY)
        if rec is None or rec.off:
            return
        for obj in session.new:
            table = getattr(obj, "__table__", None)
            if table is None or table.name not in JOURNALED:
                continue
            pk = tuple(instance_state(obj).mapper.primary_key_from_instance(obj))
            if all(v is not None for v in pk):
                rec.before.setdefault((table.name, pk), None)

    @staticmethod
    def _statement(state: ORMExecuteState) -> None:
        rec: _Recorder | None = state.session.info.get(CHANGE_KEY)
        if rec is None or rec.off or not (state.is_update or state.is_delete or state.is_insert):
            return
        table = getattr(state.statement, "table", None)
        if not isinstance(table, Table) or table.name not in JOURNALED:
            return
        table = _table(table.name)  # the statement's may be an annotated copy
        if state.is_insert:
            rec.opaque = True
            return
        where = state.statement.whereclause  # type: ignore[attr-defined]
        found = _read(state.session, table, where if where is not None else True)
        if state.is_delete:
            _note_cascade(state.session, rec, table, found)
        _note_rows(rec, table, found)


@contextmanager
def change(session: Session, label: str) -> Iterator[None]:
    """Run the block as one labelled change of the journal (an inner change is part of the outer one)."""
    if session.info.get(CHANGE_KEY) is not None or session.info.get(WS_KEY) is None:
        yield
        return
    rec = _Recorder(label)
    session.info[CHANGE_KEY] = rec
    try:
        yield
        session.flush()
    finally:
        session.info.pop(CHANGE_KEY, None)
    _write(session, rec)


def suspend(session: Session) -> None:
    """Record no changes for the rest of this session's life: bulk writers (imports, syncs, the demo) keep their own record."""
    rec: _Recorder | None = session.info.get(CHANGE_KEY)
    if rec is None:
        session.info[CHANGE_KEY] = _Recorder("", off=True)
    else:
        rec.off = True


def note_bypass(session: Session) -> None:
    """Writes are about to go around the session (a bulk writer): an open change cannot be undone row by row."""
    rec: _Recorder | None = session.info.get(CHANGE_KEY)
    if rec is not None and not rec.off:
        rec.opaque = True


def relabel(session: Session, label: str) -> None:
    """Name the open change by what it turned out to do (no-op outside a change)."""
    rec: _Recorder | None = session.info.get(CHANGE_KEY)
    if rec is not None:
        rec.label = label


def _session_of(args: tuple[Any, ...]) -> Session | None:
    for arg in args:
        if isinstance(arg, Session):
            return arg
        found = object_session(arg) if hasattr(arg, "_sa_instance_state") else None
        if found is not None:
            return found
    return None


def journaled(describe: Callable[..., str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a use case: it runs as one change labelled ``describe(*args, **kwargs)``."""
    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            session = _session_of(args)
            if session is None:
                return fn(*args, **kwargs)
            with change(session, describe(*args, **kwargs)):
                return fn(*args, **kwargs)
        return run
    return wrap


def _write(session: Session, rec: _Recorder) -> None:
    if not rec.before:
        return
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for name, pk in rec.before:
        by_table.setdefault(name, []).append(pk)
    after: dict[Key, dict[str, Any]] = {}
    for name, pks in by_table.items():
        for pk, image in _read_keys(session, _table(name), pks).items():
            after[(name, pk)] = image
    rows = [[name, list(pk), before, after.get((name, pk))] for (name, pk), before in rec.before.items()
            if before != after.get((name, pk))]
    if not rows:
        return
    entry = Change(at=datetime.now(UTC), label=rec.label[:300], status="opaque" if rec.opaque else "done", rows=rows)
    session.add(entry)
    session.flush()
    session.info[LAST_KEY] = (entry.id, entry.label)
    ids = session.scalars(select(Change.id).order_by(Change.id.desc()).offset(KEEP)).all()
    if ids:
        session.execute(delete(Change).where(Change.id.in_(ids)), execution_options={"synchronize_session": False})


def keys_of(entry: Change) -> set[Key]:
    """The rows a change touched."""
    return {(name, tuple(pk)) for name, pk, _before, _after in entry.rows}


@dataclass(frozen=True)
class Restored:
    """What :func:`restore` did: the rows changed since (then nothing was restored), or the rows put back."""

    conflicts: list[Key]
    rows: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]  # table, image restored, image removed
    used: list[Key] = field(default_factory=list)  # rows of later changes that use what the change added


#: Rows a change may add that later changes share without owning them: undo leaves them when still in use.
SHARED = frozenset({"tag", "organization"})


def _used_elsewhere(session: Session, table: Table, image: dict[str, Any], mine: set[Key]) -> list[Key]:
    """Rows outside the change whose foreign keys point at the row ``image`` (deleting it would take or change them)."""
    out: list[Key] = []
    for other in Base.metadata.sorted_tables:
        if other.name not in JOURNALED:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name != table.name or image.get(fk.column.name) is None:
                continue
            for pk, _found in _read(session, other, fk.parent == image[fk.column.name]):
                if (other.name, pk) not in mine:
                    out.append((other.name, pk))
    return out


def restore(session: Session, entry: Change) -> Restored:
    """Put back the before-images of ``entry`` in one go, or report the rows changed since (restoring nothing)."""
    session.flush()
    by_table: dict[str, list[tuple[Any, ...]]] = {}
    for name, pk, _b, _a in entry.rows:
        by_table.setdefault(name, []).append(tuple(pk))
    now: dict[Key, dict[str, Any]] = {}
    for name, pks in by_table.items():
        for pk, image in _read_keys(session, _table(name), pks).items():
            now[(name, pk)] = image
    changed = {(name, tuple(pk)) for name, pk, _b, after in entry.rows if now.get((name, tuple(pk))) != after}
    conflicts = [key for key in changed if key[0] not in LOOSE]
    if conflicts:
        return Restored(conflicts, [])
    mine = keys_of(entry)
    keep: set[Key] = set()  # rows the change added that others use since: shared names (a tag, an organisation)
    for name, pk, before, after in entry.rows:
        if before is None and after is not None:
            used = _used_elsewhere(session, _table(name), after, mine)
            if used and name in SHARED:
                keep.add((name, tuple(pk)))
            elif used:
                return Restored([], [], used)
    ws = session.info[WS_KEY]
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    rows = sorted((r for r in entry.rows if (r[0], tuple(r[1])) not in keep | changed),  # loose rows changed: as is
                  key=lambda r: (order[r[0]], r[1]))
    conn = session.connection()
    done: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]] = []
    inserts: dict[str, list[dict[str, Any]]] = {}  # table -> rows, tables in order: parents first
    for name, _pk, before, after in rows:
        if before is not None and after is None:
            values = _decode(before)
            if values.get("workspace_id") != ws:
                raise RuntimeError("a journaled row of another workspace")
            inserts.setdefault(name, []).append(values)
            done.append((name, before, None))
    for name, values_list in inserts.items():
        for start in range(0, len(values_list), 1000):
            conn.execute(insert(_table(name)), values_list[start:start + 1000])
    for name, pk, before, after in rows:
        if before is not None and after is not None:
            table = _table(name)
            values = {k: v for k, v in _decode(before).items() if k not in {c.name for c in table.primary_key.columns}}
            conn.execute(update(table).where(_where_pk(table, tuple(pk)), table.c.workspace_id == ws).values(**values))
            done.append((name, before, after))
    for name, pk, before, after in reversed(rows):  # children first
        if before is None and after is not None:
            table = _table(name)
            conn.execute(delete(table).where(_where_pk(table, tuple(pk)), table.c.workspace_id == ws))
            done.append((name, None, after))
    session.expire_all()
    return Restored([], done)


__all__ = [
    "CHANGE_KEY",
    "JOURNALED",
    "KEEP",
    "LAST_KEY",
    "LOOSE",
    "Journal",
    "Restored",
    "change",
    "journaled",
    "keys_of",
    "note_bypass",
    "relabel",
    "restore",
    "suspend",
]
