"""The dashboard (today's agenda, the quality headline, layers, cooling ties, trend), onboarding and agenda actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from kith import clock
from kith.errors import BadInput, KithError
from kith.services.interactions import log_interaction
from kith.services.people import get_person
from kith.web import charts, insight
from kith.web.api.common import IdPath, call_with_now
from kith.web.api.views import agenda_item_as_dict
from kith.web.errors import NotAvailable, service
from kith.web.pages.common import KIND_OPTIONS, FormCtx, PageCtx, has_people
from kith.web.render import page, redirect

router = APIRouter()


def load_agenda(ctx: PageCtx, limit: int = 12) -> tuple[list[dict[str, Any]], str | None]:
    """Today's agenda items, or a message saying why there are none (cached per data version)."""

    def compute() -> tuple[list[dict[str, Any]], str | None]:
        try:
            items = call_with_now(service("agenda").agenda, ctx.session, now=ctx.now, limit=limit)
        except NotAvailable as exc:
            return [], str(exc)
        return [agenda_item_as_dict(i) for i in items][:limit], None

    value: tuple[list[dict[str, Any]], str | None] = insight.cached(ctx.session, f"agenda{limit}", ctx.now, compute)[0]
    return value


@router.get("/", response_class=HTMLResponse)
def dashboard(ctx: PageCtx) -> Response:
    """The day's view of the network; the onboarding page while the workspace is empty.

    Every figure comes from the worker's cache of computed views
    (:mod:`kith.web.insight`): computed once per data change and hour, not per request.
    """
    if not has_people(ctx.session):
        return page(ctx, "onboarding.html", title="Welcome")
    agenda, agenda_missing = load_agenda(ctx)
    _ties, as_of = insight.scores_at(ctx.session, ctx.now)
    head = insight.cached_headline(ctx.session, ctx.now)
    monthly = insight.monthly_activity(ctx.session, ctx.now)
    layers_chart, trend_chart = insight.cached(ctx.session, "dashboard charts", ctx.now, lambda: (
        charts.layer_bars(head.layers, title="People per layer"),
        charts.bar_chart(monthly, title="Interactions per month, last 12 months"),
    ))[0]
    return page(
        ctx,
        "dashboard.html",
        title="Dashboard",
        agenda=agenda,
        agenda_missing=agenda_missing,
        head=head,
        figures_as_of=as_of,
        layers_chart=layers_chart,
        trend_chart=trend_chart,
        monthly=monthly,
        cooling=insight.cooling_key_ties(ctx.session, ctx.now),
        kind_options=KIND_OPTIONS,
    )


@router.post("/demo")
def load_demo(ctx: FormCtx) -> Response:
    """Fill an empty workspace with the demo network."""
    demo = service("demo")
    if has_people(ctx.session):
        raise BadInput("the demo only loads into an empty workspace")
    summary = demo.build_demo(ctx.session, now=ctx.now, seed=7)
    insight.forget(ctx.session)
    text = ", ".join(f"{v} {k}" for k, v in summary.items()) if isinstance(summary, dict) else "done"
    return redirect(ctx, "/", f"Demo network loaded: {text}.")


@router.post("/agenda/{person_id}/done")
def agenda_done(ctx: FormCtx, person_id: IdPath, action: Annotated[str, Form(max_length=30)] = "*") -> Response:
    """One click: this agenda action is done."""
    person = get_person(ctx.session, person_id)
    service("agenda").mark_done(ctx.session, person, ctx.now, None if action == "*" else action)
    insight.forget(ctx.session)
    return redirect(ctx, "/", f"Done: {action} {person.display_name}.")


@router.post("/agenda/{person_id}/snooze")
def agenda_snooze(ctx: FormCtx, person_id: IdPath, span: Annotated[str, Form(max_length=20)] = "1w") -> Response:
    """One click: hide this person's agenda actions for a while."""
    person = get_person(ctx.session, person_id)
    mod = service("agenda")
    mod.snooze(ctx.session, person, ctx.now, mod.parse_until(span, ctx.now))
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
    try:
        log_interaction(ctx.session, [person], kind, when=when, now=ctx.now, direction=by or None, sentiment=mood, note=note)
    except KithError:
        raise
    insight.forget(ctx.session)
    target = back if back.startswith("/") and not back.startswith("//") else f"/people/{person.id}"
    return redirect(ctx, target, f"Logged {kind} with {person.display_name}.")
