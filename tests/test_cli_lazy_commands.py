"""`kith` imports a command's module only when that command runs, and still lists and runs every command.

The root group (:mod:`kith.cli.base`) maps each command's name to the module
that declares it; a command line loads that module alone. These tests keep
the map and the modules in step, and check in new processes what a user
sees: `kith --help` lists every command, and `kith NAME ...` loads NAME's
module and no other command module.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import CliResult
from typer.main import get_group

from kith.cli.app import main
from kith.cli.base import COMMANDS

MODULES = sorted(set(COMMANDS.values()))


def declared_by(module: str) -> set[str]:
    """The top-level commands (and command groups) a module declares on its ``commands``."""
    return set(get_group(importlib.import_module(module).commands).commands)


def listed_commands(help_text: str) -> list[str]:
    """The command names under "Commands:" in a group's help."""
    section = help_text.split("Commands:", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line[2] != " "]


@pytest.mark.parametrize("module", MODULES)
def test_the_root_names_exactly_the_commands_each_module_declares(module: str) -> None:
    assert declared_by(module) == {name for name, where in COMMANDS.items() if where == module}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_answers_its_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"Usage: kith {name} ")


def test_kith_help_in_a_new_process_lists_every_command(kith_process: Callable[..., CliResult]) -> None:
    result = kith_process("--help")

    assert result.code == 0, result.err
    assert listed_commands(result.out) == list(COMMANDS)


def test_a_misspelt_command_is_still_suggested(kith_process: Callable[..., CliResult]) -> None:
    result = kith_process("lst")

    assert result.code == 2
    assert "No such command 'lst'. Did you mean 'list'?" in result.err


# A new interpreter runs one command line through the entry point, then says which modules it loaded.
LOADED = ("import json, sys\n"
          "from kith.cli.app import main\n"
          "code = main(sys.argv[1:])\n"
          "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
          "sys.exit(code)\n")


@pytest.mark.parametrize("module", MODULES)
def test_a_command_in_a_new_process_imports_its_own_module_and_no_other_command_module(
    module: str, tmp_path: Path
) -> None:
    name = next(n for n, where in COMMANDS.items() if where == module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {f"XDG_{n}_HOME": str(tmp_path / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    done = subprocess.run([sys.executable, "-c", LOADED, name, "--help"], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, encoding="utf-8", timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Usage: kith {name} ")
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert loaded & set(MODULES) == {module}
