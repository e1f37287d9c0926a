"""/api/v1/interactions: log, list (by person, kind, dates), read, change, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kith.services import interactions as svc
from kith.services.people import get_person
from kith.store.models import Interaction, InteractionParticipant
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import InteractionIn, InteractionOut, InteractionPatch, Page, When

router = APIRouter(prefix="/interactions", tags=["interactions"])


@router.get("", response_model=Page[InteractionOut], summary="List interactions, newest first")
def list_interactions(
    ctx: ApiCtx,
    paging: PagingDep,
    person_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    kind: Annotated[str | None, Query(max_length=30, pattern=r"^[^\x00]*$")] = None,
    since: Annotated[When | None, Query()] = None,
    until: Annotated[When | None, Query()] = None,
) -> dict[str, object]:
    """Interactions of your workspace, filtered."""
    stmt = select(Interaction)
    if person_id is not None:
        stmt = stmt.where(
            Interaction.id.in_(
                select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == person_id)
            )
        )
    if kind:
        stmt = stmt.where(Interaction.kind == svc.check_kind(kind))
    if since is not None:
        stmt = stmt.where(Interaction.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(Interaction.occurred_at <= until)
    total = int(ctx.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = ctx.session.scalars(
        stmt.options(selectinload(Interaction.participants))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(paging.limit)
        .offset(paging.offset)
    ).all()
    return {"items": [svc.interaction_as_dict(i) for i in rows], "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("", status_code=201, response_model=InteractionOut, summary="Log an interaction")
def create_interaction(ctx: ApiCtx, body: InteractionIn) -> dict[str, object]:
    """Record an interaction with one or several people of your workspace."""
    people = [get_person(ctx.session, pid) for pid in body.people]
    inter = svc.log_interaction(
        ctx.session, people, body.kind, when=body.on or ctx.now, now=ctx.now,
        direction=body.direction, sentiment=body.sentiment, note=body.note,
    )
    return svc.interaction_as_dict(inter)


@router.get("/{interaction_id}", response_model=InteractionOut, summary="One interaction")
def get_interaction(ctx: ApiCtx, interaction_id: IdPath) -> dict[str, object]:
    """An interaction of your workspace."""
    return svc.interaction_as_dict(svc.get_interaction(ctx.session, interaction_id))


@router.patch("/{interaction_id}", response_model=InteractionOut, summary="Change an interaction")
def patch_interaction(ctx: ApiCtx, interaction_id: IdPath, body: InteractionPatch) -> dict[str, object]:
    """Change kind, time, direction, sentiment or note."""
    inter = svc.get_interaction(ctx.session, interaction_id)
    if body.kind is not None:
        inter.kind = svc.check_kind(body.kind)
    if body.on is not None:
        inter.occurred_at = body.on
    if body.direction is not None:
        inter.direction = svc.check_direction(body.direction, inter.kind)
    if body.sentiment is not None:
        inter.sentiment = svc.check_sentiment(body.sentiment)
    if body.note is not None:
        inter.note = body.note
    ctx.session.flush()
    return svc.interaction_as_dict(inter)


@router.delete("/{interaction_id}", status_code=204, summary="Delete an interaction")
def delete_interaction(ctx: ApiCtx, interaction_id: IdPath) -> Response:
    """Remove an interaction."""
    svc.delete_interaction(ctx.session, svc.get_interaction(ctx.session, interaction_id))
    return Response(status_code=204)
