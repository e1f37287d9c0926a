"""The root of the ``kith`` command tree: global options, and which module holds each command.

A command's module is imported only when that command is looked up
(:class:`kith.cli.lazy.LazyCommands`): ``kith agenda`` loads
:mod:`kith.cli.agenda` and its services, not the other fifteen modules, and
Typer builds only that module's commands. ``kith --help`` looks every command
up, so it still lists them all. Each module declares its commands on its own
``commands`` object (:func:`command_group`); ``tests/test_cli_help.py``
checks that :data:`COMMANDS` names exactly the commands the modules declare.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kith.cli.context import STATE
from kith.cli.lazy import LazyCommands

# Every top-level command and the module that declares it, in the order `kith --help` lists them.
COMMANDS: dict[str, str] = {
    **dict.fromkeys(("agenda", "done", "snooze", "report"), "kith.cli.agenda"),
    **dict.fromkeys(("init", "demo", "import", "export"), "kith.cli.data"),
    **dict.fromkeys(("dupes", "keep-apart", "merge"), "kith.cli.dupes"),
    **dict.fromkeys(("log", "interactions"), "kith.cli.interactions"),
    **dict.fromkeys(("reach", "ask", "network", "thank"), "kith.cli.network"),
    **dict.fromkeys(("add", "show", "list", "find", "edit", "link", "tag", "archive", "delete"), "kith.cli.people"),
    "undo": "kith.cli.undo",
    **dict.fromkeys(("score", "rescore", "favour"), "kith.cli.scores"),
    "favours": "kith.cli.favours",
    "model": "kith.cli.scores",
    "serve": "kith.cli.serve",
    **dict.fromkeys(("sync", "digest"), "kith.cli.sync"),
    "cadence": "kith.cli.agenda",
    "goal": "kith.cli.goals",
    "opportunity": "kith.cli.network",
    "account": "kith.cli.sync",
    **dict.fromkeys(("user", "token"), "kith.cli.users"),
}


def command_group(**options: Any) -> typer.Typer:
    """A module's ``commands`` (or a sub-group such as ``kith cadence``), configured like the root."""
    return typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None, **options)


class KithCommands(TyperGroup):
    """The root group: its commands are loaded from their modules on first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(COMMANDS)


app = typer.Typer(
    name="kith",
    cls=KithCommands,
    help="Kith: keep a quality professional network alive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON to stdout.")]


@app.callback()
def main_options(
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="KITH_DATABASE_URL", help="Database path or URL (sqlite or postgresql+psycopg)."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", envvar="KITH_NOW", help="Compute everything as of this date or datetime."),
    ] = None,
) -> None:
    """Kith: keep a quality professional network alive."""
    STATE.db = db
    STATE.as_of_text = as_of
