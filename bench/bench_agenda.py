"""Time ``agenda()`` (and optionally ``report()``) on a large synthetic network.

Builds (once; reused when the file exists) a database of 30,000 people and
1,000,000 interactions with events, favours, gatekeepers, cadences and a goal,
then times the agenda, separating the time spent in ``tie_scores`` (the
engine's share) from the agenda's own queries and rules.

    .venv/bin/python bench/bench_agenda.py [--people 30000] [--interactions 1000000]
        [--db sqlite:////tmp/kith-bench.db | postgresql+psycopg://...] [--report] [--rebuild]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.services import agenda as agenda_svc
from kith.services import report as report_svc
from kith.services.scores import PersonTie, tie_scores
from kith.store.db import make_engine, migrate
from kith.store.models import (
    Cadence,
    Event,
    EventMember,
    Favor,
    Goal,
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)
from kith.store.scope import local_workspace, session_factory, workspace_session

AS_OF = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
CHUNK = 50_000


def chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i:i + CHUNK]


def build(engine: Engine, ws: int, n_people: int, n_inter: int, seed: int = 7) -> None:
    """Fill an empty database with a reproducible synthetic network."""
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        orgs = [{"id": i + 1, "workspace_id": ws, "name": f"Org {i}", "name_key": f"org {i}",
                 "industry": ["film", "music", "tech", "finance"][i % 4]} for i in range(300)]
        conn.execute(insert(Organization), orgs)
        conn.execute(insert(Event), [
            {"id": i + 1, "workspace_id": ws, "name": f"Event {i}", "kind": "project" if i % 5 == 0 else "event",
             "starts_on": (AS_OF - timedelta(days=int(d))).date(),
             "ends_on": (AS_OF - timedelta(days=int(d) - 2)).date()}
            for i, d in enumerate(rng.integers(3, 400, 40))])
        people: list[dict[str, Any]] = [{
            "id": i + 1, "workspace_id": ws, "display_name": f"Person {i}", "name_key": f"person {i}",
            "search_key": f"person {i}", "organization_id": int(rng.integers(1, 301)) if i % 3 else None,
            "title": ["producer", "publicist", "engineer", "assistant", ""][i % 5], "is_key": i % 100 == 0,
            "closeness": int(rng.integers(0, 101)) if i % 50 == 0 else None, "archived": i % 97 == 0,
            "met_on": (AS_OF - timedelta(days=int(rng.integers(0, 90)))).date() if i % 60 == 0 else None,
            "met_at_event_id": int(rng.integers(1, 41)) if i % 60 == 0 else None,
            "provenance": {}, "created_at": AS_OF - timedelta(days=1000), "updated_at": AS_OF,
        } for i in range(n_people)]
        for part in chunks(people):
            conn.execute(insert(Person), part)
        _extras(conn, ws, rng, n_people)
        _interactions(conn, ws, rng, n_people, n_inter)


def _extras(conn: Any, ws: int, rng: np.random.Generator, n: int) -> None:
    """Tags, members, favours, gatekeepers, cadences and a goal."""
    conn.execute(insert(Tag), [{"id": 1, "workspace_id": ws, "name": "film"}, {"id": 2, "workspace_id": ws, "name": "friends"}])
    tags = [{"workspace_id": ws, "person_id": p, "tag_id": 1 + p % 2} for p in range(1, n + 1, 7)]
    conn.execute(insert(PersonTag), tags)
    members = {(int(e), int(p)) for e, p in zip(rng.integers(1, 41, 2000), rng.integers(1, n + 1, 2000), strict=True)}
    conn.execute(insert(EventMember), [{"workspace_id": ws, "event_id": e, "person_id": p, "role": "met" if p % 2 else "crew",
                                        "behind_scenes": p % 3 == 0} for e, p in members])
    conn.execute(insert(Favor), [{
        "workspace_id": ws, "person_id": int(p), "direction": "received" if i % 2 else "given",
        "what": f"favour {i}", "status": ["done", "asked", "returned", "done"][i % 4],
        "done_on": (AS_OF - timedelta(days=int(rng.integers(0, 500)))).date(), "created_at": AS_OF,
    } for i, p in enumerate(rng.integers(1, n + 1, 3000))])
    keys = list(range(1, n + 1, 100))
    conn.execute(insert(Relation), [{"workspace_id": ws, "src_id": k + j, "kind": kind, "dst_id": k, "created_at": AS_OF}
                                    for k in keys for j, kind in ((1, "assistant-of"), (2, "works-with")) if k + j <= n])
    cadences = [{"workspace_id": ws, "scope": "tag", "target": "film", "days": 30},
                {"workspace_id": ws, "scope": "layer", "target": "close", "days": 21}]
    cadences += [{"workspace_id": ws, "scope": "person", "target": str(p), "days": 14} for p in range(3, n + 1, 30)]
    conn.execute(insert(Cadence), cadences)
    conn.execute(insert(Goal), [{"workspace_id": ws, "title": "Film publicity", "target_orgs": ["Org 1", "Org 2"],
                                 "industries": ["film"], "roles": ["publicist"], "tags": ["film"], "created_at": AS_OF}])


def _interactions(conn: Any, ws: int, rng: np.random.Generator, n_people: int, n_inter: int) -> None:
    """Interactions over three years, a few people much more active than most."""
    kinds = [k for k in KINDS if k != "note"]
    weights = np.array([5.0 if KINDS[k].hello else 1.0 for k in kinds])
    kind_ix = rng.choice(len(kinds), n_inter, p=weights / weights.sum())
    who = np.minimum((rng.pareto(1.2, n_inter) * n_people / 20).astype(np.int64), n_people - 1) + 1
    rng.shuffle(who)
    ages = rng.integers(0, 3 * 365 * 86400, n_inter)
    sentiment = rng.choice([-2, -1, 0, 1, 2], n_inter, p=[0.01, 0.03, 0.76, 0.15, 0.05])
    direction = rng.choice(["out", "in", "mutual"], n_inter)
    for start in range(0, n_inter, CHUNK):
        stop = min(start + CHUNK, n_inter)
        conn.execute(insert(Interaction), [{
            "id": i + 1, "workspace_id": ws, "occurred_at": AS_OF - timedelta(seconds=int(ages[i])),
            "kind": kinds[kind_ix[i]], "direction": str(direction[i]), "sentiment": int(sentiment[i]),
            "note": "", "source": "bench", "created_at": AS_OF,
        } for i in range(start, stop)])
        conn.execute(insert(InteractionParticipant), [
            {"workspace_id": ws, "interaction_id": i + 1, "person_id": int(who[i])} for i in range(start, stop)])


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Wall times of ``repeat`` runs of ``fn`` and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def fmt(times: list[float]) -> str:
    return f"best {min(times):.3f} s, median {statistics.median(times):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite:////tmp/kith-bench-agenda.db")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--report", action="store_true", help="also time report() (24 month-end scorings)")
    parser.add_argument("--no-scores", action="store_true",
                        help="skip tie_scores (time only the agenda's own work, with no scores)")
    parser.add_argument("--rebuild", action="store_true", help="drop the data and build it again")
    args = parser.parse_args()
    engine = make_engine(args.db)
    migrate(engine)
    factory = session_factory(engine)
    ws = local_workspace(factory)
    with Session(engine) as s:
        have = s.scalar(select(func.count()).select_from(Interaction))
    if args.rebuild and have:
        raise SystemExit("--rebuild: point --db at a fresh database (this one has data)")
    if not have:
        t0 = time.perf_counter()
        build(engine, ws, args.people, args.interactions)
        print(f"built {args.people} people, {args.interactions} interactions in {time.perf_counter() - t0:.1f} s")
    with workspace_session(factory, ws) as session:
        ties: dict[int, PersonTie] = {}
        if args.no_scores:
            score_times = [float("nan")]
            total_times = [float("nan")]
        else:
            score_times, ties = timed(lambda: tie_scores(session, AS_OF), max(1, args.repeat // 2))
            total_times, _ = timed(lambda: agenda_svc.agenda(session, AS_OF), args.repeat)
        # The agenda's own cost: the same run with the scores already computed.
        setattr(agenda_svc, "tie_scores", lambda *_a, **_k: ties)  # noqa: B010
        try:
            own_times, items = timed(lambda: agenda_svc.agenda(session, AS_OF), args.repeat)
        finally:
            setattr(agenda_svc, "tie_scores", tie_scores)  # noqa: B010
        print(f"backend {engine.dialect.name}; as of {AS_OF.date()}; {len(items)} agenda items")
        print(f"tie_scores (everyone):          {fmt(score_times)}")
        print(f"agenda() total:                 {fmt(total_times)}")
        print(f"agenda() without tie_scores:    {fmt(own_times)}")
        counts: dict[str, int] = {}
        for item in items:
            counts[item.action] = counts.get(item.action, 0) + 1
        print("items per action:", dict(sorted(counts.items())))
        if args.report:
            report_times, _ = timed(lambda: report_svc.report(session, AS_OF), 1)
            print(f"report() (24 month ends):       {fmt(report_times)}")
    engine.dispose()


if __name__ == "__main__":
    main()

