"""The people list of pages and API: search, filters, sort and server-side paging.

Text search matches every word against the person's folded search text.
Sorting or filtering by score uses the scores of :mod:`kith.web.insight`, so
only ids travel through Python; whole rows are loaded for one page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from kith.normalize import fold
from kith.services.people import normalize_tag
from kith.store.models import Organization, Person, PersonTag, Tag
from kith.web import insight

SORTS = ("name", "recent", "created", "score")


@dataclass
class PeopleFilter:
    """What the people list shows."""

    q: str | None = None
    tag: str | None = None
    org: str | None = None
    layer: str | None = None
    key: bool | None = None
    archived: bool = False
    sort: str = "name"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(stmt: Select[Any], f: PeopleFilter) -> Select[Any]:
    if not f.archived:
        stmt = stmt.where(Person.archived.is_(False))
    for word in fold(f.q or "").split():
        stmt = stmt.where(Person.search_key.like(f"%{_escape(word)}%", escape="\\"))
    if f.tag and f.tag.strip():
        stmt = stmt.where(
            Person.id.in_(select(PersonTag.person_id).join(Tag, Tag.id == PersonTag.tag_id).where(Tag.name == normalize_tag(f.tag)))
        )
    if f.org and f.org.strip():
        stmt = stmt.where(
            Person.organization_id.in_(
                select(Organization.id).where(Organization.name_key.like(f"%{_escape(fold(f.org))}%", escape="\\"))
            )
        )
    if f.key is not None:
        stmt = stmt.where(Person.is_key.is_(f.key))
    return stmt


ORDER: dict[str, tuple[Any, ...]] = {
    "name": (Person.display_name, Person.id),
    "recent": (Person.updated_at.desc(), Person.id.desc()),
    "created": (Person.created_at.desc(), Person.id.desc()),
    "score": (Person.display_name, Person.id),
}


def people_page(
    session: Session, f: PeopleFilter, *, limit: int, offset: int, as_of: datetime
) -> tuple[list[Person], int]:
    """One page of people matching ``f`` and how many match in all."""
    order = ORDER.get(f.sort, ORDER["name"])
    if f.layer is None and f.sort != "score":
        total = int(session.scalar(_where(select(func.count(Person.id)), f)) or 0)
        stmt = _where(select(Person), f).order_by(*order).limit(limit).offset(offset)
        rows = session.scalars(stmt.options(selectinload(Person.identifiers), selectinload(Person.tags))).unique().all()
        return list(rows), total
    ids = list(session.scalars(_where(select(Person.id), f).order_by(*order)).all())
    ties = insight.scores(session, as_of)
    if f.layer is not None:
        ids = [i for i in ids if i in ties and ties[i].layer == f.layer]
    if f.sort == "score":
        ids.sort(key=lambda i: -(ties[i].score if i in ties else -1))
    total = len(ids)
    chosen = ids[offset : offset + limit]
    if not chosen:
        return [], total
    loaded = session.scalars(
        select(Person).where(Person.id.in_(chosen)).options(selectinload(Person.identifiers), selectinload(Person.tags))
    ).unique().all()
    by_id = {p.id: p for p in loaded}
    return [by_id[i] for i in chosen if i in by_id], total
