"""Generate docs/cli.md from the commands' own help, so the docs cannot drift.

Run ``python -m kith.dev.clidocs`` after changing a command; a test checks it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from typer.main import get_command

from kith.cli.base import app

HEADER = """# Kith command line reference

Generated from the commands' help by `python -m kith.dev.clidocs`; do not edit.

Global options come before the command: `kith [--db PATH_OR_URL] [--as-of DATE] COMMAND ...`
(`KITH_DATABASE_URL` and `KITH_NOW` are the environment forms). Exit codes: 0 success,
1 user error (one line on stderr), 2 bad usage. `--json` prints JSON to stdout.
"""


def render_cli_docs() -> str:
    """The Markdown reference of every command, in alphabetical order."""
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    parts = [HEADER]
    ctx = typer.Context(group, info_name="kith")
    for name in sorted(group.commands):
        cmd = group.commands[name]
        sub = typer.Context(cmd, info_name=name, parent=ctx)
        usage = " ".join(cmd.collect_usage_pieces(sub))
        parts.append(f"\n## kith {name}\n\n`kith {name} {usage}`\n\n{(cmd.help or '').strip()}\n")
        rows = []
        for param in cmd.params:
            if param.name == "help":
                continue
            opts = ", ".join(getattr(param, "opts", []) or [param.name or ""])
            kind = "argument" if param.param_type_name == "argument" else "option"
            rows.append(f"| `{opts}` | {kind} | {(getattr(param, 'help', None) or '').strip()} |")
        if rows:
            parts.append("\n| name | kind | help |\n| --- | --- | --- |\n" + "\n".join(rows) + "\n")
    return "".join(parts)


def main() -> int:
    """Write docs/cli.md next to the source tree."""
    target = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
    target.write_text(render_cli_docs(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
