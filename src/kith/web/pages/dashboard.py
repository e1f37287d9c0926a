"""The dashboard (today's agenda, the quality headline, layers, cooling ties, trend), onboarding and agenda actions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from kith import clock
from kith.engine.kinds import AGENDA_ACTIONS
from kith.errors import BadInput
from kith.services import agenda as agenda_svc
from kith.services import dashboard as dashboard_svc
from kith.services import demo as demo_svc
from kith.services.interactions import log_interaction
from kith.services.memo import memoized
from kith.services.people import get_person
from kith.web import charts
from kith.web.api.common import IdPath
from kith.web.pages.common import (
    DEFAULT_KIND_OPTIONS,
    KIND_OPTIONS,
    FormCtx,
    PageCtx,
    has_people,
    local_target,
    sentiment_of,
)
from kith.web.render import confirm, page, redirect

router = APIRouter()
AGENDA_PAGE = 25


@router.get("/", response_class=HTMLResponse)
def dashboard(ctx: PageCtx) -> Response:
    """The day's view of the network; the onboarding page while the workspace is empty.

    Every figure comes from one read model (:func:`kith.services.dashboard.dashboard`),
    computed once per data change and hour, not per request.
    """
    if not has_people(ctx.session):
        return page(ctx, "onboarding.html", title="Welcome")
    view = dashboard_svc.dashboard(ctx.session, ctx.now)
    monthly = [(m.month, m.interactions) for m in view.monthly]
    layers_chart, trend_chart = memoized(ctx.session, "web.dashboard.charts", ctx.now, lambda: (
        charts.layer_bars(view.headline.layers, title="People per layer"),
        charts.bar_chart(monthly, title="Interactions per month, last 12 months", months=True, width=900,
                         x_label="month", y_label="interactions"),
    ))
    return page(
        ctx,
        "dashboard.html",
        title="Dashboard",
        view=view,
        agenda=view.agenda,
        head=view.headline,
        figures_as_of=view.as_of,
        layers_chart=layers_chart,
        trend_chart=trend_chart,
        monthly=monthly,
        cooling=view.cooling,
        **_agenda_form(ctx, "/"),
    )


def _agenda_form(ctx: PageCtx, back: str) -> dict[str, Any]:
    """What the agenda items' forms need: the kinds offered per action, today, and where to come back to."""
    return {"kind_options": KIND_OPTIONS, "default_kind_options": DEFAULT_KIND_OPTIONS,
            "today": ctx.now.date().isoformat(), "back": back}


@router.get("/agenda", response_class=HTMLResponse)
def agenda_page(
    ctx: PageCtx,
    action: Annotated[str, Query(max_length=30)] = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """The whole agenda, filtered by action, a page at a time."""
    chosen = action if action in AGENDA_ACTIONS else None
    listing = dashboard_svc.agenda_listing(ctx.session, ctx.now, action=chosen, limit=AGENDA_PAGE,
                                           offset=(page_no - 1) * AGENDA_PAGE)
    pages = max(1, -(-listing.total // AGENDA_PAGE))

    def link(n: int) -> str:
        return "/agenda?" + urlencode({**({"action": chosen} if chosen else {}), "page": n})

    here = link(page_no) if chosen or page_no > 1 else "/agenda"
    return page(
        ctx, "agenda.html", title="Agenda", listing=listing, agenda=listing.items,
        all_total=sum(listing.by_action.values()), page_no=page_no, pages=pages,
        prev_link=link(page_no - 1) if page_no > 1 else None,
        next_link=link(page_no + 1) if page_no < pages else None, **_agenda_form(ctx, here),
    )


@router.post("/demo")
def load_demo(ctx: FormCtx) -> Response:
    """Fill an empty workspace with the demo network."""
    if has_people(ctx.session):
        raise BadInput("the demo only loads into an empty workspace")
    summary = demo_svc.build_demo(ctx.session, now=ctx.now, seed=7)
    return redirect(ctx, "/", f"Demo network loaded: {', '.join(f'{v} {k}' for k, v in summary.items())}.")


@router.post("/agenda/{person_id}/done")
def agenda_done(
    ctx: FormCtx, person_id: IdPath, action: Annotated[str, Form(max_length=30)] = "*",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One click: this agenda action is done."""
    person = get_person(ctx.session, person_id)
    agenda_svc.mark_done(ctx.session, person, ctx.now, None if action == "*" else action)
    return confirm(ctx, local_target(back, "/"), f"Done: {action} {person.display_name}.")


@router.post("/agenda/{person_id}/snooze")
def agenda_snooze(
    ctx: FormCtx, person_id: IdPath, span: Annotated[str, Form(max_length=20)] = "1w",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """One click: hide this person's agenda actions for a while."""
    person = get_person(ctx.session, person_id)
    agenda_svc.snooze(ctx.session, person, ctx.now, agenda_svc.parse_until(span, ctx.now))
    return confirm(ctx, local_target(back, "/"), f"Snoozed {person.display_name} for {span}.")


@router.post("/people/{person_id}/log")
def quick_log(
    ctx: FormCtx,
    person_id: IdPath,
    kind: Annotated[str, Form(max_length=30)],
    note: Annotated[str, Form(max_length=5000)] = "",
    on: Annotated[str, Form(max_length=40)] = "",
    by: Annotated[str, Form(max_length=10)] = "",
    sentiment: Annotated[str, Form(max_length=3)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Log an interaction from the agenda or a person's page."""
    person = get_person(ctx.session, person_id)
    when = clock.parse_when(on, now=ctx.now) if on.strip() else ctx.now
    log_interaction(ctx.session, [person], kind, when=when, now=ctx.now, direction=by or None,
                    sentiment=sentiment_of(sentiment), note=note)
    return redirect(ctx, local_target(back, f"/people/{person.id}"), f"Logged {kind} with {person.display_name}.")
