"""/api/v1/goals and /api/v1/opportunities: what you are working towards, and what came of it.

The handlers parse, call the goals or opportunities service, and render its view.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from kith.services import goals as goals_svc
from kith.services import opportunities as opp_svc
from kith.services.people import get_person
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import (
    GoalAuditOut,
    GoalIn,
    GoalOut,
    GoalPatch,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    OpportunityReportOut,
    Page,
)

router = APIRouter(tags=["goals"])


@router.get("/goals", response_model=Page[GoalOut], summary="List goals")
def list_goals(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Goals, active ones first, then the closed ones."""
    items, total = goals_svc.list_goals(ctx.session, include_closed=True, limit=paging.limit, offset=paging.offset)
    return paging.envelope([g.as_dict() for g in items], total)


@router.post("/goals", status_code=201, response_model=GoalOut, summary="Add a goal")
def create_goal(ctx: ApiCtx, body: GoalIn) -> dict[str, object]:
    """A goal with the organisations, industries, roles and tags that advance it."""
    goal = goals_svc.add_goal(
        ctx.session, body.title, now=ctx.now, target_orgs=body.target_orgs, industries=body.industries,
        roles=body.roles, tags=body.tags, starts_on=body.starts_on, ends_on=body.ends_on, note=body.note,
    )
    return goals_svc.GoalView.of(goal).as_dict()


@router.get("/goals/{goal_id}", response_model=GoalOut, summary="One goal")
def read_goal(ctx: ApiCtx, goal_id: IdPath) -> dict[str, object]:
    """A goal of your workspace."""
    return goals_svc.GoalView.of(goals_svc.goal_by_id(ctx.session, goal_id)).as_dict()


@router.get("/goals/{goal_id}/audit", response_model=GoalAuditOut, summary="Where the networking for a goal goes")
def audit_goal(ctx: ApiCtx, goal_id: IdPath) -> dict[str, object]:
    """The last 90 days against the goal: effort share, cooling relevant ties, targets with no path, top actions
    (`kith goal audit --json`)."""
    return goals_svc.audit_goal(ctx.session, goals_svc.goal_by_id(ctx.session, goal_id), ctx.now).as_dict()


@router.patch("/goals/{goal_id}", response_model=GoalOut, summary="Change a goal")
def patch_goal(ctx: ApiCtx, goal_id: IdPath, body: GoalPatch) -> dict[str, object]:
    """Change the fields given; ``status: closed`` closes it today (``closed_on``), ``active`` reopens it."""
    goal = goals_svc.goal_by_id(ctx.session, goal_id)
    changes = goals_svc.GoalChanges(**body.model_dump(exclude_unset=True))
    return goals_svc.GoalView.of(goals_svc.edit_goal(ctx.session, goal, changes, now=ctx.now)).as_dict()


@router.delete("/goals/{goal_id}", status_code=204, summary="Delete a goal")
def delete_goal(ctx: ApiCtx, goal_id: IdPath) -> Response:
    """Delete a goal."""
    goals_svc.delete_goal(ctx.session, goals_svc.goal_by_id(ctx.session, goal_id))
    return Response(status_code=204)


@router.get("/opportunities", response_model=Page[OpportunityOut], summary="List opportunities", tags=["opportunities"])
def list_opportunities(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Opportunities, newest first."""
    items, total = opp_svc.list_opportunities(ctx.session, limit=paging.limit, offset=paging.offset)
    return paging.envelope([o.as_dict() for o in items], total)


@router.post("/opportunities", status_code=201, response_model=OpportunityOut, summary="Record an opportunity", tags=["opportunities"])
def create_opportunity(ctx: ApiCtx, body: OpportunityIn) -> dict[str, object]:
    """A job, deal, gig or client, and who referred it."""
    referrer = get_person(ctx.session, body.referred_by_id) if body.referred_by_id is not None else None
    goal = goals_svc.goal_by_id(ctx.session, body.goal_id) if body.goal_id is not None else None
    opp = opp_svc.add_opportunity(
        ctx.session, body.title, now=ctx.now, kind=body.kind, referred_by=referrer,
        org=body.org if body.org and body.org.strip() else None, goal=goal, found_on=body.found_on,
        outcome=body.outcome, value=body.value, note=body.note,
    )
    return opp_svc.opportunity_view(ctx.session, opp).as_dict()


@router.get("/opportunities/report", response_model=OpportunityReportOut, summary="Which ties produced them",
            tags=["opportunities"])
def opportunity_report(ctx: ApiCtx) -> dict[str, object]:
    """Opportunities grouped by the referrer's layer and tie strength when found, and organisation; the
    non-obvious ones (`kith opportunity report --json`)."""
    return opp_svc.opportunity_report(ctx.session, ctx.now).as_dict()


@router.get("/opportunities/{opportunity_id}", response_model=OpportunityOut, summary="One opportunity", tags=["opportunities"])
def read_opportunity(ctx: ApiCtx, opportunity_id: IdPath) -> dict[str, object]:
    """An opportunity of your workspace."""
    return opp_svc.opportunity_view(ctx.session, opp_svc.get_opportunity(ctx.session, opportunity_id)).as_dict()


@router.patch("/opportunities/{opportunity_id}", response_model=OpportunityOut, summary="Change an opportunity", tags=["opportunities"])
def patch_opportunity(ctx: ApiCtx, opportunity_id: IdPath, body: OpportunityPatch) -> dict[str, object]:
    """Change the fields given (e.g. the outcome)."""
    opp = opp_svc.get_opportunity(ctx.session, opportunity_id)
    changes = opp_svc.OpportunityChanges(**body.model_dump(exclude_unset=True))
    return opp_svc.opportunity_view(ctx.session, opp_svc.edit_opportunity(ctx.session, opp, changes)).as_dict()


@router.delete("/opportunities/{opportunity_id}", status_code=204, summary="Delete an opportunity", tags=["opportunities"])
def delete_opportunity(ctx: ApiCtx, opportunity_id: IdPath) -> Response:
    """Delete an opportunity."""
    opp_svc.delete_opportunity(ctx.session, opp_svc.get_opportunity(ctx.session, opportunity_id))
    return Response(status_code=204)
