"""Shared helpers of the import tests: run an import, read people back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kith.runtime import Kith
from kith.services.importing import ImportOptions, ImportSummary, import_file
from kith.services.people_list import PeopleQuery, list_people
from kith.store.models import Interaction, Relation

FIX = Path(__file__).parent / "fixtures"
IMPORT = FIX / "import"
ME = ["sam@example.com"]


def run(kith: Kith, fmt: str, path: Path, **options: Any) -> ImportSummary:
    """Import one file in its own transaction."""
    with kith.session() as session:
        return import_file(session, fmt, path, now=kith.as_of, options=ImportOptions(**options))


def people(kith: Kith) -> dict[str, dict[str, Any]]:
    """Everyone, as JSON dicts keyed by name."""
    with kith.session() as session:
        return {p.name: p.as_dict() for p in list_people(session, PeopleQuery(), as_of=kith.as_of).items}


def interactions(kith: Kith) -> list[dict[str, Any]]:
    """Every interaction as (when, kind, direction, names, note, source), oldest first."""
    with kith.session() as session:
        names = {p.id: p.name for p in list_people(session, PeopleQuery(archived=True), as_of=kith.as_of).items}
        rows = session.scalars(select(Interaction).order_by(Interaction.occurred_at, Interaction.id)).all()
        return [{"when": i.occurred_at, "kind": i.kind, "direction": i.direction, "note": i.note,
                 "source": i.source, "people": sorted(names[p.person_id] for p in i.participants)} for i in rows]


def relations(kith: Kith) -> set[tuple[str, str, str]]:
    """Every relation as (src name, kind, dst name)."""
    with kith.session() as session:
        names = {p.id: p.name for p in list_people(session, PeopleQuery(archived=True), as_of=kith.as_of).items}
        return {(names[r.src_id], r.kind, names[r.dst_id]) for r in session.scalars(select(Relation)).all()}


def counts(kith: Kith) -> tuple[int, int, int]:
    """(people, interactions, relations): what an import may have written."""
    from kith.store.models import Person

    with kith.session() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)  # type: ignore[return-value]
                     for m in (Person, Interaction, Relation))
