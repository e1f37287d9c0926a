"""/api/v1/interactions: log, list (by person, kind, dates), read, change, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kith.services import interactions as svc
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import InteractionIn, InteractionOut, InteractionPatch, Page, When

router = APIRouter(prefix="/interactions", tags=["interactions"])


@router.get("", response_model=Page[InteractionOut], summary="List interactions, newest first")
def list_interactions(
    ctx: ApiCtx,
    paging: PagingDep,
    person_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    kind: Annotated[str | None, Query(max_length=30)] = None,
    since: Annotated[When | None, Query()] = None,
    until: Annotated[When | None, Query()] = None,
) -> dict[str, object]:
    """Interactions of your workspace, filtered."""
    query = svc.InteractionQuery(person_id=person_id, kind=kind or None, since=since, until=until)
    items, total = svc.list_interactions(ctx.session, query, limit=paging.limit, offset=paging.offset)
    return paging.envelope([i.as_dict() for i in items], total)


@router.post("", status_code=201, response_model=InteractionOut, summary="Log an interaction")
def create_interaction(ctx: ApiCtx, body: InteractionIn) -> dict[str, object]:
    """Record an interaction with one or several people of your workspace."""
    people = [get_person(ctx.session, pid) for pid in body.people]
    inter = svc.log_interaction(
        ctx.session, people, body.kind, when=body.on or ctx.now, now=ctx.now,
        direction=body.direction, sentiment=body.sentiment, note=body.note, planned=body.planned,
    )
    return svc.view_of(inter).as_dict()


@router.get("/{interaction_id}", response_model=InteractionOut, summary="One interaction")
def get_interaction(ctx: ApiCtx, interaction_id: IdPath) -> dict[str, object]:
    """An interaction of your workspace."""
    return svc.view_of(svc.get_interaction(ctx.session, interaction_id)).as_dict()


@router.patch("/{interaction_id}", response_model=InteractionOut, summary="Change an interaction")
def patch_interaction(ctx: ApiCtx, interaction_id: IdPath, body: InteractionPatch) -> dict[str, object]:
    """Change kind, time, direction, sentiment or note."""
    changes = svc.InteractionChanges(kind=body.kind, on=body.on, direction=body.direction, sentiment=body.sentiment,
                                     note=body.note)
    return svc.edit_interaction(ctx.session, svc.get_interaction(ctx.session, interaction_id), changes).as_dict()


@router.delete("/{interaction_id}", status_code=204, summary="Delete an interaction")
def delete_interaction(ctx: ApiCtx, interaction_id: IdPath) -> Response:
    """Remove an interaction."""
    svc.delete_interaction(ctx.session, svc.get_interaction(ctx.session, interaction_id))
    return Response(status_code=204)
