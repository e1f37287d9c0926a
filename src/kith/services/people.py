"""People: add, name, find, list, edit, tag, archive, delete.

A person can be named by id (``42`` or ``#42``), by e-mail, or by an
unambiguous part of the name; :func:`resolve_person` is the one place that
turns what a user typed into a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import email_key, fold, identifier_key, is_derived_id, parse_name, typed
from kith.services.organizations import get_or_create_org
from kith.store.journal import journaled, relabel
from kith.store.models import (
    Cadence,
    Event,
    Identifier,
    Interaction,
    InteractionParticipant,
    Person,
    PersonTag,
    Tag,
)

IDENTIFIER_KINDS = ("email", "phone", "url", "linkedin", "facebook", "external")


@dataclass
class NewPerson:
    """Everything :func:`add_person` accepts; only ``name`` is required."""

    name: str
    emails: Sequence[str] = ()
    phones: Sequence[str] = ()
    urls: Sequence[str] = ()
    org: str | None = None
    title: str = ""
    tags: Sequence[str] = ()
    location: str = ""
    notes: str = ""
    met_at: Event | None = None
    met_on: date | None = None
    introduced_by: Person | None = None
    cadence_days: int | None = None
    key: bool = False
    closeness: int | None = None
    source: str = "manual"


@journaled(lambda session, new, **_: f"Added {new.name}")
def add_person(session: Session, new: NewPerson, *, now: datetime) -> Person:
    """Create a person with identifiers, organisation, tags and how they were met."""
    name = " ".join(new.name.split())
    if not name:
        raise BadInput("a person needs a name")
    given, family = parse_name(name)
    person = Person(
        display_name=name,
        given_name=given,
        family_name=family,
        nickname="",
        title=new.title.strip(),
        location=new.location.strip(),
        birthday="",
        notes=new.notes,
        met_at_event_id=new.met_at.id if new.met_at else None,
        met_on=new.met_on,
        introduced_by_id=new.introduced_by.id if new.introduced_by else None,
        is_key=new.key,
        closeness=_check_closeness(new.closeness),
        archived=False,
        photo_path="",
        provenance={},
        created_at=now,
        updated_at=now,
    )
    if new.org:
        person.organization = get_or_create_org(session, new.org)
    # A new person has no tags: say so, so that tagging does not query for them.
    set_committed_value(person, "tags", [])
    session.add(person)
    for value in new.emails:
        add_identifier(session, person, "email", value, source=new.source)
    for value in new.phones:
        add_identifier(session, person, "phone", value, source=new.source)
    for value in new.urls:
        add_identifier(session, person, _url_kind(value), value, source=new.source)
    session.flush()
    if new.tags:
        tag_person(session, person, new.tags)
    if new.cadence_days is not None:
        set_person_cadence(session, person, new.cadence_days)
    refresh_search_key(person)
    return person


def _check_closeness(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 100:
        raise BadInput(f"closeness must be between 0 and 100, not {value}")
    return value


def _url_kind(value: str) -> str:
    low = value.lower()
    if "linkedin.com/" in low:
        return "linkedin"
    if "facebook.com/" in low:
        return "facebook"
    return "url"


@journaled(lambda session, person, kind, value, **_: f"Added {value} to {person.display_name}")
def add_identifier(
    session: Session, person: Person, kind: str, value: str, *, label: str = "", source: str = "manual"
) -> Identifier | None:
    """Attach an e-mail, phone or URL; a duplicate of one the person has is ignored."""
    if kind not in IDENTIFIER_KINDS:
        raise BadInput(f"unknown identifier kind '{kind}'")
    key = identifier_key(kind, value)
    if key is None:
        if kind == "email":
            raise BadInput(f"'{value}' is not an e-mail address")
        raise BadInput(f"'{value}' is not a usable {kind}")
    for existing in person.identifiers:
        if existing.kind == kind and existing.value_key == key:
            return None
    ident = Identifier(kind=kind, value=value.strip(), value_key=key, label=label, source=source)
    person.identifiers.append(ident)
    if kind in SEARCHED_IDENTIFIERS:
        refresh_search_key(person)  # searching for an address finds whoever has it, however it was added
    return ident


SEARCHED_IDENTIFIERS = ("email", "linkedin", "url")  # the identifiers a search matches (phones are not words)


def folded_keys(
    display_name: str, nickname: str, title: str, location: str, notes: str,
    identifiers: Iterable[tuple[str, str]], org_name: str | None,
) -> tuple[str, str]:
    """The folded name (resolution) and folded search text of a person's fields; ``identifiers`` are (kind, value)."""
    parts = [display_name, nickname, title, location, notes]
    parts += [value for kind, value in identifiers if kind in SEARCHED_IDENTIFIERS]
    if org_name:
        parts.append(org_name)
    return fold(f"{display_name} {nickname}"), fold(" | ".join(p for p in parts if p))


def refresh_search_key(person: Person) -> None:
    """Recompute the folded name and text that resolution and search compare."""
    person.name_key, person.search_key = folded_keys(
        person.display_name, person.nickname, person.title, person.location, person.notes,
        ((i.kind, i.value) for i in person.identifiers),
        person.organization.name if person.organization is not None else None,
    )


def shown_identifiers(person: Person) -> list[tuple[str, str]]:
    """A person's identifiers as (kind, value), oldest first, without the source ids imports made for rows that had
    none (:func:`kith.normalize.is_derived_id`): those are bookkeeping, not how anyone knows the person."""
    return [(i.kind, i.value) for i in person.identifiers if not is_derived_id(i.kind, i.value)]


def names_of(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Display names of ``ids`` (people of the workspace)."""
    wanted = list(set(ids))
    out: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):
        out.update(session.execute(select(Person.id, Person.display_name)
                                   .where(Person.id.in_(wanted[start:start + 5000]))).all())
    return out


def has_people(session: Session) -> bool:
    """Whether the workspace has anyone yet (archived people count)."""
    return session.scalar(select(Person.id).limit(1)) is not None


def get_person(session: Session, person_id: int) -> Person:
    """The person with this id in the current workspace."""
    person = session.get(Person, person_id)
    # session.get bypasses loader criteria for rows already in the identity map,
    # so check the workspace explicitly.
    if person is None or person.workspace_id != session.info.get("workspace_id", person.workspace_id):
        raise NotFound(f"no person with id {person_id}")
    return person


def resolve_person(session: Session, ref: str) -> Person:
    """Turn an id, an e-mail or an unambiguous part of a name into a person."""
    text = typed(ref).strip()
    if not text:
        raise BadInput("name a person (an id, an e-mail or part of the name)")
    if text.lstrip("#").isdigit():
        return get_person(session, int(text.lstrip("#")))
    key = email_key(text)
    if key is not None:
        found = session.scalars(
            select(Person).join(Identifier).where(Identifier.kind == "email", Identifier.value_key == key)
        ).unique().all()
        if len(found) == 1:
            return found[0]
        if not found:
            raise NotFound(f"nobody has the e-mail {text}")
        raise AmbiguousPerson(text, [(p.id, _label(p)) for p in found])
    folded = fold(text)
    candidates = session.scalars(
        _name_match(folded).where(Person.archived.is_(False)).order_by(Person.display_name).limit(50)
    ).all()
    exact_folded = [p for p in candidates if fold(p.display_name) == folded]
    if len(exact_folded) == 1:
        return exact_folded[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise NotFound(f"nobody called '{text}'")
    raise AmbiguousPerson(text, [(p.id, _label(p)) for p in candidates])


def _name_match(folded: str) -> Select[Person]:
    return select(Person).where(
        *[Person.name_key.like(f"%{_escape(word)}%", escape="\\") for word in folded.split()]
    )


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _label(person: Person) -> str:
    org = f" ({person.organization.name})" if person.organization else ""
    return person.display_name + org


def find_people(session: Session, query: str, *, limit: int = 50, include_archived: bool = False) -> list[Person]:
    """People whose names, e-mails, organisation, title or notes contain every word."""
    words = fold(query).split()
    if not words:
        raise BadInput("give something to search for")
    stmt = select(Person).where(*[Person.search_key.like(f"%{_escape(w)}%", escape="\\") for w in words])
    if not include_archived:
        stmt = stmt.where(Person.archived.is_(False))
    stmt = stmt.options(selectinload(Person.identifiers), selectinload(Person.tags))
    return list(session.scalars(stmt.order_by(Person.display_name, Person.id).limit(limit)).all())


EDITABLE = ("name", "title", "location", "notes", "birthday", "org", "key", "closeness", "met_on")


@journaled(lambda session, person, *_a, **_: f"Edited {person.display_name}")
def edit_person(session: Session, person: Person, changes: dict[str, Any], *, now: datetime, source: str = "manual") -> list[str]:
    """Apply field changes; returns the fields that actually changed."""
    changed: list[str] = []
    for field, value in changes.items():
        if value is None:
            continue
        if field not in EDITABLE:
            raise BadInput(f"cannot edit '{field}' (editable: {', '.join(EDITABLE)})")
        if field == "name":
            name = " ".join(str(value).split())
            if not name:
                raise BadInput("a person needs a name")
            if name != person.display_name:
                person.display_name = name
                person.given_name, person.family_name = parse_name(name)
                changed.append("name")
        elif field == "org":
            org = get_or_create_org(session, value) if str(value).strip() else None
            if org is not person.organization:
                person.organization = org
                changed.append("org")
        elif field == "key":
            if bool(value) != person.is_key:
                person.is_key = bool(value)
                changed.append("key")
        elif field == "closeness":
            value = _check_closeness(int(value)) if value != "" else None
            if value != person.closeness:
                person.closeness = value
                changed.append("closeness")
        elif getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if changed:
        person.updated_at = now
        prov = dict(person.provenance or {})
        for field in changed:
            prov[field] = {"source": source, "at": now.isoformat()}
        person.provenance = prov
        refresh_search_key(person)
    return changed


@dataclass(frozen=True)
class PersonChanges:
    """One edit of a person, as `kith edit`, the API's PATCH and the web's forms say it (None: unchanged)."""

    name: str | None = None
    org: str | None = None  # "" clears it
    title: str | None = None
    location: str | None = None
    notes: str | None = None
    birthday: str | None = None  # YYYY-MM-DD or --MM-DD
    key: bool | None = None
    closeness: int | None = None
    clear_closeness: bool = False
    met_on: date | None = None
    add_emails: tuple[str, ...] = ()
    add_phones: tuple[str, ...] = ()
    add_urls: tuple[str, ...] = ()
    remove_identifiers: tuple[tuple[str, str], ...] = ()  # (kind, value) pairs to remove
    tags: tuple[str, ...] | None = None  # the whole set of tags, replacing the old one
    cadence_days: int | None = None
    clear_cadence: bool = False
    archived: bool | None = None


_BIRTHDAY = re.compile(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}")


@journaled(lambda session, person, changes, **_: _change_label(person, changes))
def change_person(session: Session, person: Person, changes: PersonChanges, *, now: datetime,
                  source: str = "manual") -> list[str]:
    """Apply one edit (fields, identifiers, tags, cadence, archived); returns what actually changed."""
    if changes.birthday is not None and not _BIRTHDAY.fullmatch(changes.birthday.strip()):
        raise BadInput(f"cannot read the birthday '{changes.birthday}' (use YYYY-MM-DD or --MM-DD)")
    fields: dict[str, Any] = {
        "name": changes.name, "org": changes.org, "title": changes.title, "location": changes.location,
        "notes": changes.notes, "birthday": None if changes.birthday is None else changes.birthday.strip(),
        "key": changes.key, "closeness": "" if changes.clear_closeness else changes.closeness, "met_on": changes.met_on,
    }
    changed = edit_person(session, person, fields, now=now, source=source)
    for kind, values in (("email", changes.add_emails), ("phone", changes.add_phones)):
        for value in values:
            if add_identifier(session, person, kind, value, source=source):
                changed.append(kind)
    for value in changes.add_urls:
        if add_identifier(session, person, _url_kind(value), value, source=source):
            changed.append("url")
    for kind, value in changes.remove_identifiers:
        if not remove_identifier(session, person, kind, value):
            raise BadInput(f"{person.display_name} has no {kind} '{value}'")
        changed.append(f"removed {value}")
    if changes.tags is not None:
        wanted = {normalize_tag(t) for t in changes.tags}
        have = {t.name for t in person.tags}
        if wanted != have:
            untag_person(session, person, sorted(have - wanted))
            tag_person(session, person, sorted(wanted - have))
            changed.append("tags")
    if changes.clear_cadence or changes.cadence_days is not None:
        days = None if changes.clear_cadence else changes.cadence_days
        if days != person_cadence(session, person):
            set_person_cadence(session, person, days)
            changed.append("cadence")
    if changes.archived is not None and changes.archived != person.archived:
        archive_person(person, archived=changes.archived, now=now)
        changed.append("archived")
    refresh_search_key(person)
    session.flush()
    if changed and changed != ["archived"]:
        relabel(session, f"Edited {person.display_name}: {', '.join(dict.fromkeys(changed))}")
    return changed


def normalize_tag(name: str) -> str:
    """Tags are lower-case with single dashes: ``'Film  Crew'`` -> ``'film-crew'``."""
    tag = "-".join(fold(name).replace(",", " ").split())
    if not tag:
        raise BadInput("a tag needs a name")
    return tag


def get_or_create_tag(session: Session, name: str) -> Tag:
    """The tag called ``name``, created if new."""
    key = normalize_tag(name)
    tag = session.scalars(select(Tag).where(Tag.name == key)).first()
    if tag is None:
        tag = Tag(name=key)
        session.add(tag)
        session.flush()
    return tag


@journaled(lambda session, person, *_a, **_: f"Tagged {person.display_name}")
def tag_person(session: Session, person: Person, names: Iterable[str]) -> list[str]:
    """Add tags; returns the ones that were new for this person."""
    names = list(names)
    if not names:
        return []  # no flush: an import of untagged contacts would flush once more per person
    session.flush()
    have = {t.name for t in person.tags}
    added = []
    for name in names:
        tag = get_or_create_tag(session, name)
        if tag.name not in have:
            session.add(PersonTag(person_id=person.id, tag_id=tag.id))
            have.add(tag.name)
            added.append(tag.name)
    if added:
        session.flush()
        session.expire(person, ["tags"])
    return added


@journaled(lambda session, person, *_a, **_: f"Untagged {person.display_name}")
def untag_person(session: Session, person: Person, names: Iterable[str]) -> list[str]:
    """Remove tags; returns the ones the person had."""
    keys = {normalize_tag(n) for n in names}
    gone = [t for t in person.tags if t.name in keys]
    if gone:
        session.execute(
            delete(PersonTag).where(PersonTag.person_id == person.id, PersonTag.tag_id.in_([t.id for t in gone]))
        )
        session.expire(person, ["tags"])
    return [t.name for t in gone]


@journaled(lambda session, person, *_a, **_: f"Set the cadence of {person.display_name}")
def set_person_cadence(session: Session, person: Person, days: int | None) -> None:
    """Set (or with None clear) the keep-in-touch cadence of one person."""
    session.flush()
    session.execute(delete(Cadence).where(Cadence.scope == "person", Cadence.target == str(person.id)))
    if days is not None:
        if days <= 0:
            raise BadInput("a cadence is a positive number of days")
        session.add(Cadence(scope="person", target=str(person.id), days=days))


def person_cadence(session: Session, person: Person) -> int | None:
    """The explicit cadence set on this person, if any."""
    return session.scalar(
        select(Cadence.days).where(Cadence.scope == "person", Cadence.target == str(person.id))
    )


@journaled(lambda person, *, archived=True, **_: f"{'Archived' if archived else 'Restored'} {person.display_name}")
def archive_person(person: Person, *, archived: bool = True, now: datetime) -> None:
    """Archive (hide from lists, agenda and scores) or restore a person."""
    person.archived = archived
    person.updated_at = now


@journaled(lambda session, person: f"Deleted {person.display_name}")
def delete_person(session: Session, person: Person) -> None:
    """Delete a person and everything that is only theirs, their interactions with nobody else included.

    Group interactions stay for the others; their tie states are rebuilt here,
    explicitly (the groups got smaller, and the database's cascade is invisible
    to the session's hooks).
    """
    # Numerical: loaded only when someone is deleted.
    from kith.services.tie_states import rebuild_tie_states

    session.flush()
    theirs = select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == person.id)
    others = set(session.scalars(select(InteractionParticipant.person_id).where(
        InteractionParticipant.interaction_id.in_(theirs), InteractionParticipant.person_id != person.id)).all())
    shared = select(InteractionParticipant.interaction_id).where(
        InteractionParticipant.interaction_id.in_(theirs), InteractionParticipant.person_id != person.id)
    alone = list(session.scalars(select(Interaction.id).where(Interaction.id.in_(theirs), Interaction.id.not_in(shared))))
    session.execute(delete(Cadence).where(Cadence.scope == "person", Cadence.target == str(person.id)))
    for start in range(0, len(alone), 5000):
        session.execute(delete(Interaction).where(Interaction.id.in_(alone[start:start + 5000])),
                        execution_options={"synchronize_session": False})
    session.delete(person)
    session.flush()
    rebuild_tie_states(session, others)


def _change_label(person: Person, changes: PersonChanges) -> str:
    if changes.archived is not None and changes == PersonChanges(archived=changes.archived):
        return f"{'Archived' if changes.archived else 'Restored'} {person.display_name}"
    if changes.remove_identifiers and changes == PersonChanges(remove_identifiers=changes.remove_identifiers):
        return f"Removed {', '.join(v for _k, v in changes.remove_identifiers)} from {person.display_name}"
    return f"Edited {person.display_name}"


@journaled(lambda session, person, kind, value: f"Removed {value} from {person.display_name}")
def remove_identifier(session: Session, person: Person, kind: str, value: str) -> bool:
    """Remove one e-mail address, phone number, link or external id of a person; False if they had none such.

    ``kind`` "url" also finds LinkedIn and Facebook links.
    """
    if kind not in IDENTIFIER_KINDS:
        raise BadInput(f"unknown identifier kind '{kind}'")
    kinds = ("url", "linkedin", "facebook") if kind == "url" else (kind,)  # a link is a link, whatever site
    gone = [i for i in person.identifiers if i.kind in kinds
            and (i.value == value.strip() or i.value_key == identifier_key(i.kind, value))]
    if not gone:
        return False
    for ident in gone:
        person.identifiers.remove(ident)
        session.delete(ident)
    refresh_search_key(person)
    session.flush()
    return True
