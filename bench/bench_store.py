"""Store benchmark: bulk-load a big network, then time the reads a user waits for.

On a fresh SQLite file (and on a fresh PostgreSQL database when a server
answers; it is dropped after), insert N people and M interactions through
:mod:`kith.services.bulk` (most interactions with one person, some groups),
then time ``list_people`` of everyone, filtered lists (by tag, by
organisation), ``kith --db X list --json`` as a subprocess and ``kith find``.
Peak memory is the process's maximum resident set size.

    .venv/bin/python bench/bench_store.py [--people 30000] [--interactions 1000000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from kith.engine.kinds import KINDS
from kith.runtime import open_kith
from kith.services.bulk import (
    BulkInteraction,
    BulkPerson,
    insert_interactions_bulk,
    insert_people_bulk,
)
from kith.services.organizations import get_or_create_org
from kith.services.people import PeopleQuery, find_people, list_people, person_as_dict

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
PG_ADMIN = os.environ.get("KITH_BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
KITH = Path(sys.executable).with_name("kith")
ORGS = 200
TAGS = ("film", "publicity", "vc", "startup", "press", "peer", "crew", "legal", "academia", "talent")


def timed(label: str, fn: Callable[[], Any], results: dict[str, float]) -> Any:
    """Run ``fn`` once, print and record its wall time."""
    start = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    print(f"  {label:<42} {results[label]:8.2f} s", flush=True)
    return value


def people_rows(n: int, org_ids: list[int], rng: random.Random) -> Iterator[BulkPerson]:
    """``n`` synthetic people spread over the organisations, with an e-mail and one or two tags."""
    for i in range(n):
        tags = tuple(sorted({rng.choice(TAGS), rng.choice(TAGS)}))
        yield BulkPerson(f"Person{i} Family{i % 997}", rng.choice(org_ids), "producer", (f"p{i}@bench.example",),
                         tags, created_at=NOW - timedelta(days=730))


def interaction_rows(m: int, ids: list[int], rng: random.Random) -> Iterator[BulkInteraction]:
    """``m`` interactions over two years; one in twenty is a group of 3 to 8 people."""
    kinds = sorted(KINDS)
    for _ in range(m):
        group = rng.sample(ids, rng.randint(3, 8)) if rng.random() < 0.05 else [rng.choice(ids)]
        yield BulkInteraction(NOW - timedelta(seconds=rng.randint(60, 730 * 86400)), rng.choice(kinds),
                              tuple(group), sentiment=rng.choice((0, 0, 1, 2, -1)))


def load(url: str, people: int, interactions: int, results: dict[str, float]) -> None:
    """Create the schema and bulk-insert the network."""
    k = open_kith(url, as_of=NOW, init=True)
    rng = random.Random(1)
    with k.session() as s:
        org_ids = [get_or_create_org(s, f"Org {i}", industry="film production").id for i in range(ORGS)]
        ids = timed(f"insert {people:,} people", lambda: insert_people_bulk(s, people_rows(people, org_ids, rng),
                                                                           now=NOW), results)
        timed(f"insert {interactions:,} interactions",
              lambda: insert_interactions_bulk(s, interaction_rows(interactions, ids, rng), now=NOW), results)
    k.close()


def reads(url: str, people: int, results: dict[str, float]) -> None:
    """Time the listings and searches."""
    k = open_kith(url, as_of=NOW)
    with k.session() as s:
        rows = timed(f"list_people all + as dict ({people:,})",
                     lambda: [person_as_dict(p) for p in list_people(s, PeopleQuery())], results)
        assert len(rows) == people
    with k.session() as s:
        timed("list_people --tag vc", lambda: list_people(s, PeopleQuery(tag="vc")), results)
    with k.session() as s:
        timed("list_people --org 'Org 17'", lambda: list_people(s, PeopleQuery(org="Org 17")), results)
    with k.session() as s:
        timed("find_people 'family42'", lambda: find_people(s, "family42"), results)
    k.close()
    for label, args in ((f"kith list --json ({people:,}, subprocess)", ["list", "--json"]),
                        ("kith find person123 --json (subprocess)", ["find", "person123", "--json"])):
        timed(label, lambda args=args: subprocess.run([str(KITH), "--db", url, *args], check=True,
                                                      stdout=subprocess.DEVNULL), results)


def run_backend(name: str, url: str, args: argparse.Namespace) -> dict[str, float]:
    """Load and read on one backend."""
    print(f"{name}: {args.people:,} people, {args.interactions:,} interactions", flush=True)
    results: dict[str, float] = {}
    load(url, args.people, args.interactions, results)
    reads(url, args.people, results)
    return results


def postgres_database() -> tuple[str, Callable[[], None]] | None:
    """A fresh PostgreSQL database URL and its dropper, or None when no server answers."""
    name = f"kith_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL skipped: no server at {PG_ADMIN} ({str(exc).strip().splitlines()[0]})")
        return None

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), drop


def main() -> int:
    """Run the store benchmark on SQLite and, if it answers, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    pg = None if args.no_postgres else postgres_database()
    if pg is not None:
        url, drop = pg
        try:
            run_backend("PostgreSQL", url, args)
        finally:
            drop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory (max RSS of the benchmark process): {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
