"""Likely duplicate people, and merging two people into one.

Candidates share an e-mail, phone or profile URL, or have very similar names
(rapidfuzz), more so at the same organisation. Two people with different
profiles on the same network (two LinkedIn URLs) are reported as probably two
people and never merged by an import; a person may still merge them by hand.

:class:`Candidate` (`kith dupes --json`, ``GET /api/v1/duplicates``) and
:class:`MergePreview` (`kith merge --dry-run --json`, ``GET /api/v1/merge-preview``)
are the read models; the preview and the merge take their field rule from
one function (:func:`_field_plan`), so the preview says what the merge does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from kith.errors import BadInput
from kith.normalize import fold
from kith.services.people_list import PersonRef
from kith.store.models import (
    AgendaMark,
    Cadence,
    EventMember,
    Favor,
    InteractionParticipant,
    Opportunity,
    Person,
    PersonTag,
    Relation,
)

MAX_BLOCK = 300  # a name shared by more people than this says nothing


@dataclass(frozen=True)
class Candidate:
    """Two people who may be one, with a confidence (0-1) and the reasons."""

    a: PersonRef
    b: PersonRef
    confidence: float
    reasons: tuple[str, ...] = ()
    conflict: bool = False  # different profiles on one network: probably two people

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``a`` and ``b`` (``{id, name}``), ``confidence`` (2 decimals), ``reasons``, ``conflict``."""
        return {"a": self.a.as_dict(), "b": self.b.as_dict(), "confidence": round(self.confidence, 2),
                "reasons": list(self.reasons), "conflict": self.conflict}


@dataclass(frozen=True)
class MergePreview:
    """What merging ``drop`` into ``keep`` would do, before it is done."""

    keep: PersonRef
    drop: PersonRef
    taken: tuple[str, ...]  # "title: Producer": fields ``keep`` lacks, filled from ``drop``
    noted: tuple[str, ...]  # ``drop``'s other differing values, added to ``keep``'s notes
    identifiers: tuple[str, ...]  # ``drop``'s e-mails, phones and URLs that ``keep`` gains
    tags: tuple[str, ...]  # ``drop``'s tags that ``keep`` gains
    interactions: int  # ``drop``'s interactions without ``keep``, which become ``keep``'s
    relations: int  # relations ``drop`` takes part in, re-pointed to ``keep`` (or dropped as duplicates)
    favors: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form: every field, ``keep`` and ``drop`` as ``{id, name}``."""
        return {"keep": self.keep.as_dict(), "drop": self.drop.as_dict(), "taken": list(self.taken),
                "noted": list(self.noted), "identifiers": list(self.identifiers), "tags": list(self.tags),
                "interactions": self.interactions, "relations": self.relations, "favors": self.favors}


def _strong(person: Person) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for ident in person.identifiers:
        for network in ("linkedin", "facebook"):
            if ident.value_key.startswith(f"{network}.com/"):
                out[network].add(ident.value_key)
    return out


def _shared(a: Person, b: Person) -> list[str]:
    keys_b = {(i.kind if i.kind in ("email", "phone") else "url", i.value_key) for i in b.identifiers}
    found = []
    for i in a.identifiers:
        kind = i.kind if i.kind in ("email", "phone") else "url"
        if (kind, i.value_key) in keys_b:
            found.append(f"same {'e-mail' if kind == 'email' else kind} {i.value}")
    return found


def compare(a: Person, b: Person) -> Candidate | None:
    """How likely ``a`` and ``b`` are one person, or None if not at all."""
    reasons = _shared(a, b)
    score = fuzz.token_sort_ratio(fold(a.display_name), fold(b.display_name))
    same_org = bool(a.organization_id and a.organization_id == b.organization_id)
    confidence = 0.0
    if reasons:
        confidence = 0.95
    if score >= 85:
        reasons.append(f"names {score:.0f}% alike")
        confidence = max(confidence, 0.55 + (score - 85) / 100 + (0.2 if same_org else 0.0))
    if same_org and score >= 85:
        reasons.append(f"both at {a.organization.name if a.organization else ''}")
    if confidence == 0.0:
        return None
    conflict = _conflicting(a, b)
    if conflict:
        reasons.append(conflict)
        confidence = min(confidence, 0.2)
    return Candidate(PersonRef(a.id, a.display_name), PersonRef(b.id, b.display_name), min(confidence, 0.99),
                     tuple(reasons), bool(conflict))


def _conflicting(a: Person, b: Person) -> str:
    sa, sb = _strong(a), _strong(b)
    for network in sa.keys() & sb.keys():
        if not sa[network] & sb[network]:
            return f"different {network.title()} profiles: probably two people"
    return ""


def find_duplicates(session: Session, *, min_confidence: float = 0.5) -> list[Candidate]:
    """Likely duplicates, most likely first (conflicting pairs included, flagged)."""
    people = list(session.scalars(
        select(Person).where(Person.archived.is_(False)).options(selectinload(Person.identifiers))
    ).unique())
    found: dict[tuple[int, int], Candidate] = {}
    for block in _blocks(people):
        for a, b in combinations(sorted(block, key=lambda p: p.id), 2):
            if (a.id, b.id) in found:
                continue
            cand = compare(a, b)
            if cand is not None and (cand.confidence >= min_confidence or cand.conflict):
                found[(a.id, b.id)] = cand
    return sorted(found.values(), key=lambda c: (-c.confidence, c.a.id, c.b.id))


def _blocks(people: Iterable[Person]) -> list[list[Person]]:
    """Groups worth comparing pairwise: same identifier, same name token pair."""
    groups: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        for ident in p.identifiers:
            groups[f"id:{ident.value_key}"].append(p)
        words = sorted(set(fold(p.display_name).split()))
        for w in words:
            groups[f"w:{w}"].append(p)
    return [g for g in groups.values() if 1 < len(g) <= MAX_BLOCK]


FIELDS = ("title", "location", "birthday", "nickname", "given_name", "family_name", "photo_path")


def preview_merge(session: Session, keep: Person, drop: Person) -> MergePreview:
    """What :func:`merge_people` would do with these two, without doing it."""
    if keep.id == drop.id:
        raise BadInput("cannot merge a person with themselves")
    taken, noted = _field_plan(keep, drop)
    have = {(i.kind, i.value_key) for i in keep.identifiers}
    mine = {t.name for t in keep.tags}
    shared = select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == keep.id)
    moved = select(func.count()).where(InteractionParticipant.person_id == drop.id,
                                       InteractionParticipant.interaction_id.not_in(shared))
    relations = select(func.count()).where(or_(Relation.src_id == drop.id, Relation.dst_id == drop.id))
    favors = select(func.count()).where(Favor.person_id == drop.id)
    return MergePreview(
        PersonRef(keep.id, keep.display_name), PersonRef(drop.id, drop.display_name),
        tuple(f"{_field_label(name)}: {_shown(drop, name, value)}" for name, value in taken.items()), tuple(noted),
        tuple(i.value for i in drop.identifiers if (i.kind, i.value_key) not in have),
        tuple(t.name for t in drop.tags if t.name not in mine),
        *(int(session.scalar(stmt) or 0) for stmt in (moved, relations, favors)),
    )


def _field_label(name: str) -> str:
    return "organisation" if name == "organization_id" else name.replace("_", " ")


def _shown(drop: Person, name: str, value: Any) -> str:
    return drop.organization.name if name == "organization_id" and drop.organization is not None else str(value)


def merge_people(session: Session, keep: Person, drop: Person, *, now: datetime) -> Person:
    """Merge ``drop`` into ``keep``: every field, identifier, tag, interaction, relation,
    favour, event membership and provenance survives; ``drop`` is deleted."""
    if keep.id == drop.id:
        raise BadInput("cannot merge a person with themselves")
    session.flush()
    _merge_fields(keep, drop)
    _move_identifiers(keep, drop)
    _move_rows(session, keep.id, drop.id)
    keep.updated_at = now
    from kith.services.people import refresh_search_key

    session.flush()
    session.expire(keep, ["tags"])
    session.delete(drop)
    session.flush()
    session.expire_all()  # collections still naming the dropped person reload
    refresh_search_key(keep)
    return keep


def _field_plan(keep: Person, drop: Person) -> tuple[dict[str, Any], list[str]]:
    """The fields ``keep`` takes from ``drop`` (those it lacks), and the lines its notes gain (``drop``'s other values)."""
    taken: dict[str, Any] = {}
    noted: list[str] = []
    for name in FIELDS:
        mine, theirs = getattr(keep, name), getattr(drop, name)
        if not mine and theirs:
            taken[name] = theirs
        elif theirs and mine != theirs:
            noted.append(f"{name.replace('_', ' ')}: {theirs}")
    if keep.organization_id is None and drop.organization_id is not None:
        taken["organization_id"] = drop.organization_id
    elif drop.organization is not None and drop.organization_id != keep.organization_id:
        noted.append(f"organisation: {drop.organization.name}")
    if drop.display_name != keep.display_name:
        noted.append(f"also known as: {drop.display_name}")
    return taken, noted


def _merge_fields(keep: Person, drop: Person) -> None:
    prov = dict(drop.provenance or {})
    prov.update(keep.provenance or {})
    taken, extra = _field_plan(keep, drop)
    for name, value in taken.items():
        setattr(keep, name, value)
    notes = [n for n in (keep.notes, drop.notes if drop.notes != keep.notes else "") if n]
    if extra:
        notes.append(f"Merged from #{drop.id}: " + "; ".join(extra))
    keep.notes = "\n".join(notes)
    keep.met_on = min(d for d in (keep.met_on, drop.met_on) if d) if (keep.met_on or drop.met_on) else None
    keep.met_at_event_id = keep.met_at_event_id or drop.met_at_event_id
    keep.introduced_by_id = keep.introduced_by_id or (drop.introduced_by_id if drop.introduced_by_id != keep.id else None)
    keep.is_key = keep.is_key or drop.is_key
    keep.closeness = max((c for c in (keep.closeness, drop.closeness) if c is not None), default=None)
    keep.provenance = prov


def _move_identifiers(keep: Person, drop: Person) -> None:
    have = {(i.kind, i.value_key) for i in keep.identifiers}
    for ident in list(drop.identifiers):
        if (ident.kind, ident.value_key) not in have:
            drop.identifiers.remove(ident)
            keep.identifiers.append(ident)
            have.add((ident.kind, ident.value_key))


def _move_rows(session: Session, keep: int, drop: int) -> None:
    """Re-point every row that names ``drop``; rows that would be duplicates go."""
    _move_pairs(session, PersonTag, PersonTag.tag_id, keep, drop)
    _move_participation(session, keep, drop)
    _move_pairs(session, EventMember, EventMember.event_id, keep, drop)
    for rel in session.scalars(select(Relation).where((Relation.src_id == drop) | (Relation.dst_id == drop))).all():
        src = keep if rel.src_id == drop else rel.src_id
        dst = keep if rel.dst_id == drop else rel.dst_id
        exists = session.scalars(select(Relation.id).where(
            Relation.src_id == src, Relation.kind == rel.kind, Relation.dst_id == dst)).first()
        if src == dst or exists is not None:
            session.delete(rel)
        else:
            rel.src_id, rel.dst_id = src, dst
    session.flush()
    session.execute(update(Favor).where(Favor.person_id == drop).values(person_id=keep))
    session.execute(update(AgendaMark).where(AgendaMark.person_id == drop).values(person_id=keep))
    session.execute(update(Opportunity).where(Opportunity.referred_by_id == drop).values(referred_by_id=keep))
    session.execute(update(Person).where(Person.introduced_by_id == drop).values(introduced_by_id=keep))
    _move_cadence(session, keep, drop)


def _move_pairs(session: Session, model: Any, other: Any, keep: int, drop: int) -> None:
    have = set(session.scalars(select(other).where(model.person_id == keep)).all())
    theirs = set(session.scalars(select(other).where(model.person_id == drop)).all())
    if theirs & have:
        session.execute(delete(model).where(model.person_id == drop, other.in_(list(theirs & have))))
    if theirs - have:
        session.execute(update(model).where(model.person_id == drop).values(person_id=keep))


def _move_participation(session: Session, keep: int, drop: int) -> None:
    """Row by row through the ORM, so that the stored tie states are rebuilt at commit."""
    rows = session.scalars(select(InteractionParticipant).where(InteractionParticipant.person_id.in_([keep, drop]))).all()
    mine = {r.interaction_id for r in rows if r.person_id == keep}
    for row in [r for r in rows if r.person_id == drop]:
        session.delete(row)
        if row.interaction_id not in mine:
            session.add(InteractionParticipant(interaction_id=row.interaction_id, person_id=keep))
    session.flush()


def _move_cadence(session: Session, keep: int, drop: int) -> None:
    mine = session.scalars(select(Cadence).where(Cadence.scope == "person", Cadence.target == str(keep))).first()
    theirs = session.scalars(select(Cadence).where(Cadence.scope == "person", Cadence.target == str(drop))).first()
    if theirs is not None:
        if mine is None:
            theirs.target = str(keep)
        else:
            session.delete(theirs)


@dataclass(frozen=True)
class Profile:
    """One person's fields as the merge comparison shows them side by side: (label, value) lines."""

    id: int
    name: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Comparison:
    """Two people side by side and what merging the second into the first would do."""

    keep: Profile
    drop: Profile
    preview: MergePreview


def _profile(person: Person) -> Profile:
    lines = [("name", person.display_name), ("organisation", person.organization.name if person.organization else ""),
             ("title", person.title), ("location", person.location), ("birthday", person.birthday),
             ("met on", person.met_on.isoformat() if person.met_on else "")]
    lines += [(i.kind, i.value) for i in person.identifiers]
    lines.append(("tags", ", ".join(t.name for t in person.tags)))
    lines.append(("notes", person.notes))
    return Profile(person.id, person.display_name, tuple(lines))


def compare_people(session: Session, keep: Person, drop: Person) -> Comparison:
    """Both people's fields side by side, and the preview of merging ``drop`` into ``keep`` (nothing changes)."""
    return Comparison(_profile(keep), _profile(drop), preview_merge(session, keep, drop))
