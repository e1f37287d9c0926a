"""CLI commands about interactions: log and the timeline."""

from __future__ import annotations

from typing import Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.output import emit_json, say, table
from kith.engine.kinds import KINDS
from kith.services import events as events_svc
from kith.services import people as people_svc
from kith.services.interactions import InteractionQuery, list_interactions, log_interaction, view_of

commands = command_group()


@commands.command()
def log(
    people: Annotated[str, typer.Argument(help="One person, or several separated by commas.")],
    kind: Annotated[str, typer.Argument(help="Kind: " + ", ".join(KINDS))],
    on: Annotated[str | None, typer.Option("--on", help="When (default now).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who reached out: me, them or both.")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    sentiment: Annotated[int | None, typer.Option("--sentiment", help="-2 (went badly) to 2 (very well).")] = None,
    event: Annotated[str | None, typer.Option("--event", help="At this event or project.")] = None,
    planned: Annotated[bool, typer.Option("--planned", help="A planned interaction: --on may be in the future.")] = False,
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
            session, persons, kind, when=when, now=now, direction=by, sentiment=sentiment, note=note, event=ev,
            planned=planned,
        )
        data = view_of(inter, {p.id: p.display_name for p in persons}).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Logged {data['kind']} with {', '.join(data['names'])} on {data['on'][:10]}")


@commands.command("interactions")
def interactions_cmd(
    person: Annotated[str | None, typer.Argument(help="Only this person's.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """List interactions, newest first."""
    with STATE.session() as session:
        p = people_svc.resolve_person(session, person) if person else None
        query = InteractionQuery(person_id=p.id if p is not None else None)
        rows = [i.as_dict() for i in list_interactions(session, query, limit=limit, with_names=True)[0]]
    if as_json:
        emit_json(rows)
        return
    table(None, ["on", "kind", "by", "sentiment", "with", "note"], [
        (r["on"][:10], r["kind"], r["direction"], r["sentiment"], ", ".join(r["names"]), r["note"]) for r in rows
    ])
