"""/api/v1/relations: who is whose assistant, colleague, manager, introducer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kith.services import relations as svc
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import Page, RelationIn, RelationOut, RelationPatch

router = APIRouter(prefix="/relations", tags=["relations"])


@router.get("", response_model=Page[RelationOut], summary="List relations")
def list_relations(
    ctx: ApiCtx, paging: PagingDep, person_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None
) -> dict[str, object]:
    """Relations, optionally those one person takes part in."""
    items, total = svc.list_relations(ctx.session, person_id=person_id, limit=paging.limit, offset=paging.offset)
    return paging.envelope([r.as_dict() for r in items], total)


@router.post("", status_code=201, response_model=RelationOut, summary="Link two people")
def create_relation(ctx: ApiCtx, body: RelationIn, response: Response) -> dict[str, object]:
    """Record ``src kind dst``; an existing identical relation answers 200."""
    rel, new = svc.link(
        ctx.session, get_person(ctx.session, body.src), body.kind, get_person(ctx.session, body.dst),
        now=ctx.now, note=body.note,
    )
    if not new:
        response.status_code = 200
    return svc.relation_view(ctx.session, rel).as_dict()


@router.get("/{relation_id}", response_model=RelationOut, summary="One relation")
def get_relation(ctx: ApiCtx, relation_id: IdPath) -> dict[str, object]:
    """A relation of your workspace."""
    return svc.relation_view(ctx.session, svc.get_relation(ctx.session, relation_id)).as_dict()


@router.patch("/{relation_id}", response_model=RelationOut, summary="Change a relation's note")
def patch_relation(ctx: ApiCtx, relation_id: IdPath, body: RelationPatch) -> dict[str, object]:
    """Change the note of a relation."""
    rel = svc.edit_relation(ctx.session, svc.get_relation(ctx.session, relation_id), note=body.note)
    return svc.relation_view(ctx.session, rel).as_dict()


@router.delete("/{relation_id}", status_code=204, summary="Remove a relation")
def delete_relation(ctx: ApiCtx, relation_id: IdPath) -> Response:
    """Remove a relation."""
    svc.delete_relation(ctx.session, svc.get_relation(ctx.session, relation_id))
    return Response(status_code=204)
