"""The one door for statements that bypass the ORM: reads of hot paths and bulk writes.

Most of Kith reads and writes through ORM sessions, which
:mod:`kith.store.scope` confines to a workspace. A few paths cannot afford
the ORM (a person page's six reads, the whole log read into arrays, a
million-row import, a restore); they run Core statements, and they run them
here, nowhere else, so that one module:

- **binds the workspace**: every statement must name the workspace through
  :data:`WS` (``Person.workspace_id == WS``) on every table it reads; the door
  refuses one that does not, binds ``ws`` from the session, and stamps
  ``workspace_id`` on every row it inserts;
- **owns the dialects**: :class:`epoch` (a moment as unix seconds) and the
  driver-level fast paths, so that no service writes SQL per dialect;
- **reads the data version** (:func:`data_version`) that every cache of
  computed views compares (migration 0006).

Statements are built once (module constants) and executed with bound values;
SQLAlchemy caches their compiled form per engine.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias, cast
from weakref import WeakKeyDictionary

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Delete,
    Float,
    Row,
    Select,
    Table,
    Update,
    case,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from kith.store import journal
from kith.store.models import DataVersion, LogCount
from kith.store.owner import owner_of
from kith.store.scope import WS_PARAM, note_write, workspace_id

if TYPE_CHECKING:
    import numpy as np

Statement: TypeAlias = "Select[*tuple[Any, ...]] | CompoundSelect[Any] | Update | Delete"
"""What the door runs: Core statements built once (module constants), never SQL text."""
AnyRow: TypeAlias = "Row[*tuple[Any, ...]]"
Column: TypeAlias = "ColumnElement[Any] | QueryableAttribute[Any]"

WS: BindParameter[int] = WS_PARAM
"""The session's workspace in a statement: ``Person.workspace_id == WS``. The door binds it."""

NULL_NUMBER = -1.0e300
"""Stands for SQL NULL in all-numeric reads (:func:`or_null`); no real moment or number is this small."""

CHUNK = 100_000  # rows fetched at a time by the fast paths: bounds memory at a million


class WorkspaceNotNamed(RuntimeError):
    """A statement given to the door does not filter by the session's workspace (a bug)."""


# ---------------------------------------------------------------- dialects


class epoch(FunctionElement[float]):
    """A datetime column as unix seconds (float), on every backend."""

    type = Float()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps naive UTC text: julianday() reads it, 2440587.5 is the Unix epoch's Julian day.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(epoch, "postgresql")
def _epoch_postgresql(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"extract(epoch from {compiler.process(element.clauses, **kw)})"


def coded(column: Column, codes: Mapping[str, int], default: int) -> ColumnElement[int]:
    """A text column as integer codes (``CASE column WHEN 'call' THEN 6 ...``)."""
    return case(dict(codes), value=column, else_=default)


def or_null(expr: Column) -> ColumnElement[Any]:
    """``expr``, with NULL read as :data:`NULL_NUMBER` by :func:`numbers`."""
    return func.coalesce(expr, NULL_NUMBER)


def nan_for_null(values: np.ndarray) -> np.ndarray:
    """Turn :data:`NULL_NUMBER` back into nan (in place); returns ``values``."""
    values[values == NULL_NUMBER] = float("nan")
    return values


# ---------------------------------------------------------------- reads


def _checked(session: Session, stmt: Statement) -> dict[str, Any]:
    """The bound values every statement gets (``ws``), once the statement is known to name the workspace."""
    seen: dict[int, Statement] = owner_of(session).cache("door.checked", dict)
    if id(stmt) not in seen:
        if not any(isinstance(e, BindParameter) and e.key == WS.key for e in visitors.iterate(stmt)):
            raise WorkspaceNotNamed(f"statement does not name the workspace: {str(stmt)[:200]}")
        seen[id(stmt)] = stmt  # keeps the statement alive, so its id is never reused
    return {WS.key: workspace_id(session)}


def rows(session: Session, stmt: Statement, **values: Any) -> Sequence[AnyRow]:
    """Every row of a Core statement that names the workspace, with ``values`` bound."""
    bound = _checked(session, stmt)
    return session.connection().execute(stmt, {**bound, **values}).all()


def first(session: Session, stmt: Statement, **values: Any) -> AnyRow | None:
    """The first row, or None."""
    bound = _checked(session, stmt)
    return session.connection().execute(stmt, {**bound, **values}).first()


def scalars(session: Session, stmt: Statement, **values: Any) -> list[Any]:
    """The first column of every row."""
    bound = _checked(session, stmt)
    return list(session.connection().execute(stmt, {**bound, **values}).scalars())


def _driver_sql(session: Session, stmt: Statement, values: Mapping[str, Any]) -> tuple[str, Any]:
    """The statement as the driver's SQL and parameters (for the raw cursor paths)."""
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    # Expanding parameters (IN lists) become one bind per value, as the driver needs them.
    expanded = compiled.construct_expanded_state(compiled.construct_params(dict(values)))
    if compiled.positional:
        return expanded.statement, tuple(expanded.positional_parameters)
    return expanded.statement, expanded.parameters


def tuples(session: Session, stmt: Statement, **values: Any) -> list[tuple[Any, ...]]:
    """Every row as a plain tuple, through the driver's cursor (no Row objects, no type conversion).

    For tens of thousands of rows of numbers and blobs; bound values must be
    plain numbers or strings (no type processing happens on this path).
    """
    sql, params = _driver_sql(session, stmt, {**_checked(session, stmt), **values})
    session.flush()  # what an ORM query would autoflush
    _settle(session)
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, params)
        return [tuple(r) for r in cursor.fetchall()]
    finally:
        cursor.close()


def numbers(session: Session, stmt: Statement, **values: Any) -> np.ndarray:
    """An all-numeric statement (wrap nullable columns in :func:`or_null`) as one float64 matrix.

    The fast path for reading a million rows: the driver's own cursor, no Row
    objects, numbers straight into numpy, :data:`CHUNK` rows at a time.
    """
    import numpy as np

    sql, params = _driver_sql(session, stmt, {**_checked(session, stmt), **values})
    width = len(stmt.selected_columns) if isinstance(stmt, Select) else 0
    session.flush()
    _settle(session)
    cursor = session.connection().connection.cursor()
    parts = []
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            flat = np.fromiter(chain.from_iterable(chunk), dtype=np.float64, count=len(chunk) * width)
            parts.append(flat.reshape(len(chunk), width))
    finally:
        cursor.close()
    return np.concatenate(parts) if parts else np.zeros((0, width))


# ---------------------------------------------------------------- versions

class Version(NamedTuple):
    """A workspace's data version, kept by database triggers (migrations 0006 and 0008).

    Equal versions mean equal data: every write moves one of the numbers, so a
    cache keyed by it needs no list of tables. ``people`` alone (``changes``)
    moves with everything but the interaction log: a view of the people stays
    valid while interactions are logged.
    """

    changes: int  # writes to every table of the workspace's data, but inserts into the log and tie states
    participations: int  # the log's (interaction, person) rows
    edits: int  # updates and deletes of logged rows

    @property
    def people(self) -> int:
        """What moves when anything but the log changes."""
        return self.changes


# One statement, so one snapshot: a commit landing between two reads cannot mix two versions.
_VERSION = select(
    select(DataVersion.changes).where(DataVersion.workspace_id == WS).scalar_subquery(),
    select(LogCount.participations).where(LogCount.workspace_id == WS).scalar_subquery(),
    select(LogCount.edits).where(LogCount.workspace_id == WS).scalar_subquery(),
)
_PARTICIPATIONS = select(LogCount.participations).where(LogCount.workspace_id == WS)


def data_version(session: Session) -> Version:
    """The workspace's data version (see :class:`Version`)."""
    session.flush()
    row = first(session, _VERSION)
    changes, participations, edits = row if row is not None else (0, 0, 0)
    return Version(int(changes or 0), int(participations or 0), int(edits or 0))


_EDITS = select(LogCount.edits).where(LogCount.workspace_id == WS)


def log_edits(session: Session) -> int:
    """How many updates and deletes the workspace's logged rows have seen (``log_count.edits``)."""
    session.flush()
    found = scalars(session, _EDITS)
    return int(found[0] or 0) if found else 0


def next_tie_seq(session: Session) -> int:
    """A new number for this transaction's writes of tie states (``log_count.tie_seq``).

    Taken by an update of the workspace's ``log_count`` row, whose lock is
    then held until commit: a later number always belongs to a later commit,
    so a reader that saw every record up to N misses nothing by asking for
    those above N.
    """
    note_write(session)
    ws = workspace_id(session)
    conn = session.connection()
    table = cast(Table, LogCount.__table__)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    conn.execute(upsert(table).values(workspace_id=ws, participations=0, edits=0, tie_seq=0)
                 .on_conflict_do_nothing(index_elements=["workspace_id"]))
    return int(conn.execute(table.update().where(table.c.workspace_id == ws)
                            .values(tie_seq=table.c.tie_seq + 1).returning(table.c.tie_seq)).scalar_one())


def participations(session: Session) -> int:
    """How many (interaction, person) rows the workspace's log holds (``log_count``)."""
    session.flush()
    found = scalars(session, _PARTICIPATIONS)
    return int(found[0] or 0) if found else 0


# ---------------------------------------------------------------- writes


class Writer:
    """Bulk writes into the session's workspace, in the session's transaction.

    Every row inserted gets the session's ``workspace_id`` (a row naming
    another workspace is refused); statements that change rows must name the
    workspace like reads do.
    """

    def __init__(self, session: Session) -> None:
        session.flush()
        note_write(session)
        self.session = session
        self.workspace_id = workspace_id(session)
        self.dialect = session.get_bind().dialect.name

    def _journal(self, table: Any) -> None:
        """The journal cannot see these writes: a change open around them is not undoable row by row."""
        if getattr(table, "name", None) in journal.JOURNALED:
            journal.note_bypass(self.session)

    def _stamp(self, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for row in rows:
            ws = row.get("workspace_id", self.workspace_id)
            if ws != self.workspace_id:
                raise WorkspaceNotNamed(f"a row for workspace {ws} written from workspace {self.workspace_id}")
            out.append({**row, "workspace_id": self.workspace_id})
        return out

    def insert(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert rows (dicts of column values) into ``table``."""
        self._journal(table)
        stamped = self._stamp(rows)
        if stamped:
            self.session.connection().execute(table.insert(), stamped)

    def insert_returning_ids(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> list[int]:
        """Insert rows and return their new ids, in the order given."""
        self._journal(table)
        stamped = self._stamp(rows)
        if not stamped:
            return []
        result = self.session.connection().execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), stamped)
        return [int(r[0]) for r in result]

    def insert_tuples(self, table: Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]) -> None:
        """The fast path: ``executemany`` of plain tuples (already converted for the driver), workspace first.

        ``columns`` must not name ``workspace_id``: the door puts the session's
        workspace in front of every tuple.
        """
        if not values:
            return
        self._journal(table)
        sql = _insert_sql(table, columns, "?" if self.dialect == "sqlite" else "%s")
        ws = self.workspace_id
        self.session.connection().exec_driver_sql(sql, [(ws, *v) for v in values])

    def json(self, value: Any) -> Any:
        """A JSON column's value for :meth:`insert_tuples` (text on SQLite, the driver's JSON wrapper on PostgreSQL)."""
        if self.dialect == "postgresql":
            from psycopg.types.json import Json

            return Json(value)
        import json

        return json.dumps(value)

    def execute(self, stmt: Statement, rows: Sequence[Mapping[str, Any]] | None = None, **values: Any) -> None:
        """An UPDATE or DELETE that names the workspace, once or for each of ``rows``."""
        self._journal(getattr(stmt, "table", None))
        bound = _checked(self.session, stmt)
        params: Any = [{**bound, **r} for r in rows] if rows is not None else {**bound, **values}
        if rows is not None and not rows:
            return
        self.session.connection().execute(stmt, params)

    def reserve_ids(self, table: Table, n: int) -> list[int]:
        """``n`` fresh primary keys for ``table`` (ids are global), safe against concurrent inserts."""
        conn = self.session.connection()
        if self.dialect == "postgresql":
            # The sequence is looked up once (a materialised CTE), not once an id: pg_get_serial_sequence() in the
            # select list is evaluated for every row (a catalogue lookup each: 0.1 s of server time for 30,000 ids,
            # against 0.01 s); and the ids come as one array in one row (30,000 rows cost more to fetch).
            found = conn.exec_driver_sql(
                "WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS s) "
                "SELECT array(SELECT nextval(q.s) FROM q, generate_series(1, %s))", (table.name, n)).scalar_one()
            return [int(i) for i in found]
        start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        return list(range(start, start + n))

    def ids_taken(self, table: Table, ids: Sequence[int]) -> int:
        """How many of ``ids`` exist in ``table`` in any workspace (ids are global keys; nothing else is read)."""
        conn = self.session.connection()
        taken = 0
        for start in range(0, len(ids), 5000):
            chunk = list(ids[start:start + 5000])
            taken += int(conn.execute(select(func.count()).select_from(table).where(table.c.id.in_(chunk))).scalar_one())
        return taken

    def max_id(self, table: Table) -> int:
        """The largest id of ``table`` in any workspace (0 if empty)."""
        return int(self.session.connection().execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())

    def move_sequences_past(self, tables: Iterable[Table]) -> None:
        """After inserts with explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
        if self.dialect != "postgresql":
            return
        conn = self.session.connection()
        for table in tables:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1), "
                f"(SELECT COUNT(*) > 0 FROM \"{table.name}\"))"
            ))

    def analyze(self, tables: Sequence[Table] = ()) -> None:
        """Fresh planner statistics after a big load: on PostgreSQL of ``tables`` (every table if none is named;
        autovacuum keeps the others' statistics; sent down the session's pipe, after the writes sent before),
        on SQLite of every table (its planner has no other source)."""
        sql = f"ANALYZE {', '.join(t.name for t in tables)}" if self.dialect == "postgresql" and tables else "ANALYZE"

        def analyze(raw: Any) -> None:
            _run(raw, sql)

        _pipe(self.session).send(analyze)  # after the writes sent, without waiting for them


# ---------------------------------------------------------------- bulk contact writes (imports)
#
# An import writes tens of thousands of people and identifiers at once. Two
# costs are not the rows' own: on SQLite, the ``data_version`` row triggers of
# migration 0006 run a trigger program per row (about twice the cost of the
# insert itself); on PostgreSQL, ``executemany`` sends one INSERT per row, and
# each fires the statement-level triggers. :func:`insert_contact_rows` writes
# a batch with one COPY per table on PostgreSQL (the triggers fire once per
# table and batch) and, on SQLite, with the insert triggers of the tables
# written dropped for the batch and created again from their own stored text
# in the same transaction, ``data_version`` moved by the number of rows
# written, exactly as the triggers would have moved it. Nothing else changes:
# a rollback (or a killed process) takes the whole transaction, schema change
# included, back; other connections never see the triggers missing (SQLite has
# one writer; its readers see the last commit, which has them). On both, the
# batch goes down the session's :class:`_Pipe` (on PostgreSQL it is written
# while the import reads on; on SQLite at once).

def _copy_rows(session: Session, table: Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``values`` into ``table`` by one COPY, the session's workspace in front of every tuple (its
    statement-level triggers fire once; ``executemany`` would send an INSERT per row).

    The COPY is sent by the session's :class:`_Pipe`: it runs in the session's transaction, after every COPY
    sent before it, while this thread goes on; anything else that uses the connection waits for it first.
    """
    if not values:
        return
    ws = workspace_id(session)
    types = _binary_types(session, table, ("workspace_id", *columns))
    sql = f"COPY {table.name} (workspace_id, {', '.join(columns)}) FROM STDIN{' (FORMAT BINARY)' if types else ''}"
    rows = list(values)  # the caller may reuse its list; the tuples themselves are never changed

    def copy_them(raw: Any) -> None:
        with raw.cursor() as cur, cur.copy(sql) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row((ws, *row))

    _pipe(session).send(copy_them, len(rows))


# A column's type (as PostgreSQL's DDL names it) as the driver's binary COPY writes it. The server reads the
# same values either way, at the same cost; the driver makes binary rows in a third of the time of text ones
# (0.06 s against 0.17 s for 30,000 people), time the import's own thread then has. A JSON column takes its
# value as JSON text (written as text: the driver's JSON dumper would quote a string once more).
_BINARY = {"integer": "int4", "bigint": "int8", "smallint": "int2", "boolean": "bool", "text": "text",
           "varchar": "text", "timestamp with time zone": "timestamptz", "date": "date", "bytea": "bytea",
           "json": "text", "float": "float8", "double precision": "float8"}
_BINARY_TYPES: dict[tuple[str, tuple[str, ...]], list[str] | None] = {}


def _binary_types(session: Session, table: Table, columns: tuple[str, ...]) -> list[str] | None:
    """The binary COPY types of ``columns``, or None if one has a type without a known binary form (text COPY)."""
    key = (table.name, columns)
    if key not in _BINARY_TYPES:
        dialect = session.get_bind().dialect
        names = [table.c[c].type.compile(dialect=dialect).lower().split("(")[0].strip() for c in columns]
        found = [_BINARY.get(n) for n in names]
        _BINARY_TYPES[key] = None if None in found else [str(t) for t in found]
    return _BINARY_TYPES[key]


PIPE_ROWS = 60_000
"""Rows a session's bulk writes may have waiting to be written (about a dozen batches of an import)."""


class _Pipe:
    """Bulk writes sent on the session's own connection, so in its transaction, one after another in the order
    given.

    On PostgreSQL a second thread sends them while the calling thread goes on: reading the next rows of a file
    while the server checks, indexes and stores the last batch (about half an import's time is the server's).
    Nothing else may use the connection meanwhile: every statement run through SQLAlchemy on that connection,
    every raw read of this module, and the commit or rollback first wait for what was sent (:meth:`wait`); a
    write that failed raises there, and the transaction then rolls back as a whole. The second thread holds the
    driver connection's own lock while it writes, so a use that skipped the wait would still queue behind it,
    never run inside a COPY.

    On SQLite (``threaded`` false) a job runs at once, in the calling thread. A second thread was tried and
    made imports slower: SQLite works in the calling process, and its ``executemany`` takes Python's lock back
    after every row, so each row of the writing thread waited for the reading thread's turn to end (a batch
    of 5,000 interactions took 1.5 s instead of 0.07 s).
    """

    def __init__(self, raw: Any, *, threaded: bool = True) -> None:
        self.raw = raw
        self.threaded = threaded
        self.changed = threading.Condition()
        self.jobs: deque[tuple[Callable[[Any], None], int]] = deque()
        self.sent = 0  # jobs sent so far
        self.done = 0  # jobs run (or skipped after a failure) so far
        self.rows = 0  # rows sent and not yet written
        self.running = False
        self.error: BaseException | None = None

    def send(self, job: Callable[[Any], None], rows: int = 0) -> int:
        """Run ``job(driver_connection)`` after those sent before it, in the second thread; returns its number.

        ``rows``: how many rows the job writes. While more than :data:`PIPE_ROWS` wait, the caller waits first,
        so that a server slower than the file's reading never has a whole file's rows queued in memory."""
        if not self.threaded:
            self.wait()
            job(self.raw)
            self.sent += 1
            self.done += 1
            return self.sent
        with self.changed:
            while self.rows > PIPE_ROWS and self.done < self.sent:
                self.changed.wait()
            self.jobs.append((job, rows))
            self.sent += 1
            self.rows += rows
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="kith-bulk-write", daemon=True).start()
            return self.sent

    def _run(self) -> None:
        while True:
            with self.changed:
                if not self.jobs:
                    self.running = False
                    return
                job, rows = self.jobs.popleft()
                lost = self.error is not None  # after a failure nothing more is sent: the transaction is lost
            try:
                if not lost:
                    job(self.raw)
            except BaseException as exc:  # raised again in the calling thread, by wait()
                with self.changed:
                    self.error = exc
            finally:
                with self.changed:
                    self.done += 1
                    self.rows -= rows
                    self.changed.notify_all()

    def wait(self, upto: int | None = None, *, quiet: bool = False) -> None:
        """Wait until job ``upto`` (every job sent, if None) has run; raise the first failure, if any (``quiet``:
        do not; a wait for every job reports a failure once)."""
        with self.changed:
            target = self.sent if upto is None else upto
            while self.done < target:
                self.changed.wait()
            error = self.error
            if upto is None:
                self.error = None
        if error is not None and not quiet:
            raise error


_PIPES: WeakKeyDictionary[Connection, _Pipe] = WeakKeyDictionary()


def _pipe(session: Session) -> _Pipe:
    """The pipe of the session's connection, made on first use; it waits on that connection's every other use."""
    conn = session.connection()
    pipe = _PIPES.get(conn)
    if pipe is None:
        pipe = _PIPES[conn] = _Pipe(conn.connection.driver_connection, threaded=conn.dialect.name == "postgresql")

        def settle(*_args: Any, **_kw: Any) -> None:
            pipe.wait()

        def forget(*_args: Any, **_kw: Any) -> None:
            pipe.wait(quiet=True)

        for name in ("before_cursor_execute", "commit", "savepoint", "release_savepoint", "prepare_twophase"):
            event.listen(conn, name, settle)
        for name in ("rollback", "rollback_savepoint"):
            event.listen(conn, name, forget)
    return pipe


def _run(raw: Any, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
    """One statement on a driver connection (psycopg's or sqlite3's), its rows if it has any."""
    cur = raw.cursor()
    try:
        cur.execute(sql, params)
        return [tuple(r) for r in cur.fetchall()] if cur.description is not None else []
    finally:
        cur.close()


def _settle(session: Session) -> None:
    """Wait for the bulk writes sent on the session's connection (the raw reads of this module call it first)."""
    pipe = _PIPES.get(session.connection())
    if pipe is not None:
        pipe.wait()


def tuples_after_writes(session: Session, stmt: Statement, **values: Any) -> Callable[[], list[tuple[Any, ...]]]:
    """:func:`tuples`, read after the bulk writes sent so far and before those sent later; the rows come when the
    returned function is called (it waits for the read only, not for the writes sent after it).

    The read goes down the session's :class:`_Pipe`: on PostgreSQL the calling thread goes on while the server
    works through the writes before it; on SQLite it is read at once.
    """
    sql, params = _driver_sql(session, stmt, {**_checked(session, stmt), **values})
    session.flush()  # what an ORM query would autoflush
    read: list[tuple[Any, ...]] = []

    def job(raw: Any) -> None:
        read.extend(_run(raw, sql, params))

    pipe = _pipe(session)
    number = pipe.send(job)

    def rows_read() -> list[tuple[Any, ...]]:
        pipe.wait(number)
        return read

    return rows_read


def _set_aside(raw: Any, names: Sequence[str], *, required: bool = False) -> list[str]:
    """SQLite: drop the named triggers, inside the open transaction; returns the SQL the database stored for
    them, to create them again with (:func:`_put_back`). SQLite's DDL is transactional: a rollback or a killed
    process restores them with everything else. ``required``: every named trigger must exist."""
    if not raw.in_transaction:
        raise RuntimeError("triggers can be set aside only inside an open transaction")
    marks = ", ".join("?" * len(names))
    found = [(str(n), str(q)) for n, q in _run(
        raw, f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", tuple(names))]
    if required and {n for n, _ in found} != set(names):
        raise RuntimeError(f"unexpected triggers: {sorted(n for n, _ in found)}, expected {sorted(names)}")
    for name, _ in found:
        _run(raw, f'DROP TRIGGER "{name}"')
    return [q for _, q in found]


def _put_back(raw: Any, saved: Sequence[str]) -> None:
    """SQLite: create again the triggers :func:`_set_aside` dropped."""
    for sql in saved:
        _run(raw, sql)


def _insert_sql(table: Table, columns: Sequence[str], mark: str) -> str:
    names = ("workspace_id", *columns)
    return f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"


_QUIET = ("organization", "person", "identifier", "tag", "person_tag")


def insert_contact_rows(session: Session, batches: Sequence[tuple[Table, Sequence[str], Sequence[tuple[Any, ...]]]]
                        ) -> None:
    """Insert ``(table, columns, rows)`` batches of plain tuples (as :meth:`Writer.insert_tuples`; a JSON column's
    value as JSON text), fast on both backends; only for tables whose inserts move ``data_version`` by a row
    trigger on SQLite (person, identifier, organization, tag, person_tag). The batch is sent down the session's
    :class:`_Pipe`: on PostgreSQL the caller goes on while it is written, and a failure is raised by the next use
    of the session; on SQLite it is written at once.

    On SQLite the ``data_version_<table>_insert`` triggers of the tables written are set aside while the rows go
    in (:func:`_set_aside`), and ``data_version`` moves by the number of rows instead."""
    out = Writer(session)
    todo = [(t, c, v) for t, c, v in batches if v]
    if not todo:
        return
    if out.dialect == "postgresql":  # COPY: one statement per table, its statement-level triggers fire once
        for table, columns, values in todo:
            _copy_rows(session, table, columns, values)
        return
    for table, _, _ in todo:
        out._journal(table)
    unknown = {t.name for t, _, _ in todo} - set(_QUIET)
    if unknown:
        raise ValueError(f"not a table of contacts: {sorted(unknown)}")
    ws = out.workspace_id
    rows = sum(len(v) for _, _, v in todo)
    triggers = [f"data_version_{n}_insert" for n in sorted({t.name for t, _, _ in todo})]
    statements = [(_insert_sql(t, c, "?"), [(ws, *row) for row in v]) for t, c, v in todo]

    def write(raw: Any) -> None:
        # The move first: it opens the driver's transaction, so that the DDL is inside it, never autocommitted.
        _run(raw, "UPDATE data_version SET changes = changes + ? WHERE workspace_id = ?", (rows, ws))
        saved = _set_aside(raw, triggers)
        try:
            for sql, values in statements:
                raw.executemany(sql, values)
        finally:
            _put_back(raw, saved)

    _pipe(session).send(write, rows)


def writer(session: Session) -> Writer:
    """Bulk writes into the session's workspace (see :class:`Writer`)."""
    return Writer(session)


# ---------------------------------------------------------------- the log's bulk load


_LOG_INSERT_TRIGGERS = ("activity_month_insert", "log_count_insert")
"""SQLite's row triggers on inserts into the log (migrations 0003 and 0006), which a bulk load does per batch."""


class LogLoad:
    """Many interactions and their participants into the session's workspace: the fastest path each backend has.

    Use as a context manager around the batches (:meth:`insert`), inside the
    session's transaction. Each batch is sent down the session's
    :class:`_Pipe` (on PostgreSQL written while the caller reads on). What the database's
    insert triggers keep (``log_count.participations``, ``activity_month``)
    stays exact:

    - **SQLite** has row triggers only, which cost more than the rows
      themselves (an upsert per interaction, two statements per participant).
      For the load, the two insert triggers are dropped *inside the
      transaction* and their work is done once per batch by set-based
      statements of the same meaning; they are created again, from the SQL
      the database itself stored, when the load ends. SQLite's DDL is
      transactional: a failed or killed load rolls the drop back with the
      rows, and no other connection can write meanwhile (one writer holds the
      database), so nobody else ever sees the log without its triggers.
    - **PostgreSQL** counts per statement (transition tables): the rows go
      in by ``COPY``, one statement per batch and table, so the triggers run
      once a batch instead of once a row (``executemany`` is a statement a row).
    """

    def __init__(self, out: Writer) -> None:
        self.out = out
        self.sqlite = out.dialect == "sqlite"
        self._saved: list[str] = []

    def __enter__(self) -> LogLoad:
        if self.sqlite:
            ws = self.out.workspace_id
            saved = self._saved

            def aside(raw: Any) -> None:
                # A write first: it opens the driver's transaction, so the DDL of setting the triggers aside is in it.
                _run(raw, "INSERT OR IGNORE INTO log_count (workspace_id, participations) VALUES (?, 0)", (ws,))
                saved.extend(_set_aside(raw, _LOG_INSERT_TRIGGERS, required=True))

            _pipe(self.out.session).send(aside)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sqlite:
            saved, self._saved = self._saved, []
            _pipe(self.out.session).send(lambda raw: _put_back(raw, saved))

    def insert(self, columns: Sequence[str], interactions: Sequence[tuple[Any, ...]],
               participants: Sequence[tuple[int, int]]) -> None:
        """One batch: interaction tuples (``columns``, the first ``id``; converted for the driver, as
        :meth:`Writer.insert_tuples` takes them) and ``(interaction_id, person_id)`` pairs."""
        if not interactions:
            return
        from kith.store.models import Interaction, InteractionParticipant

        inter = cast(Table, Interaction.__table__)
        part = cast(Table, InteractionParticipant.__table__)
        if not self.sqlite:
            _copy_rows(self.out.session, inter, columns, interactions)
            _copy_rows(self.out.session, part, ("interaction_id", "person_id"), participants)
            return
        self.out._journal(inter)
        self.out._journal(part)
        ws = self.out.workspace_id
        ids = [row[0] for row in interactions]
        low, high, parts = min(ids), max(ids), len(participants)
        inter_rows = [(ws, *row) for row in interactions]
        part_rows = [(ws, *pair) for pair in participants]
        inter_sql = _insert_sql(inter, columns, "?")
        part_sql = _insert_sql(part, ("interaction_id", "person_id"), "?")

        def write(raw: Any) -> None:
            raw.executemany(inter_sql, inter_rows)
            raw.executemany(part_sql, part_rows)
            # What activity_month_insert and log_count_insert do a row at a time, for the batch at once.
            _run(raw, "INSERT INTO activity_month (workspace_id, month, interactions) "
                      "SELECT workspace_id, substr(occurred_at, 1, 7), count(*) FROM interaction "
                      "WHERE workspace_id = ? AND id BETWEEN ? AND ? GROUP BY 1, 2 "
                      "ON CONFLICT (workspace_id, month) DO UPDATE SET interactions = interactions + excluded.interactions",
                 (ws, low, high))
            _run(raw, "UPDATE log_count SET participations = participations + ? WHERE workspace_id = ?", (parts, ws))

        _pipe(self.out.session).send(write, len(inter_rows) + len(part_rows))


def insert_derived_rows(session: Session, table: Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]
                        ) -> None:
    """Insert plain tuples into a table derived from the log and carrying no triggers (``tie_state``), down the
    session's :class:`_Pipe`: one COPY on PostgreSQL (``executemany`` there sends an INSERT per row: 1.1 s for
    30,000 tie states), ``executemany`` on SQLite (values converted by the columns' types: datetimes stored naive
    UTC, as the ORM stores them); the session's workspace is put in front of every tuple."""
    if not values:
        return
    out = Writer(session)  # flushes the session and notes the write, as every bulk write does
    if out.dialect == "postgresql":
        _copy_rows(session, table, columns, values)
        return
    dialect = session.get_bind().dialect
    convert = [_once_a_value(table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
    cells = [list(map(f, col)) if f is not None else col for f, col in zip(convert, zip(*values, strict=True), strict=True)]
    rows = list(zip(repeat(out.workspace_id, len(values)), *cells, strict=True))
    sql = _insert_sql(table, columns, "?")
    _pipe(session).send(lambda raw: raw.executemany(sql, rows), len(rows))


def _once_a_value(convert: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A column type's conversion, done once a value (the rows of a derived table share their time stamp); bytes
    go to the driver as they are (a blob either way)."""
    if convert is None:
        return None
    done: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        if isinstance(value, bytes):
            return value
        try:
            return done[value]
        except KeyError:
            done[value] = found = convert(value)
            return found
        except TypeError:  # not hashable
            return convert(value)

    return once


def log_load(out: Writer) -> LogLoad:
    """A bulk load of the log through ``out`` (see :class:`LogLoad`)."""
    return LogLoad(out)


__all__ = [
    "CHUNK",
    "NULL_NUMBER",
    "WS",
    "LogLoad",
    "Version",
    "WorkspaceNotNamed",
    "Writer",
    "coded",
    "data_version",
    "epoch",
    "first",
    "insert_contact_rows",
    "insert_derived_rows",
    "log_edits",
    "log_load",
    "nan_for_null",
    "numbers",
    "or_null",
    "participations",
    "rows",
    "scalars",
    "tuples",
    "tuples_after_writes",
    "writer",
]
