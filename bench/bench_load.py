"""Load test: concurrent API clients reading and writing, plus a CLI writing in a loop, against a real `kith serve`.

Each backend (SQLite, then PostgreSQL when a server answers) gets a fresh
database with ``--people`` people, a `kith serve --workers W` on a free
loopback port, ``--clients`` concurrent API clients for ``--duration``
seconds and a CLI process logging interactions in a loop beside them. Each
client waits ``--think`` seconds on average (exponentially distributed)
between requests, like a person, and mixes reads (people list, one person,
a person's interactions, the agenda) with writes (log an interaction, add a
person) in the ratio ``--writes``.

Afterwards the database is read directly: every acknowledged write (a 201
from the API, exit 0 from the CLI) must be in it. The verdict: 0 errors
(any answer that is not the expected status, any transport error), 0 lost
writes, p95 < 300 ms for reads and < 500 ms for writes. Exit 1 when errors
or lost writes occur (and, with ``--strict-timing``, when a p95 is over).

    .venv/bin/python bench/bench_load.py                      # the figures of docs/benchmarks.md
    .venv/bin/python bench/bench_load.py --backend sqlite --duration 10 --clients 10

``run_load`` is also called by ``tests/test_load_small.py`` (a few seconds,
no timing assertions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import create_engine, text

KITH = Path(sys.executable).with_name("kith")
PG_ADMIN = os.environ.get("KITH_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
READ_P95_MS = 300.0
WRITE_P95_MS = 500.0


@dataclass
class Result:
    """What one run measured."""

    backend: str
    workers: int
    clients: int
    duration: float
    reads_ms: list[float] = field(default_factory=list)
    writes_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)  # notes (and names) of acknowledged API writes
    cli_acked: list[str] = field(default_factory=list)
    cli_ms: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    @staticmethod
    def pct(values: list[float], p: float) -> float:
        if not values:
            return 0.0
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        return {
            "backend": self.backend, "workers": self.workers, "clients": self.clients, "seconds": self.duration,
            "reads": len(self.reads_ms), "writes": len(self.writes_ms), "cli_writes": len(self.cli_acked),
            "errors": len(self.errors), "lost_writes": len(self.lost),
            "read_p50_ms": round(self.pct(self.reads_ms, 50), 1), "read_p95_ms": round(self.pct(self.reads_ms, 95), 1),
            "read_p99_ms": round(self.pct(self.reads_ms, 99), 1),
            "write_p50_ms": round(self.pct(self.writes_ms, 50), 1),
            "write_p95_ms": round(self.pct(self.writes_ms, 95), 1),
            "write_p99_ms": round(self.pct(self.writes_ms, 99), 1),
            "cli_write_p50_ms": round(self.pct(self.cli_ms, 50), 1),
            "requests_per_s": round((len(self.reads_ms) + len(self.writes_ms)) / max(self.duration, 1e-9), 1),
            "first_errors": self.errors[:5],
        }

    def ok(self, *, timing: bool) -> bool:
        good = not self.errors and not self.lost
        if timing:
            good = good and self.pct(self.reads_ms, 95) < READ_P95_MS and self.pct(self.writes_ms, 95) < WRITE_P95_MS
        return good


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KITH_DATABASE_URL", "KITH_NOW")}
    env |= {f"XDG_{n}_HOME": str(home / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    return env


def _database(backend: str, home: Path) -> tuple[str, str | None]:
    """A fresh database URL (and the PostgreSQL database's name, to drop)."""
    if backend == "sqlite":
        return f"sqlite:///{home / 'load.db'}", None
    name = f"kith_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}", name


def _drop(name: str | None) -> None:
    if name:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _client(http: httpx.AsyncClient, res: Result, people: list[int], end: float, think: float,
                  writes: float, seed: int) -> None:
    rnd = random.Random(seed)
    n = 0
    while time.monotonic() < end:
        await asyncio.sleep(rnd.expovariate(1 / think) if think > 0 else 0)
        if time.monotonic() >= end:
            break
        n += 1
        pid = rnd.choice(people)
        if rnd.random() < writes:
            if rnd.random() < 0.8:
                note = f"api-{seed}-{n}"
                method, url, body, expect = "POST", "/api/v1/interactions", {
                    "people": [pid], "kind": rnd.choice(["coffee", "call", "email", "meeting"]), "note": note}, 201
            else:
                note = f"Load Added {seed} {n}"
                method, url, body, expect = "POST", "/api/v1/people", {"name": note}, 201
            bucket = res.writes_ms
        else:
            note = None
            method, body, expect = "GET", None, 200
            url = rnd.choice([f"/api/v1/people?limit=20&offset={rnd.randrange(0, 80)}", f"/api/v1/people/{pid}",
                              f"/api/v1/interactions?person_id={pid}&limit=20", "/api/v1/agenda?limit=20"])
            bucket = res.reads_ms
        start = time.perf_counter()
        try:
            answer = await http.request(method, url, json=body)
            status, detail = answer.status_code, answer.text[:200]
        except httpx.HTTPError as exc:
            status, detail = 0, repr(exc)[:200]
        bucket.append((time.perf_counter() - start) * 1000)
        if status != expect:
            res.errors.append(f"{method} {url}: {status} {detail}")
        elif note is not None:
            res.acked.append(note)


def _cli_loop(url: str, home: Path, res: Result, end: float, person: str) -> None:
    k = 0
    while time.monotonic() < end:
        k += 1
        note = f"cli-{k}"
        start = time.perf_counter()
        done = subprocess.run([str(KITH), "--db", url, "log", person, "call", "--note", note], env=_env(home),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False)
        res.cli_ms.append((time.perf_counter() - start) * 1000)
        if done.returncode == 0:
            res.cli_acked.append(note)
        else:
            res.errors.append(f"cli log: exit {done.returncode}: {done.stderr.strip()[:200]}")


async def _drive(base: str, res: Result, people: list[int], duration: float, think: float, writes: float) -> None:
    # Idle connections are dropped by the client before the server's keep-alive timeout (5 s) can close them
    # under a request being sent (a race of HTTP keep-alive, not an error of the server).
    limits = httpx.Limits(max_connections=res.clients, max_keepalive_connections=res.clients, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        end = time.monotonic() + duration
        await asyncio.gather(*(_client(http, res, people, end, think, writes, i) for i in range(res.clients)))


def run_load(backend: str, *, clients: int = 50, duration: float = 60.0, workers: int = 2, people: int = 100,
             think: float = 1.0, writes: float = 0.3, cli: bool = True, home: Path | None = None) -> Result:
    """One load run on a fresh database of ``backend``; the measurements (see the module docstring)."""
    own = tempfile.TemporaryDirectory(prefix="kith-load-") if home is None else None
    home = home or Path(own.name)  # type: ignore[union-attr]
    url, pg_name = _database(backend, home)
    res = Result(backend, workers, clients, duration)
    try:
        env = _env(home)
        subprocess.run([str(KITH), "--db", url, "init"], env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(home / "serve.log", "wb")  # noqa: SIM115
        server = subprocess.Popen([str(KITH), "--db", url, "serve", "--port", str(port), "--workers", str(workers)],
                                  env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/api/v1/people?limit=1", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start: " + (home / "serve.log").read_text()[-2000:])
                time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=30) as http:
                ids = [http.post("/api/v1/people", json={"name": f"Load Person {i}"}).json()["id"]
                       for i in range(people)]
            end = time.monotonic() + duration
            cli_thread = threading.Thread(target=_cli_loop, args=(url, home, res, end, "Load Person 3"), daemon=True)
            if cli:
                cli_thread.start()
            started = time.monotonic()
            # The clients' event loop runs in a thread of its own: the caller may already run one (a test
            # session after Playwright's), and asyncio.run refuses to nest.
            driver = threading.Thread(target=lambda: asyncio.run(_drive(base, res, ids, duration, think, writes)))
            driver.start()
            driver.join()
            if cli:
                cli_thread.join(180)
            res.duration = round(time.monotonic() - started, 1)
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                res.errors.append("the server did not stop within 15 s of SIGTERM")
            log.close()
        engine = create_engine(url)
        with engine.connect() as conn:
            notes = set(conn.execute(text("SELECT note FROM interaction")).scalars())
            names = set(conn.execute(text("SELECT display_name FROM person")).scalars())
        engine.dispose()
        res.lost = [a for a in res.acked if a not in notes and a not in names]
        res.lost += [c for c in res.cli_acked if c not in notes]
        return res
    finally:
        _drop(pg_name)
        if own is not None:
            own.cleanup()


def _pg_up() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a client's requests")
    parser.add_argument("--writes", type=float, default=0.3, help="share of requests that write")
    parser.add_argument("--strict-timing", action="store_true", help="exit 1 when a p95 is over its budget")
    args, _unknown = parser.parse_known_args(argv)  # make bench passes the other scripts' options too
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    code = 0
    for backend in backends:
        if backend == "postgresql" and not _pg_up():
            print(f"WARNING: no PostgreSQL server answers at {PG_ADMIN}: the PostgreSQL load run was SKIPPED",
                  file=sys.stderr)
            continue
        res = run_load(backend, clients=args.clients, duration=args.duration, workers=args.workers,
                       people=args.people, think=args.think, writes=args.writes)
        summary = res.summary()
        verdict = "PASS" if res.ok(timing=True) else ("FAIL" if not res.ok(timing=False) else "SLOW")
        print(json.dumps({**summary, "verdict": verdict}, indent=1))
        if not res.ok(timing=args.strict_timing):
            code = 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
