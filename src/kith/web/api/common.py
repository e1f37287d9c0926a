"""What every API router shares: the request context, id paths, and paging with its one envelope."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query

from kith.web.auth import Ctx, api_ctx

ApiCtx = Annotated[Ctx, Depends(api_ctx, scope="function")]  # commit before the answer leaves
T = TypeVar("T")
IdPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="The object's id.")]


@dataclasses.dataclass(frozen=True)
class Paging:
    """``?limit=&offset=`` of a list, and the envelope every list answers in."""

    limit: int
    offset: int

    def slice(self, everything: Sequence[T]) -> Sequence[T]:
        """This page of a list a service computed whole (the agenda, the duplicates)."""
        return everything[self.offset:self.offset + self.limit]

    def envelope(self, items: Sequence[dict[str, Any]], total: int) -> dict[str, Any]:
        """``{items, total, limit, offset}``: one page of a list and how many there are in all."""
        return {"items": list(items), "total": total, "limit": self.limit, "offset": self.offset}


def paging(
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Items to skip.")] = 0,
) -> Paging:
    """``?limit=&offset=`` of every list."""
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]
