"""/api/v1 computed views: scores, agenda (with done and snooze), report, reach, ask, duplicates.

Each handler parses, calls its service with the service's own signature and
renders the typed result's ``as_dict()``: the same object `kith ... --json`
prints. Lists answer in the one envelope ``{items, total, limit, offset}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from kith.services import agenda as agenda_svc
from kith.services import ask as ask_svc
from kith.services import dedupe, score_views
from kith.services import reach as reach_svc
from kith.services import report as report_svc
from kith.services.dashboard import network_ties
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import (
    AgendaItemOut,
    AgendaMarkIn,
    CandidateOut,
    Computed,
    Done,
    HelperOut,
    Id,
    MergePreviewOut,
    Page,
    ReachAnswer,
    ScoreOut,
)

router = APIRouter()
TextQuery = Annotated[str, Query(min_length=1, max_length=300)]


@router.get("/scores", response_model=Page[ScoreOut], tags=["scores"], summary="Tie scores, strongest first")
def list_scores(
    ctx: ApiCtx,
    paging: PagingDep,
    layer: Annotated[Literal["inner", "close", "active", "meaningful", "acquaintance", "dormant", "new"] | None, Query()] = None,
) -> dict[str, object]:
    """Every person's score (0-100), layer, favour readiness and the terms behind the score."""
    ties = network_ties(ctx.session, ctx.now)[0]
    lines, total = score_views.score_lines(ctx.session, ties, layer=layer, limit=paging.limit, offset=paging.offset)
    return paging.envelope([{**line.as_dict(), "reasons": []} for line in lines], total)


@router.get("/scores/{person_id}", response_model=ScoreOut, tags=["scores"], summary="One person's score, explained")
def person_score(ctx: ApiCtx, person_id: IdPath) -> dict[str, object]:
    """A person's score with its components and reasons."""
    ties, as_of = network_ties(ctx.session, ctx.now)
    return score_views.score_detail(ctx.session, get_person(ctx.session, person_id), as_of, ties).as_dict()


@router.get("/agenda", response_model=Page[AgendaItemOut], tags=["agenda"], summary="Today's agenda")
def agenda(ctx: ApiCtx, paging: PagingDep) -> dict[str, Any]:
    """What to do today, most important first, each with why (the items of `kith agenda --json`)."""
    items, total = agenda_svc.agenda_page(ctx.session, ctx.now, paging.limit, paging.offset)
    return paging.envelope([i.as_dict() for i in items], total)


@router.post("/agenda/{person_id}/done", response_model=Done, tags=["agenda"], summary="Mark an agenda action done")
def agenda_done(ctx: ApiCtx, person_id: IdPath, body: AgendaMarkIn) -> dict[str, bool]:
    """Mark an action (or ``*``, all) for a person done today."""
    action = None if body.action == "*" else body.action
    agenda_svc.mark_done(ctx.session, get_person(ctx.session, person_id), ctx.now, action)
    return {"ok": True}


@router.post("/agenda/{person_id}/snooze", response_model=Done, tags=["agenda"], summary="Snooze a person's agenda actions")
def agenda_snooze(ctx: ApiCtx, person_id: IdPath, body: AgendaMarkIn) -> dict[str, bool]:
    """Hide a person's agenda actions for a while (``span``: 3d, 2w, 1m, or a date)."""
    until = agenda_svc.parse_until(body.span, ctx.now)
    agenda_svc.snooze(ctx.session, get_person(ctx.session, person_id), ctx.now, until)
    return {"ok": True}


@router.get("/report", response_model=Computed, tags=["report"], summary="The quality report")
def report(ctx: ApiCtx) -> dict[str, Any]:
    """Sizes, layers, follow-up rate, reciprocity, gatekeepers, goals (what `kith report --json` prints)."""
    return {"as_of": ctx.now.isoformat(), "result": report_svc.report(ctx.session, ctx.now).as_dict()}


@router.get("/reach", response_model=ReachAnswer, tags=["reach"], summary="Warm introduction paths")
def reach(ctx: ApiCtx, target: TextQuery, limit: Annotated[int, Query(ge=1, le=20)] = 3) -> dict[str, Any]:
    """The strongest introduction paths to a person, organisation, role or tag (`kith reach --json`)."""
    plan = reach_svc.plan_reach(ctx.session, target, ctx.now, limit=limit)
    return {"as_of": ctx.now.isoformat(), "result": plan.as_dict()}


@router.get("/ask", response_model=Page[HelperOut], tags=["ask"], summary="Who can help")
def ask(ctx: ApiCtx, q: TextQuery, paging: PagingDep) -> dict[str, Any]:
    """People ranked by relevance times favour readiness (`kith ask --json`); ``total``: everyone relevant."""
    helpers, total = ask_svc.list_helpers(ctx.session, q, ctx.now, limit=paging.limit, offset=paging.offset)
    return paging.envelope([h.as_dict() for h in helpers], total)


@router.get("/duplicates", response_model=Page[CandidateOut], tags=["duplicates"], summary="Likely duplicates")
def duplicates(ctx: ApiCtx, paging: PagingDep) -> dict[str, Any]:
    """Pairs of people who are probably one, most likely first, with a confidence and why (`kith dupes --json`)."""
    found = dedupe.find_duplicates(ctx.session)
    return paging.envelope([c.as_dict() for c in paging.slice(found)], len(found))


@router.get("/merge-preview", response_model=MergePreviewOut, tags=["duplicates"], summary="What a merge would do")
def merge_preview(ctx: ApiCtx, keep: Annotated[Id, Query()], drop: Annotated[Id, Query()]) -> dict[str, Any]:
    """What merging ``drop`` into ``keep`` would do, changing nothing (`kith merge KEEP DROP --dry-run --json`)."""
    preview = dedupe.preview_merge(ctx.session, get_person(ctx.session, keep), get_person(ctx.session, drop))
    return preview.as_dict()
