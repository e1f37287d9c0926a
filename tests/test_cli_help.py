"""Every CLI command has help text, and docs/cli.md (generated from it) is current."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.main import get_command

from kith.cli.base import app
from kith.dev.clidocs import render_cli_docs

DOCS = Path(__file__).parent.parent / "docs" / "cli.md"


def _commands() -> dict[str, object]:
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return dict(group.commands)


def test_every_command_has_help_text() -> None:
    missing = [name for name, cmd in _commands().items() if not (getattr(cmd, "help", None) or "").strip()]
    assert missing == []


def test_the_commands_of_the_cli_contract_exist() -> None:
    contract = {"init", "add", "show", "list", "find", "edit", "link", "log", "tag", "archive", "delete",
                "import", "export", "demo"}
    assert contract <= set(_commands())


def test_docs_cli_md_is_generated_from_the_code() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_cli_docs(), "run: .venv/bin/python -m kith.dev.clidocs"
