"""/api/v1/events: events where people were met, and projects done together."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import func, select

from kith.errors import NotFound
from kith.services import events as svc
from kith.store.models import Event
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import EventIn, EventOut, EventPatch, Page

router = APIRouter(prefix="/events", tags=["events"])


def _get(ctx: ApiCtx, event_id: int) -> Event:
    ev = ctx.session.scalars(select(Event).where(Event.id == event_id)).first()
    if ev is None:
        raise NotFound(f"no event or project with id {event_id}")
    return ev


@router.get("", response_model=Page[EventOut], summary="List events and projects")
def list_events(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Events and projects, newest first."""
    total = int(ctx.session.scalar(select(func.count(Event.id))) or 0)
    rows = ctx.session.scalars(
        select(Event).order_by(Event.starts_on.desc(), Event.id.desc()).limit(paging.limit).offset(paging.offset)
    ).all()
    return {"items": [svc.event_as_dict(e) for e in rows], "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("", status_code=201, response_model=EventOut, summary="Add an event or project")
def create_event(ctx: ApiCtx, body: EventIn) -> dict[str, object]:
    """Create an event or a project."""
    ev = svc.add_event(
        ctx.session, body.name, kind=body.kind, starts_on=body.starts_on, ends_on=body.ends_on,
        location=body.location, note=body.note,
    )
    return svc.event_as_dict(ev)


@router.get("/{event_id}", response_model=EventOut, summary="One event or project")
def get_event(ctx: ApiCtx, event_id: IdPath) -> dict[str, object]:
    """An event of your workspace."""
    return svc.event_as_dict(_get(ctx, event_id))


@router.patch("/{event_id}", response_model=EventOut, summary="Change an event")
def patch_event(ctx: ApiCtx, event_id: IdPath, body: EventPatch) -> dict[str, object]:
    """Change the fields given."""
    ev = _get(ctx, event_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(ev, name, " ".join(value.split()) if name == "name" else value)
    if not ev.name:
        from kith.errors import BadInput

        raise BadInput("an event needs a name")
    return svc.event_as_dict(ev)


@router.delete("/{event_id}", status_code=204, summary="Delete an event")
def delete_event(ctx: ApiCtx, event_id: IdPath) -> Response:
    """Delete an event (people met there stay)."""
    ctx.session.delete(_get(ctx, event_id))
    return Response(status_code=204)
