"""/api/v1/goals and /api/v1/opportunities: what you are working towards, and what came of it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import func, select

from kith.errors import BadInput, NotFound
from kith.services.opportunities import add_opportunity
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


def goal_as_dict(g: Goal) -> dict[str, Any]:
    """JSON form of a goal."""
    return {
        "id": g.id, "title": g.title, "note": g.note, "target_orgs": list(g.target_orgs or []),
        "industries": list(g.industries or []), "roles": list(g.roles or []), "tags": list(g.tags or []),
        "starts_on": g.starts_on.isoformat() if g.starts_on else None,
        "ends_on": g.ends_on.isoformat() if g.ends_on else None, "status": g.status,
    }


def opportunity_as_dict(o: Opportunity, org_name: str | None = None) -> dict[str, Any]:
    """JSON form of an opportunity."""
    return {
        "id": o.id, "title": o.title, "kind": o.kind, "referred_by_id": o.referred_by_id, "org": org_name,
        "goal_id": o.goal_id, "found_on": o.found_on.isoformat(), "outcome": o.outcome, "value": o.value, "note": o.note,
    }


def get_goal(ctx: ApiCtx, goal_id: int) -> Goal:
    """A goal of the workspace."""
    goal = ctx.session.scalars(select(Goal).where(Goal.id == goal_id)).first()
    if goal is None:
        raise NotFound(f"no goal with id {goal_id}")
    return goal


def _get_opportunity(ctx: ApiCtx, opp_id: int) -> Opportunity:
    opp = ctx.session.scalars(select(Opportunity).where(Opportunity.id == opp_id)).first()
    if opp is None:
        raise NotFound(f"no opportunity with id {opp_id}")
    return opp


def _org_name(ctx: ApiCtx, opp: Opportunity) -> str | None:
    from kith.store.models import Organization

    if opp.organization_id is None:
        return None
    return ctx.session.scalar(select(Organization.name).where(Organization.id == opp.organization_id))


def _check_dates(start: Any, end: Any) -> None:
    if start is not None and end is not None and end < start:
        raise BadInput("the end date is before the start date")


@router.get("/goals", response_model=Page[GoalOut], summary="List goals")
def list_goals(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Goals, active first."""
    total = int(ctx.session.scalar(select(func.count(Goal.id))) or 0)
    rows = ctx.session.scalars(select(Goal).order_by(Goal.status, Goal.id).limit(paging.limit).offset(paging.offset)).all()
    return {"items": [goal_as_dict(g) for g in rows], "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("/goals", status_code=201, response_model=GoalOut, summary="Add a goal")
def create_goal(ctx: ApiCtx, body: GoalIn) -> dict[str, object]:
    """A goal with the organisations, industries, roles and tags that advance it."""
    from kith.services.goals import add_goal

    goal = add_goal(
        ctx.session, body.title, now=ctx.now, target_orgs=body.target_orgs, industries=body.industries,
        roles=body.roles, tags=body.tags, starts_on=body.starts_on, ends_on=body.ends_on, note=body.note,
    )
    return goal_as_dict(goal)


@router.get("/goals/{goal_id}", response_model=GoalOut, summary="One goal")
def read_goal(ctx: ApiCtx, goal_id: IdPath) -> dict[str, object]:
    """A goal of your workspace."""
    return goal_as_dict(get_goal(ctx, goal_id))


@router.patch("/goals/{goal_id}", response_model=GoalOut, summary="Change a goal")
def patch_goal(ctx: ApiCtx, goal_id: IdPath, body: GoalPatch) -> dict[str, object]:
    """Change the fields given; ``status: closed`` closes it today."""
    goal = get_goal(ctx, goal_id)
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(goal, name, value)
    if body.status == "closed" and goal.closed_on is None:
        goal.closed_on = ctx.now.date()
    _check_dates(goal.starts_on, goal.ends_on)
    return goal_as_dict(goal)


@router.delete("/goals/{goal_id}", status_code=204, summary="Delete a goal")
def delete_goal(ctx: ApiCtx, goal_id: IdPath) -> Response:
    """Delete a goal."""
    ctx.session.delete(get_goal(ctx, goal_id))
    return Response(status_code=204)


@router.get("/opportunities", response_model=Page[OpportunityOut], summary="List opportunities", tags=["opportunities"])
def list_opportunities(ctx: ApiCtx, paging: PagingDep) -> dict[str, object]:
    """Opportunities, newest first."""
    total = int(ctx.session.scalar(select(func.count(Opportunity.id))) or 0)
    rows = ctx.session.scalars(
        select(Opportunity).order_by(Opportunity.found_on.desc(), Opportunity.id.desc()).limit(paging.limit).offset(paging.offset)
    ).all()
    items = [opportunity_as_dict(o, _org_name(ctx, o)) for o in rows]
    return {"items": items, "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("/opportunities", status_code=201, response_model=OpportunityOut, summary="Record an opportunity", tags=["opportunities"])
def create_opportunity(ctx: ApiCtx, body: OpportunityIn) -> dict[str, object]:
    """A job, deal, gig or client, and who referred it."""
    referrer = get_person(ctx.session, body.referred_by_id) if body.referred_by_id is not None else None
    goal = get_goal(ctx, body.goal_id) if body.goal_id is not None else None
    opp = add_opportunity(
        ctx.session, body.title, now=ctx.now, kind=body.kind, referred_by=referrer,
        org=body.org if body.org and body.org.strip() else None, goal=goal, found_on=body.found_on,
        outcome=body.outcome, value=body.value, note=body.note,
    )
    ctx.session.flush()
    return opportunity_as_dict(opp, _org_name(ctx, opp))


@router.get("/opportunities/{opportunity_id}", response_model=OpportunityOut, summary="One opportunity", tags=["opportunities"])
def read_opportunity(ctx: ApiCtx, opportunity_id: IdPath) -> dict[str, object]:
    """An opportunity of your workspace."""
    opp = _get_opportunity(ctx, opportunity_id)
    return opportunity_as_dict(opp, _org_name(ctx, opp))


@router.patch("/opportunities/{opportunity_id}", response_model=OpportunityOut, summary="Change an opportunity", tags=["opportunities"])
def patch_opportunity(ctx: ApiCtx, opportunity_id: IdPath, body: OpportunityPatch) -> dict[str, object]:
    """Change the fields given (e.g. the outcome)."""
    opp = _get_opportunity(ctx, opportunity_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("referred_by_id") is not None:
        get_person(ctx.session, fields["referred_by_id"])
    if fields.get("goal_id") is not None:
        get_goal(ctx, fields["goal_id"])
    for name, value in fields.items():
        if value is not None:
            setattr(opp, name, value)
    return opportunity_as_dict(opp, _org_name(ctx, opp))


@router.delete("/opportunities/{opportunity_id}", status_code=204, summary="Delete an opportunity", tags=["opportunities"])
def delete_opportunity(ctx: ApiCtx, opportunity_id: IdPath) -> Response:
    """Delete an opportunity."""
    ctx.session.delete(_get_opportunity(ctx, opportunity_id))
    return Response(status_code=204)
