"""Applying imported records: matching, updating with provenance, idempotency, summary.

One call of :func:`import_file` is one transaction: the caller's session is
committed by the caller, rolled back on any error, and rolled back on purpose
for a dry run. Matching order: e-mail, phone (E.164), profile URL, external
id, then folded name with organisation. Two people whose strong identifiers
conflict (different LinkedIn or Facebook profiles) are never matched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kith.errors import BadInput
from kith.importers.records import (
    ContactRecord,
    InteractionRecord,
    Labeled,
    Parsed,
    ParseOptions,
    Party,
)
from kith.normalize import email_key, fold, identifier_key, url_key
from kith.services.interactions import log_interaction
from kith.services.people import (
    NewPerson,
    add_identifier,
    add_person,
    edit_person,
    refresh_search_key,
    tag_person,
)
from kith.services.relations import link
from kith.store.models import ImportRun, Interaction, Person, Workspace
from kith.store.scope import workspace_id

Progress = Callable[[int, int], None]
MAX_CHANGES = 200
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


@dataclass
class ImportSummary:
    """What an import added, updated, left alone, skipped and could not read.

    The read model of an import: `kith import --json` prints its ``as_dict()``,
    the web's import page renders it.
    """

    format: str
    file: str
    dry_run: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    interactions_added: int = 0
    interactions_known: int = 0
    relations_added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    encoding: str = ""  # how the file's text was read: "utf-8 (valid UTF-8)", "cp1252 (detected)"

    def skip(self, reason: str, n: int = 1) -> None:
        """Count records left out, by reason."""
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def change(self, text: str) -> None:
        """Remember a change for the dry-run report (the first few hundred)."""
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(text)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (stored on the ImportRun, printed by ``kith import --json``); a dry run adds ``changes``."""
        out: dict[str, Any] = {
            "format": self.format, "file": self.file, "dry_run": self.dry_run,
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "interactions_added": self.interactions_added, "interactions_known": self.interactions_known,
            "relations_added": self.relations_added, "skipped": dict(self.skipped),
            "problems": list(self.problems), "encoding": self.encoding,
        }
        if self.dry_run:
            out["changes"] = list(self.changes)
        return out

    def headline(self) -> str:
        """One line: the counts that matter."""
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged",
                 f"{self.interactions_added} interactions added"]
        if self.interactions_known:
            parts.append(f"{self.interactions_known} interactions already there")
        if self.relations_added:
            parts.append(f"{self.relations_added} relations added")
        skipped = sum(self.skipped.values())
        if skipped:
            parts.append(f"{skipped} skipped")
        if self.problems:
            parts.append(f"{len(self.problems)} problems")
        return ", ".join(parts)


def import_file(
    session: Session, fmt: str, path: Path, *, now: datetime, options: ImportOptions | None = None
) -> ImportSummary:
    """Parse ``path`` as ``fmt`` and apply it; a dry run rolls the session back."""
    from kith.importers import PARSERS, SOURCES

    opts = options or ImportOptions()
    if fmt not in PARSERS:
        raise BadInput(f"unknown import format '{fmt}' (known: {', '.join(PARSERS)})")
    me = [*opts.me, *owner_emails(session)]
    parsed = PARSERS[fmt](path, ParseOptions(me=me, now=now, photos=opts.photos, encoding=opts.encoding))
    summary = ImportSummary(format=fmt, file=str(path), dry_run=opts.dry_run, encoding=parsed.encoding)
    applier = Applier(session, SOURCES.get(fmt, fmt), now, summary, opts)
    applier.apply(parsed)
    if opts.dry_run:
        session.rollback()
        return summary
    applier.write_photos()
    session.add(ImportRun(format=fmt, filename=str(path), started_at=now, summary=summary.as_dict()))
    session.flush()
    return summary


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


STRONG = ("linkedin", "facebook")


class PeopleIndex:
    """Every person's matching keys, loaded once so that matching costs no queries."""

    def __init__(self, session: Session) -> None:
        self.by_key: dict[tuple[str, str], int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.people: dict[int, Person] = {}
        stmt = select(Person).options(selectinload(Person.identifiers))
        for person in session.scalars(stmt).unique():
            self.add(person)

    def add(self, person: Person) -> None:
        """Index a new or changed person."""
        self.people[person.id] = person
        ids = self.by_name.setdefault(fold(person.display_name), [])
        if person.id not in ids:
            ids.append(person.id)
        for ident in person.identifiers:
            self.by_key.setdefault(self.group_key(ident.kind, ident.value_key), person.id)

    @staticmethod
    def group_key(kind: str, key: str) -> tuple[str, str]:
        """(group, key): LinkedIn, Facebook and other URLs share one key space."""
        return ("url" if kind in ("url", "linkedin", "facebook") else kind, key)

    def strong_keys(self, person: Person) -> dict[str, set[str]]:
        """The person's profile URLs on networks where one person has one profile."""
        out: dict[str, set[str]] = {}
        for ident in person.identifiers:
            if ident.kind in ("url", "linkedin", "facebook"):
                group = _url_group(ident.value_key)
                if group in STRONG:
                    out.setdefault(group, set()).add(ident.value_key)
        return out

    def conflicts(self, person: Person, urls: Iterable[str]) -> bool:
        """Whether the record's profile URLs contradict the person's."""
        have = self.strong_keys(person)
        for key in urls:
            group = _url_group(key)
            if group in have and key not in have[group]:
                return True
        return False

    def by_identifiers(self, keys: Iterable[tuple[str, str]]) -> Person | None:
        """The first person holding one of the keys (in the order given)."""
        for gk in keys:
            pid = self.by_key.get(gk)
            if pid is not None:
                return self.people[pid]
        return None

    def by_folded_name(self, name: str, org: str, urls: list[str], *, name_alone: bool) -> Person | None:
        """A unique person with this name (and organisation when given)."""
        found = [self.people[i] for i in self.by_name.get(fold(name), [])]
        found = [p for p in found if not self.conflicts(p, urls)]
        if org:
            same_org = [p for p in found if p.organization and p.organization.name_key == fold(org)]
            if len(same_org) == 1:
                return same_org[0]
        if name_alone and len(found) == 1:
            return found[0]
        return None


@dataclass
class Keys:
    """The normalised identifiers of a record, strongest first."""

    emails: list[str]
    phones: list[str]
    urls: list[str]
    external: list[str]

    def ordered(self) -> list[tuple[str, str]]:
        """Keys in matching order: e-mail, phone, URL, external id."""
        return ([("email", k) for k in self.emails] + [("phone", k) for k in self.phones]
                + [("url", k) for k in self.urls] + [("external", k) for k in self.external])


def _keys(kind: str, values: Iterable[str]) -> list[str]:
    out = []
    for v in values:
        k = identifier_key(kind, v)
        if k and k not in out:
            out.append(k)
    return out


def record_keys(rec: ContactRecord) -> Keys:
    """Keys of a contact record."""
    return Keys(
        _keys("email", (e.value for e in rec.emails)),
        _keys("phone", (p.value for p in rec.phones)),
        _keys("url", (u.value for u in rec.urls)),
        _keys("external", [rec.external_id] if rec.external_id else []),
    )


def party_keys(party: Party) -> Keys:
    """Keys of an interaction participant."""
    return Keys(_keys("email", [party.email]), [], _keys("url", [party.url]),
                _keys("external", [party.external_id] if party.external_id else []))


class Applier:
    """Applies one file's records to the database, filling a summary."""

    def __init__(self, session: Session, source: str, now: datetime, summary: ImportSummary,
                 opts: ImportOptions) -> None:
        self.session, self.source, self.now, self.summary, self.opts = session, source, now, summary, opts
        self.index = PeopleIndex(session)
        self.known_keys = set(session.scalars(
            select(Interaction.dedupe_key).where(Interaction.dedupe_key.like(f"{source}:%"))
        ).all())
        self.touched: set[int] = set()
        self.photos: dict[Path, bytes] = {}

    def apply(self, parsed: Parsed) -> None:
        """Contacts, then their relations, then interactions."""
        self.summary.problems.extend(str(p) for p in parsed.problems)
        for reason, n in parsed.skipped.items():
            self.summary.skip(reason, n)
        total = len(parsed.contacts) + len(parsed.interactions)
        applied: list[tuple[ContactRecord, Person]] = []
        for i, rec in enumerate(parsed.contacts):
            person = self.contact(rec)
            if person is not None:
                applied.append((rec, person))
            self._tick(i, total)
        for rec, person in applied:
            self.relations(rec, person)
            if rec.connected_on is not None:
                self.connection(rec, person)
        for j, inter in enumerate(parsed.interactions):
            self.interaction(inter)
            self._tick(len(parsed.contacts) + j, total)
        self.session.flush()
        if self.opts.progress:
            self.opts.progress(total, total)

    def _tick(self, i: int, total: int) -> None:
        if self.opts.progress and i % 200 == 0:
            self.opts.progress(i, total)

    # -- contacts ---------------------------------------------------------

    def contact(self, rec: ContactRecord) -> Person | None:
        """Add or update the person a contact record describes."""
        name = rec.display_name()
        if not name:
            self.summary.problems.append(f"{Path(self.summary.file).name}: {rec.ref}: no name")
            return None
        keys = record_keys(rec)
        person = self.index.by_identifiers(keys.ordered())
        if person is None:
            has_strong = bool(keys.emails or keys.phones or keys.urls or keys.external)
            person = self.index.by_folded_name(name, rec.org, keys.urls, name_alone=not has_strong)
        if person is None:
            return self._create(rec, name)
        self._update(person, rec)
        return person

    def _create(self, rec: ContactRecord, name: str) -> Person:
        person = add_person(self.session, NewPerson(
            name=name, org=rec.org or None, title=rec.title, location=rec.location, notes=rec.notes,
            source=self.source), now=self.now)
        person.given_name = rec.given_name or person.given_name
        person.family_name = rec.family_name or person.family_name
        person.nickname = rec.nickname
        person.birthday = rec.birthday
        person.provenance = {f: self._stamp() for f in ("name", *UPDATABLE) if self._value(rec, f)}
        self._identifiers(person, rec)
        refresh_search_key(person)  # with the nickname (added addresses refresh it themselves)
        self._tags(person, rec.tags)
        self._photo(person, rec)
        self.index.add(person)
        self.touched.add(person.id)  # later rows of the same file are not "updates"
        self.summary.added += 1
        self.summary.change(f"add {name} ({rec.ref})")
        return person

    def _stamp(self) -> dict[str, str]:
        return {"source": self.source, "at": self.now.isoformat()}

    @staticmethod
    def _value(rec: ContactRecord, field_name: str) -> str:
        return {"name": rec.display_name(), "title": rec.title, "org": rec.org, "location": rec.location,
                "birthday": rec.birthday, "notes": rec.notes}[field_name]

    def _update(self, person: Person, rec: ContactRecord) -> None:
        changes = {f: self._value(rec, f) for f in UPDATABLE if self._may_update(person, rec, f)}
        changed = edit_person(self.session, person, changes, now=self.now, source=self.source) if changes else []
        if not person.nickname and rec.nickname:
            person.nickname = rec.nickname
            refresh_search_key(person)
            changed.append("nickname")
        changed += self._identifiers(person, rec)
        changed += [f"tag {t}" for t in self._tags(person, rec.tags)]
        if self._photo(person, rec):
            changed.append("photo")
        self.index.add(person)
        if person.id in self.touched:
            return  # the same person twice in one file counts once
        self.touched.add(person.id)
        if changed:
            self.summary.updated += 1
            self.summary.change(f"update {person.display_name} ({rec.ref}): {', '.join(changed)}")
        else:
            self.summary.unchanged += 1

    def _may_update(self, person: Person, rec: ContactRecord, field_name: str) -> bool:
        """An imported value replaces an empty one or one this same source set before.

        A value the user typed (or another source gave) is theirs: never overwritten.
        """
        new = self._value(rec, field_name)
        if not new:
            return False
        if field_name == "org":
            current = person.organization.name if person.organization else ""
            if fold(current) == fold(new):
                return False
        else:
            current = getattr(person, field_name)
            if current == new:
                return False
        origin = (person.provenance or {}).get(field_name, {}).get("source")
        return not current or origin == self.source

    def _identifiers(self, person: Person, rec: ContactRecord) -> list[str]:
        added: list[str] = []
        values = [("email", e.value, e.label) for e in rec.emails]
        values += [("phone", p.value, p.label) for p in rec.phones]
        values += [(_url_kind(u.value), u.value, u.label) for u in rec.urls]
        if rec.external_id:
            values.append(("external", rec.external_id, ""))
        for kind, value, label in values:
            try:
                ident = add_identifier(self.session, person, kind, value, label=label[:100], source=self.source)
            except BadInput:
                self.summary.skip(f"unusable {kind}")
                continue
            if ident is not None:
                added.append(f"+{kind}")
        return added

    def _tags(self, person: Person, tags: list[str]) -> list[str]:
        try:
            return tag_person(self.session, person, [t for t in tags if fold(t).strip()])
        except BadInput:
            self.summary.skip("unusable tag")
            return []

    def _photo(self, person: Person, rec: ContactRecord) -> bool:
        if not (self.opts.photos and rec.photo):
            return False
        digest = hashlib.sha1(rec.photo).hexdigest()[:20]
        target = self._photos_dir() / f"{digest}.{rec.photo_type or 'jpg'}"
        if person.photo_path == str(target):
            return False
        self.photos[target] = rec.photo
        person.photo_path = str(target)
        return True

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

    # -- relations and connections ----------------------------------------

    def relations(self, rec: ContactRecord, person: Person) -> None:
        """Turn "assistant: Ann Lee" into Ann Lee assistant-of the person, and so on."""
        for kind, other_name in rec.relations:
            rule = RELATIONS.get(kind.lower())
            if rule is None:
                self.summary.skip(f"relation '{kind}' not tracked")
                continue
            other = self.party(Party(name=other_name))
            if other is None or other.id == person.id:
                continue
            relation, other_first = rule
            src, dst = (other, person) if other_first else (person, other)
            _, new = link(self.session, src, relation, dst, now=self.now, source=self.source)
            if new:
                self.summary.relations_added += 1
                self.summary.change(f"link {src.display_name} {relation} {dst.display_name}")

    def connection(self, rec: ContactRecord, person: Person) -> None:
        """"Connected on" becomes a dated connection interaction (a low-depth hello)."""
        keys = record_keys(rec)
        ident = (keys.urls or keys.emails or keys.external or [fold(rec.display_name())])[0]
        assert rec.connected_on is not None
        self._log(InteractionRecord(ref=rec.ref, when=rec.connected_on, kind="connection",
                                    direction="mutual", participants=[], dedupe_key=f"connection:{ident}"),
                  [person])

    # -- interactions -----------------------------------------------------

    def interaction(self, rec: InteractionRecord) -> None:
        """Log an interaction once, whoever its participants turn out to be."""
        if self._key(rec.dedupe_key) in self.known_keys:
            self.summary.interactions_known += 1
            return
        people = [p for p in (self.party(party) for party in rec.participants) if p is not None]
        if not people:
            self.summary.skip("interaction with nobody identifiable")
            return
        self._log(rec, people)

    def _key(self, dedupe: str) -> str:
        key = f"{self.source}:{dedupe}"
        if len(key) > 300:
            key = f"{self.source}:sha1:{hashlib.sha1(dedupe.encode('utf-8', 'replace')).hexdigest()}"
        return key

    def _log(self, rec: InteractionRecord, people: list[Person]) -> None:
        key = self._key(rec.dedupe_key)
        if key in self.known_keys:
            self.summary.interactions_known += 1
            return
        try:
            log_interaction(self.session, people, rec.kind, when=rec.when, now=self.now,
                            direction=rec.direction, note=rec.note, source=self.source, dedupe_key=key)
        except BadInput as exc:
            self.summary.problems.append(f"{Path(self.summary.file).name}: {rec.ref}: {exc}")
            return
        self.known_keys.add(key)
        self.summary.interactions_added += 1
        if len(self.summary.changes) < MAX_CHANGES:
            names = ", ".join(p.display_name for p in people)
            self.summary.change(f"log {rec.kind} with {names} on {rec.when.date().isoformat()}")

    def party(self, party: Party) -> Person | None:
        """The person a participant names, created when nobody matches."""
        keys = party_keys(party)
        person = self.index.by_identifiers(keys.ordered())
        if person is None and party.name:
            person = self.index.by_folded_name(party.name, "", keys.urls, name_alone=True)
        if person is not None:
            self._add_party_identifiers(person, party)
            return person
        name = party.name or _name_from(party)
        if not name:
            return None
        return self._create(ContactRecord(
            ref=party.label(), name=name,
            emails=[_labeled(party.email)] if email_key(party.email) else [],
            urls=[_labeled(party.url)] if url_key(party.url) else [],
            # A contact typed as a plain name is not an external id worth keeping.
            external_id=party.external_id if party.external_id != party.name else ""), name)

    def _add_party_identifiers(self, person: Person, party: Party) -> None:
        rec = ContactRecord(ref="", emails=[_labeled(party.email)] if email_key(party.email) else [],
                            urls=[_labeled(party.url)] if url_key(party.url) else [])
        if self._identifiers(person, rec):
            self.index.add(person)


def _labeled(value: str) -> Labeled:
    return Labeled(value)


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
