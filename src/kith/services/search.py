"""Suggestions as you type in the search box on every page: people, organisations, e-mails, tags.

Each suggestion names what it is and the id (or name) to open; the interface
decides where that leads (the web: a person's page, the people list filtered by
an organisation or a tag).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.normalize import fold
from kith.store.models import Identifier, Organization, Person, Tag

PER_KIND = 5


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: ``kind`` is person, organisation, e-mail or tag; ``person_id`` for people and e-mails."""

    kind: str
    label: str
    detail: str = ""
    person_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "label": self.label, "detail": self.detail, "person_id": self.person_id}


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def suggest(session: Session, text: str, *, per_kind: int = PER_KIND) -> list[Suggestion]:
    """What the search box offers for ``text``: people by name, organisations, e-mail addresses, tags.

    People (not archived) come first, by name; nothing for fewer than two characters.
    """
    folded = " ".join(fold(text).split())
    if len(folded) < 2:
        return []
    words = folded.split()
    out: list[Suggestion] = []
    people = session.execute(
        select(Person.id, Person.display_name, Organization.name)
        .outerjoin(Organization, Person.organization_id == Organization.id)
        .where(Person.archived.is_(False), *[Person.name_key.like(_like(w), escape="\\") for w in words])
        .order_by(Person.display_name, Person.id).limit(per_kind)
    ).all()
    out += [Suggestion("person", name, org or "", pid) for pid, name, org in people]
    orgs = session.scalars(
        select(Organization.name).where(Organization.name_key.like(_like(folded), escape="\\"))
        .order_by(Organization.name).limit(per_kind)
    ).all()
    out += [Suggestion("organisation", name) for name in orgs]
    mails = session.execute(
        select(Identifier.value, Person.id, Person.display_name).join(Person, Identifier.person_id == Person.id)
        .where(Identifier.kind == "email", Person.archived.is_(False),
               Identifier.value_key.like(_like(folded), escape="\\"))
        .order_by(Identifier.value).limit(per_kind)
    ).all()
    out += [Suggestion("e-mail", value, name, pid) for value, pid, name in mails]
    tags = session.scalars(
        select(Tag.name).where(Tag.name.like(_like(folded.replace(" ", "-")), escape="\\")).order_by(Tag.name).limit(per_kind)
    ).all()
    out += [Suggestion("tag", name) for name in tags]
    return out
