"""The people list (search, filters, sort, server-side pages) and the person page."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from kith.engine.kinds import LAYERS, RelationKind
from kith.engine.relevance import Profile
from kith.services import people as svc
from kith.services import people_list as listing
from kith.services.cadences import memoized_rules
from kith.services.dashboard import network_ties
from kith.services.goals import GoalRef, RelevantGoal, active_goal_refs, goals_relevant_to
from kith.services.person_view import PersonCard
from kith.services.person_view import person_page as read_person_page
from kith.services.scores import TieTable
from kith.web import charts
from kith.web.api.common import IdPath
from kith.web.pages.common import KIND_LABELS, LOG_KINDS, FormCtx, PageCtx
from kith.web.render import ago, page, redirect

router = APIRouter()
PAGE_SIZE = 50
TIMELINE_SIZE = 100  # newest interactions on a person's page
RELATION_KINDS = tuple(k.value for k in RelationKind)


@router.get("/people", response_class=HTMLResponse)
def people_list(
    ctx: PageCtx,
    q: Annotated[str, Query(max_length=200)] = "",
    tag: Annotated[str, Query(max_length=100)] = "",
    org: Annotated[str, Query(max_length=300)] = "",
    layer: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "name",
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """Everyone, one page at a time; the search form works without JavaScript."""
    query = listing.PeopleQuery(
        q=q or None, tag=tag or None, org=org or None, layer=layer if layer in LAYERS else None,
        sort=sort if sort in ("name", "recent", "created", "score") else "name",
    )
    found = listing.list_people(ctx.session, query, as_of=ctx.now, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    ties = network_ties(ctx.session, ctx.now)[0] if found.items else None
    lines = [_line(p, ties, ctx.now) for p in found.items]
    total = found.total
    pages = max(1, -(-total // PAGE_SIZE))
    params = {k: v for k, v in {"q": query.q or "", "tag": tag, "org": org, "layer": query.layer or "", "sort": query.sort}.items() if v}

    def link(n: int) -> str:
        return "/people?" + urlencode({**params, "page": n})

    template = "_people_rows.html" if ctx.request.headers.get("hx-request") and ctx.request.headers.get("hx-target") == "people-results" else "people.html"
    return page(
        ctx, template, title="People", rows=lines, total=total, page_no=page_no, pages=pages,
        prev_link=link(page_no - 1) if page_no > 1 else None, next_link=link(page_no + 1) if page_no < pages else None,
        q=query.q or "", tag=tag, org=org, layer=query.layer or "", sort=query.sort, layers=LAYERS,
    )


class ListLine(NamedTuple):
    """One line of the people list: the person and their tie as the list shows it."""

    person: listing.PersonSummary
    score: int | None  # None: archived, no score
    layer: str
    last_contact: str


def _line(person: listing.PersonSummary, ties: TieTable | None, now: datetime) -> ListLine:
    tie = ties.get(person.id) if ties is not None else None
    if tie is None:
        return ListLine(person, None, "", "")
    return ListLine(person, round(tie.score), tie.layer, ago(tie.last_at, now))


@router.post("/people")
def add_person(
    ctx: FormCtx,
    name: Annotated[str, Form(max_length=300)],
    email: Annotated[str, Form(max_length=320)] = "",
    org: Annotated[str, Form(max_length=300)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Add a person from the people page."""
    person = svc.add_person(
        ctx.session,
        svc.NewPerson(
            name=name, emails=[email] if email.strip() else [], org=org.strip() or None,
            title=title, tags=[t for t in tags.replace(",", " ").split() if t],
        ),
        now=ctx.now,
    )
    ctx.session.flush()
    return redirect(ctx, f"/people/{person.id}", f"Added {person.display_name}.")


def _goal_relevance(refs: list[GoalRef], person: PersonCard, tag_names: list[str]) -> list[RelevantGoal]:
    """The active goals this person is relevant to, with the same reasons the audit and the agenda give."""
    profile = Profile(person.id, person.title, person.org_name or "", person.org_industry or "", tuple(tag_names))
    return goals_relevant_to(refs, profile)


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(ctx: PageCtx, person_id: IdPath) -> Response:
    """A person: score and its explanation, layer, cadence, timeline, favours, relations, goals."""
    ties, as_of = network_ties(ctx.session, ctx.now)  # the memoized whole-network scores (layers)
    view = read_person_page(ctx.session, person_id, ties.get(person_id), as_of, timeline_limit=TIMELINE_SIZE)
    person, tie = view.person, view.tie
    components: list[tuple[str, float]] = sorted((tie.components or {}).items(), key=lambda kv: -abs(kv[1])) if tie else []
    return page(
        ctx, "person.html", title=person.display_name, person=person, tie=tie,
        meter=charts.meter(tie.score if tie else 0, label="Tie score"), components=components,
        cadence=memoized_rules(ctx.session).choose(person.id, view.tags, tie),
        timeline=view.timeline, timeline_size=TIMELINE_SIZE, favors=view.favors,
        relations=view.relations, names=view.names,
        goals=_goal_relevance(active_goal_refs(ctx.session, ctx.now), person, view.tags),
        identifiers=view.identifiers, tags=view.tags,
        kinds=LOG_KINDS, kind_labels=KIND_LABELS, relation_kinds=RELATION_KINDS,
    )
