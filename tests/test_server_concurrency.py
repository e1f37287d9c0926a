"""Concurrent writers against a real `kith serve`: no stall, no 500, no lost write; SIGTERM ends it quickly.

The outage these reproduce: three simultaneous POST /api/v1/interactions left
one request "idle in transaction" holding its locks while it waited for a
handler thread that the two others, blocked on those locks, were holding.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from live_server import KITH_SCRIPT, LiveServer, kith_env, live_server

WRITERS = 6
POSTS_EACH = 4
CLI_LOGS = 3


def _people(kith_process: Callable[..., Any], n: int = 3) -> None:
    for i in range(n):
        assert kith_process("add", f"Person {i}").code == 0


def _write_concurrently(server: LiveServer, db_url: str, home: Path) -> tuple[list[str], list[str], int]:
    """WRITERS threads posting interactions, and a CLI logging beside them; (acknowledged notes, failures, CLI ok)."""
    acked: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        for j in range(POSTS_EACH):
            note = f"api {i}-{j}"
            ans = server.request("POST", "/api/v1/interactions",
                                 {"people": [1 + (i + j) % 3], "kind": "coffee", "note": note}, timeout=60)
            with lock:
                if ans.status == 201:
                    acked.append(note)
                else:
                    failures.append(f"{ans.status} {ans.body[:200]!r}")

    cli_ok = 0

    def cli_writer() -> None:
        nonlocal cli_ok
        for k in range(CLI_LOGS):
            done = subprocess.run([str(KITH_SCRIPT), "--db", db_url, "log", "Person 1", "call", "--note", f"cli {k}"],
                                  env=kith_env(home), capture_output=True, text=True, timeout=120, check=False)
            if done.returncode == 0:
                cli_ok += 1
            else:
                with lock:
                    failures.append("cli: " + done.stderr.strip())

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    threads.append(threading.Thread(target=cli_writer))
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return acked, failures, cli_ok


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_concurrent_api_writers_and_a_cli_writer_all_succeed_and_nothing_is_lost(
    db_url: str, tmp_path: Path, kith_process: Callable[..., Any], workers: str,
) -> None:
    _people(kith_process)
    with live_server(db_url, tmp_path, "--workers", workers) as server:
        acked, failures, cli_ok = _write_concurrently(server, db_url, tmp_path)
        assert failures == []
        assert len(acked) == WRITERS * POSTS_EACH and cli_ok == CLI_LOGS
        # The server still answers, and every acknowledged write is there.
        listed = server.request("GET", "/api/v1/interactions?limit=500", timeout=10)
        assert listed.status == 200
        notes = {item["note"] for item in listed.json()["items"]}
        assert set(acked) <= notes
        assert {f"cli {k}" for k in range(CLI_LOGS)} <= notes
        assert server.request("GET", "/login", timeout=10).status in (200, 303, 404)


def test_three_simultaneous_posts_are_all_answered_quickly(
    db_url: str, tmp_path: Path, kith_process: Callable[..., Any],
) -> None:
    _people(kith_process, 1)
    with live_server(db_url, tmp_path) as server:
        answers: list[int] = []

        def post() -> None:
            answers.append(server.request("POST", "/api/v1/interactions", {"people": [1], "kind": "coffee"},
                                          timeout=20).status)

        threads = [threading.Thread(target=post) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert answers == [201, 201, 201]


def test_sigterm_stops_the_server_within_ten_seconds_even_with_requests_in_flight(
    db_url: str, tmp_path: Path, kith_process: Callable[..., Any],
) -> None:
    _people(kith_process, 1)
    with live_server(db_url, tmp_path, "--workers", "2") as server:
        threads = [threading.Thread(target=lambda: [server.request("POST", "/api/v1/interactions",
                                                                    {"people": [1], "kind": "coffee"}, timeout=30)
                                                     for _ in range(20)], daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        assert server.stop(wait=12) < 10
