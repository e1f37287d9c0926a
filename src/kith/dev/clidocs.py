"""Generate docs/cli.md from the commands' own help, so the docs cannot drift.

Run ``python -m kith.dev.clidocs`` after changing a command; a test checks it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer._click.core import Command, Context
from typer.core import TyperGroup
from typer.main import get_command

from kith.cli.base import app

HEADER = """# Kith command line reference

Generated from the commands' help by `python -m kith.dev.clidocs`; do not edit.

Global options come before the command: `kith [--db PATH_OR_URL] [--as-of DATE] COMMAND ...`
(`KITH_DATABASE_URL` and `KITH_NOW` are the environment forms). Exit codes: 0 success,
1 user error (one line on stderr), 2 bad usage. `--json` prints JSON to stdout.
"""


def render_cli_docs() -> str:
    """The Markdown reference of every command, in alphabetical order; a group's subcommands follow it."""
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    parts = [HEADER]
    ctx = typer.Context(group, info_name="kith")
    for name in sorted(group.commands):
        _command(parts, group.commands[name], name, ctx, "##")
    return "".join(parts)


def _command(parts: list[str], cmd: Command, name: str, parent: Context, level: str) -> None:
    sub = typer.Context(cmd, info_name=name, parent=parent)
    path = sub.command_path
    usage = " ".join(cmd.collect_usage_pieces(sub))
    parts.append(f"\n{level} {path}\n\n`{path} {usage}`\n\n{(cmd.help or '').strip()}\n")
    rows = []
    for param in cmd.params:
        if param.name == "help":
            continue
        opts = ", ".join(getattr(param, "opts", []) or [param.name or ""])
        kind = "argument" if param.param_type_name == "argument" else "option"
        rows.append(f"| `{opts}` | {kind} | {(getattr(param, 'help', None) or '').strip()} |")
    if rows:
        parts.append("\n| name | kind | help |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n")
    if isinstance(cmd, TyperGroup):
        for child in cmd.list_commands(sub):
            found = cmd.get_command(sub, child)
            if found is not None:
                _command(parts, found, child, sub, "###")


def main() -> int:
    """Write docs/cli.md next to the source tree."""
    target = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
    target.write_text(render_cli_docs(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
