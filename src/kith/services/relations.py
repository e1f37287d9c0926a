"""Relations between people: assistant-of, works-with, reports-to, introduced-by, ..."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kith.engine.kinds import RelationKind
from kith.errors import BadInput
from kith.services.paging import by_id, paged
from kith.store.journal import journaled
from kith.store.models import Person, Relation


def check_relation(kind: str) -> str:
    """A relation kind, validated."""
    k = kind.strip().lower().replace("_", "-")
    if k not in {r.value for r in RelationKind}:
        raise BadInput(f"unknown relation '{kind}' (known: {', '.join(r.value for r in RelationKind)})")
    return k


@journaled(lambda session, src, kind, dst, **_: f"Linked {src.display_name} {kind} {dst.display_name}")
def link(
    session: Session, src: Person, kind: str, dst: Person, *, now: datetime, source: str = "manual", note: str = ""
) -> tuple[Relation, bool]:
    """Record ``src kind dst``; returns the relation and whether it is new."""
    k = check_relation(kind)
    if src.id == dst.id:
        raise BadInput(f"{src.display_name} cannot be {k} themselves")
    existing = session.scalars(
        select(Relation).where(Relation.src_id == src.id, Relation.kind == k, Relation.dst_id == dst.id)
    ).first()
    if existing is not None:
        return existing, False
    rel = Relation(src_id=src.id, kind=k, dst_id=dst.id, source=source, note=note, created_at=now)
    session.add(rel)
    session.flush()
    return rel, True


@journaled(lambda session, src, kind, dst: f"Unlinked {src.display_name} {kind} {dst.display_name}")
def unlink(session: Session, src: Person, kind: str, dst: Person) -> bool:
    """Remove ``src kind dst``; returns whether there was one."""
    rel = session.scalars(
        select(Relation).where(Relation.src_id == src.id, Relation.kind == check_relation(kind), Relation.dst_id == dst.id)
    ).first()
    if rel is None:
        return False
    session.delete(rel)
    return True


@dataclass(frozen=True)
class RelationView:
    """A relation as every interface shows it: ``src kind dst`` with both people's names."""

    id: int
    src: int
    kind: str
    dst: int
    source: str
    note: str
    src_name: str | None
    dst_name: str | None

    @classmethod
    def of(cls, rel: Relation, names: Mapping[int, str]) -> RelationView:
        """The view of a stored relation, given the names of the people it links."""
        return cls(rel.id, rel.src_id, rel.kind, rel.dst_id, rel.source, rel.note or "",
                   names.get(rel.src_id), names.get(rel.dst_id))

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.id, "src": self.src, "kind": self.kind, "dst": self.dst, "source": self.source,
                "note": self.note, "src_name": self.src_name, "dst_name": self.dst_name}


def relation_views(session: Session, rels: Sequence[Relation]) -> list[RelationView]:
    """The views of several relations: one query for the names, whatever their number."""
    ids = {r.src_id for r in rels} | {r.dst_id for r in rels}
    names: dict[int, str] = {pid: name for pid, name in session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(ids)))} if ids else {}
    return [RelationView.of(r, names) for r in rels]


def relation_view(session: Session, rel: Relation) -> RelationView:
    """The view of one relation."""
    return relation_views(session, [rel])[0]


def list_relations(
    session: Session, *, person_id: int | None = None, limit: int | None = None, offset: int = 0
) -> tuple[list[RelationView], int]:
    """Relations in the order they were recorded (those ``person_id`` takes part in, either side, when given):
    one page, with both people's names, and how many in all."""
    stmt = select(Relation)
    if person_id is not None:
        stmt = stmt.where(or_(Relation.src_id == person_id, Relation.dst_id == person_id))
    rows, total = paged(session, stmt.order_by(Relation.id), limit=limit, offset=offset)
    return relation_views(session, rows), total


def get_relation(session: Session, relation_id: int) -> Relation:
    """One relation of the current workspace."""
    return by_id(session, Relation, relation_id, "relation")


@journaled(lambda session, rel: "Removed a relation")
def delete_relation(session: Session, rel: Relation) -> None:
    """Remove one relation by its id (``unlink`` removes one by its two people and kind)."""
    session.delete(rel)
    session.flush()


@journaled(lambda session, rel, **_: "Edited a relation")
def edit_relation(session: Session, rel: Relation, *, note: str | None = None) -> Relation:
    """Change what can change of a relation: its note (its people and kind are what it is)."""
    if note is not None:
        rel.note = note
    session.flush()
    return rel
