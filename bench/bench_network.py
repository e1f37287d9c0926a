"""Benchmark the network commands: `kith network` end to end, and reach and ask.

**`kith network --json`, the whole process** (``--part network``): the
``kith`` command of this virtual environment run as a subprocess, its output
thrown away, on three networks measured in the same run: one person (what any
command costs: the start-up), the 307-person demo (``kith demo``), and the big
benchmark network of 30,000 people and 1,000,000 interactions built by
``bench/bigdb.py`` (``--big PATH``; copied first, because a command may write
statistics to the database it opens). Bytecode caching is on for the
subprocesses, as on a user's machine. Each is run once to warm up, then
``--runs`` times: the median and the best wall time, the CPU time and the peak
memory (the child's own maximum resident set, from ``wait4``) are printed as a
Markdown table with the date, the machine and its load.

**Reach and ask** (``--part reach``): generates a synthetic workspace with bulk
inserts (organisations of about seven people, random relations, three-person
interactions), then times the cold graph build, the tie scores, and warm
``reach`` and ``ask``.

    .venv/bin/python bench/bench_network.py [--part all|network|reach] [--big PATH] [--runs 5]
                                            [--people 30000] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from kith.engine.kinds import RelationKind
from kith.normalize import fold
from kith.services import network as network_svc
from kith.services.ask import who_can_help
from kith.services.reach import plan_reach
from kith.store.db import make_engine, migrate
from kith.store.models import (
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)
from kith.store.scope import local_workspace, session_factory, workspace_session

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
ROLES = ["Casting Director", "Producer", "Publicist", "Software Engineer", "Product Manager", "Partner",
         "Investor", "Designer", "Editor", "Writer", "Agent", "Recruiter", "Founder", "Accountant", "Lawyer",
         "Photographer", "Make-up Artist", "Assistant", "Sales Director", "Marketing Manager"]
INDUSTRIES = ["film", "music", "software", "venture capital", "publishing", "advertising", "fashion", "finance"]
TAGS = ["film", "music", "startup", "investor", "job-seeker", "crew", "press", "client", "mentor", "alumni"]
KINDS = ["coffee", "call", "meeting", "email", "meal", "message"]
FIRST = ["Ana", "Ben", "Cara", "Dan", "Eve", "Finn", "Gil", "Hana", "Ivo", "Jade", "Kai", "Lea", "Mia", "Noor"]
LAST = ["Diaz", "Ode", "Lim", "Wu", "Ng", "Holt", "Ray", "Sato", "Park", "Stone", "Reyes", "Fox", "Cole", "Yu"]


def insert_rows(engine: Engine, model: Any, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    """Bulk insert with SQLAlchemy Core."""
    with engine.begin() as conn:
        for i in range(0, len(rows), chunk):
            conn.execute(insert(model), rows[i:i + chunk])


def generate(engine: Engine, ws: int, people: int, rng: random.Random) -> None:
    """Organisations, people, tags, relations and interactions (ids are dense from 1)."""
    n_orgs = people // 7
    insert_rows(engine, Organization, [
        {"id": i, "workspace_id": ws, "name": f"Org {i}", "name_key": f"org {i}",
         "industry": rng.choice(INDUSTRIES), "note": ""} for i in range(1, n_orgs + 1)])
    rows = []
    for pid in range(1, people + 1):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {pid}"
        title = rng.choice(ROLES)
        rows.append({"id": pid, "workspace_id": ws, "display_name": name, "name_key": fold(name),
                     "search_key": fold(f"{name} {title}"), "title": title, "notes": "",
                     "organization_id": rng.randint(1, n_orgs), "created_at": NOW, "updated_at": NOW,
                     "closeness": rng.choice([None] * 9 + [rng.randint(20, 95)])})
    insert_rows(engine, Person, rows)
    insert_rows(engine, Tag, [{"id": i, "workspace_id": ws, "name": t} for i, t in enumerate(TAGS, 1)])
    insert_rows(engine, PersonTag, [{"workspace_id": ws, "person_id": p, "tag_id": t}
                                    for p in range(1, people + 1) for t in rng.sample(range(1, len(TAGS) + 1), 1)])
    kinds = [k.value for k in RelationKind]
    pairs = {(rng.randint(1, people), rng.choice(kinds), rng.randint(1, people)) for _ in range(people * 10 // 3)}
    insert_rows(engine, Relation, [{"workspace_id": ws, "src_id": a, "kind": k, "dst_id": b, "created_at": NOW}
                                   for a, k, b in pairs if a != b])
    n_inter = people * 7 // 6
    insert_rows(engine, Interaction, [
        {"id": i, "workspace_id": ws, "occurred_at": NOW - timedelta(days=rng.randint(0, 730)),
         "kind": rng.choice(KINDS), "created_at": NOW, "dedupe_key": None} for i in range(1, n_inter + 1)])
    insert_rows(engine, InteractionParticipant, [
        {"workspace_id": ws, "interaction_id": i, "person_id": p}
        for i in range(1, n_inter + 1) for p in rng.sample(range(1, people + 1), 3)])


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# ------------------------------------------------ kith network, end to end
KITH = Path(sys.executable).with_name("kith")


@dataclass(frozen=True)
class Run:
    """One ``kith network --json`` process: wall and CPU seconds, peak resident memory."""

    wall: float
    cpu: float
    peak_mb: float


def run_network(db: Path) -> Run:
    """Run ``kith --db DB network --json`` once; its own resource usage from ``wait4``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen([str(KITH), "--db", str(db), "network", "--json"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"kith network failed on {db}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def network_networks(work: Path, big: Path | None) -> list[tuple[str, Path]]:
    """The one-person, demo and (copied) big databases, made in ``work``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    one, demo = work / "one.db", work / "demo.db"
    subprocess.run([str(KITH), "--db", str(one), "add", "Solo Person"], check=True, capture_output=True, env=env)
    subprocess.run([str(KITH), "--db", str(demo), "demo"], check=True, capture_output=True, env=env)
    cases = [("one person (the start-up)", one), ("demo: 307 people", demo)]
    if big is not None:
        copy = work / "big.db"
        with sqlite3.connect(f"file:{big}?mode=ro", uri=True) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)  # never write to the original; a consistent copy even while it is open
        cases.append(("big: 30,000 people, 1,000,000 interactions", copy))
    return cases


def bench_kith_network(big: Path | None, runs: int) -> None:
    """Print the Markdown table of ``kith network --json`` on each network."""
    work = Path(tempfile.mkdtemp(prefix="kith-bench-network-"))
    try:
        cases = network_networks(work, big)
        load_before = os.getloadavg()
        rows = []
        for label, db in cases:
            run_network(db)  # warm-up: bytecode compiled, file in the page cache
            done = [run_network(db) for _ in range(runs)]
            walls = [r.wall for r in done]
            rows.append((label, statistics.median(walls), min(walls), statistics.median(r.cpu for r in done),
                         max(r.peak_mb for r in done)))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"\n### `kith network --json`, whole process ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {runs} runs after a warm-up; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after.\n")
    print("| network | wall, median | wall, best | CPU, median | peak memory |\n| --- | ---: | ---: | ---: | ---: |")
    for label, median, best, cpu_s, peak in rows:
        print(f"| {label} | {median:.2f} s | {best:.2f} s | {cpu_s:.2f} s | {peak:.0f} MB |")


# ------------------------------------------------------------ reach and ask
def bench_reach_and_ask(people: int, db: str | None, seed: int) -> None:
    """Time the cold graph build, tie scores and warm reach and ask on a generated workspace."""
    url = db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    ws = local_workspace(factory)
    gen, _ = timed(lambda: generate(engine, ws, people, random.Random(seed)))
    print(f"generated {people} people in {gen:.1f} s ({engine.dialect.name})")
    with workspace_session(factory, ws) as s:
        version, _ = timed(lambda: network_svc.data_version(s), repeat=5)
        build, net = timed(lambda: network_svc.network(s))
        edges = sum(len(v) for v in net.adj.values()) // 2
        ties, _ = timed(lambda: network_svc.my_ties(s, net, NOW))
        index, _ = timed(net.index)
        print(f"graph: {len(net.people)} people, {edges} person-person edges")
        print(f"data version check {version * 1000:.1f} ms; cold build {build:.2f} s; "
              f"tie scores {ties:.2f} s; relevance index {index:.2f} s")
        for target in (net.people[17].name, "Org 42", "casting director", "tag:investor"):
            t, plan = timed(lambda target=target: plan_reach(s, target, NOW), repeat=5)
            print(f"reach {target!r} warm: {t * 1000:.0f} ms ({plan.target.kind}, {len(plan.paths)} paths)")
        for query in ("intro to a casting director", "advice on seed fundraising", "music publicist"):
            t, rows = timed(lambda query=query: who_can_help(s, query, NOW), repeat=5)
            print(f"ask {query!r} warm: {t * 1000:.0f} ms ({len(rows)} answers)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("all", "network", "reach"), default="all")
    parser.add_argument("--big", type=Path, help="the big database (default: bench/bigdb.py's, built if missing)")
    parser.add_argument("--no-big", action="store_true", help="time `kith network` on the small networks only")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--db", help="database URL for reach and ask (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.part in ("all", "network"):
        big = None
        if not args.no_big:
            sys.path.insert(0, str(Path(__file__).parent))
            import bigdb

            big = args.big or bigdb.ensure_apart()
        bench_kith_network(big, args.runs)
    if args.part in ("all", "reach"):
        bench_reach_and_ask(args.people, args.db, args.seed)


if __name__ == "__main__":
    main()
