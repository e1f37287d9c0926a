"""Bulk inserts of people and interactions: Core executemany in batches, for big loads.

The ORM path (:func:`kith.services.people.add_person`, ``log_interaction``)
flushes row by row; loading tens of thousands of people or a million
interactions (the demo, benchmarks, large imports) goes through here, and
through the store's door (:class:`kith.store.door.Writer`), which stamps every
row with the session's workspace. The folded keys are computed as
:func:`kith.services.people.refresh_search_key` computes them. Inserting
interactions keeps the tie states current explicitly
(:func:`kith.services.tie_states.fold_added`): no hook sees Core inserts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import chain, islice
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import Table

from kith.clock import utc
from kith.engine.kinds import IMPLIED_DIRECTION, KINDS, Direction
from kith.errors import BadInput
from kith.normalize import email_key, parse_name
from kith.services import log_cache
from kith.services.people import folded_keys, normalize_tag
from kith.services.tie_log import aware
from kith.services.tie_states import FULL_REBUILD_SHARE, Added, fold_added, rebuild_tie_states
from kith.store import door
from kith.store.models import (
    Identifier,
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Tag,
)
from kith.store.scope import workspace_id

T = TypeVar("T")


@dataclass(frozen=True)
class BulkPerson:
    """One person to insert; e-mails must be valid addresses."""

    name: str
    organization_id: int | None = None
    title: str = ""
    emails: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    notes: str = ""
    location: str = ""
    is_key: bool = False
    closeness: int | None = None
    archived: bool = False
    met_at_event_id: int | None = None
    met_on: date | None = None
    introduced_by_id: int | None = None
    created_at: datetime | None = None
    source: str = "manual"


@dataclass(frozen=True)
class BulkInteraction:
    """One interaction to insert, with the ids of the people in it."""

    occurred_at: datetime
    kind: str
    person_ids: tuple[int, ...]
    direction: str | None = None
    sentiment: int = 0
    note: str = ""
    source: str = "manual"
    event_id: int | None = None
    dedupe_key: str | None = None


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def insert_people_bulk(
    session: Session, people: Iterable[BulkPerson], *, now: datetime, batch_size: int = 5000
) -> list[int]:
    """Insert people with their e-mails and tags; returns their ids in input order."""
    ws = workspace_id(session)
    out = door.writer(session)
    orgs = {int(i): str(n) for i, n in session.execute(select(Organization.id, Organization.name))}
    tag_ids = _tag_ids(session, ws)
    ids: list[int] = []
    for chunk in batches(people, batch_size):
        rows = [_person_row(p, ws, now, orgs.get(p.organization_id or -1)) for p in chunk]
        new = out.insert_returning_ids(_table(Person), rows)
        ids += new
        _insert_person_details(out, chunk, new, tag_ids)
    return ids


def _person_row(p: BulkPerson, ws: int, now: datetime, org_name: str | None) -> dict[str, Any]:
    name = " ".join(p.name.split())
    if not name:
        raise BadInput("a person needs a name")
    given, family = split_name(name)
    name_key, search_key = folded_keys(name, "", p.title, p.location, p.notes, (("email", e) for e in p.emails), org_name)
    return {
        "workspace_id": ws, "display_name": name, "given_name": given,
        "family_name": family, "nickname": "", "name_key": name_key,
        "search_key": search_key, "organization_id": p.organization_id,
        "title": p.title, "location": p.location, "birthday": "", "notes": p.notes,
        "met_at_event_id": p.met_at_event_id, "met_on": p.met_on, "introduced_by_id": p.introduced_by_id,
        "is_key": p.is_key, "closeness": p.closeness, "archived": p.archived, "photo_path": "",
        "provenance": {}, "created_at": p.created_at or now, "updated_at": p.created_at or now,
    }


@lru_cache(maxsize=4096)
def split_name(name: str) -> tuple[str, str]:
    """Given and family name: nameparser for unusual names, a plain split for "Given Family ..."

    nameparser costs milliseconds a name, too slow for tens of thousands; a
    name of plain capitalised words without titles or commas splits the same way.
    """
    words = name.split()
    if "," in name or "." in name or len(words) < 2 or not all(w[:1].isupper() for w in words):
        return parse_name(name)
    return words[0], " ".join(words[1:])


def _tag_ids(session: Session, ws: int) -> dict[str, int]:
    return {str(n): int(i) for n, i in session.execute(select(Tag.name, Tag.id))}


def _insert_person_details(
    out: door.Writer, chunk: Sequence[BulkPerson], ids: Sequence[int], tag_ids: dict[str, int]
) -> None:
    ws = out.workspace_id
    idents, links = [], []
    for p, pid in zip(chunk, ids, strict=True):
        for value in p.emails:
            key = email_key(value)
            if key is None:
                raise BadInput(f"'{value}' is not an e-mail address")
            idents.append({"workspace_id": ws, "person_id": pid, "kind": "email", "value": value, "value_key": key,
                           "label": "", "source": p.source})
        for name in dict.fromkeys(normalize_tag(t) for t in p.tags):
            if name not in tag_ids:
                tag_ids[name] = out.insert_returning_ids(_table(Tag), [{"name": name}])[0]
            links.append({"workspace_id": ws, "person_id": pid, "tag_id": tag_ids[name]})
    out.insert(_table(Identifier), idents)
    out.insert(_table(PersonTag), links)


def insert_interactions_bulk(
    session: Session, interactions: Iterable[BulkInteraction], *, now: datetime, batch_size: int = 20000,
    ids_out: MutableSequence[int] | None = None, expected: int = 0,
) -> int:
    """Insert interactions and their participants; returns how many were inserted (their ids into ``ids_out``).

    ``interactions`` may be a generator that writes other rows (the people in
    them) before yielding: nothing is inserted until a batch has been drawn.

    Goes straight to the driver's ``executemany`` with pre-converted values and
    ids reserved up front (a PostgreSQL sequence range, or SQLite's next ids in
    its single-writer transaction): ORM-level conversion costs more than the
    database itself at a million rows. The participants' tie states are
    brought up to date in the same transaction (folded in, or rebuilt when the
    load is a large part of the log).

    ``expected``: about how many interactions may come (0: unknown). On PostgreSQL ids for as many (at most
    100,000) are then reserved as soon as the first interaction comes, so that batches need not wait for the
    writes sent before them to reserve theirs (ids not used are a gap in the numbering, nothing more).
    """
    out = door.writer(session)
    sqlite = out.dialect == "sqlite"
    stamp = db_time(now, sqlite)
    count = 0
    added: list[Added] | None = []  # None once the load is big enough to rebuild everyone instead
    before = door.participations(session)
    limit = max(5000.0, FULL_REBUILD_SHARE * before)
    entries = 0
    whole: list[np.ndarray] | None = [] if before == 0 else None  # into an empty log: the load is the whole log
    free: list[int] = []  # ids reserved ahead (PostgreSQL)
    next_id: int | None = None  # the next id to give (SQLite)
    drawn = iter(interactions)
    first = next(drawn, None)  # (a generator writes what its first interaction needs before yielding it)
    if first is not None and not sqlite and expected > 0:
        free = out.reserve_ids(_table(Interaction), min(expected, 100_000))
    with door.log_load(out) as load:
        for chunk in batches(chain([first] if first is not None else [], drawn), batch_size):
            if sqlite:
                # SQLite has one writer, this transaction, and nothing else of it adds to the log meanwhile: the ids
                # are counted on from the largest, read once.
                if next_id is None:
                    next_id = out.max_id(_table(Interaction)) + 1
                ids = list(range(next_id, next_id + len(chunk)))
                next_id += len(chunk)
            else:
                if len(free) < len(chunk):
                    ahead = max(len(chunk) - len(free), min(expected - count, 100_000) - len(free))
                    free += out.reserve_ids(_table(Interaction), ahead)
                ids, free = free[:len(chunk)], free[len(chunk):]
            rows = [_interaction_tuple(i, iid, stamp, sqlite) for i, iid in zip(chunk, ids, strict=True)]
            people = [tuple(i.person_ids) if len(i.person_ids) < 2 else tuple(dict.fromkeys(i.person_ids)) for i in chunk]
            parts = [(iid, pid) for iid, pids in zip(ids, people, strict=True) for pid in pids]
            load.insert(INTERACTION_COLUMNS, rows, parts)
            count += len(chunk)
            entries += len(parts)
            if ids_out is not None:
                ids_out.extend(ids)
            if added is not None and entries <= limit:
                added += [Added(r[0], i.occurred_at, r[2], r[3], r[4], pids)
                          for i, r, pids in zip(chunk, rows, people, strict=True)]
            else:
                added = None
            if whole is not None:
                whole.append(log_cache.pack([
                    log_cache.NewEntry(r[0], pid, aware(i.occurred_at).timestamp(), r[2], r[3], r[4], len(pids))
                    for i, r, pids in zip(chunk, rows, people, strict=True) for pid in pids]))
    if count > 10_000:
        # Many new rows in the log: give the planner fresh statistics of it (on PostgreSQL of the log's tables only:
        # ANALYZE of every table cost 0.4 s of a 30,000-row import, of these two 0.05 s; autovacuum does the rest).
        # (On PostgreSQL it is sent after the load's writes, and nothing waits for it.)
        out.analyze([_table(Interaction), _table(InteractionParticipant)])
    if added is None:
        loaded = np.concatenate(whole) if whole else None
        whole = None  # the load's entries once, not twice (25 bytes an entry: 25 MB at a million)
        rebuild_tie_states(session, entries=loaded)
    else:
        fold_added(session, added)
    return count


INTERACTION_COLUMNS = ("id", "occurred_at", "kind", "direction", "sentiment", "note", "source", "dedupe_key",
                       "event_id", "created_at")


def db_time(at: datetime, sqlite: bool) -> Any:
    """A datetime as the column stores it: naive UTC text on SQLite, aware on PostgreSQL."""
    at = utc(at)
    return at.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else at


_DIRECTIONS = {k: IMPLIED_DIRECTION.get(k, Direction.MUTUAL).value for k in KINDS}


def _interaction_tuple(i: BulkInteraction, iid: int, stamp: Any, sqlite: bool) -> tuple[Any, ...]:
    """The values of INTERACTION_COLUMNS, checked and converted for the driver (the rules of _interaction_row)."""
    implied = _DIRECTIONS.get(i.kind)
    if implied is None or not i.person_ids or not -2 <= i.sentiment <= 2:
        _interaction_row(i, stamp)  # raises the error
    return (iid, db_time(i.occurred_at, sqlite), i.kind, i.direction or implied, i.sentiment,
            i.note, i.source, i.dedupe_key, i.event_id, stamp)


def _interaction_row(i: BulkInteraction, now: Any) -> dict[str, Any]:
    if i.kind not in KINDS:
        raise BadInput(f"unknown interaction kind '{i.kind}'")
    if not i.person_ids:
        raise BadInput("an interaction needs at least one person")
    if not -2 <= i.sentiment <= 2:
        raise BadInput(f"sentiment must be between -2 and 2, not {i.sentiment}")
    direction = i.direction or IMPLIED_DIRECTION.get(i.kind, Direction.MUTUAL).value
    return {
        "occurred_at": i.occurred_at, "kind": i.kind, "direction": direction,
        "sentiment": i.sentiment, "note": i.note, "source": i.source, "dedupe_key": i.dedupe_key,
        "event_id": i.event_id, "created_at": now,
    }
