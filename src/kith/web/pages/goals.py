"""Goals with their audit, opportunities, and the quality report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from kith.errors import BadInput
from kith.services.dashboard import headline, monthly_activity, network_ties
from kith.services.goals import GoalView
from kith.services.memo import memoized
from kith.services.opportunities import opportunity_views
from kith.store.models import Goal, Opportunity, Person
from kith.web import charts
from kith.web.api.common import call_with_now, jsonable
from kith.web.errors import NotAvailable, service
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\x00", "").split(",") if p.strip()]


def _audit(ctx: PageCtx, goal: Goal) -> tuple[Any, str | None]:
    try:
        mod = service("goals")
    except NotAvailable as exc:
        return None, str(exc)
    return jsonable(mod.audit_goal(ctx.session, goal, ctx.now)), None


@router.get("/goals", response_class=HTMLResponse)
def goals_page(ctx: PageCtx) -> Response:
    """Goals and, for each active one, where your networking effort goes."""
    rows = list(ctx.session.scalars(select(Goal).order_by(Goal.status, Goal.id)).all())
    audits = {g.id: _audit(ctx, g) for g in rows if g.status == "active"}
    return page(ctx, "goals.html", title="Goals", goals=[GoalView.of(g) for g in rows], audits=audits)


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
    from kith.services.goals import add_goal as create_goal

    goal = create_goal(
        ctx.session, title.replace("\x00", ""), now=ctx.now, target_orgs=_split(target_orgs),
        industries=_split(industries), roles=_split(roles), tags=_split(tags), note=note.replace("\x00", ""),
    )
    clean = goal.title
    return redirect(ctx, "/goals", f"Goal added: {clean}.")


@router.get("/opportunities", response_class=HTMLResponse)
def opportunities_page(ctx: PageCtx) -> Response:
    """Opportunities and which kinds of tie produced them."""
    rows = opportunity_views(ctx.session, ctx.session.scalars(
        select(Opportunity).order_by(Opportunity.found_on.desc(), Opportunity.id.desc()).limit(200)).all())
    ties = network_ties(ctx.session, ctx.now)[0] if rows else {}
    by_layer: dict[str, int] = {}
    for opp in rows:
        referrer = ties.get(opp.referred_by_id) if opp.referred_by_id is not None else None
        layer = referrer.layer if referrer is not None else "no referrer"
        by_layer[layer] = by_layer.get(layer, 0) + 1
    chart = charts.bar_chart(sorted(by_layer.items()), title="Opportunities by the layer of who referred them", height=180)
    people = ctx.session.execute(
        select(Person.id, Person.display_name).where(Person.archived.is_(False)).order_by(Person.display_name).limit(500)
    ).all()
    try:
        report: Any = jsonable(service("opportunities").opportunity_report(ctx.session, ctx.now))
        report = {k: report[k] for k in ("total", "referred", "by_layer", "by_strength", "non_obvious") if k in report}
    except NotAvailable:
        report = None
    return page(ctx, "opportunities.html", title="Opportunities", rows=rows, ties=ties, chart=chart, people=people,
                by_layer=by_layer, report=report)


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
    from kith.services.opportunities import add_opportunity as create_opportunity
    from kith.services.people import get_person

    ref = get_person(ctx.session, int(referred_by_id)) if referred_by_id.strip().isdigit() else None
    try:
        day = date.fromisoformat(found_on) if found_on.strip() else None
    except ValueError:
        raise BadInput(f"cannot read the date '{found_on}'") from None
    opp = create_opportunity(
        ctx.session, title.replace("\x00", ""), now=ctx.now, kind=kind, referred_by=ref,
        org=org.replace("\x00", "") if org.strip() else None, found_on=day,
    )
    clean = opp.title
    return redirect(ctx, "/opportunities", f"Opportunity added: {clean}.")


@router.get("/report", response_class=HTMLResponse)
def report_page(ctx: PageCtx) -> Response:
    """The quality report, with the headline and the monthly trend drawn."""
    result: Any = None
    missing: str | None = None

    def compute() -> tuple[Any, str | None]:
        try:
            return jsonable(call_with_now(service("report").report, ctx.session, now=ctx.now)), None
        except NotAvailable as exc:
            return None, str(exc)

    result, missing = memoized(ctx.session, "web.report", ctx.now, compute)
    ties, _at = network_ties(ctx.session, ctx.now)
    head = headline(ties)
    monthly = [(m.month, m.interactions) for m in monthly_activity(ctx.session, ctx.now, months=24)]
    return page(
        ctx, "report.html", title="Report", result=result, missing=missing, head=head,
        layers_chart=charts.layer_bars(head.layers, title="People per layer"),
        trend_chart=charts.bar_chart(monthly, title="Interactions per month, last 24 months", width=760),
    )
