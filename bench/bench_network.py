"""Benchmark the people graph: 30,000 people and about 300,000 person-person edges.

Generates a synthetic workspace with bulk inserts (organisations of about
seven people, random relations, three-person interactions), then times the
cold graph build, the tie scores, and warm ``reach`` and ``ask``.

    .venv/bin/python bench/bench_network.py [--people 30000] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    ws = local_workspace(factory)
    gen, _ = timed(lambda: generate(engine, ws, args.people, random.Random(args.seed)))
    print(f"generated {args.people} people in {gen:.1f} s ({engine.dialect.name})")
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


if __name__ == "__main__":
    main()
