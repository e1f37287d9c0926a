"""The people list of pages and API: search, filters, sort and server-side paging.

Text search matches every word against the person's folded search text.
Sorting or filtering by score uses the cached scores of :mod:`kith.web.insight`
(and id orders cached with them); whole rows are loaded for one page only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session, selectinload

from kith.normalize import fold
from kith.services.people import normalize_tag
from kith.store.models import Organization, Person, PersonTag, Tag
from kith.store.scope import WS_PARAM, workspace_id
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


def _has_sql_filter(f: PeopleFilter) -> bool:
    return bool(fold(f.q or "").split() or (f.tag and f.tag.strip()) or (f.org and f.org.strip()) or f.key is not None)


def ordered_ids(session: Session, as_of: datetime, sort: str, layer: str | None) -> list[int]:
    """Ids of the non-archived people (of ``layer``) in ``sort`` order, cached with the scores.

    Score order and layers come from the cached scores; the other orders from
    one SQL query, cached under the same data version (people's changes move it).
    """
    if sort == "score":
        return insight.score_order(session, as_of, layer)

    def base() -> list[int]:
        stmt = select(Person.id).where(Person.archived.is_(False)).order_by(*ORDER.get(sort, ORDER["name"]))
        return list(session.scalars(stmt).all())

    everyone: list[int] = insight.cached(session, f"ids:{sort}", as_of, base)[0]
    if layer is None:
        return everyone

    def of_layer() -> list[int]:
        layers = insight.layer_of(session, as_of)
        return [i for i in everyone if layers.get(i) == layer]

    chosen: list[int] = insight.cached(session, f"ids:{sort}:{layer}", as_of, of_layer)[0]
    return chosen


PAGE_OPTIONS = (selectinload(Person.identifiers), selectinload(Person.tags), selectinload(Person.organization))


def people_page(
    session: Session, f: PeopleFilter, *, limit: int, offset: int, as_of: datetime
) -> tuple[list[Person], int]:
    """One page of people (whole rows, for the API) matching ``f`` and how many match in all."""
    ids, total = page_ids(session, f, limit=limit, offset=offset, as_of=as_of)
    return _load(session, ids), total


def page_ids(session: Session, f: PeopleFilter, *, limit: int, offset: int, as_of: datetime) -> tuple[list[int], int]:
    """The ids of one page of people matching ``f``, in order, and how many match in all.

    The order comes from the worker's cache (the score order and layers from
    the cached scores); filters narrow it with one unsorted scan of SQL, so a
    search costs one pass over the people, not a count and a sorted page.
    """
    if f.archived:  # archived people have no score and no cached order: rare, computed per request
        order = ORDER.get(f.sort, ORDER["name"])
        ids = list(session.scalars(_where(select(Person.id), f).order_by(*order)).all())
        ties = insight.scores(session, as_of)
        if f.layer is not None:
            ids = [i for i in ids if i in ties and ties[i].layer == f.layer]
        if f.sort == "score":
            ids.sort(key=lambda i: -(ties[i].score if i in ties else -1))
    else:  # the cached order, narrowed by one unsorted scan for the filters
        ids = ordered_ids(session, as_of, f.sort, f.layer)
        if _has_sql_filter(f):
            matching = set(session.scalars(_where(select(Person.id), f)).all())
            ids = [i for i in ids if i in matching]
    return ids[offset : offset + limit], len(ids)


def _load(session: Session, chosen: list[int]) -> list[Person]:
    """The people of one page, in the given order."""
    if not chosen:
        return []
    loaded = session.scalars(select(Person).where(Person.id.in_(chosen)).options(*PAGE_OPTIONS)).unique().all()
    by_id = {p.id: p for p in loaded}
    return [by_id[i] for i in chosen if i in by_id]


@dataclass(frozen=True)
class PersonRow:
    """What a line of the people list shows: plain values, not an ORM object and its relations."""

    id: int
    display_name: str
    is_key: bool
    title: str
    organization: str
    tags: list[str]


# One page's lines, read with statements built once and bound values (``ws``,
# ``ids``): through the ORM each took several times as long (see kith.services.person_view).
# Statements run on the connection bypass the ORM's automatic workspace filter,
# so each names the workspace itself.
_WS = WS_PARAM
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_ROW_TAGS = (
    select(PersonTag.person_id, Tag.name)
    .join(Tag, (Tag.id == PersonTag.tag_id) & (Tag.workspace_id == _WS))
    .where(PersonTag.person_id.in_(_IDS), PersonTag.workspace_id == _WS)
    .order_by(Tag.name)
)
_ROWS = (
    select(Person.id, Person.display_name, Person.is_key, Person.title, Organization.name)
    .outerjoin(Organization, (Organization.id == Person.organization_id) & (Organization.workspace_id == _WS))
    .where(Person.id.in_(_IDS), Person.workspace_id == _WS)
)


def people_rows(session: Session, chosen: list[int]) -> list[PersonRow]:
    """The lines of one page of the people list, in the given order (two statements)."""
    if not chosen:
        return []
    conn = session.connection()
    values = {"ws": workspace_id(session), "ids": chosen}
    tags: dict[int, list[str]] = {i: [] for i in chosen}
    for pid, name in conn.execute(_ROW_TAGS, values):
        tags[pid].append(name)
    rows = {
        pid: PersonRow(pid, name, bool(key), title or "", org or "", tags[pid])
        for pid, name, key, title, org in conn.execute(_ROWS, values)
    }
    return [rows[i] for i in chosen if i in rows]
