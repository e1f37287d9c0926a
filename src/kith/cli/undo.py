"""`kith undo`: take back the latest change of this workspace, or list the recent ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table

if TYPE_CHECKING:
    from kith.services import undo as undo_svc
else:
    undo_svc = lazy_module("kith.services.undo")

commands = command_group()


@commands.command()
def undo(
    change: Annotated[int | None, typer.Argument(help="The change's number (kith undo --list); default: the latest.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="Show the recent changes instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Undo the latest change of this workspace (or change N); --list shows the recent changes and imports."""
    if list_:
        with STATE.session() as session:
            recent = undo_svc.recent(session)
        if as_json:
            emit_json([c.as_dict() for c in recent])
        elif not recent:
            say("No changes yet.")
        else:
            table("Recent changes", ["#", "when", "what", "status", "undo with"],
                  [(c.id, c.at.strftime("%Y-%m-%d %H:%M"), c.label, c.status,
                    c.undo_command if c.undoable or c.kind == "import" else "") for c in recent])
        return
    with STATE.session() as session:
        done = undo_svc.undo(session, change, now=STATE.now)
    if as_json:
        emit_json(done.as_dict())
    else:
        say(f"Undid #{done.id}: {done.label}")
