"""The history of imports, and undoing one exactly.

Every import that writes records an :class:`~kith.store.models.ImportRun`
(:func:`kith.services.importing.import_file`) with what it added (people,
organisations, tags, identifiers, tag links, relations, interactions: ids as
[first, last] runs), the values it replaced on people already stored (before
and after), and a fingerprint of every person it added.

:func:`undo_run` removes exactly what the run added and puts back what it
changed, in one transaction, and refuses, saying why, when later edits
depend on it: a person it added was edited, logged with, linked, tagged,
given a favour...; a value it set was changed since. Undo the later import
(or edit) first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, or_, select, true
from sqlalchemy.orm import Session

from kith.errors import BadInput, NotFound
from kith.services.people import refresh_search_key
from kith.services.tie_states import rebuild_tie_states
from kith.store import door
from kith.store.models import (
    AgendaMark,
    Cadence,
    EventMember,
    Favor,
    Identifier,
    ImportRun,
    Interaction,
    InteractionParticipant,
    Opportunity,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)

FINGERPRINTED = ("display_name", "given_name", "family_name", "nickname", "organization_id", "title", "location",
                 "birthday", "notes", "met_at_event_id", "met_on", "introduced_by_id", "is_key", "closeness",
                 "archived", "photo_path")


@dataclass(frozen=True)
class RunView:
    """One import in the history."""

    id: int
    format: str
    file: str
    started_at: datetime
    status: str  # done | undone
    added: int
    updated: int
    held: int
    rejected: int
    interactions_added: int
    undoable: bool  # recorded with what undo needs (imports before migration 0010 are not)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (`kith import history --json`)."""
        return {"id": self.id, "format": self.format, "file": self.file, "started_at": self.started_at.isoformat(),
                "status": self.status, "added": self.added, "updated": self.updated, "held": self.held,
                "rejected": self.rejected, "interactions_added": self.interactions_added, "undoable": self.undoable}


@dataclass(frozen=True)
class UndoResult:
    """What undoing a run removed and put back."""

    run: int
    people_removed: int
    interactions_removed: int
    people_restored: int
    identifiers_removed: int
    relations_removed: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form (`kith import undo --json`)."""
        return {"run": self.run, "people_removed": self.people_removed,
                "interactions_removed": self.interactions_removed, "people_restored": self.people_restored,
                "identifiers_removed": self.identifiers_removed, "relations_removed": self.relations_removed}

    def headline(self) -> str:
        """One line for a person."""
        return (f"Undid import #{self.run}: {self.people_removed} people and {self.interactions_removed} interactions "
                f"removed, {self.people_restored} people restored, {self.identifiers_removed} identifiers and "
                f"{self.relations_removed} relations removed")


def history(session: Session, *, limit: int = 100) -> list[RunView]:
    """The latest imports, newest first."""
    runs = session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)).all()
    return [_view(r) for r in runs]


def _view(run: ImportRun) -> RunView:
    s = run.summary or {}
    rejected = s.get("rejected", len(s.get("problems", [])))
    return RunView(run.id, run.format, run.filename, run.started_at, run.status, int(s.get("added", 0)),
                   int(s.get("updated", 0)), int(s.get("held", 0)), int(rejected if isinstance(rejected, int) else 0),
                   int(s.get("interactions_added", 0)), run.undo is not None)


def _ids(runs: Iterable[Iterable[int]]) -> Iterator[int]:
    for first, last in runs:
        yield from range(first, last + 1)


def _in(column: Any, runs: list[list[int]]) -> Any:
    """``column`` within the [first, last] runs."""
    return or_(*(column.between(a, b) for a, b in runs)) if runs else column.in_([])


def _chunks(runs: list[list[int]], size: int = 200) -> Iterator[list[list[int]]]:
    for start in range(0, len(runs), size):
        yield runs[start:start + size]


def fingerprints(session: Session, runs: list[list[int]]) -> dict[int, str]:
    """A short digest per person of everything about them an edit can change (fields, identifiers, tags)."""
    return fingerprints_later(session, runs)()


def fingerprints_later(session: Session, runs: list[list[int]]) -> Callable[[], dict[int, str]]:
    """:func:`fingerprints`, read now after the bulk writes sent so far (:func:`kith.store.door.tuples_after_writes`:
    on PostgreSQL while the caller goes on), digested when the returned function is called."""
    lo, hi = (runs[0][0], runs[-1][1]) if runs else (0, -1)
    fields = door.tuples_after_writes(session, _FIELDS, lo=lo, hi=hi)
    idents = door.tuples_after_writes(session, _IDENTS, lo=lo, hi=hi)
    links = door.tuples_after_writes(session, _LINKS, lo=lo, hi=hi)

    def digests() -> dict[int, str]:
        parts: dict[int, list[str]] = {}
        wanted = set(_ids(runs))
        for row in fields():
            if row[0] in wanted:
                parts[int(row[0])] = [repr(tuple(row[1:]))]
        for pid, kind, key in sorted(idents()):
            if pid in wanted:
                parts.setdefault(int(pid), []).append(f"{kind}:{key}")
        for pid, tag in sorted(links()):
            if pid in wanted:
                parts.setdefault(int(pid), []).append(f"tag:{tag}")
        return {pid: hashlib.sha1("\n".join(p).encode()).hexdigest()[:12] for pid, p in parts.items()}

    return digests


_LO, _HI = bindparam("lo", type_=Integer), bindparam("hi", type_=Integer)
_FIELDS = select(Person.id, *(getattr(Person, f) for f in FINGERPRINTED)).where(
    Person.workspace_id == door.WS, Person.id.between(_LO, _HI))
_IDENTS = select(Identifier.person_id, Identifier.kind, Identifier.value_key).where(
    Identifier.workspace_id == door.WS, Identifier.person_id.between(_LO, _HI))
_LINKS = select(PersonTag.person_id, PersonTag.tag_id).where(
    PersonTag.workspace_id == door.WS, PersonTag.person_id.between(_LO, _HI))


def get_run(session: Session, run_id: int) -> ImportRun:
    """The import with this number in the workspace."""
    run = session.scalars(select(ImportRun).where(ImportRun.id == run_id)).first()
    if run is None:
        raise NotFound(f"no import #{run_id} (see kith import history)")
    return run


def blockers(session: Session, run: ImportRun) -> list[str]:
    """Why the run cannot be undone now (empty when it can)."""
    if run.status == "undone":
        return [f"import #{run.id} was already undone"]
    rec = run.undo
    if rec is None:
        return [f"import #{run.id} was recorded before imports could be undone"]
    people: list[list[int]] = rec.get("people", [])
    interactions: list[list[int]] = rec.get("interactions", [])
    relations: list[list[int]] = rec.get("relations", [])
    out: list[str] = []
    if people:
        now = fingerprints(session, people)
        then: dict[str, str] = rec.get("fingerprints", {})
        edited = sorted(int(p) for p, digest in then.items() if now.get(int(p)) != digest)
        if edited:
            out.append(f"{len(edited)} of the people it added were edited since (#{', #'.join(map(str, edited[:5]))}"
                       f"{'...' if len(edited) > 5 else ''})")
        out += _references(session, people, interactions, relations)
    for change in rec.get("changed", []):
        person = session.get(Person, change["person"])
        if person is not None and tracked(person) != change["after"]:
            out.append(f"#{person.id} {person.display_name} was edited since the import changed them")
    return out


def _references(session: Session, people: list[list[int]], interactions: list[list[int]],
                relations: list[list[int]]) -> list[str]:
    """Rows made after the import that name a person it added."""
    out = []
    for chunk in _chunks(people):
        mine = _in(InteractionParticipant.person_id, chunk)
        logged = session.scalar(select(func.count()).select_from(InteractionParticipant).where(
            mine, ~_in(InteractionParticipant.interaction_id, interactions) if interactions else true()))
        if logged:
            out.append(f"{logged} interactions logged since with people it added")
        linked = session.scalar(select(func.count()).select_from(Relation).where(
            or_(_in(Relation.src_id, chunk), _in(Relation.dst_id, chunk)),
            ~_in(Relation.id, relations) if relations else true()))
        if linked:
            out.append(f"{linked} relations made since with people it added")
        for model, label in ((Favor, "favours"), (EventMember, "event memberships"), (AgendaMark, "agenda marks")):
            n = session.scalar(select(func.count()).select_from(model).where(_in(model.person_id, chunk)))
            if n:
                out.append(f"{n} {label} of people it added")
        n = session.scalar(select(func.count()).select_from(Opportunity).where(_in(Opportunity.referred_by_id, chunk)))
        if n:
            out.append(f"{n} opportunities referred by people it added")
        n = session.scalar(select(func.count()).select_from(Person).where(
            _in(Person.introduced_by_id, chunk), ~_in(Person.id, people)))
        if n:
            out.append(f"{n} people introduced by people it added")
    cadences = session.scalars(select(Cadence.target).where(Cadence.scope == "person")).all()
    added = set(_ids(people)) if sum(b - a + 1 for a, b in people) < 2_000_000 else set()
    n = sum(1 for t in cadences if t.isdigit() and int(t) in added)
    if n:
        out.append(f"{n} cadences set for people it added")
    return out


TRACKED = ("display_name", "nickname", "title", "location", "birthday", "notes", "organization_id", "photo_path",
           "provenance")
"""The fields of a stored person an import may change: recorded before and after, put back by undo."""


def tracked(person: Person) -> dict[str, Any]:
    """The values of :data:`TRACKED`."""
    return {f: getattr(person, f) for f in TRACKED}


def undo_run(session: Session, run_id: int, *, now: datetime) -> UndoResult:
    """Remove what import ``run_id`` added and restore what it changed, or raise BadInput saying why not."""
    run = get_run(session, run_id)
    why = blockers(session, run)
    if why:
        later = "" if run.status == "undone" or run.undo is None else \
            ". Undo later imports or edits first (kith import history)"
        raise BadInput(f"cannot undo import #{run.id}: " + "; ".join(why) + later)
    rec = run.undo or {}
    people: list[list[int]] = rec.get("people", [])
    interactions: list[list[int]] = rec.get("interactions", [])
    session.flush()
    out = door.writer(session)
    touched: set[int] = set()
    removed_interactions = 0
    for chunk in _chunks(interactions):
        touched |= {int(p) for p in session.scalars(select(InteractionParticipant.person_id).where(
            _in(InteractionParticipant.interaction_id, chunk))).all()}
        out.execute(delete(InteractionParticipant).where(
            InteractionParticipant.workspace_id == door.WS, _in(InteractionParticipant.interaction_id, chunk)))
        removed_interactions += int(session.scalar(select(func.count()).select_from(Interaction).where(
            _in(Interaction.id, chunk))) or 0)
        out.execute(delete(Interaction).where(Interaction.workspace_id == door.WS, _in(Interaction.id, chunk)))
    relations: list[list[int]] = rec.get("relations", [])
    removed_relations = 0
    for chunk in _chunks(relations):
        removed_relations += int(session.scalar(select(func.count()).select_from(Relation).where(
            _in(Relation.id, chunk))) or 0)
        out.execute(delete(Relation).where(Relation.workspace_id == door.WS, _in(Relation.id, chunk)))
    tag_ids = {str(n): int(i) for n, i in session.execute(select(Tag.name, Tag.id))}
    for pid, tag in rec.get("person_tags", []):
        if tag in tag_ids:
            out.execute(delete(PersonTag).where(PersonTag.workspace_id == door.WS, PersonTag.person_id == pid,
                                                PersonTag.tag_id == tag_ids[tag]))
    identifiers: list[list[int]] = rec.get("identifiers", [])
    removed_identifiers = 0
    for chunk in _chunks(identifiers):
        removed_identifiers += int(session.scalar(select(func.count()).select_from(Identifier).where(
            _in(Identifier.id, chunk))) or 0)
        out.execute(delete(Identifier).where(Identifier.workspace_id == door.WS, _in(Identifier.id, chunk)))
    session.expire_all()
    restored = 0
    for change in rec.get("changed", []):
        person = session.get(Person, change["person"])
        if person is None:
            continue
        for name, value in change["before"].items():
            setattr(person, name, value)
        person.updated_at = now
        session.flush()
        session.expire(person, ["organization", "identifiers"])
        refresh_search_key(person)
        restored += 1
    session.flush()
    removed_people = 0
    for chunk in _chunks(people):
        removed_people += int(session.scalar(select(func.count()).select_from(Person).where(_in(Person.id, chunk))) or 0)
        out.execute(delete(Person).where(Person.workspace_id == door.WS, _in(Person.id, chunk)))
    for chunk in _chunks(rec.get("organizations", [])):
        used = select(Person.organization_id).where(Person.organization_id.is_not(None))
        referred = select(Opportunity.organization_id).where(Opportunity.organization_id.is_not(None))
        out.execute(delete(Organization).where(Organization.workspace_id == door.WS, _in(Organization.id, chunk),
                                               Organization.id.not_in(used), Organization.id.not_in(referred)))
    for chunk in _chunks(rec.get("tags", [])):
        out.execute(delete(Tag).where(Tag.workspace_id == door.WS, _in(Tag.id, chunk),
                                      Tag.id.not_in(select(PersonTag.tag_id))))
    session.expire_all()
    stored = touched - set(_ids(people)) if people else touched
    rebuild_tie_states(session, stored)
    run = get_run(session, run_id)
    run.status, run.undone_at = "undone", now
    session.flush()
    return UndoResult(run.id, removed_people, removed_interactions, restored, removed_identifiers, removed_relations)


