"""The one people listing: search, filters, order, paging; for `kith list`/`find`, the API and the pages.

:class:`PeopleQuery` says what to list; :func:`list_people` answers one page
of :class:`PersonSummary` (the typed read model every interface renders: the
CLI's ``--json``, the API's ``PersonOut``, the page's lines) and how many
match in all.

How it stays fast at 30,000 people: the *order* of everyone (by name,
organisation, creation, last change, or score) is computed once per data
version (:mod:`kith.services.memo`); filters narrow it with one unsorted scan
of matching ids; whole rows are read only for the page asked for, with
statements built once and run through the store's door.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.errors import BadInput, NotFound
from kith.normalize import fold, typed
from kith.services.memo import memoized
from kith.services.people import normalize_tag
from kith.store import door
from kith.store.door import WS
from kith.store.models import Identifier, Organization, Person, PersonTag, Tag

SORTS = ("name", "org", "recent", "created", "score")
URL_KINDS = ("linkedin", "facebook", "url")


@dataclass(frozen=True)
class PeopleQuery:
    """What to list: words to search for, filters, and the order."""

    q: str | None = None  # every word must appear in the name, e-mails, organisation, title or notes
    tag: str | None = None
    org: str | None = None  # part of the organisation's name
    layer: str | None = None
    key: bool | None = None  # only key people (True) or only the others (False)
    archived: bool = False  # include archived people
    sort: str = "name"

    def __post_init__(self) -> None:
        for name in ("q", "tag", "org"):  # typed text: control characters go (kith.normalize.typed)
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, typed(value) or None)
        if self.sort not in SORTS:
            raise BadInput(f"cannot sort by '{self.sort}' (use one of: {', '.join(SORTS)})")
        if self.layer is not None and self.layer not in LAYERS:
            raise BadInput(f"unknown layer '{self.layer}' (use one of: {', '.join(LAYERS)})")

    @property
    def words(self) -> list[str]:
        """The folded search words."""
        return fold(self.q or "").split()

    @property
    def filters_in_sql(self) -> bool:
        """Whether anything but the layer narrows the listing."""
        return bool(self.words or (self.tag or "").strip() or (self.org or "").strip() or self.key is not None)


@dataclass(frozen=True)
class PersonSummary:
    """A person as every listing shows them (and as ``kith show --json`` and the API give them)."""

    id: int
    name: str
    given_name: str
    family_name: str
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    urls: tuple[str, ...]
    org: str | None
    title: str
    location: str
    birthday: str | None
    notes: str
    tags: tuple[str, ...]
    key: bool
    closeness: int | None
    met_on: date | None
    met_at_event_id: int | None
    introduced_by_id: int | None
    archived: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON form (lists for tuples, ISO dates); written out, as ``dataclasses.asdict`` costs 100 µs a person."""
        return {
            "id": self.id, "name": self.name, "given_name": self.given_name, "family_name": self.family_name,
            "emails": list(self.emails), "phones": list(self.phones), "urls": list(self.urls), "org": self.org,
            "title": self.title, "location": self.location, "birthday": self.birthday, "notes": self.notes,
            "tags": list(self.tags), "key": self.key, "closeness": self.closeness,
            "met_on": self.met_on.isoformat() if self.met_on else None, "met_at_event_id": self.met_at_event_id,
            "introduced_by_id": self.introduced_by_id, "archived": self.archived,
        }


@dataclass(frozen=True)
class PersonRef:
    """A person named in another read model (a reach target, a duplicate pair): the id and the name."""

    id: int
    name: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``{"id", "name"}``."""
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class PeoplePage:
    """One page of a listing and how many people match in all."""

    items: list[PersonSummary]
    total: int
    limit: int | None
    offset: int


# ------------------------------------------------------------ orders

_ORDERS: dict[str, Select[Any]] = {
    "name": select(Person.id).where(Person.workspace_id == WS, Person.archived.is_(False))
    .order_by(Person.display_name, Person.id),
    "org": select(Person.id).outerjoin(Organization, (Organization.id == Person.organization_id)
                                       & (Organization.workspace_id == WS))
    .where(Person.workspace_id == WS, Person.archived.is_(False))
    .order_by(Organization.name.is_(None), Organization.name, Person.display_name, Person.id),
    "recent": select(Person.id).where(Person.workspace_id == WS, Person.archived.is_(False))
    .order_by(Person.updated_at.desc(), Person.id.desc()),
    "created": select(Person.id).where(Person.workspace_id == WS, Person.archived.is_(False))
    .order_by(Person.created_at.desc(), Person.id.desc()),
}


def _ordered_ids(session: Session, sort: str, layer: str | None, as_of: datetime) -> list[int]:
    """Everyone not archived (of ``layer``) in ``sort`` order: memoized per data version (and hour, for scores)."""
    if sort == "score" or layer is not None:
        from kith.services.dashboard import (
            network_ties,  # the engine: only when scores are asked for
        )

        ties = network_ties(session, as_of)[0]
        if sort == "score":
            def by_score() -> list[int]:
                order = sorted(range(len(ties.ids)), key=lambda i: (-float(ties.score[i]), int(ties.ids[i])))
                return [int(ties.ids[i]) for i in order]

            everyone = memoized(session, "people.order:score", as_of, by_score)
        else:
            everyone = _ordered_ids(session, sort, None, as_of)
        if layer is None:
            return everyone

        def of_layer() -> list[int]:
            code = LAYERS.index(layer)
            mine = {int(p) for p in ties.ids[ties.layer == code].tolist()}
            return [pid for pid in everyone if pid in mine]

        return memoized(session, f"people.order:{sort}:{layer}", as_of, of_layer)
    return memoized(session, f"people.order:{sort}", None, lambda: door.scalars(session, _ORDERS[sort]))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching(query: PeopleQuery) -> Select[Any]:
    """The ids of the people the query's SQL filters let through (unordered)."""
    stmt = select(Person.id)
    if not query.archived:
        stmt = stmt.where(Person.archived.is_(False))
    for word in query.words:
        stmt = stmt.where(Person.search_key.like(f"%{_escape(word)}%", escape="\\"))
    if query.tag and query.tag.strip():
        stmt = stmt.where(Person.id.in_(
            select(PersonTag.person_id).join(Tag, Tag.id == PersonTag.tag_id).where(Tag.name == normalize_tag(query.tag))))
    if query.org and query.org.strip():
        stmt = stmt.where(Person.organization_id.in_(
            select(Organization.id).where(Organization.name_key.like(f"%{_escape(fold(query.org))}%", escape="\\"))))
    if query.key is not None:
        stmt = stmt.where(Person.is_key.is_(query.key))
    return stmt


def matching_ids(session: Session, query: PeopleQuery, *, as_of: datetime) -> list[int]:
    """Everyone the query lists, in its order."""
    if query.archived:  # archived people have no score and no memoized order: rare, computed per call
        return _with_archived(session, query, as_of)
    ids = _ordered_ids(session, query.sort, query.layer, as_of)
    if query.filters_in_sql:
        allowed = set(session.scalars(_matching(query)).all())
        ids = [i for i in ids if i in allowed]
    return ids


def _with_archived(session: Session, query: PeopleQuery, as_of: datetime) -> list[int]:
    allowed = set(session.scalars(_matching(query)).all())
    if query.sort == "score" or query.layer is not None:
        live = [i for i in _ordered_ids(session, query.sort, query.layer, as_of) if i in allowed]
        archived = sorted(allowed - set(_ordered_ids(session, "name", None, as_of))) if query.layer is None else []
        return live + archived
    order = {"name": (Person.display_name, Person.id), "recent": (Person.updated_at.desc(), Person.id.desc()),
             "created": (Person.created_at.desc(), Person.id.desc()), "org": (Person.display_name, Person.id)}
    everyone = list(session.scalars(select(Person.id).order_by(*order[query.sort])).all())
    return [i for i in everyone if i in allowed]


def list_people(
    session: Session, query: PeopleQuery, *, as_of: datetime, limit: int | None = None, offset: int = 0
) -> PeoplePage:
    """One page of the people ``query`` lists (all of them without ``limit``) and how many match."""
    ids = matching_ids(session, query, as_of=as_of)
    chosen = ids[offset:] if limit is None else ids[offset:offset + limit]
    return PeoplePage(summaries(session, chosen), len(ids), limit, offset)


# ------------------------------------------------------------ the rows of a page

_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_COLUMNS = (Person.id, Person.display_name, Person.given_name, Person.family_name, Organization.name, Person.title,
            Person.location, Person.birthday, Person.notes, Person.is_key, Person.closeness, Person.met_on,
            Person.met_at_event_id, Person.introduced_by_id, Person.archived)
_PEOPLE = (select(*_COLUMNS)
           .outerjoin(Organization, (Organization.id == Person.organization_id) & (Organization.workspace_id == WS))
           .where(Person.workspace_id == WS))
_IDENTIFIERS = (select(Identifier.person_id, Identifier.kind, Identifier.value)
                .where(Identifier.workspace_id == WS).order_by(Identifier.id))
_TAGS = (select(PersonTag.person_id, Tag.name)
         .join(Tag, (Tag.id == PersonTag.tag_id) & (Tag.workspace_id == WS))
         .where(PersonTag.workspace_id == WS).order_by(Tag.name))
_SOME_PEOPLE = _PEOPLE.where(Person.id.in_(_IDS))
_SOME_IDENTIFIERS = _IDENTIFIERS.where(Identifier.person_id.in_(_IDS))
_SOME_TAGS = _TAGS.where(PersonTag.person_id.in_(_IDS))
MANY = 2000  # beyond this many ids, read everyone and pick (no giant IN list)


def summaries(session: Session, ids: Sequence[int]) -> list[PersonSummary]:
    """The summaries of ``ids``, in that order (three statements; people not found are left out)."""
    if not ids:
        return []
    if len(ids) > MANY:
        people, idents, tags = (door.rows(session, _PEOPLE), door.rows(session, _IDENTIFIERS),
                                door.rows(session, _TAGS))
    else:
        values = list(ids)
        people = door.rows(session, _SOME_PEOPLE, ids=values)
        idents = door.rows(session, _SOME_IDENTIFIERS, ids=values)
        tags = door.rows(session, _SOME_TAGS, ids=values)
    by_kind: dict[int, dict[str, list[str]]] = {}
    for pid, kind, value in idents:
        by_kind.setdefault(pid, {}).setdefault(kind, []).append(value)
    tag_names: dict[int, list[str]] = {}
    for pid, name in tags:
        tag_names.setdefault(pid, []).append(name)
    rows = {r[0]: _summary(r, by_kind.get(r[0], {}), tag_names.get(r[0], [])) for r in people}
    return [rows[i] for i in ids if i in rows]


def _summary(r: Any, ids: dict[str, list[str]], tags: list[str]) -> PersonSummary:
    pid, name, given, family, org, title, location, birthday, notes, key, closeness, met_on, met_at, intro, archived = r
    return PersonSummary(
        pid, name, given, family, tuple(ids.get("email", ())), tuple(ids.get("phone", ())),
        tuple(v for kind in URL_KINDS for v in ids.get(kind, ())), org, title, location, birthday or None, notes,
        tuple(tags), bool(key), closeness, met_on, met_at, intro, bool(archived),
    )


def summary(session: Session, person_id: int) -> PersonSummary:
    """One person's summary (:class:`~kith.errors.NotFound` if the workspace has no such person)."""
    found = summaries(session, [person_id])
    if not found:
        raise NotFound(f"no person with id {person_id}")
    return found[0]


def summary_of(person: Person) -> PersonSummary:
    """The summary of a person already loaded (with identifiers, organisation and tags)."""
    def values(*kinds: str) -> tuple[str, ...]:
        return tuple(i.value for kind in kinds for i in person.identifiers if i.kind == kind)

    return PersonSummary(
        person.id, person.display_name, person.given_name, person.family_name, values("email"), values("phone"),
        values(*URL_KINDS), person.organization.name if person.organization else None, person.title,
        person.location, person.birthday or None, person.notes, tuple(t.name for t in person.tags), person.is_key,
        person.closeness, person.met_on, person.met_at_event_id, person.introduced_by_id, person.archived,
    )


__all__ = ["SORTS", "PeoplePage", "PeopleQuery", "PersonRef", "PersonSummary", "list_people", "matching_ids",
           "summaries", "summary", "summary_of"]
