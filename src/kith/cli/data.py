"""CLI commands about the database as a whole: init, demo, import, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.output import say, warn
from kith.errors import BadInput
from kith.importers import IMPORT_FORMATS
from kith.services import exports

commands = command_group()


@commands.command()
def init() -> None:
    """Create the database, or upgrade it to this version of Kith (idempotent)."""
    kith = STATE.kith(init=True)
    say(f"Database ready: {kith.engine.url.render_as_string(hide_password=True)}")


@commands.command()
def demo(
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same network).")] = 7,
    force: Annotated[bool, typer.Option("--force", help="Add the demo even if the database has people.")] = False,
) -> None:
    """Fill the database with a realistic demo professional network."""
    from kith.services.demo import build_demo, is_empty

    with STATE.session() as session:
        if not force and not is_empty(session):
            raise BadInput("the database already has people; use an empty database (--db) or --force")
        summary = build_demo(session, now=STATE.now, seed=seed)
    say("Demo network: " + ", ".join(f"{v} {k}" for k, v in summary.items()))


@commands.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="auto (from the file's name or first lines), " + ", ".join(IMPORT_FORMATS) + "; or history, undo")],
    file: Annotated[str | None, typer.Argument(
        metavar="FILE", help="The file to import (mbox also takes a Maildir folder); for undo, the import's number.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False,
    me: Annotated[list[str] | None, typer.Option("--me", help="Your own e-mail address (mbox, ics) or name/profile URL (linkedin-messages); repeatable.")] = None,
    no_photos: Annotated[bool, typer.Option("--no-photos", help="vcard: drop photos.")] = False,
    photos_dir: Annotated[Path | None, typer.Option("--photos-dir", help="vcard: where to keep photos.")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="The file's text encoding (e.g. cp1252, latin-1, utf-16), instead of detecting it.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a file (what it adds, updates, holds for review and rejects is summarised at the end).

    `kith import FILE` (or `kith import auto FILE`) tells the format from the file's name or first lines.
    `kith import history` lists the imports; `kith import undo RUN` removes what import RUN added and restores
    what it changed (refused, saying why, if later edits depend on it).
    """
    if fmt in ("history", "undo"):
        from kith.cli.importing import run_history, run_undo

        if fmt == "history":
            run_history(as_json)
        else:
            run_undo(file, as_json)
        return
    if file is None and fmt not in IMPORT_FORMATS and fmt != "auto":
        if Path(fmt).exists():
            fmt, file = "auto", fmt  # `kith import FILE`: the format told from the file
        elif "/" in fmt or Path(fmt).suffix:
            raise BadInput(f"{fmt}: no such file")
    if fmt not in IMPORT_FORMATS and fmt != "auto":
        raise BadInput(f"unknown import format '{fmt}' (known: auto, {', '.join(IMPORT_FORMATS)}; or history, undo)")
    if not file:
        raise BadInput(f"kith import {fmt} needs the FILE to import")
    if fmt == "auto":
        from kith.services.import_formats import detect_format

        fmt = detect_format(Path(file))
        if not as_json:
            warn(f"{Path(file).name}: read as {fmt}")
    if fmt == "backup":
        _import_backup(Path(file), dry_run)
        return
    from kith.cli.importing import run_import

    run_import(fmt, Path(file), dry_run=dry_run, me=me or [], photos=not no_photos, photos_dir=photos_dir,
               as_json=as_json, encoding=encoding)


def _import_backup(file: Path, dry_run: bool) -> None:
    from kith.services.backup import import_backup

    data = _read_json(file)
    with STATE.session() as session:
        summary = import_backup(session, data)
        if dry_run:
            session.rollback()
    say(("Would import: " if dry_run else "Imported: ") + ", ".join(f"{v} {k}" for k, v in summary.items()))


@commands.command()
def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=", ".join(exports.FORMATS))],
    file: Annotated[Path, typer.Argument(help="Where to write ('-' for stdout).")],
) -> None:
    """Export your data: backup (JSON), vcard (4.0), csv, ics (the agenda)."""
    exports.check_format(fmt)
    with STATE.session() as session:
        text = exports.export_file(session, fmt, now=STATE.now).text
    if str(file) == "-":
        typer.echo(text, nl=False)
        return
    try:
        file.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise BadInput(f"cannot write {file}: {exc.strerror}") from None
    warn(f"Wrote {file}")


def _read_json(file: Path) -> object:
    from kith.services.backup import read_backup

    return read_backup(file)
