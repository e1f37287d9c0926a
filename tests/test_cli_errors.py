"""Every user error: one clear line on stderr, exit code 1, never a traceback; bad usage exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import CliResult

USER_ERRORS = [
    (["show", "nobody"], "nobody called 'nobody'"),
    (["show", "424242"], "no person with id 424242"),
    (["log", "Ana Diaz", "dance"], "unknown interaction kind 'dance'"),
    (["log", "Ana Diaz", "call", "--on", "next blursday"], "cannot read the date"),
    (["log", "Ana Diaz", "call", "--sentiment", "5"], "sentiment must be between -2 and 2"),
    (["log", "Ana Diaz", "call", "--by", "aliens"], "unknown direction 'aliens'"),
    (["link", "Ana Diaz", "enemy-of", "Bea Lund"], "unknown relation 'enemy-of'"),
    (["link", "Ana Diaz", "knows", "Ana Diaz"], "cannot be knows themselves"),
    (["show", "a"], "matches 2 people"),
    (["add", "Cy", "--email", "not-an-email"], "is not an e-mail address"),
    (["add", "Cy", "--cadence", "often"], "cannot read the duration"),
    (["edit", "Ana Diaz", "--closeness", "101"], "closeness must be between 0 and 100"),
    (["edit", "Ana Diaz", "--birthday", "tomorrow-ish"], "cannot read the birthday"),
    (["list", "--sort", "shoe-size"], "cannot sort by 'shoe-size'"),
    (["import", "backup", "/no/such/file.json"], "no such file"),
    (["import", "klingon", "x.csv"], "unknown import format 'klingon'"),
    (["export", "klingon", "x.csv"], "unknown export format 'klingon'"),
]


@pytest.fixture
def two_people(cli: Callable[..., CliResult]) -> None:
    assert cli("add", "Ana Diaz").code == 0
    assert cli("add", "Bea Lund").code == 0


@pytest.mark.parametrize(("args", "message"), USER_ERRORS, ids=[" ".join(a) for a, _ in USER_ERRORS])
def test_user_errors_print_one_line_and_exit_1(
    cli: Callable[..., CliResult], two_people: None, args: list[str], message: str
) -> None:
    r = cli(*args)
    assert r.code == 1
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in r.err + r.out


def test_a_bad_as_of_date_is_a_user_error(cli: Callable[..., CliResult]) -> None:
    r = cli("list", as_of="the day after never")
    assert r.code == 1 and "cannot read the date" in r.err


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("foo://nowhere", "unsupported database 'foo'"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot open the database"),
        ("/proc/kith-cannot-live-here/kith.db", "cannot create the data folder"),
    ],
)
def test_a_bad_database_is_a_user_error(cli: Callable[..., CliResult], db: str, message: str) -> None:
    r = cli("list", db=db)
    assert r.code == 1, r.err
    assert len(r.err.strip().splitlines()) == 1 and message in r.err


def test_an_unreadable_backup_file_is_a_user_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    r = cli("import", "backup", str(bad))
    assert r.code == 1 and "broken.json: not valid JSON" in r.err


def test_bad_usage_exits_2(cli: Callable[..., CliResult]) -> None:
    assert cli("no-such-command").code == 2
    assert cli("log").code == 2
    assert cli("list", "--limit", "zero").code == 2


def test_the_installed_command_shows_no_traceback_for_user_errors(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "KITH_DATABASE_URL": db_url}
    for args in (["show", "nobody"], ["--as-of", "garbage", "list"], ["--db", "foo://x", "list"]):
        proc = subprocess.run([sys.executable, "-m", "kith.cli.app", *args], capture_output=True, text=True, env=env, timeout=60)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")


def test_delete_without_yes_and_without_a_terminal_deletes_nothing(db_url: str) -> None:
    env = {**os.environ, "KITH_DATABASE_URL": db_url}
    run = [sys.executable, "-m", "kith.cli.app"]
    subprocess.run([*run, "add", "Kim Lo"], check=True, env=env, capture_output=True)
    proc = subprocess.run([*run, "delete", "Kim Lo"], input="n\n", capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "Nothing deleted" in proc.stdout
    assert subprocess.run([*run, "show", "Kim Lo"], env=env, capture_output=True).returncode == 0


@pytest.mark.parametrize(
    ("name", "value", "args"),
    [("KITH_HANDLER_THREADS", "many", ["serve", "--port", "1"]), ("KITH_SQLITE_MMAP", "-5", ["list"])],
)
def test_a_bad_tuning_variable_is_a_user_error(tmp_path: Path, name: str, value: str, args: list[str]) -> None:
    env = {**os.environ, "KITH_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}", name: value}
    proc = subprocess.run([sys.executable, "-m", "kith.cli.app", *args], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == f"error: {name} must be a whole number of at least {1 if 'THREADS' in name else 0}, not '{value}'\n"
