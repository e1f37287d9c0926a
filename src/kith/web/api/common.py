"""What every API router shares: paging, id paths, calling computed services, JSON conversion."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, Path, Query

from kith.web.auth import Ctx, api_ctx

ApiCtx = Annotated[Ctx, Depends(api_ctx, scope="function")]  # commit before the answer leaves
IdPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="The object's id.")]


@dataclasses.dataclass
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="Items to skip.")] = 0,
) -> Paging:
    """``?limit=&offset=`` of every list."""
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]


def call_with_now(fn: Callable[..., Any], *args: Any, now: datetime, **kwargs: Any) -> Any:
    """Call a service function, passing "now" under the name it uses (``as_of`` or ``now``)."""
    params = inspect.signature(fn).parameters
    if "as_of" in params:
        kwargs["as_of"] = now
    elif "now" in params:
        kwargs["now"] = now
    return fn(*args, **kwargs)


def jsonable(value: Any) -> Any:
    """Dataclasses, enums, dates, sets and ORM-free objects as plain JSON values."""
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict) and not isinstance(value, type):
        try:
            return jsonable(as_dict())
        except TypeError:
            pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "display_name") and hasattr(value, "id"):
        return {"id": value.id, "name": value.display_name}
    return str(value)
