"""Benchmark: tie scores, the agenda and the report at 30,000 people and 1,000,000 interactions.

Measures the cold rebuild of every accumulator from the log, the warm full
rescoring (what `kith score`, the agenda and the report pay), one explanation,
scoring as of a past date, the 24-month series, the agenda (service and the
`kith agenda` command end to end), the report, and incremental logging.
Prints a Markdown table; peak memory from getrusage.

The synthetic log is skewed like a real one: contact concentrates on few
people (weights 1/(rank+1)^0.8), and kinds follow rough real frequencies
(messages and e-mails dominate; favours, referrals and intros are rare).

    .venv/bin/python bench/bench_scores.py [--people 30000] [--interactions 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kith.runtime import open_kith
from kith.services import scores
from kith.services.agenda import agenda
from kith.services.bulk import (
    BulkInteraction,
    BulkPerson,
    insert_interactions_bulk,
    insert_people_bulk,
)
from kith.services.interactions import log_interaction
from kith.services.people import get_person
from kith.services.report import month_ends, report

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
# Share of each kind in the synthetic log (percent).
KIND_MIX = {
    "message": 30, "email": 25, "like": 8, "hello": 5, "call": 8, "video": 4, "meeting": 7, "coffee": 3,
    "meal": 2, "event": 2, "met": 1, "connection": 2, "worked-together": 1.5, "favor-given": 0.1,
    "favor-received": 0.1, "thanks-given": 0.1, "thanks-received": 0.1, "intro-made": 0.05,
    "referral": 0.05, "note": 0.1,
}
OUT = Path(__file__).parent / "out"


def build(url: str, people: int, interactions: int) -> None:
    """Fill a fresh database: skewed contact (a few close ties, a long tail)."""
    rng = random.Random(1)
    kinds, kind_weights = zip(*KIND_MIX.items(), strict=True)
    kith = open_kith(url, as_of=NOW, init=True)
    with kith.session() as s:
        ids = insert_people_bulk(s, (BulkPerson(name=f"Person {i}") for i in range(people)), now=NOW)
    weights = [1.0 / (1 + i) ** 0.8 for i in range(len(ids))]

    def gen() -> object:
        picks = rng.choices(ids, weights=weights, k=interactions)
        for pid in picks:
            group = (pid,) if rng.random() < 0.9 else tuple({pid, *rng.sample(ids, rng.randint(1, 6))})
            kind = rng.choices(kinds, weights=kind_weights)[0]
            yield BulkInteraction(NOW - timedelta(days=rng.uniform(0, 730)), kind, group,
                                  sentiment=rng.choices((0, 1, 2, -1, -2), weights=(60, 25, 12, 2, 1))[0])

    with kith.session() as s:
        insert_interactions_bulk(s, gen(), now=NOW)  # type: ignore[arg-type]
    kith.close()


def timed(label: str, fn: object, rows: list[tuple[str, float]]) -> object:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    rows.append((label, time.perf_counter() - start))
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=30000)
    parser.add_argument("--interactions", type=int, default=1000000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"engine-{args.people}-{args.interactions}.db"
    url = f"sqlite:///{path}"
    rows: list[tuple[str, float]] = []
    if not path.exists():
        timed("build database (bulk path)", lambda: build(url, args.people, args.interactions), rows)
    kith = open_kith(url, as_of=NOW)
    with kith.session() as s:
        timed("rebuild every accumulator from the log (cold)", lambda: scores.rebuild_tie_states(s), rows)
    for attempt in (1, 2, 3):
        with kith.session() as s:
            timed(f"full rescoring of everyone, warm (run {attempt})", lambda: scores.tie_scores(s, NOW), rows)
    with kith.session() as s:
        p = get_person(s, 1)
        timed("explain one person", lambda: scores.explain(s, p, NOW), rows)
    with kith.session() as s:
        timed("score everyone as of a past date (from the log)",
              lambda: scores.tie_scores(s, NOW - timedelta(days=90)), rows)
    with kith.session() as s:
        timed("everyone as of each of 24 month ends (one pass)",
              lambda: scores.tie_scores_series(s, month_ends(NOW)), rows)
    for attempt in (1, 2, 3):
        with kith.session() as s:
            timed(f"agenda (service), run {attempt}", lambda: agenda(s, NOW, limit=20), rows)
    # As on a user's machine: compiled bytecode is cached (some sandboxes set PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def command(*argv: str, db: str = url) -> None:
        subprocess.run([sys.executable, "-m", "kith.cli.app", "--db", db, "--as-of", NOW.isoformat(), *argv],
                       check=True, capture_output=True, env=env)

    tiny = OUT / "engine-tiny.db"  # one person, one interaction: what the command costs whatever the size
    tiny.unlink(missing_ok=True)
    build(f"sqlite:///{tiny}", 1, 1)
    for attempt in (1, 2, 3):
        timed(f"`kith agenda --limit 20` end to end on a one-person network (run {attempt})",
              lambda: command("agenda", "--limit", "20", db=f"sqlite:///{tiny}"), rows)
    for attempt in (1, 2, 3):
        timed(f"`kith find 'Person 7'` end to end: the start-up every command pays (run {attempt})",
              lambda: command("find", "Person 7"), rows)
        timed(f"`kith agenda --limit 20` end to end, process start included (run {attempt})",
              lambda: command("agenda", "--limit", "20"), rows)
    with kith.session() as s:
        timed("report with its 24-month trend", lambda: report(s, NOW), rows)
    start = time.perf_counter()
    for i in range(20):
        with kith.session() as s:
            log_interaction(s, [get_person(s, 1 + i)], "call", when=NOW - timedelta(days=400), now=NOW)
    rows.append(("log one interaction (incl. accumulator update), mean of 20", (time.perf_counter() - start) / 20))
    kith.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n### Scores: {args.people:,} people, {args.interactions:,} interactions (SQLite)\n")
    print("| step | seconds |\n| --- | ---: |")
    for label, secs in rows:
        print(f"| {label} | {secs:.3f} |")
    print(f"| peak memory (MB) | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
