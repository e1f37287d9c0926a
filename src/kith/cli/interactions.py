"""CLI commands about interactions: log and the timeline."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from kith import clock
from kith.cli.base import JsonOpt, app
from kith.cli.context import STATE
from kith.cli.output import emit_json, say, table
from kith.engine.kinds import KINDS
from kith.services import events as events_svc
from kith.services import people as people_svc
from kith.services.interactions import interaction_as_dict, interactions_of, log_interaction
from kith.store.models import Person


@app.command()
def log(
    people: Annotated[str, typer.Argument(help="One person, or several separated by commas.")],
    kind: Annotated[str, typer.Argument(help="Kind: " + ", ".join(KINDS))],
    on: Annotated[str | None, typer.Option("--on", help="When (default now).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who reached out: me, them or both.")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    sentiment: Annotated[int | None, typer.Option("--sentiment", help="-2 (went badly) to 2 (very well).")] = None,
    event: Annotated[str | None, typer.Option("--event", help="At this event or project.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record an interaction with one or several people."""
    now = STATE.now
    when = clock.parse_when(on, now=now) if on else now
    with STATE.session() as session:
        refs = [r for r in (x.strip() for x in people.split(",")) if r]
        persons = [people_svc.resolve_person(session, r) for r in refs]
        ev = events_svc.resolve_event(session, event) if event else None
        inter = log_interaction(
            session, persons, kind, when=when, now=now, direction=by, sentiment=sentiment, note=note, event=ev
        )
        data = interaction_as_dict(inter, {p.id: p.display_name for p in persons})
    if as_json:
        emit_json(data)
    else:
        say(f"Logged {data['kind']} with {', '.join(data['names'])} on {data['on'][:10]}")


@app.command("interactions")
def interactions_cmd(
    person: Annotated[str | None, typer.Argument(help="Only this person's.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List interactions, newest first."""
    with STATE.session() as session:
        p = people_svc.resolve_person(session, person) if person else None
        inters = interactions_of(session, p, limit=limit)
        ids = {pp.person_id for i in inters for pp in i.participants}
        names = {pid: name for pid, name in session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))} if ids else {}
        rows = [interaction_as_dict(i, names) for i in inters]
    if as_json:
        emit_json(rows)
        return
    table(None, ["on", "kind", "by", "sentiment", "with", "note"], [
        (r["on"][:10], r["kind"], r["direction"], r["sentiment"], ", ".join(r["names"]), r["note"]) for r in rows
    ])
