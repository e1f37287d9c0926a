"""CSV export of people: one row per person, several values joined with ``; ``."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kith.services.people import person_as_dict
from kith.store.models import Person

COLUMNS = ("id", "name", "given_name", "family_name", "emails", "phones", "urls", "org", "title",
           "location", "birthday", "tags", "notes")


def export_csv(session: Session) -> str:
    """Every person who is not archived, as CSV text with a header."""
    people = session.scalars(
        select(Person).where(Person.archived.is_(False)).order_by(Person.display_name, Person.id)
        .options(selectinload(Person.identifiers), selectinload(Person.tags))
    ).unique()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in people:
        data = person_as_dict(person)
        writer.writerow(["; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in (data[c] for c in COLUMNS)])
    return buf.getvalue()
