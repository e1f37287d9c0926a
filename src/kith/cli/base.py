"""The Typer application object and its global options."""

from __future__ import annotations

from typing import Annotated

import typer

from kith.cli.context import STATE

app = typer.Typer(
    name="kith",
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
