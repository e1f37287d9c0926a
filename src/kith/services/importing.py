"""Applying imported records: identity, batched writes, provenance, idempotency, summary, history.

One call of :func:`import_file` is one transaction: the caller's session is
committed by the caller, rolled back on any error (or a killed process), and
rolled back on purpose for a dry run.

Identity (the rules are :mod:`kith.engine.identity`; docs/importing.md):

- a record is the stored person who has one of its strong identifiers
  (e-mail, phone in E.164, profile URL, source id); nothing else merges;
- rows of one file are distinct people unless they share a strong identifier;
- a record without any identifier gets a source id derived from it (name and
  organisation, and how many such rows came before it in the file), so that
  importing the same file again finds the same people;
- a new record whose name is like a stored person's is added and **held for
  review**: the summary counts it, `kith dupes` lists the pair with the
  evidence, `kith merge` or `kith dupes --apart` settles it.

Speed: the file is streamed; stored people are read once as plain columns;
new people, their identifiers, tags and organisations are written in batches
with ids reserved up front, and interactions go through
:func:`kith.services.bulk.insert_interactions_bulk` (which keeps tie states
current). Only a stored person who actually changes is loaded as an ORM row.

Every import that writes is recorded as an :class:`~kith.store.models.ImportRun`
with what it added and what it changed (:mod:`kith.services.import_runs`
lists and undoes them).
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import String, Text, bindparam, cast, select
from sqlalchemy.orm import Session

from kith.engine import identity
from kith.engine.kinds import KINDS
from kith.errors import BadInput
from kith.importers.records import (
    ContactRecord,
    InteractionRecord,
    Labeled,
    ParseOptions,
    Party,
    Problem,
    Skipped,
    Stream,
)
from kith.normalize import derived_id, email_key, fold, identifier_key, url_key
from kith.services.bulk import BulkInteraction, db_time, insert_interactions_bulk, split_name
from kith.services.import_runs import fingerprints, fingerprints_later, tracked
from kith.services.people import (
    add_identifier,
    edit_person,
    folded_keys,
    normalize_tag,
    refresh_search_key,
    tag_person,
)
from kith.services.relations import link
from kith.store import door, journal
from kith.store.models import (
    Identifier,
    ImportRun,
    Interaction,
    Organization,
    Person,
    PersonTag,
    Tag,
    Workspace,
)
from kith.store.scope import workspace_id

Progress = Callable[[int, int], None]


def _digest(key: str) -> bytes:
    """A dedupe key as a 128-bit digest (a collision: about one chance in 10**20 at a billion keys)."""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


_folded = lru_cache(maxsize=65536)(fold)  # participants' names, folded once each (a file names them again and again)
MAX_CHANGES = 200
MAX_LISTED = 200  # held pairs and rejections listed one by one in the summary (all are counted)
BATCH = 5000  # new people written at a time
FIRST_BATCH = 1000  # the first time: on PostgreSQL the server starts on them while the file is read on
# How a contact's relation kind becomes a relation: (relation, other_is_src).
RELATIONS = {
    "assistant": ("assistant-of", True),
    "manager": ("reports-to", False),
    "spouse": ("partner-of", False),
    "partner": ("partner-of", False),
    "referred-by": ("referred-by", False),
    "colleague": ("works-with", False),
    "agent": ("works-with", False),
}
UPDATABLE = ("title", "org", "location", "birthday", "notes")


@dataclass
class ImportOptions:
    """How to import: dry run, the user's own addresses, photos."""

    dry_run: bool = False
    me: list[str] = field(default_factory=list)
    photos: bool = True
    photos_dir: Path | None = None
    progress: Progress | None = None
    encoding: str | None = None  # the file's text encoding, instead of detecting it (--encoding)
    filename: str = ""  # the name to record and show (the web's upload name), else the path's


@dataclass(frozen=True)
class Held:
    """A new person whose name is like a stored person's: added, and held for review as a likely duplicate."""

    ref: str
    person_id: int  # the new person
    name: str
    like_id: int
    like_name: str
    confidence: float
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"ref": self.ref, "id": self.person_id, "name": self.name,
                "like": {"id": self.like_id, "name": self.like_name},
                "confidence": round(self.confidence, 2), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Rejected:
    """A record that was not imported: where it is in the file and why."""

    ref: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"ref": self.ref, "reason": self.reason}


@dataclass
class ImportSummary:
    """What an import added, updated, left alone, held for review, skipped and rejected.

    The read model of an import: `kith import --json` prints its ``as_dict()``,
    the web's import page renders it.
    """

    format: str
    file: str
    dry_run: bool = False
    run_id: int | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    interactions_added: int = 0
    interactions_known: int = 0
    relations_added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    rejected_count: int = 0
    held_pairs: list[Held] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    encoding: str = ""  # how the file's text was read: "utf-8 (valid UTF-8)", "cp1252 (detected)"

    def skip(self, reason: str, n: int = 1) -> None:
        """Count records left out on purpose, by reason."""
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def reject(self, ref: str, reason: str) -> None:
        """A record that could not be imported."""
        self.rejected_count += 1
        if len(self.rejected) < MAX_LISTED:
            self.rejected.append(Rejected(ref, reason))
        if len(self.problems) < MAX_LISTED:
            self.problems.append(f"{self.file}: {ref}: {reason}")

    def hold(self, held: Held) -> None:
        """A new person held for review."""
        self.held += 1
        if len(self.held_pairs) < MAX_LISTED:
            self.held_pairs.append(held)
        self.change(f"hold {held.name} ({held.ref}) for review: like #{held.like_id} {held.like_name} "
                    f"({held.confidence:.0%}: {'; '.join(held.reasons)})")

    def change(self, text: str) -> None:
        """Remember a change for the dry-run report (the first few hundred)."""
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(text)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (stored on the ImportRun, printed by ``kith import --json``); a dry run adds ``changes``."""
        out: dict[str, Any] = {
            "format": self.format, "file": self.file, "dry_run": self.dry_run, "run": self.run_id,
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged, "held": self.held,
            "rejected": self.rejected_count,
            "interactions_added": self.interactions_added, "interactions_known": self.interactions_known,
            "relations_added": self.relations_added, "skipped": dict(self.skipped),
            "problems": list(self.problems), "encoding": self.encoding, "rejections": [r.as_dict() for r in self.rejected],
            "held_for_review": [h.as_dict() for h in self.held_pairs],
        }
        if self.dry_run:
            out["changes"] = list(self.changes)
        return out

    def headline(self) -> str:
        """One line: the counts that matter."""
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged",
                 f"{self.held} held for review", f"{self.rejected_count} rejected",
                 f"{self.interactions_added} interactions added"]
        if self.interactions_known:
            parts.append(f"{self.interactions_known} interactions already there")
        if self.relations_added:
            parts.append(f"{self.relations_added} relations added")
        skipped = sum(self.skipped.values())
        if skipped:
            parts.append(f"{skipped} skipped")
        return ", ".join(parts)


def import_file(
    session: Session, fmt: str, path: Path, *, now: datetime, options: ImportOptions | None = None
) -> ImportSummary:
    """Parse ``path`` as ``fmt`` and apply it; a dry run rolls the session back."""
    from kith.importers import PARSERS

    opts = options or ImportOptions()
    if fmt not in PARSERS:
        raise BadInput(f"unknown import format '{fmt}' (known: {', '.join(PARSERS)})")
    with _collecting_rarely():
        return _import_file(session, fmt, path, now=now, opts=opts)


_GC_LOCK = threading.Lock()
_GC_SAVED: list[tuple[int, int, int]] = []  # the thresholds before the first import running in this process
_GC_RARELY = (50_000, 20, 20)


@contextmanager
def _collecting_rarely() -> Iterator[None]:
    """Let the cyclic garbage collector run rarely while an import runs (the thresholds restored after).

    An import makes tens of thousands of objects that live until it ends (a person each, their keys, the
    records of a batch) and almost no cyclic garbage; at the default thresholds the collector ran about a
    thousand times in a 30,000-row import and walked them all again and again: 0.75 s of its 2.8 s of work
    on PostgreSQL, 0.2 s of a re-import's 1.1 s. Imports running at once in one process (the web's) share one
    setting: the first raises the thresholds, the last puts back what was there (a process that already
    collects more rarely, as a command does, keeps its own).
    """
    with _GC_LOCK:
        if not _GC_SAVED:
            before = gc.get_threshold()
            _GC_SAVED.append(before)
            gc.set_threshold(*(max(b, r) for b, r in zip(before, _GC_RARELY, strict=True)))
        else:
            _GC_SAVED.append(_GC_SAVED[-1])
    try:
        yield
    finally:
        with _GC_LOCK:
            restore = _GC_SAVED.pop()
            if not _GC_SAVED:
                gc.set_threshold(*restore)


def _import_file(session: Session, fmt: str, path: Path, *, now: datetime, opts: ImportOptions) -> ImportSummary:
    from kith.importers import PARSERS, SOURCES, STREAMS

    me = [*opts.me, *owner_emails(session)]
    popts = ParseOptions(me=me, now=now, photos=opts.photos, encoding=opts.encoding)
    stream = STREAMS[fmt](path, popts) if fmt in STREAMS else PARSERS[fmt](path, popts).stream()
    name = opts.filename or path.name or str(path)
    summary = ImportSummary(format=fmt, file=name, dry_run=opts.dry_run)
    applier = Applier(session, SOURCES.get(fmt, fmt), now, summary, opts)
    applier.apply(stream)
    summary.encoding = next((d.report() for d in popts.decoded), "")  # filled as the file was read
    if opts.dry_run:
        session.rollback()
        return summary
    applier.write_photos()
    run = ImportRun(format=fmt, filename=name, started_at=now, summary={}, undo=applier.undo_record(),
                    status="done")
    session.add(run)
    session.flush()
    summary.run_id = run.id
    run.summary = summary.as_dict()
    session.flush()
    return summary


_ORGS = select(Organization.id, Organization.name).where(Organization.workspace_id == door.WS)
# The provenance as JSON text on both backends (PostgreSQL's driver would decode every person's: 0.3 s at 30,000),
# decoded by Who.provenance for the few people whose values an import compares against their sources.
_PEOPLE = select(Person.id, Person.display_name, Person.organization_id, Person.title, Person.location,
                 Person.birthday, Person.notes, Person.nickname, Person.photo_path, cast(Person.provenance, Text),
                 Person.given_name, Person.family_name).where(Person.workspace_id == door.WS)
_IDENTIFIERS = select(Identifier.person_id, Identifier.kind, Identifier.value_key).where(
    Identifier.workspace_id == door.WS)
_TAGS = select(PersonTag.person_id, Tag.name).join(Tag, Tag.id == PersonTag.tag_id).where(
    PersonTag.workspace_id == door.WS, Tag.workspace_id == door.WS)
_TAG_IDS = select(Tag.name, Tag.id).where(Tag.workspace_id == door.WS)
_KNOWN = select(Interaction.dedupe_key).where(Interaction.workspace_id == door.WS,
                                             Interaction.dedupe_key.like(bindparam("prefix", type_=String)))


def owner_emails(session: Session) -> list[str]:
    """The user's own addresses recorded on the workspace."""
    ws = session.get(Workspace, workspace_id(session))
    return list(ws.owner_emails or []) if ws else []


def _url_group(key: str) -> str:
    if key.startswith("linkedin.com/"):
        return "linkedin"
    if key.startswith("facebook.com/"):
        return "facebook"
    return "url"


STRONG = identity.STRONG_NETWORKS


def key_group(kind: str) -> str:
    """The key space of an identifier kind: LinkedIn, Facebook and other URLs share one."""
    return "url" if kind in ("url", "linkedin", "facebook") else kind


@dataclass(eq=False)
class Who:
    """A person as an import sees them: a stored one (read once as columns) or one this import adds."""

    id: int
    name: str
    new: bool = False  # added by this import
    written: bool = True  # the row exists in the database
    org: str = ""
    title: str = ""
    location: str = ""
    birthday: str = ""
    notes: str = ""
    nickname: str = ""
    given: str = ""
    family: str = ""
    photo_path: str = ""
    stored_provenance: Any = None  # as read (JSON text): decoded when first needed
    _provenance: dict[str, Any] | None = None
    keys: set[tuple[str, str]] = field(default_factory=set)  # (key group, key)
    idents: list[tuple[str, str, str, str]] = field(default_factory=list)  # unwritten: (kind, value, key, label)
    tags: set[str] = field(default_factory=set)

    @property
    def provenance(self) -> dict[str, Any]:
        """Where each field's value came from (``{"title": {"source": ..., "at": ...}}``)."""
        if self._provenance is None:
            raw = self.stored_provenance
            self._provenance = dict(json.loads(raw) if isinstance(raw, str | bytes) else (raw or {}))
        return self._provenance

    @provenance.setter
    def provenance(self, value: dict[str, Any]) -> None:
        self._provenance = value

    def profile(self) -> identity.Profile:
        """The identity profile of this person."""
        by: dict[str, set[str]] = {"email": set(), "phone": set(), "url": set(), "external": set()}
        for group, key in self.keys:
            by[group].add(key)
        return identity.Profile(self.name, fold(self.org), frozenset(by["email"]), frozenset(by["phone"]),
                                frozenset(by["url"]), frozenset(by["external"]), self.title)


def record_keys(rec: ContactRecord) -> list[tuple[str, str, str, str]]:
    """A contact's identifiers as (kind, value, key, label), strongest kind first, unusable ones left out."""
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for u in rec.urls:
        _add(out, seen, "url", u.value, u.label)
    for e in rec.emails:
        _add(out, seen, "email", e.value, e.label)
    for p in rec.phones:
        _add(out, seen, "phone", p.value, p.label)
    if rec.external_id:
        _add(out, seen, "external", rec.external_id, "")
    return out


def _add(out: list[tuple[str, str, str, str]], seen: set[tuple[str, str]], kind: str, value: str, label: str) -> None:
    """Append one identifier; a URL's kind (linkedin, facebook or url) comes from its key."""
    key = _linkedin_key(value) if kind == "url" else None
    key = key or identifier_key(kind, value)
    if not key:
        return
    if kind in ("url", "linkedin", "facebook"):
        group = _url_group(key)
        kind = group if group in STRONG else "url"
    if (key_group(kind), key) not in seen:
        seen.add((key_group(kind), key))
        out.append((kind, value.strip()[:500], key[:500], label[:100]))


_LINKEDIN = re.compile(r"https?://(?:www\.|m\.|[a-z]{2}\.)?linkedin\.com(/in/[^?#\s]*)\Z", re.I)


def _linkedin_key(value: str) -> str | None:
    """The usual LinkedIn profile URL's key without a URL parser (30,000 of them per export), else None.

    The same key :func:`kith.normalize.url_key` gives: no scheme, ``www.`` or
    country host, query or trailing slash, lower case.
    """
    m = _LINKEDIN.match(value.strip())
    if m is None or "//" in m.group(1):
        return None
    return "linkedin.com" + m.group(1).rstrip("/").lower()


class Applier:
    """Applies one file's records to the database, filling a summary and the record of what it did."""

    def __init__(self, session: Session, source: str, now: datetime, summary: ImportSummary,
                 opts: ImportOptions) -> None:
        self.session, self.source, self.now, self.summary, self.opts = session, source, now, summary, opts
        journal.suspend(session)  # an import keeps its own record (import_run), not one change per row
        self.stamp = {"source": source, "at": now.isoformat()}
        self.people: dict[int, Who] = {}
        self.by_key: dict[tuple[str, str], Who] = {}
        self.by_identity: dict[str, list[Who]] = {}  # stored before this import, by identity.name_key
        self._by_name: dict[str, list[Who]] | None = None  # see by_name
        self.stored: list[Who] = []
        self.orgs: dict[str, int] = {}  # folded name -> id
        self.tag_ids: dict[str, int] = {}
        self._load()
        # The dedupe keys logged already, as 128-bit digests: a third of the memory of the keys at a million.
        self.known_keys = {_digest(str(k)) for (k,) in door.tuples(session, _KNOWN, prefix=f"{source}:%")}
        self.touched: set[int] = set()
        self.derived: dict[str, int] = {}
        self.photos: dict[Path, bytes] = {}
        self.pending: list[Who] = []
        self.pending_orgs: list[dict[str, Any]] = []
        self.pending_tags: list[tuple[int, str]] = []
        self.deferred: list[tuple[ContactRecord, Who]] = []
        self.ids = _Ids(session)
        self._json_memo: dict[tuple[str, ...], str] = {}
        self._prints: tuple[int, Callable[[], dict[int, str]]] | None = None  # the first n people added, read
        self._party_memo: dict[tuple[str, str, str, str], tuple[list[tuple[str, str, str, str]],
                                                                list[tuple[str, str]]]] = {}
        # What undo needs: rows added, values changed.
        self.added_people: list[int] = []
        self.added_interactions: MutableSequence[int] = []
        self.added_orgs: list[int] = []
        self.added_tags: list[int] = []
        self.added_idents: list[Identifier] = []
        self.added_links: list[tuple[int, str]] = []  # (person, tag) on stored people
        self.added_relations: list[int] = []
        self.changed: dict[int, dict[str, Any]] = {}  # person -> values before

    # -- reading what is stored ---------------------------------------------

    def _load(self) -> None:
        s = self.session
        org_names: dict[int, str] = {}
        for i, name in door.tuples(s, _ORGS):
            org_names[int(i)] = str(name)
            self.orgs[fold(name)] = int(i)
        for row in door.tuples(s, _PEOPLE):
            who = Who(int(row[0]), row[1], org=org_names.get(row[2] or -1, ""), title=row[3] or "",
                      location=row[4] or "", birthday=row[5] or "", notes=row[6] or "", nickname=row[7] or "",
                      photo_path=row[8] or "", stored_provenance=row[9], given=row[10] or "", family=row[11] or "")
            self.people[who.id] = who
        people = self.people
        by_key = self.by_key
        for pid, kind, key in door.tuples(s, _IDENTIFIERS):
            owner = people.get(pid)
            if owner is not None:
                gk = ("url" if kind in ("url", "linkedin", "facebook") else kind, key)
                owner.keys.add(gk)
                by_key.setdefault(gk, owner)
        for pid, tag in door.tuples(s, _TAGS):
            tagged = people.get(pid)
            if tagged is not None:
                tagged.tags.add(tag)
        self.tag_ids = {str(n): int(i) for n, i in door.tuples(s, _TAG_IDS)}
        self.stored = list(people.values())  # indexed by identity.name_key when a new person first needs it

    @property
    def by_name(self) -> dict[str, list[Who]]:
        """Everyone, by folded display name: what a bare name in an interaction is looked up in (made when first
        needed: a file of contacts never needs it)."""
        if self._by_name is None:
            self._by_name = {}
            for who in self.people.values():
                self._by_name.setdefault(fold(who.name), []).append(who)
        return self._by_name

    # -- the stream ---------------------------------------------------------

    def apply(self, stream: Stream) -> None:
        """Every record of the stream: contacts as they come, interactions in batches, relations last."""
        recorded = array("q")  # 8 bytes an id: a million are 8 MB, not 36
        # Interactions are written a batch at a time, as the people in them are: on PostgreSQL the server stores
        # each while the next is read, instead of all of them at the end.
        insert_interactions_bulk(self.session, self._interactions(stream), now=self.now, ids_out=recorded,
                                 batch_size=BATCH, expected=stream.total)
        self.added_interactions = recorded
        self.summary.interactions_added = len(recorded)
        self._relations()
        self._write_pending()
        self.session.flush()
        if self.opts.progress:
            self.opts.progress(stream.total, stream.total)

    def _interactions(self, stream: Stream) -> Iterator[BulkInteraction]:
        """Apply the stream's contacts; yield its interactions with the people in them, written first."""
        buffer: list[BulkInteraction] = []
        total = stream.total
        for done, item in enumerate(stream.items, start=1):
            if isinstance(item, ContactRecord):
                inter = self.contact(item)
                if inter is not None:
                    buffer.append(inter)
            elif isinstance(item, InteractionRecord):
                inter = self.interaction(item)
                if inter is not None:
                    buffer.append(inter)
            elif isinstance(item, Problem):
                if item.kept:
                    self.summary.problems.append(f"{self.summary.file}: {item.ref}: {item.reason}")
                else:
                    self.summary.reject(item.ref, item.reason)
            elif isinstance(item, Skipped):
                self.summary.skip(item.reason, item.count)
            if len(buffer) >= 20_000 or len(self.pending) >= (BATCH if self.ids.batches else FIRST_BATCH):
                self._write_pending(more=max(total - done, BATCH))
                yield from buffer
                buffer.clear()
            if self.opts.progress and done % 1000 == 0:
                self.opts.progress(done, max(total, done))
        self._write_pending()
        # Every interaction of the file is known now: its keys' digests (80 MB at a million) are not kept through
        # the working out of tie states that follows.
        self.known_keys = set()
        # The people added are as they will stay (what follows adds relations, and perhaps people they name):
        # their fingerprints are read now, after their writes and before the log's (PostgreSQL reads them
        # while the log is written and its tie states worked out).
        self._prints = (len(self.added_people), fingerprints_later(self.session, ranges(self.added_people)))
        yield from buffer

    # -- contacts -------------------------------------------------------------

    def contact(self, rec: ContactRecord) -> BulkInteraction | None:
        """Add or update the person a contact record describes; its "connected on" as an interaction."""
        return self._contact(rec)[1]

    def person_for(self, rec: ContactRecord) -> Who | None:
        """Add or update the person a contact record describes, by the same rules as :meth:`contact`, and
        write what is pending, so that the person's row exists (None: a record without a name, rejected).

        For callers that apply records one at a time and need the row at once (a CardDAV sync); the record's
        "connected on" and relations are not applied here.
        """
        who = self._contact(rec, deferring=False)[0]
        if who is not None:
            self._write_pending()
        return who

    def rows(self, people: Iterable[Who]) -> list[Person]:
        """The stored rows of people this applier found or added (what is pending is written first)."""
        self._write_pending()
        out = []
        for who in people:
            person = self.session.get(Person, who.id)
            assert person is not None
            out.append(person)
        return out

    def refresh(self, person: Person) -> None:
        """Take up a person's values and identifiers as they are now, after a change made outside this applier
        (a sync writing the server's values), so that later records match by the identifiers the person has."""
        who = self.people.get(person.id)
        if who is None:
            return
        if fold(who.name) != fold(person.display_name):
            named = self.by_name.get(fold(who.name), [])
            if who in named:
                named.remove(who)
            who.name = person.display_name
            self.by_name.setdefault(fold(who.name), []).append(who)
        _refresh(who, person)
        keys = {(key_group(i.kind), i.value_key) for i in person.identifiers}
        for gk in who.keys - keys:
            if self.by_key.get(gk) is who:
                del self.by_key[gk]
        for gk in keys - who.keys:
            self.by_key.setdefault(gk, who)
        who.keys = keys

    def _contact(self, rec: ContactRecord, *, deferring: bool = True) -> tuple[Who | None, BulkInteraction | None]:
        name = rec.display_name()
        if not name:
            self.summary.reject(rec.ref, "no name")
            return None, None
        keys = record_keys(rec)
        if not keys:  # nothing identifies the record: a source id from what it says, stable across re-imports
            base = f"{fold(name)}|{fold(rec.org)}"
            self.derived[base] = self.derived.get(base, 0) + 1
            rec.external_id = derived_id(self.source, base, self.derived[base])
            keys = record_keys(rec)
        who = next((w for k in keys if (w := self.by_key.get((key_group(k[0]), k[2]))) is not None), None)
        if who is None:
            who = self._create(rec, name, keys)
        elif who.new and not who.written:
            self._fill(who, rec, keys)
        else:
            self._update(who, rec, keys)
        if not deferring:
            return who, None
        if rec.relations:
            self.deferred.append((rec, who))
        return who, (self._connection(rec, who, keys) if rec.connected_on is not None else None)

    def _create(self, rec: ContactRecord, name: str, keys: list[tuple[str, str, str, str]]) -> Who:
        if rec.given_name or rec.family_name:
            given, family = rec.given_name, rec.family_name
        else:  # one word ("p123", an address's local part) needs no name parser
            given, family = split_name(name) if " " in name else (name, "")
        who = Who(self.ids.person(), name, new=True, written=False, org=" ".join(rec.org.split()), title=rec.title.strip(),
                  location=rec.location.strip(), birthday=rec.birthday, notes=rec.notes, nickname=rec.nickname,
                  given=given, family=family)
        stamp = self.stamp
        who.provenance = {"name": stamp, **{f: stamp for f in UPDATABLE if getattr(rec, f)}}  # (the name is given)
        for kind, value, key, label in keys:
            gk = (key_group(kind), key)
            who.keys.add(gk)
            who.idents.append((kind, value, key, label))
            self.by_key.setdefault(gk, who)
        who.tags = set(self._tag_names(rec.tags))
        self._photo_of_new(who, rec)
        self._register(who)
        self.summary.added += 1
        self.summary.change(f"add {name} ({rec.ref})")
        self._review(who, rec.ref)
        return who

    def _register(self, who: Who) -> None:
        self.people[who.id] = who
        if self._by_name is not None:
            self._by_name.setdefault(fold(who.name), []).append(who)
        self.pending.append(who)
        self.added_people.append(who.id)
        self.touched.add(who.id)

    def _review(self, who: Who, ref: str) -> None:
        """Hold a new person for review when their name is like a stored person's (never merged here)."""
        best: tuple[identity.Verdict, Who] | None = None
        if not self.stored:  # nobody stored before this import: nobody to be like
            return
        if not self.by_identity:
            for other in self.stored:
                self.by_identity.setdefault(identity.name_key(other.name), []).append(other)
        alike = self.by_identity.get(identity.name_key(who.name))
        if not alike:
            return
        mine = who.profile()
        for other in alike:
            verdict = identity.compare(mine, other.profile())
            if verdict.conflict or verdict.confidence < identity.REVIEW:
                continue
            if best is None or verdict.confidence > best[0].confidence:
                best = (verdict, other)
        if best is not None:
            self.summary.hold(Held(ref, who.id, who.name, best[1].id, best[1].name, best[0].confidence, best[0].reasons))

    def _fill(self, who: Who, rec: ContactRecord, keys: list[tuple[str, str, str, str]]) -> None:
        """A later row of the same file sharing an identifier with a person this import adds: fill in."""
        for f in ("title", "location", "birthday", "notes", "nickname"):
            value = rec.nickname if f == "nickname" else _value(rec, f)
            if value and not getattr(who, f):
                setattr(who, f, value.strip() if f != "notes" else value)
                if f != "nickname":
                    who.provenance[f] = self.stamp
        if rec.org and not who.org:
            who.org = " ".join(rec.org.split())
            who.provenance["org"] = self.stamp
        for kind, value, key, label in keys:
            gk = (key_group(kind), key)
            if gk not in who.keys:
                who.keys.add(gk)
                who.idents.append((kind, value, key, label))
                self.by_key.setdefault(gk, who)
        who.tags |= set(self._tag_names(rec.tags))
        self._photo_of_new(who, rec)

    def _update(self, who: Who, rec: ContactRecord, keys: list[tuple[str, str, str, str]]) -> None:
        """A stored person (or one written earlier by this import): change only what differs."""
        fields = [f for f in UPDATABLE if self._may_update(who, rec, f)]
        nickname = bool(rec.nickname and not who.nickname)
        new_keys = [k for k in keys if (key_group(k[0]), k[2]) not in who.keys]
        new_tags = [t for t in self._tag_names(rec.tags) if t not in who.tags]
        photo = self._photo_target(rec)
        changes_photo = photo is not None and who.photo_path != str(photo[0])
        if not (fields or nickname or new_keys or new_tags or changes_photo):
            self._count(who, rec, [])
            return
        self._write_pending()
        person = self.session.get(Person, who.id)
        assert person is not None
        if who.id not in self.changed and not who.new:
            self.changed[who.id] = _before(person)
        changed = edit_person(self.session, person, {f: _value(rec, f) for f in fields}, now=self.now,
                              source=self.source) if fields else []
        if person.organization is not None and person.organization.name_key not in self.orgs:
            self.session.flush()
            self.orgs[person.organization.name_key] = person.organization.id  # made by this import: undo drops it
            self.added_orgs.append(person.organization.id)
        if nickname:
            person.nickname = rec.nickname
            refresh_search_key(person)
            changed.append("nickname")
        for kind, value, key, label in new_keys:
            try:
                ident = add_identifier(self.session, person, kind, value, label=label, source=self.source)
            except BadInput:
                self.summary.skip(f"unusable {kind}")
                continue
            if ident is not None:
                changed.append(f"+{kind}")
                if not who.new:
                    self.added_idents.append(ident)
            gk = (key_group(kind), key)
            who.keys.add(gk)
            self.by_key.setdefault(gk, who)
        if new_tags:
            added = tag_person(self.session, person, new_tags)
            changed += [f"tag {t}" for t in added]
            who.tags |= set(new_tags)
            if not who.new:
                self.added_links += [(who.id, t) for t in added]
        if changes_photo and photo is not None:
            self.photos[photo[0]] = photo[1]
            person.photo_path = str(photo[0])
            changed.append("photo")
        _refresh(who, person)
        self._count(who, rec, changed)

    def _count(self, who: Who, rec: ContactRecord, changed: list[str]) -> None:
        if who.id in self.touched:
            return  # the same person twice in one file counts once
        self.touched.add(who.id)
        if changed:
            self.summary.updated += 1
            self.summary.change(f"update {who.name} ({rec.ref}): {', '.join(changed)}")
        else:
            self.summary.unchanged += 1

    def _may_update(self, who: Who, rec: ContactRecord, field_name: str) -> bool:
        """An imported value replaces an empty one or one this same source set before.

        A value the user typed (or another source gave) is theirs: never overwritten.
        """
        new = _value(rec, field_name)
        if not new:
            return False
        current = who.org if field_name == "org" else getattr(who, field_name)
        if current == new or (field_name == "org" and fold(current) == fold(new)):
            return False
        origin = (who.provenance or {}).get(field_name, {}).get("source")
        return not current or origin == self.source

    def _tag_names(self, tags: Iterable[str]) -> list[str]:
        out = []
        for t in tags:
            try:
                name = normalize_tag(t)
            except BadInput:
                continue
            if len(name) <= 100 and name not in out:
                out.append(name)
        return out

    def _photo_target(self, rec: ContactRecord) -> tuple[Path, bytes] | None:
        if not (self.opts.photos and rec.photo):
            return None
        digest = hashlib.sha1(rec.photo).hexdigest()[:20]
        return self._photos_dir() / f"{digest}.{rec.photo_type or 'jpg'}", rec.photo

    def _photo_of_new(self, who: Who, rec: ContactRecord) -> None:
        target = self._photo_target(rec)
        if target is not None and not who.photo_path:
            self.photos[target[0]] = target[1]
            who.photo_path = str(target[0])

    def _photos_dir(self) -> Path:
        if self.opts.photos_dir is not None:
            return self.opts.photos_dir
        from kith.config import data_dir

        return data_dir() / "photos"

    def write_photos(self) -> None:
        """Write the photos of this import (after the records applied cleanly)."""
        for target, data in self.photos.items():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.write_bytes(data)
            except OSError as exc:
                self.summary.problems.append(f"photo {target}: cannot write it ({exc.strerror})")

    # -- writing new people in batches ---------------------------------------

    def _org_id(self, name: str) -> int | None:
        clean = " ".join(name.split())[:300]
        if not clean:
            return None
        key = fold(clean)
        if key not in self.orgs:
            oid = self.ids.org()
            self.orgs[key] = oid
            self.pending_orgs.append({"id": oid, "name": clean, "name_key": key, "domain": None, "industry": None,
                                      "note": ""})
            self.added_orgs.append(oid)
        return self.orgs[key]

    def _write_pending(self, *, more: int = 0) -> None:
        """Write the people this import added since the last batch, with everything attached to them.

        ``more``: about how many records follow. Ids for as many new people and a batch more (at most 50,000)
        are then reserved first, once, so that reading the next batches needs the database for nothing while
        the server stores this one (on PostgreSQL a batch's COPYs are sent on while the file is read on:
        :func:`kith.store.door.insert_contact_rows`).
        """
        if not self.pending:
            return
        out = door.writer(self.session)
        people, idents, links = [], [], []
        for who in self.pending:
            org_id = self._org_id(who.org)
            name_key, search_key = folded_keys(who.name, who.nickname, who.title, who.location, who.notes,
                                               ((k, v) for k, v, _, _ in who.idents), who.org or None)
            people.append((
                who.id, who.name[:300], who.given[:200], who.family[:200], who.nickname[:200], name_key[:400],
                search_key, org_id, who.title[:300], who.location[:300], who.birthday[:10], who.notes, None, None,
                None, False, None, False, who.photo_path[:500], who.provenance))
            idents += [(who.id, kind, value, key, label, self.source) for kind, value, key, label in who.idents]
            links += [(who.id, t) for t in sorted(who.tags)]
            who.written = True
            who.idents = []
        orgs = [(o["id"], o["name"], o["name_key"], o["domain"], o["industry"], o["note"]) for o in self.pending_orgs]
        self.pending_orgs = []
        sqlite = out.dialect == "sqlite"
        stamp = db_time(self.now, sqlite)
        for _, tag in links:
            if tag not in self.tag_ids:
                self.tag_ids[tag] = out.insert_returning_ids(_table(Tag), [{"name": tag}])[0]
                self.added_tags.append(self.tag_ids[tag])
        if more:
            self.ids.reserve_people(BATCH, up_to=min(more + BATCH, 50_000))
        door.insert_contact_rows(self.session, [
            (_table(Organization), ORGANIZATION_COLUMNS, orgs),
            (_table(Person), PERSON_COLUMNS,
             [(*row[:-1], self._provenance_json(row[-1]), stamp, stamp) for row in people]),
            (_table(Identifier), IDENTIFIER_COLUMNS, idents),
            (_table(PersonTag), ("person_id", "tag_id"), [(p, self.tag_ids[t]) for p, t in links]),
        ])
        self.pending = []
        if not more:  # (in the stream nothing else adds people or organisations between its batches)
            self.ids.written()
        self.ids.batches += 1

    def _provenance_json(self, provenance: dict[str, Any]) -> str:
        """A new person's provenance as JSON text (what :func:`kith.store.door.insert_contact_rows` takes on both
        backends, and what the driver would make of it); the usual ones (every field from this import) made once."""
        if not all(v is self.stamp for v in provenance.values()):
            return json.dumps(provenance)
        key = tuple(provenance)
        if key not in self._json_memo:
            self._json_memo[key] = json.dumps(provenance)
        return self._json_memo[key]

    # -- connections, interactions and relations ------------------------------

    def _connection(self, rec: ContactRecord, who: Who, keys: list[tuple[str, str, str, str]]) -> BulkInteraction | None:
        """"Connected on" becomes a dated connection interaction (a low-depth hello)."""
        ident = min(keys, key=_connection_rank)[2] if keys else fold(rec.display_name())
        assert rec.connected_on is not None
        return self._log(InteractionRecord(ref=rec.ref, when=rec.connected_on, kind="connection",
                                           direction="mutual", participants=[], dedupe_key=f"connection:{ident}"),
                         [who])

    def interaction(self, rec: InteractionRecord) -> BulkInteraction | None:
        """An interaction once, whoever its participants turn out to be."""
        key = self._key(rec.dedupe_key)
        seen = _digest(key)
        if seen in self.known_keys:
            self.summary.interactions_known += 1
            return None
        party = self.party
        people = [w for p in rec.participants if (w := party(p)) is not None]
        if not people:
            self.summary.skip("interaction with nobody identifiable")
            return None
        return self._log(rec, people, key, seen)

    def _key(self, dedupe: str) -> str:
        key = f"{self.source}:{dedupe}"
        if len(key) > 300:
            key = f"{self.source}:sha1:{hashlib.sha1(dedupe.encode('utf-8', 'replace')).hexdigest()}"
        return key

    def _log(self, rec: InteractionRecord, people: list[Who], key: str | None = None, seen: bytes | None = None
             ) -> BulkInteraction | None:
        """The interaction to write, once (None: logged before, by this file or an earlier import of its source);
        ``seen``: the digest of ``key``, when the caller made it."""
        key = key or self._key(rec.dedupe_key)
        seen = seen or _digest(key)
        if seen in self.known_keys:
            self.summary.interactions_known += 1
            return None
        if rec.kind not in KINDS:
            self.summary.reject(rec.ref, f"unknown interaction kind '{rec.kind}'")
            return None
        self.known_keys.add(seen)
        if len(self.summary.changes) < MAX_CHANGES:
            names = ", ".join(p.name for p in people)
            self.summary.change(f"log {rec.kind} with {names} on {rec.when.date().isoformat()}")
        ids = (people[0].id,) if len(people) == 1 else tuple(dict.fromkeys(p.id for p in people))
        return BulkInteraction(occurred_at=rec.when, kind=rec.kind, person_ids=ids,
                               direction=rec.direction, note=rec.note, source=self.source, dedupe_key=key)

    def party(self, party: Party) -> Who | None:
        """The person a participant names (an identifier, else a name only one person has), created if nobody."""
        keys, lookup = self._party_keys(party)
        by_key = self.by_key
        who = None
        for k in lookup:
            who = by_key.get(k)
            if who is not None:
                break
        if who is None and party.name and not keys:  # a bare name: whoever alone has it; an address is its own
            found = self.by_name.get(_folded(party.name), [])
            if len(found) == 1:
                who = found[0]
        if who is not None:
            return who
        name = party.name or _name_from(party)
        if not name:
            return None
        rec = ContactRecord(ref=party.label(), name=name,
                            emails=[Labeled(party.email)] if email_key(party.email) else [],
                            urls=[Labeled(party.url)] if url_key(party.url) else [],
                            external_id=party.external_id if party.external_id != party.name else "")
        keys = record_keys(rec)
        return self._create(rec, " ".join(name.split()), keys)

    def _party_keys(self, party: Party) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str]]]:
        """A participant's identifiers as (kind, value, key, label), and the (group, key) pairs to look them up
        by; worked out once for each way a file names someone (a million rows name a few thousand people)."""
        memo = (party.name, party.email, party.url, party.external_id)
        found = self._party_memo.get(memo)
        if found is None:
            keys: list[tuple[str, str, str, str]] = []
            seen: set[tuple[str, str]] = set()
            if party.email:
                _add(keys, seen, "email", party.email, "")
            if party.url:
                _add(keys, seen, _url_kind(party.url), party.url, "")
            if party.external_id and party.external_id != party.name:
                _add(keys, seen, "external", party.external_id, "")
            lookup = list(keys)
            if party.external_id and party.external_id == party.name:  # a typed name: looked up as a source id only
                _add(lookup, seen, "external", party.external_id, "")
            found = self._party_memo[memo] = (keys, [(key_group(k[0]), k[2]) for k in lookup])
            if len(self._party_memo) > 200_000:
                self._party_memo.clear()
        return found

    def _relations(self) -> None:
        """Turn "assistant: Ann Lee" into Ann Lee assistant-of the person, and so on."""
        todo: list[tuple[Who, str, Who]] = []
        for rec, who in self.deferred:
            for kind, other_name in rec.relations:
                rule = RELATIONS.get(kind.lower())
                if rule is None:
                    self.summary.skip(f"relation '{kind}' not tracked")
                    continue
                other = self.party(Party(name=other_name))
                if other is None or other.id == who.id:
                    continue
                relation, other_first = rule
                todo.append((other, relation, who) if other_first else (who, relation, other))
        if not todo:
            return
        self._write_pending()
        for src, relation, dst in todo:
            a, b = self.session.get(Person, src.id), self.session.get(Person, dst.id)
            assert a is not None and b is not None
            rel, new = link(self.session, a, relation, b, now=self.now, source=self.source)
            if new:
                self.session.flush()
                self.added_relations.append(rel.id)
                self.summary.relations_added += 1
                self.summary.change(f"link {src.name} {relation} {dst.name}")

    # -- the record undo reads ------------------------------------------------

    def undo_record(self) -> dict[str, Any]:
        """What this import added (ids, as ranges) and the values it replaced: what undo needs."""
        self.session.flush()
        return {
            "people": ranges(self.added_people), "interactions": ranges(self.added_interactions),
            "organizations": ranges(self.added_orgs), "tags": ranges(self.added_tags),
            "identifiers": ranges(i.id for i in self.added_idents), "relations": ranges(self.added_relations),
            "person_tags": [[p, t] for p, t in self.added_links],
            "changed": [{"person": pid, "before": before, "after": _after(self.session, pid)}
                        for pid, before in self.changed.items()],
            "fingerprints": {str(k): v for k, v in self._fingerprints().items()},
        }

    def _fingerprints(self) -> dict[int, str]:
        """The fingerprints of the people added: those read at the end of the file's records, and any added since."""
        if self._prints is None:
            return fingerprints(self.session, ranges(self.added_people))
        first, read = self._prints
        found = read()
        if self.added_people[first:]:
            found = {**found, **fingerprints(self.session, ranges(self.added_people[first:]))}
        return found


PERSON_COLUMNS = ("id", "display_name", "given_name", "family_name", "nickname", "name_key", "search_key",
                  "organization_id", "title", "location", "birthday", "notes", "met_at_event_id", "met_on",
                  "introduced_by_id", "is_key", "closeness", "archived", "photo_path", "provenance", "created_at",
                  "updated_at")
ORGANIZATION_COLUMNS = ("id", "name", "name_key", "domain", "industry", "note")
IDENTIFIER_COLUMNS = ("person_id", "kind", "value", "value_key", "label", "source")


class _Ids:
    """Fresh primary keys for people and organisations, reserved ahead of the batched inserts."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.free: dict[str, list[int]] = {"person": [], "organization": []}
        self.next: dict[str, int] = {}
        self.out: door.Writer | None = None
        self.batches = 0  # batches of new people written

    def _take(self, model: type[Any]) -> int:
        table = _table(model)
        if self.out is None:
            self.out = door.writer(self.session)
        out = self.out
        if out.dialect == "postgresql":
            free = self.free[table.name]
            if not free:
                free.extend(reversed(out.reserve_ids(table, 1000)))
            return free.pop()
        if table.name not in self.next:
            self.next[table.name] = out.max_id(table) + 1
        self.next[table.name] += 1
        return self.next[table.name] - 1

    def reserve_people(self, least: int, *, up_to: int) -> None:
        """PostgreSQL: with fewer than ``least`` people's ids at hand, take enough now to have ``up_to`` (SQLite
        counts them from the table as it goes)."""
        if self.out is None:
            self.out = door.writer(self.session)
        free = self.free["person"]
        if self.out.dialect == "postgresql" and len(free) < least:
            free[:0] = reversed(self.out.reserve_ids(_table(Person), max(up_to, least) - len(free)))

    def written(self) -> None:
        """Every id taken so far is written: on SQLite the next ones are counted from the table again, so that
        rows added meanwhile by other means (an organisation :func:`edit_person` made) are not taken twice."""
        self.next.clear()

    def person(self) -> int:
        """A new person's id."""
        return self._take(Person)

    def org(self) -> int:
        """A new organisation's id."""
        return self._take(Organization)


def _table(model: type[Any]) -> Any:
    return model.__table__


def ranges(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs: a million consecutive ids are one pair."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] + 1 == i:
            out[-1][1] = i
        elif not out or out[-1][1] != i:
            out.append([i, i])
    return out


def _before(person: Person) -> dict[str, Any]:
    return tracked(person)


def _after(session: Session, pid: int) -> dict[str, Any]:
    person = session.get(Person, pid)
    return tracked(person) if person is not None else {}


def _refresh(who: Who, person: Person) -> None:
    who.title, who.location, who.birthday, who.notes = person.title, person.location, person.birthday, person.notes
    who.nickname, who.photo_path = person.nickname, person.photo_path
    who.org = person.organization.name if person.organization is not None else ""
    who.provenance = dict(person.provenance or {})


_CONNECTION_RANK = {"linkedin": 0, "facebook": 0, "url": 0, "email": 1, "external": 2, "phone": 3}


def _connection_rank(key: tuple[str, str, str, str]) -> int:
    """Which identifier names a connection: a profile first, then an address, a source id, a phone."""
    return _CONNECTION_RANK.get(key[0], 4)


def _value(rec: ContactRecord, field_name: str) -> str:
    return rec.display_name() if field_name == "name" else str(getattr(rec, field_name))


def _url_kind(value: str) -> str:
    key = url_key(value) or ""
    group = _url_group(key)
    return group if group in STRONG else "url"


def _name_from(party: Party) -> str:
    if party.email:
        return party.email.split("@")[0]
    if party.url:
        key = url_key(party.url) or ""
        return key.rstrip("/").rsplit("/", 1)[-1]
    return party.external_id
