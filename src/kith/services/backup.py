"""The JSON backup: everything in a workspace, in one document that restores losslessly.

The format is described in ``docs/backup-format.md`` and, as a JSON Schema
generated from :data:`SECTIONS`, in ``docs/backup.schema.json``. One table of
sections drives the export, the validation, the id remapping and the insert,
so the four cannot drift apart.

:func:`import_backup` validates the whole document before writing anything,
and only restores into a workspace that holds no relationship data. Ids are
kept when they are free; when another workspace already uses some of them
(ids are global), that section's ids are shifted and every reference follows.
Derived data (``tie_state``, folded search keys, identifier match keys) is
not exported; it is recomputed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Boolean, Date, Float, Integer, String, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Column, Table
from sqlalchemy.types import JSON

from kith import clock
from kith.clock import utc
from kith.engine.kinds import KINDS, LAYERS, Direction, RelationKind
from kith.errors import ImportFailed
from kith.importers.reading import clean, json_document, read_bytes
from kith.normalize import fold, identifier_key
from kith.services.events import EVENT_KINDS
from kith.services.favors import DIRECTIONS as FAVOR_DIRECTIONS
from kith.services.favors import STATUSES as FAVOR_STATUSES
from kith.services.people import IDENTIFIER_KINDS, folded_keys
from kith.services.tie_states import rebuild_tie_states
from kith.store import door
from kith.store.models import (
    AgendaMark,
    Base,
    Cadence,
    Event,
    EventMember,
    Favor,
    Goal,
    Identifier,
    Interaction,
    InteractionParticipant,
    KeptApart,
    Opportunity,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
    TieState,
    UTCDateTime,
    Workspace,
)
from kith.store.scope import workspace_id

FORMAT = "kith-backup"
VERSION = 1
MAX_PROBLEMS_SHOWN = 3


@dataclass(frozen=True)
class Section:
    """One list of the document: which model it restores and how its fields are checked."""

    key: str
    model: type[Base]
    fields: tuple[str, ...]
    refs: Mapping[str, str] = field(default_factory=dict)  # field -> section key it points into
    enums: Mapping[str, Collection[str]] = field(default_factory=dict)
    ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    has_id: bool = True
    optional: bool = False  # added after version 1 was first written: a document without it has none

    def columns(self) -> dict[str, Column[Any]]:
        """The table column behind each field."""
        table = table_of(self.model)
        return {name: table.c[name] for name in self.fields}


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (typed)."""
    return cast(Table, model.__table__)


IDENTIFIERS = Section("identifiers", Identifier, ("kind", "value", "label", "source"),
                      enums={"kind": IDENTIFIER_KINDS}, has_id=False)
MEMBERS = Section("members", EventMember, ("person_id", "role", "behind_scenes"),
                  refs={"person_id": "people"}, has_id=False)

SECTIONS: tuple[Section, ...] = (
    Section("organizations", Organization, ("id", "name", "domain", "industry", "note")),
    Section("events", Event, ("id", "name", "kind", "starts_on", "ends_on", "location", "note"),
            enums={"kind": EVENT_KINDS}),
    Section("goals", Goal, ("id", "title", "note", "target_orgs", "industries", "roles", "tags",
                            "starts_on", "ends_on", "status", "closed_on", "created_at"),
            enums={"status": ("active", "closed")}),
    Section("people", Person, (
        "id", "display_name", "given_name", "family_name", "nickname", "organization_id", "title",
        "location", "birthday", "notes", "met_at_event_id", "met_on", "introduced_by_id", "is_key",
        "closeness", "archived", "photo_path", "provenance", "created_at", "updated_at"),
            refs={"organization_id": "organizations", "met_at_event_id": "events",
                  "introduced_by_id": "people"},
            ranges={"closeness": (0, 100)}),
    Section("relations", Relation,
            ("id", "src_id", "kind", "dst_id", "source", "note", "created_at"),
            refs={"src_id": "people", "dst_id": "people"},
            enums={"kind": tuple(r.value for r in RelationKind)}),
    Section("interactions", Interaction, ("id", "occurred_at", "kind", "direction", "sentiment", "note",
                                          "source", "dedupe_key", "event_id", "created_at"),
            refs={"event_id": "events"},
            enums={"kind": tuple(KINDS), "direction": tuple(d.value for d in Direction)},
            ranges={"sentiment": (-2, 2)}),
    Section("favors", Favor, ("id", "person_id", "direction", "what", "status", "asked_on", "done_on",
                              "returned_on", "event_id", "created_at"),
            refs={"person_id": "people", "event_id": "events"},
            enums={"direction": FAVOR_DIRECTIONS, "status": FAVOR_STATUSES}),
    Section("opportunities", Opportunity,
            ("id", "title", "kind", "referred_by_id", "organization_id", "goal_id", "found_on", "outcome",
             "value", "note", "created_at"),
            refs={"referred_by_id": "people", "organization_id": "organizations", "goal_id": "goals"},
            enums={"kind": ("job", "deal", "gig", "client", "other"), "outcome": ("open", "won", "lost")}),
    Section("cadences", Cadence, ("scope", "target", "days"), enums={"scope": ("person", "tag", "layer")},
            ranges={"days": (1, 100_000)}, has_id=False),
    Section("agenda_marks", AgendaMark, ("person_id", "action", "state", "until", "created_at"),
            refs={"person_id": "people"}, enums={"state": ("done", "snoozed")}, has_id=False),
    Section("kept_apart", KeptApart, ("a_id", "b_id"), refs={"a_id": "people", "b_id": "people"}, has_id=False,
            optional=True),
)
BY_KEY = {s.key: s for s in SECTIONS}
# Sections whose rows keep their ids (and so may need their PostgreSQL sequence reset).
ID_SECTIONS = tuple(s for s in SECTIONS if s.has_id)
DATA_MODELS: tuple[type[Base], ...] = (
    *(s.model for s in SECTIONS), Identifier, Tag, PersonTag, EventMember, InteractionParticipant, TieState,
)


# --------------------------------------------------------------------------- export


def export_backup(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything in the session's workspace as one JSON-serialisable document."""
    ws = session.get(Workspace, workspace_id(session))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc(now or datetime.now(UTC)).isoformat(),
        "owner_emails": list(ws.owner_emails or []) if ws else [],
        "tags": list(session.scalars(select(Tag.name).order_by(Tag.name))),
    }
    for section in SECTIONS:
        doc[section.key] = _export_rows(session, section)
    _attach_people_details(session, doc["people"])
    _attach_members(session, doc["events"])
    _attach_participants(session, doc["interactions"])
    return doc


def _export_rows(session: Session, section: Section) -> list[dict[str, Any]]:
    model: Any = section.model
    order = (model.id,) if section.has_id else (
        (model.scope, model.target) if section.model is Cadence else (model.id,))
    stmt = select(*[getattr(model, f) for f in section.fields]).order_by(*order)
    return [
        {f: _json_value(v) for f, v in zip(section.fields, row, strict=True)}
        for row in session.execute(stmt)
    ]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _attach_people_details(session: Session, people: list[dict[str, Any]]) -> None:
    idents: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cols = [getattr(Identifier, f) for f in IDENTIFIERS.fields]
    for pid, *values in session.execute(select(Identifier.person_id, *cols).order_by(Identifier.id)):
        idents[pid].append(dict(zip(IDENTIFIERS.fields, values, strict=True)))
    tags: dict[int, list[str]] = defaultdict(list)
    tag_rows = select(PersonTag.person_id, Tag.name).join(Tag, Tag.id == PersonTag.tag_id).order_by(Tag.name)
    for pid, name in session.execute(tag_rows):
        tags[pid].append(name)
    for person in people:
        person["identifiers"] = idents.get(person["id"], [])
        person["tags"] = tags.get(person["id"], [])


def _attach_members(session: Session, events: list[dict[str, Any]]) -> None:
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cols = [getattr(EventMember, f) for f in MEMBERS.fields]
    for eid, *values in session.execute(
        select(EventMember.event_id, *cols).order_by(EventMember.event_id, EventMember.person_id)
    ):
        members[eid].append(dict(zip(MEMBERS.fields, values, strict=True)))
    for ev in events:
        ev["members"] = members.get(ev["id"], [])


def _attach_participants(session: Session, interactions: list[dict[str, Any]]) -> None:
    people: dict[int, list[int]] = defaultdict(list)
    stmt = select(InteractionParticipant.interaction_id, InteractionParticipant.person_id).order_by(
        InteractionParticipant.interaction_id, InteractionParticipant.person_id
    )
    for iid, pid in session.execute(stmt):
        people[iid].append(pid)
    for inter in interactions:
        inter["participants"] = people.get(inter["id"], [])


# --------------------------------------------------------------------------- checks


def workspace_data_tables(session: Session) -> list[str]:
    """The tables in which the session's workspace already has rows (empty list: nothing)."""
    busy = []
    for model in DATA_MODELS:
        pk = next(iter(table_of(model).primary_key.columns))
        if session.execute(select(getattr(model, pk.name)).limit(1)).first() is not None:
            busy.append(str(model.__tablename__))
    return busy


class Problems:
    """What is wrong with a document; raised as one :class:`ImportFailed`."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        """Note one problem at a JSON path."""
        self.items.append(f"{where}: {what}")

    def raise_if_any(self) -> None:
        """Raise one error naming the first problems and how many there are."""
        if not self.items:
            return
        shown = "; ".join(self.items[:MAX_PROBLEMS_SHOWN])
        more = len(self.items) - MAX_PROBLEMS_SHOWN
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
        raise ImportFailed(f"not a valid Kith backup: {shown}{tail}; nothing was imported")


def _kind_of(col: Column[Any]) -> str:
    t = col.type
    if isinstance(t, UTCDateTime):
        return "datetime"
    if isinstance(t, Date):
        return "date"
    if isinstance(t, Boolean):
        return "boolean"
    if isinstance(t, Integer):
        return "integer"
    if isinstance(t, Float):
        return "number"
    if isinstance(t, JSON):
        return "object" if col.name == "provenance" else "strings"
    if isinstance(t, String):
        return "string"
    raise TypeError(f"no backup form for column {col}")  # pragma: no cover - a new column type


def _parse(kind: str, value: Any, length: int | None) -> tuple[Any, str | None]:
    """The Python value of a JSON field of ``kind``, or an explanation of why not."""
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return value, None if ok else "expected an integer"
    if kind == "boolean":
        return value, None if isinstance(value, bool) else "expected true or false"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        return (float(value) if ok else value), None if ok else "expected a finite number"
    # Control characters (NUL, ESC...) are removed as on import: a backup of a database that an
    # older Kith let them into still restores, on PostgreSQL too.
    if kind == "string":
        problem = _string_problem(value, length)
        return (value if problem else clean(value)[0]), problem
    if kind == "strings":
        ok = isinstance(value, list) and all(_string_problem(v, None) is None for v in value)
        return ([clean(v)[0] for v in value] if ok else value), None if ok else "expected a list of strings"
    if kind == "object":
        return value, None if isinstance(value, dict) else "expected an object"
    return _parse_time(kind, value)


def read_backup(path: Path) -> Any:
    """The JSON document of a backup file: UTF-8, at most the import size, nested at most 64 deep."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(f"{path}: not a Kith backup (byte 0x{data[exc.start]:02x} on line {line} is not UTF-8)") from None
    return json_document(text, str(path))


def _string_problem(value: Any, length: int | None) -> str | None:
    if not isinstance(value, str):
        return "expected a string"
    if length is not None and len(value) > length:
        return f"longer than {length} characters"
    return None


def _parse_time(kind: str, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return value, f"expected an ISO 8601 {kind} string"
    try:
        parsed: date | datetime = date.fromisoformat(value) if kind == "date" else datetime.fromisoformat(value)
    except ValueError:
        return value, f"'{value}' is not an ISO 8601 {kind}"
    if not clock.in_range(parsed):
        return value, f"'{value}' is outside the years {clock.FIRST_YEAR}-{clock.LAST_YEAR}"
    return (parsed if isinstance(parsed, date) and not isinstance(parsed, datetime) else utc(parsed)), None


def _check_object(
    raw: Any, section: Section, where: str, problems: Problems, extra: Collection[str] = ()
) -> dict[str, Any] | None:
    """The row's fields as Python values; problems are noted, None if it is unusable."""
    if not isinstance(raw, dict):
        problems.add(where, "expected an object")
        return None
    expected = set(section.fields) | set(extra)
    for name in sorted(expected - raw.keys()):
        problems.add(where, f"missing '{name}'")
    for name in sorted(raw.keys() - expected):
        problems.add(where, f"unknown field '{name}'")
    out: dict[str, Any] = {}
    for name, col in section.columns().items():
        if name not in raw:
            continue
        out[name] = _check_field(raw[name], col, section, f"{where}.{name}", problems)
    return out


def _check_field(value: Any, col: Column[Any], section: Section, where: str, problems: Problems) -> Any:
    if value is None:
        if not col.nullable:
            problems.add(where, "must not be null")
        return None
    length = getattr(col.type, "length", None)
    parsed, problem = _parse(_kind_of(col), value, length)
    if problem is None and col.name in section.enums and parsed not in section.enums[col.name]:
        problem = f"'{parsed}' is not one of {', '.join(section.enums[col.name])}"
    if problem is None and col.name in section.ranges:
        low, high = section.ranges[col.name]
        if not low <= parsed <= high:
            problem = f"{parsed} is not between {low} and {high}"
    if problem is not None:
        problems.add(where, problem)
    return parsed


# --------------------------------------------------------------------------- validation


@dataclass
class Restore:
    """A validated document, as Python values ready to insert."""

    owner_emails: list[str]
    tags: list[str]
    rows: dict[str, list[dict[str, Any]]]
    identifiers: dict[int, list[dict[str, Any]]]  # person id -> identifiers
    person_tags: dict[int, list[str]]
    members: dict[int, list[dict[str, Any]]]  # event id -> members
    participants: dict[int, list[int]]  # interaction id -> person ids

    def counts(self) -> dict[str, int]:
        """The summary of what the document holds."""
        return {s.key: len(self.rows[s.key]) for s in SECTIONS}


def validate_backup(data: Any) -> Restore:
    """Check a whole document (shape, types, values, references); raise one ImportFailed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFailed(f"not a Kith backup (expected \"format\": \"{FORMAT}\")")
    if data.get("version") != VERSION:
        raise ImportFailed(
            f"unsupported backup version {data.get('version')!r} (this Kith reads version {VERSION})"
        )
    problems = Problems()
    known = {"format", "version", "exported_at", "owner_emails", "tags", *BY_KEY}
    for name in sorted(known - data.keys() - {s.key for s in SECTIONS if s.optional}):
        problems.add("$", f"missing '{name}'")
    for name in sorted(data.keys() - known):
        problems.add("$", f"unknown field '{name}'")
    if "exported_at" in data:
        _, problem = _parse_time("datetime", data["exported_at"])
        if problem:
            problems.add("$.exported_at", problem)
    owner_emails = _check_strings(data.get("owner_emails", []), "$.owner_emails", problems)
    tags = _check_strings(data.get("tags", []), "$.tags", problems)
    restore = Restore(owner_emails, tags, {}, {}, {}, {}, {})
    for section in SECTIONS:
        restore.rows[section.key] = _check_section(data.get(section.key, []), section, restore, problems)
    problems.raise_if_any()
    _check_uniqueness(restore, problems)
    _check_references(restore, problems)
    problems.raise_if_any()
    return restore


def _check_strings(value: Any, where: str, problems: Problems) -> list[str]:
    parsed, problem = _parse("strings", value, None)
    if problem:
        problems.add(where, problem)
        return []
    return list(parsed)


NESTED: dict[str, tuple[str, ...]] = {
    "people": ("identifiers", "tags"), "events": ("members",), "interactions": ("participants",),
}


def _check_section(raw: Any, section: Section, restore: Restore, problems: Problems) -> list[dict[str, Any]]:
    where = f"$.{section.key}"
    if not isinstance(raw, list):
        problems.add(where, "expected a list")
        return []
    rows = []
    for i, item in enumerate(raw):
        row = _check_object(item, section, f"{where}[{i}]", problems, NESTED.get(section.key, ()))
        if row is None:
            continue
        rows.append(row)
        if section.key in NESTED and isinstance(row.get("id"), int):
            _check_nested(item, section.key, row["id"], f"{where}[{i}]", restore, problems)
    return rows


def _check_nested(item: dict[str, Any], key: str, row_id: int, where: str, restore: Restore,
                  problems: Problems) -> None:
    if key == "people":
        restore.identifiers[row_id] = _check_sublist(item.get("identifiers"), IDENTIFIERS, f"{where}.identifiers", problems)
        restore.person_tags[row_id] = _check_strings(item.get("tags", []), f"{where}.tags", problems)
    elif key == "events":
        restore.members[row_id] = _check_sublist(item.get("members"), MEMBERS, f"{where}.members", problems)
    else:
        ids = item.get("participants")
        ok = isinstance(ids, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in ids)
        if not ok:
            problems.add(f"{where}.participants", "expected a list of person ids")
        restore.participants[row_id] = list(cast(list[int], ids)) if ok else []


def _check_sublist(raw: Any, section: Section, where: str, problems: Problems) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        problems.add(where, "expected a list")
        return []
    rows = [_check_object(item, section, f"{where}[{i}]", problems) for i, item in enumerate(raw)]
    return [r for r in rows if r is not None]


def _check_references(restore: Restore, problems: Problems) -> None:
    ids = {s.key: {r["id"] for r in restore.rows[s.key]} for s in ID_SECTIONS}
    for section in SECTIONS:
        for i, row in enumerate(restore.rows[section.key]):
            for name, target in section.refs.items():
                if row.get(name) is not None and row[name] not in ids[target]:
                    problems.add(f"$.{section.key}[{i}].{name}", f"no {target} with id {row[name]}")
    for eid, members in restore.members.items():
        for m in members:
            if m["person_id"] not in ids["people"]:
                problems.add(f"$.events[id={eid}].members", f"no people with id {m['person_id']}")
    for iid, pids in restore.participants.items():
        for pid in pids:
            if pid not in ids["people"]:
                problems.add(f"$.interactions[id={iid}].participants", f"no people with id {pid}")
    tags = set(restore.tags)
    for pid, names in restore.person_tags.items():
        for name in names:
            if name not in tags:
                problems.add(f"$.people[id={pid}].tags", f"'{name}' is not in $.tags")
    for i, cad in enumerate(restore.rows["cadences"]):
        _check_cadence_target(cad, f"$.cadences[{i}].target", ids["people"], problems)


def _check_cadence_target(cad: dict[str, Any], where: str, people: set[int], problems: Problems) -> None:
    target, scope = cad.get("target"), cad.get("scope")
    if scope == "person" and not (str(target).isdigit() and int(str(target)) in people):
        problems.add(where, f"no people with id {target}")
    elif scope == "layer" and target not in LAYERS:
        problems.add(where, f"'{target}' is not a layer ({', '.join(LAYERS)})")


def _check_uniqueness(restore: Restore, problems: Problems) -> None:
    def once(values: Iterable[Any], where: str, what: str) -> None:
        seen: set[Any] = set()
        for v in values:
            if v in seen:
                problems.add(where, f"{what} {v!r} appears twice")
            seen.add(v)

    for s in ID_SECTIONS:
        once((r["id"] for r in restore.rows[s.key]), f"$.{s.key}", "id")
    once(restore.tags, "$.tags", "tag")
    once((fold(r["name"]) for r in restore.rows["organizations"]), "$.organizations", "name")
    once(((r["src_id"], r["kind"], r["dst_id"]) for r in restore.rows["relations"]), "$.relations", "relation")
    once((r["dedupe_key"] for r in restore.rows["interactions"] if r["dedupe_key"] is not None),
         "$.interactions", "dedupe_key")
    once(((r["scope"], r["target"]) for r in restore.rows["cadences"]), "$.cadences", "cadence")
    for pid, names in restore.person_tags.items():
        once(names, f"$.people[id={pid}].tags", "tag")
    for eid, members in restore.members.items():
        once((m["person_id"] for m in members), f"$.events[id={eid}].members", "person")
    for iid, pids in restore.participants.items():
        once(pids, f"$.interactions[id={iid}].participants", "person")


# --------------------------------------------------------------------------- import


def import_backup(session: Session, data: Any) -> dict[str, int]:
    """Restore a backup into the session's (empty) workspace; returns counts per section."""
    restore = validate_backup(data)
    busy = workspace_data_tables(session)
    if busy:
        raise ImportFailed(
            "a backup restores into an empty workspace only; this one already has data "
            f"({', '.join(busy)}); use a new database (--db)"
        )
    ws = workspace_id(session)
    out = door.writer(session)
    remap = _id_remapping(out, restore)
    _insert_all(out, restore, ws, remap)
    out.move_sequences_past(table_of(section.model) for section in ID_SECTIONS)
    workspace = session.get(Workspace, ws)
    if workspace is not None:
        workspace.owner_emails = restore.owner_emails
    session.flush()
    rebuild_tie_states(session)  # the log arrived around the ORM: its tie states are built here
    return restore.counts()


IdMap = Callable[[str, Any], Any]


def _id_remapping(out: door.Writer, restore: Restore) -> IdMap:
    """Shift a section's ids past every existing row when any of them is taken (ids are global)."""
    offsets: dict[str, int] = {}
    for section in ID_SECTIONS:
        ids = [r["id"] for r in restore.rows[section.key]]
        table = table_of(section.model)
        if not ids:
            continue
        if out.ids_taken(table, ids):
            offsets[section.key] = out.max_id(table)

    def new_id(section_key: str, old: Any) -> Any:
        return old if old is None else old + offsets.get(section_key, 0)

    return new_id


def _insert_all(out: door.Writer, restore: Restore, ws: int, new_id: IdMap) -> None:
    tag_ids = _insert_tags(out, restore.tags)
    for section in SECTIONS:
        rows = [_remapped(section, row, ws, new_id) for row in restore.rows[section.key]]
        if section.key == "people":
            _insert_people(out, rows, restore, ws, new_id, tag_ids)
        else:
            out.insert(table_of(section.model), rows)
        if section.key == "people":  # events come first, so members go in now
            _insert_members(out, restore, ws, new_id)
        if section.key == "interactions":
            _insert_participants(out, restore, ws, new_id)


def _remapped(section: Section, row: dict[str, Any], ws: int, new_id: IdMap) -> dict[str, Any]:
    out = dict(row, workspace_id=ws)
    if section.has_id:
        out["id"] = new_id(section.key, row["id"])
    for name, target in section.refs.items():
        out[name] = new_id(target, row[name])
    if section.model is Organization:
        out["name_key"] = fold(row["name"])
    if section.model is Cadence and row["scope"] == "person":
        out["target"] = str(new_id("people", int(row["target"])))
    return out


def _insert_tags(out: door.Writer, names: list[str]) -> dict[str, int]:
    return dict(zip(names, out.insert_returning_ids(table_of(Tag), [{"name": n} for n in names]), strict=True))


_INTRODUCED = (
    update(table_of(Person)).where(table_of(Person).c.id == bindparam("pid"), table_of(Person).c.workspace_id == door.WS)
    .values(introduced_by_id=bindparam("intro"))
)


def _insert_people(out: door.Writer, rows: list[dict[str, Any]], restore: Restore, ws: int, new_id: IdMap,
                   tag_ids: dict[str, int]) -> None:
    orgs = {new_id("organizations", o["id"]): o["name"] for o in restore.rows["organizations"]}
    introduced = [{"pid": r["id"], "intro": r["introduced_by_id"]} for r in rows if r["introduced_by_id"]]
    idents: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for row, raw in zip(rows, restore.rows["people"], strict=True):
        own = restore.identifiers.get(raw["id"], [])
        row["name_key"], row["search_key"] = _folded_keys(row, orgs.get(row["organization_id"]), own)
        row["introduced_by_id"] = None  # set below: it may point to a later row
        idents += [dict(i, person_id=row["id"], workspace_id=ws,
                        value_key=identifier_key(i["kind"], i["value"]) or fold(i["value"])) for i in own]
        links += [{"person_id": row["id"], "tag_id": tag_ids[t], "workspace_id": ws}
                  for t in restore.person_tags.get(raw["id"], [])]
    out.insert(table_of(Person), rows)
    out.execute(_INTRODUCED, introduced)
    out.insert(table_of(Identifier), idents)
    out.insert(table_of(PersonTag), links)


def _folded_keys(row: dict[str, Any], org_name: str | None, idents: list[dict[str, Any]]) -> tuple[str, str]:
    """The folded name and search text, computed by the same code that maintains them."""
    return folded_keys(row["display_name"], row["nickname"], row["title"], row["location"], row["notes"],
                       ((i["kind"], i["value"]) for i in idents), org_name)


def _insert_members(out: door.Writer, restore: Restore, ws: int, new_id: IdMap) -> None:
    rows = [dict(m, event_id=new_id("events", eid), person_id=new_id("people", m["person_id"]), workspace_id=ws)
            for eid, members in restore.members.items() for m in members]
    out.insert(table_of(EventMember), rows)


def _insert_participants(out: door.Writer, restore: Restore, ws: int, new_id: IdMap) -> None:
    rows = [{"interaction_id": new_id("interactions", iid), "person_id": new_id("people", pid), "workspace_id": ws}
            for iid, pids in restore.participants.items() for pid in pids]
    out.insert(table_of(InteractionParticipant), rows)


# --------------------------------------------------------------------------- schema


JSON_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "strings": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
}


def backup_json_schema() -> dict[str, Any]:
    """The JSON Schema of the backup document (``docs/backup.schema.json`` is this)."""
    props: dict[str, Any] = {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_at": JSON_TYPES["datetime"],
        "owner_emails": JSON_TYPES["strings"],
        "tags": JSON_TYPES["strings"],
    }
    nested: dict[str, dict[str, Any]] = {
        "people": {"identifiers": _list_of(_object_schema(IDENTIFIERS)), "tags": JSON_TYPES["strings"]},
        "events": {"members": _list_of(_object_schema(MEMBERS))},
        "interactions": {"participants": {"type": "array", "items": {"type": "integer"}}},
    }
    for section in SECTIONS:
        props[section.key] = _list_of(_object_schema(section, nested.get(section.key, {})))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://kith.invalid/backup.schema.json",
        "title": "Kith backup, version 1",
        "type": "object",
        "required": sorted(set(props) - {s.key for s in SECTIONS if s.optional}),
        "additionalProperties": False,
        "properties": props,
    }


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _object_schema(section: Section, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, col in section.columns().items():
        schema = dict(JSON_TYPES[_kind_of(col)])
        length = getattr(col.type, "length", None)
        if length is not None and schema.get("type") == "string":
            schema["maxLength"] = length
        if name in section.enums:
            schema["enum"] = list(section.enums[name])
        if name in section.ranges:
            schema["minimum"], schema["maximum"] = section.ranges[name]
        if col.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        props[name] = schema
    props.update(extra or {})
    return {"type": "object", "required": sorted(props), "additionalProperties": False, "properties": props}
