"""/api/v1/events: events where people were met, and projects done together."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kith.services import events as svc
from kith.services.thanks import thank_list
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import EventIn, EventOut, EventPatch, Page, ToThankOut

router = APIRouter(prefix="/events", tags=["events"])


@router.get("", response_model=Page[EventOut], summary="List events and projects")
def list_events(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Events and projects, newest first (undated ones last)."""
    items, total = svc.list_events(ctx.session, limit=paging.limit, offset=paging.offset)
    return paging.envelope([e.as_dict() for e in items], total)


@router.post("", status_code=201, response_model=EventOut, summary="Add an event or project")
def create_event(ctx: ApiCtx, body: EventIn) -> dict[str, object]:
    """Create an event or a project."""
    ev = svc.add_event(
        ctx.session, body.name, kind=body.kind, starts_on=body.starts_on, ends_on=body.ends_on,
        location=body.location, note=body.note,
    )
    return svc.EventView.of(ev).as_dict()


@router.get("/{event_id}", response_model=EventOut, summary="One event or project")
def get_event(ctx: ApiCtx, event_id: IdPath) -> dict[str, object]:
    """An event of your workspace."""
    return svc.EventView.of(svc.get_event(ctx.session, event_id)).as_dict()


@router.get("/{event_id}/thanks", response_model=Page[ToThankOut], summary="Who to thank for an event or project")
def thanks(ctx: ApiCtx, event_id: IdPath, paging: PagingDep) -> dict[str, object]:
    """Everyone on it or who helped with it and was not thanked since, behind the scenes first (`kith thank --json`)."""
    crew = thank_list(ctx.session, svc.get_event(ctx.session, event_id), ctx.now)
    return paging.envelope([t.as_dict() for t in paging.slice(crew)], len(crew))


@router.patch("/{event_id}", response_model=EventOut, summary="Change an event")
def patch_event(ctx: ApiCtx, event_id: IdPath, body: EventPatch) -> dict[str, object]:
    """Change the fields given (the service refuses a blank name or an end before the start)."""
    ev = svc.edit_event(ctx.session, svc.get_event(ctx.session, event_id), svc.EventChanges(**body.model_dump(exclude_unset=True)))
    return svc.EventView.of(ev).as_dict()


@router.delete("/{event_id}", status_code=204, summary="Delete an event")
def delete_event(ctx: ApiCtx, event_id: IdPath) -> Response:
    """Delete an event (people met there stay)."""
    svc.delete_event(ctx.session, svc.get_event(ctx.session, event_id))
    return Response(status_code=204)
