"""One page of an ORM listing and how many rows match in all (the shape every list of the API answers), and one row by id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kith.errors import NotFound

T = TypeVar("T")


def paged(session: Session, stmt: Select[T], *, limit: int | None, offset: int = 0) -> tuple[Sequence[T], int]:
    """The rows of an ordered one-entity ``stmt`` from ``offset`` (``limit`` of them, all without), and the total.

    The count runs on the statement without its order (the workspace scope
    applies to both, as to every ORM statement).
    """
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    page: Select[Any] = stmt.offset(offset)
    if limit is not None:
        page = page.limit(limit)
    return session.scalars(page).all(), total


def by_id(session: Session, model: type[T], row_id: int, what: str) -> T:
    """The ``model`` row with this id in the current workspace (the scope filters the statement), else NotFound
    saying "no ``what`` with id N"."""
    row = session.scalars(select(model).where(model.id == row_id)).first()  # type: ignore[attr-defined]
    if row is None:
        raise NotFound(f"no {what} with id {row_id}")
    return row


__all__ = ["by_id", "paged"]
