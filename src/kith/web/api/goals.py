"""/api/v1/goals and /api/v1/opportunities: what you are working towards, and what came of it.

The handlers parse, call the goals or opportunities service, and render its view.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import func, select

from kith.services import goals as goals_svc
from kith.services import opportunities as opp_svc
from kith.services.people import get_person
from kith.store.models import Goal, Opportunity
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import (
    GoalIn,
    GoalOut,
    GoalPatch,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    Page,
)

router = APIRouter(tags=["goals"])


@router.get("/goals", response_model=Page[GoalOut], summary="List goals")
def list_goals(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Goals, active first."""
    total = int(ctx.session.scalar(select(func.count(Goal.id))) or 0)
    rows = ctx.session.scalars(select(Goal).order_by(Goal.status, Goal.id).limit(paging.limit).offset(paging.offset)).all()
    items = [goals_svc.GoalView.of(g).as_dict() for g in rows]
    return {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset}


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


@router.patch("/goals/{goal_id}", response_model=GoalOut, summary="Change a goal")
def patch_goal(ctx: ApiCtx, goal_id: IdPath, body: GoalPatch) -> dict[str, object]:
    """Change the fields given; ``status: closed`` closes it today (``closed_on``), ``active`` reopens it."""
    goal = goals_svc.goal_by_id(ctx.session, goal_id)
    changes = goals_svc.GoalChanges(**body.model_dump(exclude_unset=True))
    return goals_svc.GoalView.of(goals_svc.edit_goal(ctx.session, goal, changes, now=ctx.now)).as_dict()


@router.delete("/goals/{goal_id}", status_code=204, summary="Delete a goal")
def delete_goal(ctx: ApiCtx, goal_id: IdPath) -> Response:
    """Delete a goal."""
    ctx.session.delete(goals_svc.goal_by_id(ctx.session, goal_id))
    return Response(status_code=204)


@router.get("/opportunities", response_model=Page[OpportunityOut], summary="List opportunities", tags=["opportunities"])
def list_opportunities(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Opportunities, newest first."""
    total = int(ctx.session.scalar(select(func.count(Opportunity.id))) or 0)
    rows = ctx.session.scalars(
        select(Opportunity).order_by(Opportunity.found_on.desc(), Opportunity.id.desc()).limit(paging.limit).offset(paging.offset)
    ).all()
    items = [v.as_dict() for v in opp_svc.opportunity_views(ctx.session, rows)]
    return {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset}


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
    ctx.session.delete(opp_svc.get_opportunity(ctx.session, opportunity_id))
    return Response(status_code=204)
