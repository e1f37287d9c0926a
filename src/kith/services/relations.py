"""Relations between people: assistant-of, works-with, reports-to, introduced-by, ..."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kith.engine.kinds import RelationKind
from kith.errors import BadInput
from kith.store.models import Person, Relation


def check_relation(kind: str) -> str:
    """A relation kind, validated."""
    k = kind.strip().lower().replace("_", "-")
    if k not in {r.value for r in RelationKind}:
        raise BadInput(f"unknown relation '{kind}' (known: {', '.join(r.value for r in RelationKind)})")
    return k


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


def unlink(session: Session, src: Person, kind: str, dst: Person) -> bool:
    """Remove ``src kind dst``; returns whether there was one."""
    rel = session.scalars(
        select(Relation).where(Relation.src_id == src.id, Relation.kind == check_relation(kind), Relation.dst_id == dst.id)
    ).first()
    if rel is None:
        return False
    session.delete(rel)
    return True


def relations_of(session: Session, person: Person) -> list[Relation]:
    """Every relation the person takes part in, either side."""
    return list(
        session.scalars(
            select(Relation).where(or_(Relation.src_id == person.id, Relation.dst_id == person.id)).order_by(Relation.id)
        ).all()
    )


def relation_as_dict(rel: Relation, names: dict[int, str] | None = None) -> dict[str, Any]:
    """JSON form of a relation."""
    out: dict[str, Any] = {"id": rel.id, "src": rel.src_id, "kind": rel.kind, "dst": rel.dst_id, "source": rel.source, "note": rel.note}
    if names is not None:
        out["src_name"] = names.get(rel.src_id)
        out["dst_name"] = names.get(rel.dst_id)
    return out
