"""`kith account add|list|remove` and `kith sync` as a user runs them: one process per command, the password
on stdin and never anywhere else (not the database, not the output), failures in one plain line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from tests.conftest import FIXED_NOW, KITH_SCRIPT
from tests.sync_servers import PASSWORD, USER, Radicale, radicale  # noqa: F401  (fixture)

from kith.runtime import Kith
from kith.store.models import SyncAccount

CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana Lima\r\nEMAIL:ana@example.org\r\nEND:VCARD\r\n"


@pytest.fixture
def run(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if k not in ("KITH_DATABASE_URL", "KITH_NOW")}
    env |= {f"XDG_{n}_HOME": str(tmp_path / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    env |= {"KITH_STRICT_TIES": "1", "KITH_SECRETS": "file"}

    def go(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(KITH_SCRIPT), "--db", db_url, "--as-of", FIXED_NOW.isoformat(), *args],
                              env=env, input=stdin, capture_output=True, encoding="utf-8", timeout=300, check=False)

    return go


def test_an_account_is_added_synced_listed_and_removed_and_its_password_is_kept_only_in_a_private_file(
        run, radicale: Radicale, kith: Kith, tmp_path: Path) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    radicale.put(url, "ana.vcf", CARD)
    added = run("account", "add", "carddav", "phone", "--url", url, "--user", USER, "--password-stdin",
                stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    secrets = tmp_path / "xdg-config" / "kith" / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600 and PASSWORD in secrets.read_text()
    synced = run("sync", "phone")
    assert synced.returncode == 0, synced.stderr
    assert "phone: 1 people added" in synced.stdout
    listed = run("account", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert (row["name"], row["kind"], row["user"], row["last_error"]) == ("phone", "carddav", USER, "")
    assert row["last_summary"]["added"] == 1
    for done in (added, synced, listed):
        assert PASSWORD not in done.stdout + done.stderr
    with kith.factory() as s:
        for account in s.query(SyncAccount):
            assert PASSWORD not in json.dumps([account.options, account.state, account.last_summary, account.url])
    assert run("account", "remove", "phone").returncode == 0
    assert PASSWORD not in secrets.read_text()
    assert json.loads(run("account", "list", "--json").stdout) == []


def test_a_failing_sync_says_why_in_one_line_and_exits_1(run, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    run("account", "add", "carddav", "phone", "--url", url, "--user", USER, "--password-stdin", stdin="nope\n")
    done = run("sync", "--all")
    assert done.returncode == 1
    assert "phone: sync failed: 127.0.0.1: the server refused the user name or password" in done.stderr
    assert "Traceback" not in done.stderr
    radicale.stop()
    down = run("sync", "phone")
    assert down.returncode == 1 and "cannot reach 127.0.0.1" in down.stderr and "Traceback" not in down.stderr
    [row] = json.loads(run("account", "list", "--json").stdout)
    assert row["last_error"].startswith("cannot reach 127.0.0.1")


def test_bad_account_input_is_refused_plainly(run) -> None:  # type: ignore[no-untyped-def]
    wrong = run("account", "add", "imap", "mail", "--url", "http://example.org", "--user", "a", "--password-stdin",
                stdin="x\n")
    assert wrong.returncode == 1 and "an imap account needs an imap:// or imaps:// address" in wrong.stderr
    unknown = run("sync", "nobody")
    assert unknown.returncode == 1 and "no account named 'nobody'" in unknown.stderr
    no_stdin = run("account", "add", "carddav", "x", "--url", "http://h/", "--user", "a")
    assert no_stdin.returncode == 1 and "--password-stdin" in no_stdin.stderr


def test_the_rule_for_people_created_in_kith_is_set_on_the_command_line(run, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    assert run("add", "Cleo Park", "--email", "cleo@example.org").returncode == 0
    added = run("account", "add", "carddav", "phone", "--url", url, "--user", USER, "--password-stdin",
                "--push-new", "tag:phone", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert run("sync", "phone").stdout.count("new cards written") == 0  # Cleo has no tag 'phone'
    changed = run("account", "set", "phone", "--push-new", "all")
    assert changed.returncode == 0 and "new people pushed: all" in changed.stdout, changed.stderr
    assert "1 new cards written" in run("sync", "phone").stdout
    bad = run("account", "set", "phone", "--push-new", "some")
    assert bad.returncode == 1 and "'all', 'none' or 'tag:NAME'" in bad.stderr and "Traceback" not in bad.stderr
    [row] = json.loads(run("account", "list", "--json").stdout)
    assert row["push_new"] == "all"
