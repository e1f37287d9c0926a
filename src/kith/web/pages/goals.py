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

from kith.errors import BadInput
from kith.services import goals as goals_svc
from kith.services import opportunities as opp_svc
from kith.services import report as report_svc
from kith.services.dashboard import headline, monthly_activity, network_ties
from kith.services.memo import memoized
from kith.services.people import get_person
from kith.services.people_list import PeopleQuery, list_people
from kith.web import charts
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()
OPPORTUNITIES_SHOWN = 200
REFERRERS_OFFERED = 500  # people in the form's "referred by" list


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\x00", "").split(",") if p.strip()]


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
        ctx.session, title.replace("\x00", ""), now=ctx.now, target_orgs=_split(target_orgs),
        industries=_split(industries), roles=_split(roles), tags=_split(tags), note=note.replace("\x00", ""),
    )
    return redirect(ctx, "/goals", f"Goal added: {goal.title}.")


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(ctx: PageCtx) -> Response:
    """Opportunities, and which kinds of tie produced them."""
    rows = opp_svc.list_opportunities(ctx.session, limit=OPPORTUNITIES_SHOWN)[0]
    report = opp_svc.opportunity_report(ctx.session, ctx.now)
    ties = network_ties(ctx.session, ctx.now)[0]  # the referrers' layers today, next to each row
    bars = [(g.group, float(g.opportunities)) for g in report.by_layer]
    if report.total > report.referred:
        bars.append(("no referrer", float(report.total - report.referred)))
    chart = charts.bar_chart(bars, title="Opportunities by the layer of who referred them, when they did", height=180)
    people = list_people(ctx.session, PeopleQuery(), as_of=ctx.now, limit=REFERRERS_OFFERED).items
    return page(ctx, "opportunities.html", title="Opportunities", rows=rows, ties=ties, chart=chart, people=people,
                report=report)


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
        ctx.session, title.replace("\x00", ""), now=ctx.now, kind=kind, referred_by=ref,
        org=org.replace("\x00", "") if org.strip() else None, found_on=day,
    )
    return redirect(ctx, "/opportunities", f"Opportunity added: {opp.title}.")


@router.get("/report", response_class=HTMLResponse)
def report_page(ctx: PageCtx) -> Response:
    """The quality report, with the headline and the monthly trend drawn."""
    result = memoized(ctx.session, "web.report", ctx.now, lambda: report_svc.report(ctx.session, ctx.now))
    head = headline(network_ties(ctx.session, ctx.now)[0])
    monthly = [(m.month, float(m.interactions)) for m in monthly_activity(ctx.session, ctx.now, months=24)]
    return page(
        ctx, "report.html", title="Report", result=result.as_dict(), head=head,
        layers_chart=charts.layer_bars(head.layers, title="People per layer"),
        trend_chart=charts.bar_chart(monthly, title="Interactions per month, last 24 months", width=760),
    )
