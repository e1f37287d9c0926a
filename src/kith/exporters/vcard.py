"""vCard 4.0 export, written with vobject (re-importable by Kith and by vobject)."""

from __future__ import annotations

from collections.abc import Iterable

import vobject
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kith.store.models import Person


def export_vcards(session: Session) -> str:
    """Every person who is not archived, as one vCard 4.0 file."""
    people = session.scalars(
        select(Person).where(Person.archived.is_(False)).order_by(Person.display_name, Person.id)
        .options(selectinload(Person.identifiers), selectinload(Person.tags))
    ).unique()
    return people_vcards(people)


def people_vcards(people: Iterable[Person]) -> str:
    """vCard 4.0 text of ``people``."""
    return "".join(person_vcard(p) for p in people)


def person_vcard(person: Person, *, uid: str | None = None) -> str:
    """One person as a vCard 4.0 card (``uid``: the card's UID, else one made of the person's id)."""
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("fn").value = person.display_name
    card.add("n").value = vobject.vcard.Name(family=person.family_name, given=person.given_name)
    card.add("uid").value = uid or f"urn:kith:person:{person.workspace_id}:{person.id}"
    if person.nickname:
        card.add("nickname").value = person.nickname
    for ident in person.identifiers:
        _identifier(card, ident.kind, ident.value, ident.label)
    if person.organization is not None:
        card.add("org").value = [person.organization.name]
    for name, value in (("title", person.title), ("note", person.notes), ("bday", _bday(person.birthday))):
        if value:
            card.add(name).value = value
    if person.location:
        card.add("adr").value = vobject.vcard.Address(city=person.location)
    if person.tags:
        card.add("categories").value = [t.name for t in person.tags]
    return str(card.serialize())


def _identifier(card: vobject.base.Component, kind: str, value: str, label: str) -> None:
    name = {"email": "email", "phone": "tel", "url": "url", "linkedin": "url", "facebook": "url"}.get(kind)
    if name is None:
        return
    line = card.add(name)
    line.value = value
    types = [t for t in label.replace(";", ",").split(",") if t.strip().isalnum()]
    if types:
        line.type_param = types[0].lower()


def _bday(value: str) -> str:
    # vCard 4.0 writes a birthday without year as --MMDD.
    return "--" + value[2:].replace("-", "") if value.startswith("--") else value.replace("-", "")
