"""The dashboard (today's agenda, the quality headline, layers, cooling ties, trend), onboarding and agenda actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from kith import clock
from kith.errors import BadInput
from kith.services import agenda as agenda_svc
from kith.services import dashboard as dashboard_svc
from kith.services import demo as demo_svc
from kith.services.interactions import log_interaction
from kith.services.memo import memoized
from kith.services.people import get_person
from kith.web import charts
from kith.web.api.common import IdPath
from kith.web.pages.common import KIND_OPTIONS, FormCtx, PageCtx, has_people
from kith.web.render import page, redirect

router = APIRouter()


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
        charts.bar_chart(monthly, title="Interactions per month, last 12 months"),
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
        kind_options=KIND_OPTIONS,
    )


@router.post("/demo")
def load_demo(ctx: FormCtx) -> Response:
    """Fill an empty workspace with the demo network."""
    if has_people(ctx.session):
        raise BadInput("the demo only loads into an empty workspace")
    summary = demo_svc.build_demo(ctx.session, now=ctx.now, seed=7)
    return redirect(ctx, "/", f"Demo network loaded: {', '.join(f'{v} {k}' for k, v in summary.items())}.")


@router.post("/agenda/{person_id}/done")
def agenda_done(ctx: FormCtx, person_id: IdPath, action: Annotated[str, Form(max_length=30)] = "*") -> Response:
    """One click: this agenda action is done."""
    person = get_person(ctx.session, person_id)
    agenda_svc.mark_done(ctx.session, person, ctx.now, None if action == "*" else action)
    return redirect(ctx, "/", f"Done: {action} {person.display_name}.")


@router.post("/agenda/{person_id}/snooze")
def agenda_snooze(ctx: FormCtx, person_id: IdPath, span: Annotated[str, Form(max_length=20)] = "1w") -> Response:
    """One click: hide this person's agenda actions for a while."""
    person = get_person(ctx.session, person_id)
    agenda_svc.snooze(ctx.session, person, ctx.now, agenda_svc.parse_until(span, ctx.now))
    return redirect(ctx, "/", f"Snoozed {person.display_name} for {span}.")


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
    try:
        mood = int(sentiment) if sentiment.strip() else None
    except ValueError:
        raise BadInput(f"sentiment must be a number from -2 to 2, not '{sentiment}'") from None
    if "\x00" in note:
        raise BadInput("the note contains a NUL character")
    log_interaction(ctx.session, [person], kind, when=when, now=ctx.now, direction=by or None, sentiment=mood, note=note)
    target = back if back.startswith("/") and not back.startswith("//") else f"/people/{person.id}"
    return redirect(ctx, target, f"Logged {kind} with {person.display_name}.")
