"""/api/v1 computed views: scores, agenda (with done and snooze), report, reach, ask.

The agenda, report, reach and ask services are imported when called, so an
installation without one of them answers 503 "not available yet" for that
view only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kith.services import score_views
from kith.services.dashboard import network_ties
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep, call_with_now, jsonable
from kith.web.api.schemas import AgendaItemOut, AgendaMarkIn, Computed, Done, Page, ScoreOut
from kith.web.errors import service

router = APIRouter()
TextQuery = Annotated[str, Query(min_length=1, max_length=300, pattern=r"^[^\x00]*$")]


@router.get("/scores", response_model=Page[ScoreOut], tags=["scores"], summary="Tie scores, strongest first")
def list_scores(
    ctx: ApiCtx,
    paging: PagingDep,
    layer: Annotated[Literal["inner", "close", "active", "meaningful", "acquaintance", "dormant"] | None, Query()] = None,
) -> dict[str, object]:
    """Every person's score (0-100), layer, favour readiness and the terms behind the score."""
    ties = network_ties(ctx.session, ctx.now)[0]
    lines, total = score_views.score_lines(ctx.session, ties, layer=layer, limit=paging.limit, offset=paging.offset)
    return {"items": [{**line.as_dict(), "reasons": []} for line in lines], "total": total, "limit": paging.limit,
            "offset": paging.offset}


@router.get("/scores/{person_id}", response_model=ScoreOut, tags=["scores"], summary="One person's score, explained")
def person_score(ctx: ApiCtx, person_id: IdPath) -> dict[str, object]:
    """A person's score with its components and reasons."""
    ties, as_of = network_ties(ctx.session, ctx.now)
    return score_views.score_detail(ctx.session, get_person(ctx.session, person_id), as_of, ties).as_dict()


def agenda_item_as_dict(item: Any) -> dict[str, Any]:
    """JSON form of an agenda item, whatever shape the service gives."""
    data = jsonable(item)
    person = data.get("person")
    if isinstance(person, dict):
        data["person_id"] = data.get("person_id", person.get("id"))
        data["person"] = person.get("name", "")
    due = data.get("due")
    return {
        "person_id": int(data.get("person_id") or 0), "person": str(data.get("person") or ""),
        "action": str(data.get("action") or ""), "reason": str(data.get("reason") or ""),
        "due": None if due is None else str(due),
    }


@router.get("/agenda", response_model=list[AgendaItemOut], tags=["agenda"], summary="Today's agenda")
def agenda(ctx: ApiCtx, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    """What to do today, ranked, each with why."""
    items = call_with_now(service("agenda").agenda, ctx.session, now=ctx.now, limit=limit)
    return [agenda_item_as_dict(i) for i in items][:limit]


@router.post("/agenda/{person_id}/done", response_model=Done, tags=["agenda"], summary="Mark an agenda action done")
def agenda_done(ctx: ApiCtx, person_id: IdPath, body: AgendaMarkIn) -> dict[str, bool]:
    """Mark an action (or ``*``, all) for a person done today."""
    mod = service("agenda")
    action = None if body.action == "*" else body.action
    mod.mark_done(ctx.session, get_person(ctx.session, person_id), ctx.now, action)
    return {"ok": True}


@router.post("/agenda/{person_id}/snooze", response_model=Done, tags=["agenda"], summary="Snooze a person's agenda actions")
def agenda_snooze(ctx: ApiCtx, person_id: IdPath, body: AgendaMarkIn) -> dict[str, bool]:
    """Hide a person's agenda actions for a while (``span``: 3d, 2w, 1m, or a date)."""
    mod = service("agenda")
    until = mod.parse_until(body.span, ctx.now)
    mod.snooze(ctx.session, get_person(ctx.session, person_id), ctx.now, until)
    return {"ok": True}


@router.get("/report", response_model=Computed, tags=["report"], summary="The quality report")
def report(ctx: ApiCtx) -> dict[str, Any]:
    """Sizes, layers, follow-up rate, reciprocity, gatekeepers, goals."""
    result = call_with_now(service("report").report, ctx.session, now=ctx.now)
    return {"as_of": ctx.now.isoformat(), "result": jsonable(result)}


@router.get("/reach", response_model=Computed, tags=["reach"], summary="Warm introduction paths")
def reach(ctx: ApiCtx, target: TextQuery) -> dict[str, Any]:
    """The strongest introduction paths to a person, organisation or role."""
    result = service("reach").plan_reach(ctx.session, target, ctx.now)
    return {"as_of": ctx.now.isoformat(), "result": jsonable(result)}


@router.get("/ask", response_model=Computed, tags=["ask"], summary="Who can help")
def ask(ctx: ApiCtx, q: TextQuery, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    """People ranked by relevance to the question times favour readiness."""
    result = service("ask").who_can_help(ctx.session, q, ctx.now, limit=limit)
    return {"as_of": ctx.now.isoformat(), "result": jsonable(result)}
