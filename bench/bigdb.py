"""The big benchmark network: 30,000 people and 1,000,000 interactions, like a real log.

One builder for the process and web benchmarks, so that their figures are
about the same data. Reproducible (seeded) and built once: the file under
``bench/out/`` is reused while it exists.

- 1,500 organisations in eight industries; 30,000 people with an e-mail, a
  title, an organisation (two in three), a tag or two (one in five), 1 in 100
  a key person, 1 in 50 with a closeness override, 1 in 97 archived.
- 1,000,000 interactions over three years. Contact concentrates on few
  people (weights 1/(rank+1)^0.9); messages, e-mails and likes dominate,
  calls, coffees and meals are rarer, favours, referrals and introductions
  rare; one in ten is a group of 2-6 people; 3 % went badly.
- 60 events and projects with 2,000 people met there, 400 favours both
  ways, an assistant and a colleague for every key person, cadences (by tag,
  layer and person) and two goals.

    .venv/bin/python bench/bigdb.py [--people 30000] [--interactions 1000000] [--out PATH]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
INDUSTRIES = ("Film & TV", "Music", "Software", "Venture Capital", "Publishing", "Advertising", "Law", "Retail")
TITLES = ("Producer", "Casting Director", "Account Director", "Publicist", "Software Engineer", "Partner",
          "Editor", "Assistant", "Head of Marketing", "VP Sales", "Founder", "Agent", "")
TAGS = ("film", "friends", "investors", "press", "alumni", "crew")
# (kind, weight): what a real log holds, hellos and messages first.
KIND_MIX = (("message", 30), ("email", 25), ("like", 12), ("hello", 6), ("call", 8), ("video", 3), ("connection", 3),
            ("coffee", 4), ("meal", 2), ("meeting", 4), ("worked-together", 1.5), ("favor-received", 0.3),
            ("favor-given", 0.3), ("referral", 0.15), ("intro-made", 0.15), ("thanks-given", 0.6))


def default_path(people: int, interactions: int) -> Path:
    """Where the network of this size is kept between runs."""
    return OUT / f"big-{people}-{interactions}.db"


def ensure(people: int = 30_000, interactions: int = 1_000_000, path: Path | None = None) -> Path:
    """The path of a built database of this size (built now if missing)."""
    path = path or default_path(people, interactions)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        for stale in path.parent.glob(partial.name + "*"):
            stale.unlink()
        t0 = time.perf_counter()
        build(partial, people, interactions)
        for suffix in ("-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(path)
        print(f"built {path.name} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return path


def ensure_apart(people: int = 30_000, interactions: int = 1_000_000) -> Path:
    """As :func:`ensure`, the network built (if missing) by a child process, so that the caller stays small: a
    process the caller starts afterwards inherits the caller's peak memory as its own ``ru_maxrss`` (Linux keeps
    the high-water mark across fork and exec), and every command measured after a build in-process showed 335 MB."""
    path = default_path(people, interactions)
    if not path.exists():
        subprocess.run([sys.executable, __file__, "--people", str(people), "--interactions", str(interactions)],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def build(path: Path, people: int, interactions: int, seed: int = 42) -> None:
    """Fill a new SQLite database at ``path`` with the network described above."""
    from kith.runtime import open_kith

    rng = random.Random(seed)
    kith = open_kith(f"sqlite:///{path}", as_of=NOW, init=True)
    with kith.session() as s:
        ids = _people(s, rng, people)
        _interactions(s, rng, ids, interactions)
        _extras(s, rng, ids)
    kith.close()


def _people(s: object, rng: random.Random, n: int) -> list[int]:
    from kith.services.bulk import BulkPerson, insert_people_bulk
    from kith.services.organizations import get_or_create_org

    orgs = [get_or_create_org(s, f"Company {i:04d}", industry=INDUSTRIES[i % len(INDUSTRIES)]).id  # type: ignore[arg-type]
            for i in range(1500)]

    def gen() -> Iterator[BulkPerson]:
        for i in range(n):
            tags = tuple(rng.sample(TAGS, rng.choice((1, 2)))) if i % 5 == 0 else ()
            yield BulkPerson(
                name=f"Person{i:05d} Example{i % 977}", organization_id=orgs[i % len(orgs)] if i % 3 else None,
                title=TITLES[i % len(TITLES)], emails=(f"p{i}@example.com",), tags=tags, is_key=i % 100 == 0,
                closeness=rng.randrange(0, 101) if i % 50 == 0 else None, archived=i % 97 == 0,
                created_at=NOW - timedelta(days=rng.randrange(30, 1500)),
            )

    return insert_people_bulk(s, gen(), now=NOW)  # type: ignore[arg-type]


def _interactions(s: object, rng: random.Random, ids: list[int], n: int) -> None:
    from kith.services.bulk import BulkInteraction, insert_interactions_bulk

    kinds = [k for k, _ in KIND_MIX]
    kind_weights = [w for _, w in KIND_MIX]
    person_weights = [1 / (1 + r) ** 0.9 for r in range(len(ids))]
    span = 3 * 365 * 24 * 60

    def gen() -> Iterator[BulkInteraction]:
        picks = rng.choices(ids, weights=person_weights, k=n)
        chosen_kinds = rng.choices(kinds, weights=kind_weights, k=n)
        for i, (pid, kind) in enumerate(zip(picks, chosen_kinds, strict=True)):
            group = (pid,) if i % 10 else (pid, *rng.sample(ids, rng.randrange(1, 6)))
            sentiment = -1 if rng.random() < 0.03 else (1 if rng.random() < 0.15 else 0)
            yield BulkInteraction(NOW - timedelta(minutes=rng.randrange(span)), kind, group,
                                  direction=rng.choice(("out", "in", "mutual")), sentiment=sentiment, source="bench")

    insert_interactions_bulk(s, gen(), now=NOW)  # type: ignore[arg-type]


def _extras(s: object, rng: random.Random, ids: list[int]) -> None:
    """Events with people met there, favours, gatekeepers, cadences, goals (through the services)."""
    from kith.services import cadences, events, favors, goals, relations
    from kith.services.people import get_person

    for e in range(60):
        start = (NOW - timedelta(days=rng.randrange(3, 700))).date()
        ev = events.add_event(s, f"Event {e:02d}", kind="project" if e % 5 == 0 else "event",  # type: ignore[arg-type]
                              starts_on=start, ends_on=start + timedelta(days=2))
        for pid in rng.sample(ids, 33):
            events.add_member(s, ev, get_person(s, pid), role="crew" if e % 5 == 0 else "met",  # type: ignore[arg-type]
                              behind_scenes=pid % 3 == 0)
    for f in range(400):
        pid = rng.choice(ids[:3000])
        done: date = (NOW - timedelta(days=rng.randrange(1, 700))).date()
        favors.record_favor(s, get_person(s, pid), "received" if f % 2 else "given", f"favour {f}",  # type: ignore[arg-type]
                            status="done" if f % 3 else "returned", done_on=done, now=NOW,
                            returned_on=done + timedelta(days=20) if f % 3 == 0 else None)
    for k in ids[::100]:
        for offset, kind in ((1, "assistant-of"), (2, "works-with")):
            other = ids[(ids.index(k) + offset) % len(ids)]
            relations.link(s, get_person(s, other), kind, get_person(s, k), now=NOW)  # type: ignore[arg-type]
    cadences.set_cadence(s, "tag", "film", 30)  # type: ignore[arg-type]
    cadences.set_cadence(s, "layer", "close", 21)  # type: ignore[arg-type]
    for pid in ids[3::300]:
        cadences.set_cadence(s, "person", get_person(s, pid), 14)  # type: ignore[arg-type]
    goals.add_goal(s, "Film publicity", now=NOW, target_orgs=["Company 0001", "Company 0009"],  # type: ignore[arg-type]
                   industries=["Film"], roles=["publicist", "casting director"], tags=["film"])
    goals.add_goal(s, "Raise a seed round", now=NOW, industries=["Venture Capital"], roles=["partner"],  # type: ignore[arg-type]
                   tags=["investors"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    print(ensure(args.people, args.interactions, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
