"""Goals with their audit, opportunities with the report of the ties that produced them, and the quality report.

Each page renders read models of the services (:class:`~kith.services.goals.GoalOverview`,
:class:`~kith.services.opportunities.OpportunityReport`): the objects the CLI's
``--json`` and the API print.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from kith.engine.kinds import LAYERS
from kith.errors import BadInput
from kith.services import goals as goals_svc
from kith.services import opportunities as opp_svc
from kith.services import report as report_svc
from kith.services.dashboard import monthly_activity
from kith.services.memo import memoized
from kith.services.people import get_person
from kith.services.people_list import PeopleQuery, PersonSummary, list_people
from kith.web import charts
from kith.web.api.common import IdPath
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()
OPPORTUNITIES_SHOWN = 200
REFERRERS_OFFERED = 500  # people in the form's "referred by" list


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


@router.get("/goals", response_class=HTMLResponse)
def goals_page(ctx: PageCtx) -> Response:
    """Goals and, for each active one, where your networking effort goes."""
    return page(ctx, "goals.html", title="Goals", goals=goals_svc.goals_overview(ctx.session, ctx.now))


@router.post("/goals")
def add_goal(
    ctx: FormCtx,
    title: Annotated[str, Form(max_length=300)],
    target_orgs: Annotated[str, Form(max_length=2000)] = "",
    industries: Annotated[str, Form(max_length=2000)] = "",
    roles: Annotated[str, Form(max_length=2000)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Add a goal."""
    goal = goals_svc.add_goal(
        ctx.session, title, now=ctx.now, target_orgs=_split(target_orgs),
        industries=_split(industries), roles=_split(roles), tags=_split(tags), note=note,
    )
    return redirect(ctx, "/goals", f"Goal added: {goal.title}.")


@router.post("/goals/{goal_id}/edit")
def edit_goal(
    ctx: FormCtx,
    goal_id: IdPath,
    title: Annotated[str, Form(max_length=300)],
    target_orgs: Annotated[str, Form(max_length=2000)] = "",
    industries: Annotated[str, Form(max_length=2000)] = "",
    roles: Annotated[str, Form(max_length=2000)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Change a goal's title, targets and note."""
    goal = goals_svc.goal_by_id(ctx.session, goal_id)
    goals_svc.edit_goal(ctx.session, goal, goals_svc.GoalChanges(
        title=title, note=note, target_orgs=_split(target_orgs),
        industries=_split(industries), roles=_split(roles), tags=_split(tags),
    ), now=ctx.now)
    return redirect(ctx, f"/goals#goal-{goal.id}", f"Goal saved: {goal.title}.")


@router.post("/goals/{goal_id}/status")
def goal_status(ctx: FormCtx, goal_id: IdPath, status: Annotated[str, Form(max_length=10)]) -> Response:
    """Close a goal (reached or dropped) or reopen it."""
    goal = goals_svc.goal_by_id(ctx.session, goal_id)
    goals_svc.edit_goal(ctx.session, goal, goals_svc.GoalChanges(status=status), now=ctx.now)
    return redirect(ctx, "/goals", f"{'Closed' if goal.status == 'closed' else 'Reopened'}: {goal.title}.")


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(ctx: PageCtx) -> Response:
    """Opportunities, and which kinds of tie produced them (the referrer's layer when they referred it, as the CLI)."""
    report = opp_svc.opportunity_report(ctx.session, ctx.now)
    then = {r.opportunity.id: r for r in report.opportunities}
    rows = opp_svc.list_opportunities(ctx.session, limit=OPPORTUNITIES_SHOWN)[0]
    return page(ctx, "opportunities.html", title="Opportunities", rows=rows, then=then, report=report,
                chart=opportunity_chart(report), people=_referrers(ctx), outcomes=opp_svc.OUTCOMES,
                kinds=opp_svc.OPPORTUNITY_KINDS)


def opportunity_chart(report: opp_svc.OpportunityReport) -> Markup:
    """Opportunities per layer of the referrer at the time, inner layers first, and those nobody referred."""
    counts = {g.group: g.opportunities for g in report.by_layer}
    bars = [(layer, float(counts.pop(layer))) for layer in LAYERS if layer in counts]
    bars += [(group, float(n)) for group, n in counts.items()]
    if report.total > report.referred:
        bars.append(("no referrer", float(report.total - report.referred)))
    return charts.bar_chart(bars, title="Opportunities by the layer of who referred them, when they did",
                            x_label="layer of the referrer when they referred it", y_label="opportunities")


def _referrers(ctx: PageCtx) -> list[PersonSummary]:
    return list_people(ctx.session, PeopleQuery(), as_of=ctx.now, limit=REFERRERS_OFFERED).items


@router.post("/opportunities")
def add_opportunity(
    ctx: FormCtx,
    title: Annotated[str, Form(max_length=300)],
    kind: Annotated[str, Form(max_length=20)] = "job",
    referred_by_id: Annotated[str, Form(max_length=12)] = "",
    org: Annotated[str, Form(max_length=300)] = "",
    found_on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Record an opportunity and who referred it."""
    ref = get_person(ctx.session, int(referred_by_id)) if referred_by_id.strip().isdigit() else None
    try:
        day = date.fromisoformat(found_on) if found_on.strip() else None
    except ValueError:
        raise BadInput(f"cannot read the date '{found_on}'") from None
    opp = opp_svc.add_opportunity(
        ctx.session, title, now=ctx.now, kind=kind, referred_by=ref,
        org=org if org.strip() else None, found_on=day,
    )
    return redirect(ctx, "/opportunities", f"Opportunity added: {opp.title}.")


@router.get("/report", response_class=HTMLResponse)
def report_page(ctx: PageCtx) -> Response:
    """The quality report: key figures, layers, the month trend drawn and as a table, follow-up, favours, gatekeepers."""
    result = memoized(ctx.session, "web.report", ctx.now, lambda: report_svc.report(ctx.session, ctx.now))
    monthly = [(m.month, float(m.interactions)) for m in monthly_activity(ctx.session, ctx.now, months=24)]
    callable_by_month = [(m.month_end.strftime("%Y-%m"), float(m.callable)) for m in result.trend]
    return page(
        ctx, "report.html", title="Report", r=result,
        layers_chart=charts.layer_bars(result.sizes.layers, title="People per layer"),
        callable_chart=charts.bar_chart(callable_by_month, title="Callable people at the end of each month",
                                        width=480, height=240, months=True, x_label="month", y_label="people"),
        trend_chart=charts.bar_chart(monthly, title="Interactions per month, last 24 months", width=900, months=True,
                                     x_label="month", y_label="interactions"),
    )


@router.post("/opportunities/{opportunity_id}/outcome")
def opportunity_outcome(ctx: FormCtx, opportunity_id: IdPath, outcome: Annotated[str, Form(max_length=10)]) -> Response:
    """Record how an opportunity turned out (open, won, lost)."""
    opp = opp_svc.get_opportunity(ctx.session, opportunity_id)
    opp_svc.edit_opportunity(ctx.session, opp, opp_svc.OpportunityChanges(outcome=outcome))
    return redirect(ctx, "/opportunities", f"{opp.title}: {outcome}.")


@router.post("/opportunities/{opportunity_id}/edit")
def edit_opportunity(
    ctx: FormCtx, opportunity_id: IdPath, title: Annotated[str, Form(max_length=300)],
    kind: Annotated[str, Form(max_length=20)] = "job", note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Change an opportunity's title, kind and note."""
    opp = opp_svc.get_opportunity(ctx.session, opportunity_id)
    opp_svc.edit_opportunity(ctx.session, opp, opp_svc.OpportunityChanges(
        title=title, kind=kind, note=note))
    return redirect(ctx, "/opportunities", f"Saved {opp.title}.")
