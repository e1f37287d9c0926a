"""CLI commands about the favour ledger: favours list, mark, delete (`kith favour` records one)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table

if TYPE_CHECKING:
    from kith.services import favors as svc
    from kith.services import people as people_svc
else:
    svc = lazy_module("kith.services.favors")
    people_svc = lazy_module("kith.services.people")


commands = command_group()

favours_app = command_group(
    help="The favour ledger: list favours, mark one returned (or done, declined), delete one. "
    "`kith favour PERSON DIRECTION WHAT` records a new one.",
    no_args_is_help=True,
)
commands.add_typer(favours_app, name="favours")


@favours_app.command("list")
def favours_list(
    person: Annotated[str | None, typer.Argument(help="Only this person's favours.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open ones: asked, or done and not returned.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Favours received and given, newest first, with their number (for mark and delete)."""
    with STATE.session() as session:
        person_id = people_svc.resolve_person(session, person).id if person else None
        views, total = svc.list_favors(session, person_id=person_id, open_only=open_only, limit=limit)
    if as_json:
        emit_json([v.as_dict() for v in views])
        return
    if not views:
        say("No open favours." if open_only else "No favours recorded yet.")
        return
    table(None, ["id", "person", "direction", "what", "status", "on"], [
        (v.id, v.person_name, v.direction, v.what, v.status, _day(v.returned_on or v.done_on or v.asked_on))
        for v in views
    ])
    if total > len(views):
        say(f"({len(views)} of {total}; --limit to see more)")


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


@favours_app.command("mark")
def favours_mark(
    favour_id: Annotated[int, typer.Argument(help="The favour's number (kith favours list).", min=1,
                                             max=2_147_483_647)],
    status: Annotated[str, typer.Argument(help="returned, done, declined or asked.")],
    on: Annotated[str | None, typer.Option("--on", help="When (default today, for done and returned).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a favour's status: `returned` once you paid it back (or they did), `done` once an asked one was."""
    now = STATE.now
    day = clock.parse_when(on, now=now).date() if on else None
    changes = svc.FavorChanges(status=status, done_on=day if status == "done" else None,
                               returned_on=day if status == "returned" else None,
                               asked_on=day if status == "asked" else None)
    with STATE.session() as session:
        view = svc.view_of(session, svc.edit_favor(session, svc.get_favor(session, favour_id), changes, now=now))
    if as_json:
        emit_json(view.as_dict())
    else:
        say(f"Favour #{view.id} ({view.what}, {view.direction}, {view.person_name}) is now {view.status}")


@favours_app.command("delete")
def favours_delete(
    favour_id: Annotated[int, typer.Argument(help="The favour's number (kith favours list).", min=1,
                                             max=2_147_483_647)],
) -> None:
    """Remove a favour from the ledger (kith undo takes it back)."""
    with STATE.session() as session:
        favour = svc.get_favor(session, favour_id)
        view = svc.view_of(session, favour)
        svc.delete_favor(session, favour)
    say(f"Deleted favour #{view.id} ({view.what}, {view.person_name})")
