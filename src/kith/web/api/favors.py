"""/api/v1/favors: the favour ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kith.services import favors as svc
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import FavorIn, FavorOut, FavorPatch, Page

router = APIRouter(prefix="/favors", tags=["favors"])


@router.get("", response_model=Page[FavorOut], summary="List favours, newest first")
def list_favors(
    ctx: ApiCtx, paging: PagingDep, person_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    open_only: Annotated[bool, Query(alias="open",
                                     description="Only favours still open: asked, or done and not returned.")] = False,
) -> dict[str, object]:
    """Favours received and given, optionally one person's, optionally only the open ones."""
    items, total = svc.list_favors(ctx.session, person_id=person_id, open_only=open_only, limit=paging.limit,
                                   offset=paging.offset)
    return paging.envelope([f.as_dict() for f in items], total)


@router.post("", status_code=201, response_model=FavorOut, summary="Record a favour")
def create_favor(ctx: ApiCtx, body: FavorIn) -> dict[str, object]:
    """A favour ``received`` from or ``given`` to a person."""
    favor = svc.record_favor(
        ctx.session, get_person(ctx.session, body.person_id), body.direction, body.what, now=ctx.now,
        status=body.status, asked_on=body.asked_on, done_on=body.done_on, returned_on=body.returned_on,
    )
    return svc.view_of(ctx.session, favor).as_dict()


@router.get("/{favor_id}", response_model=FavorOut, summary="One favour")
def get_favor(ctx: ApiCtx, favor_id: IdPath) -> dict[str, object]:
    """A favour of your workspace."""
    return svc.view_of(ctx.session, svc.get_favor(ctx.session, favor_id)).as_dict()


@router.patch("/{favor_id}", response_model=FavorOut, summary="Change a favour")
def patch_favor(ctx: ApiCtx, favor_id: IdPath, body: FavorPatch) -> dict[str, object]:
    """Change what, status or dates (e.g. mark it returned: today unless ``returned_on`` says when)."""
    changes = svc.FavorChanges(**body.model_dump(exclude_unset=True))
    favor = svc.edit_favor(ctx.session, svc.get_favor(ctx.session, favor_id), changes, now=ctx.now)
    return svc.view_of(ctx.session, favor).as_dict()


@router.delete("/{favor_id}", status_code=204, summary="Delete a favour")
def delete_favor(ctx: ApiCtx, favor_id: IdPath) -> Response:
    """Remove a favour from the ledger."""
    svc.delete_favor(ctx.session, svc.get_favor(ctx.session, favor_id))
    return Response(status_code=204)
