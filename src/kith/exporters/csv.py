"""CSV export of people: one row per person, several values joined with ``; ``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kith.services.people_list import PeopleQuery, list_people

COLUMNS = ("id", "name", "given_name", "family_name", "emails", "phones", "urls", "org", "title",
           "location", "birthday", "tags", "notes")


def export_csv(session: Session, *, now: datetime | None = None) -> str:
    """Every person who is not archived, as CSV text with a header (``now``: the moment scores are read at)."""
    people = list_people(session, PeopleQuery(sort="name"), as_of=now or datetime.now(UTC)).items
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in people:
        data = person.as_dict()
        writer.writerow(["; ".join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in (data[c] for c in COLUMNS)])
    return buf.getvalue()
