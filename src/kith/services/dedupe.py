"""Likely duplicate people, and merging two people into one.

Candidates are scored by the identity rules of :mod:`kith.engine.identity`
(the same rules an import holds new people for review by): a shared e-mail,
phone or profile URL, or names alike (nicknames, initials, accents, middle
names), more so at the same organisation. Two people with different profiles
on one network, or different e-mail addresses at different organisations,
are probably two people: listed only when asked (``include_conflicts``), and
never merged by an import; a person may still merge them by hand. A pair
settled as two people (:func:`keep_apart`) is not listed again.

:class:`Candidate` (`kith dupes --json`, ``GET /api/v1/duplicates``) and
:class:`MergePreview` (`kith merge --dry-run --json`, ``GET /api/v1/merge-preview``)
are the read models; the preview and the merge take their field rule from
one function (:func:`_field_plan`), so the preview says what the merge does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from kith.engine import identity
from kith.errors import BadInput
from kith.normalize import fold, is_derived_id
from kith.services.people import shown_identifiers
from kith.services.people_list import PersonRef
from kith.services.sync_links import relink_merged
from kith.store.journal import journaled
from kith.store.models import (
    AgendaMark,
    Cadence,
    EventMember,
    Favor,
    Identifier,
    InteractionParticipant,
    KeptApart,
    Opportunity,
    Organization,
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
    evidence: tuple[tuple[str, str, str], ...] = ()  # (what, A's, B's) side by side: organisation, e-mails...

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``a`` and ``b`` (``{id, name}``), ``confidence`` (2 decimals), ``reasons``, ``conflict``,
        ``evidence`` (``[{what, a, b}]``)."""
        return {"a": self.a.as_dict(), "b": self.b.as_dict(), "confidence": round(self.confidence, 2),
                "reasons": list(self.reasons), "conflict": self.conflict,
                "evidence": [{"what": w, "a": x, "b": y} for w, x, y in self.evidence]}


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


def profiles(session: Session) -> dict[int, identity.Profile]:
    """Everyone not archived as an identity profile (name, organisation, identifier keys), read as columns."""
    orgs = {int(i): fold(n) for i, n in session.execute(select(Organization.id, Organization.name))}
    rows = session.execute(select(Person.id, Person.display_name, Person.organization_id, Person.title)
                           .where(Person.archived.is_(False))).all()
    keys: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for pid, kind, key in session.execute(select(Identifier.person_id, Identifier.kind, Identifier.value_key)):
        keys[int(pid)]["url" if kind in ("url", "linkedin", "facebook") else kind].add(key)
    out = {}
    for pid, name, org_id, title in rows:
        k = keys.get(int(pid), {})
        out[int(pid)] = identity.Profile(name, orgs.get(org_id or -1, ""), frozenset(k.get("email", ())),
                                         frozenset(k.get("phone", ())), frozenset(k.get("url", ())),
                                         frozenset(k.get("external", ())), title or "")
    return out


def compare(a: identity.Profile, b: identity.Profile, a_id: int, b_id: int) -> Candidate:
    """The identity rules (:func:`kith.engine.identity.compare`) as a candidate pair."""
    verdict = identity.compare(a, b)
    return Candidate(PersonRef(a_id, a.name), PersonRef(b_id, b.name), verdict.confidence, verdict.reasons,
                     verdict.conflict, evidence(a, b))


def evidence(a: identity.Profile, b: identity.Profile) -> tuple[tuple[str, str, str], ...]:
    """What each of the two is known by, side by side (rows where either has something)."""
    rows = [("organisation", a.org, b.org), ("title", a.title, b.title),
            ("e-mail", ", ".join(sorted(a.emails)), ", ".join(sorted(b.emails))),
            ("phone", ", ".join(sorted(a.phones)), ", ".join(sorted(b.phones))),
            ("profile", ", ".join(sorted(a.urls)), ", ".join(sorted(b.urls)))]
    return tuple(r for r in rows if r[1] or r[2])


def find_duplicates(session: Session, *, min_confidence: float = identity.REVIEW,
                    include_conflicts: bool = False) -> list[Candidate]:
    """Likely duplicates, most likely first; pairs kept apart are left out.

    With ``include_conflicts``, pairs whose names are alike but whose evidence
    says two people (different LinkedIn profiles, different addresses at
    different organisations) are listed too, flagged ``conflict``.
    """
    people = profiles(session)
    apart = {(int(a), int(b)) for a, b in session.execute(select(KeptApart.a_id, KeptApart.b_id))}
    found: dict[tuple[int, int], Candidate] = {}
    for block in _blocks(people):
        for a, b in combinations(sorted(block), 2):
            if (a, b) in found or (a, b) in apart:
                continue
            cand = compare(people[a], people[b], a, b)
            if cand.conflict:
                if include_conflicts and _names_alike(people[a], people[b]):
                    found[(a, b)] = cand
            elif cand.confidence >= min_confidence:
                found[(a, b)] = cand
    return sorted(found.values(), key=lambda c: (-c.confidence, c.a.id, c.b.id))


def _names_alike(a: identity.Profile, b: identity.Profile) -> bool:
    bare = identity.compare(identity.Profile(a.name), identity.Profile(b.name))
    return bare.confidence >= identity.REVIEW


def _blocks(people: dict[int, identity.Profile]) -> list[list[int]]:
    """Groups worth comparing pairwise: a shared identifier, one name key, or family name and initial."""
    groups: dict[str, list[int]] = defaultdict(list)
    for pid, p in people.items():
        for kind, key in p.identifiers():
            groups[f"id:{kind}:{key}"].append(pid)
        parts = identity.name_parts(p.name)
        groups[f"n:{identity.name_key(p.name)}"].append(pid)
        if parts.family and parts.given:
            groups[f"f:{parts.family}|{parts.given[0]}"].append(pid)
            groups[f"g:{identity.canonical_given(parts.given)}|{parts.family[:3]}"].append(pid)
    return [g for g in groups.values() if 1 < len(g) <= MAX_BLOCK]


@journaled(lambda session, a, b: f"Kept {a.display_name} and {b.display_name} apart")
def keep_apart(session: Session, a: Person, b: Person) -> bool:
    """Record that ``a`` and ``b`` are two people (no longer listed); False if it was already recorded."""
    if a.id == b.id:
        raise BadInput("both name the same person")
    lo, hi = sorted((a.id, b.id))
    exists = session.scalars(select(KeptApart.id).where(KeptApart.a_id == lo, KeptApart.b_id == hi)).first()
    if exists is not None:
        return False
    session.add(KeptApart(a_id=lo, b_id=hi))
    session.flush()
    return True


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
        tuple(i.value for i in drop.identifiers if (i.kind, i.value_key) not in have
              and not is_derived_id(i.kind, i.value)),
        tuple(t.name for t in drop.tags if t.name not in mine),
        *(int(session.scalar(stmt) or 0) for stmt in (moved, relations, favors)),
    )


def _field_label(name: str) -> str:
    return "organisation" if name == "organization_id" else name.replace("_", " ")


def _shown(drop: Person, name: str, value: Any) -> str:
    return drop.organization.name if name == "organization_id" and drop.organization is not None else str(value)


@journaled(lambda session, keep, drop, **_: f"Merged {drop.display_name} into {keep.display_name}")
def merge_people(session: Session, keep: Person, drop: Person, *, now: datetime) -> Person:
    """Merge ``drop`` into ``keep``: every field, identifier, tag, interaction, relation,
    favour, event membership and provenance survives; ``drop`` is deleted."""
    if keep.id == drop.id:
        raise BadInput("cannot merge a person with themselves")
    session.flush()
    _merge_fields(keep, drop)
    _move_identifiers(keep, drop)
    _move_rows(session, keep.id, drop.id)
    relink_merged(session, keep.id, drop.id)  # the phone keeps one card for the one person
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
    lines += shown_identifiers(person)
    lines.append(("tags", ", ".join(t.name for t in person.tags)))
    lines.append(("notes", person.notes))
    return Profile(person.id, person.display_name, tuple(lines))


def compare_people(session: Session, keep: Person, drop: Person) -> Comparison:
    """Both people's fields side by side, and the preview of merging ``drop`` into ``keep`` (nothing changes)."""
    return Comparison(_profile(keep), _profile(drop), preview_merge(session, keep, drop))
