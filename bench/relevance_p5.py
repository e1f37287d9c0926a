"""Precision at 5 of `kith ask` on the demo network, over a labelled set of requests.

Each request names a role; the label says which titles (of the demo
network's, ``kith.services.demo_data``) answer it, and, where the request
names a field too, which industries. The demo network is built in a
temporary SQLite database as of a fixed moment; for each request the top 5
helpers of :func:`kith.services.ask.who_can_help` are judged against the label.
Precision at 5 is the share of correct people among the first
``min(5, how many correct people the network has)`` (a request with three
casting directors can score 1.0 by naming all three first).

    .venv/bin/python bench/relevance_p5.py [--verbose]

Exit status 1 if the mean precision is below 0.9.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kith.runtime import open_kith
from kith.services.ask import who_can_help
from kith.services.demo import build_demo
from kith.services.network import network

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
TARGET = 0.9


@dataclass(frozen=True)
class Request:
    """A request and the titles (and industries, if any) that answer it."""

    text: str
    titles: frozenset[str]
    industries: frozenset[str] = frozenset()


def _r(text: str, titles: str, industries: str = "") -> Request:
    def split(s: str) -> frozenset[str]:
        return frozenset(x.strip() for x in s.split("|") if x.strip())

    return Request(text, split(titles), split(industries))


REQUESTS: tuple[Request, ...] = (
    _r("intro to a casting director", "casting director"),
    _r("who is the director of casting at a studio", "casting director"),
    _r("an account director at a publicity firm", "account director"),
    _r("I need a line producer", "line producer"),
    _r("an executive producer for my pitch", "executive producer"),
    _r("someone to be my executive assistant contact", "executive assistant"),
    _r("a development executive to read my script", "development executive"),
    _r("head of development", "head of development"),
    _r("development head at a production company", "head of development"),
    _r("the head of marketing", "head of marketing"),
    _r("head of publicity", "head of publicity"),
    _r("a senior publicist", "senior publicist"),
    _r("a talent agent", "talent agent|senior agent"),  # a senior agent at a talent agency is one
    _r("a rental agent for a van", "rental agent"),
    _r("the chief technology officer of a startup", "CTO"),
    _r("a CTO to advise on logistics", "CTO"),
    _r("head of sales", "head of sales"),
    _r("sales head at a startup", "head of sales"),
    _r("head of growth", "head of growth"),
    _r("head of partnerships", "head of partnerships"),
    _r("a product manager", "product manager"),
    _r("a location manager for the shoot", "location manager"),
    _r("the studio manager", "studio manager"),
    _r("a branch manager", "branch manager"),
    _r("a production coordinator", "production coordinator"),
    _r("a post-production supervisor", "post-production supervisor"),
    _r("an entertainment lawyer", "entertainment lawyer"),
    _r("a film critic to review it", "film critic"),
    _r("an entertainment reporter", "entertainment reporter"),
    _r("a business reporter", "business reporter"),
    _r("a career advisor", "career advisor"),
    _r("a camera operator", "camera operator"),
    _r("a sound recordist", "sound recordist"),
    _r("a partner at a venture capital firm", "partner", "venture capital"),
    _r("a VC partner", "partner", "venture capital"),
    _r("a casting associate", "casting associate"),
    _r("the operations lead", "operations lead"),
    _r("a platform lead", "platform lead"),
    _r("the head of film at a talent agency", "head of film"),
    _r("a PhD student", "PhD student"),
    _r("a screenwriter", "screenwriter"),
    _r("a journalist at the newspaper", "entertainment reporter|business reporter|film critic|editor", "newspaper"),
)


def correct(req: Request, title: str, industry: str) -> bool:
    """Whether a person with this title (and industry) answers the request."""
    if title.lower() not in {t.lower() for t in req.titles}:
        return False
    return not req.industries or industry.lower() in req.industries


def evaluate(verbose: bool = False) -> tuple[float, list[tuple[str, float]]]:
    """Mean precision at 5 over :data:`REQUESTS`, and each request's."""
    with tempfile.TemporaryDirectory() as tmp:
        kith = open_kith(f"sqlite:///{Path(tmp) / 'demo.db'}", as_of=NOW, init=True)
        try:
            with kith.session() as s:
                build_demo(s, now=NOW)
            with kith.session() as s:
                people = network(s).people
                rows = []
                for req in REQUESTS:
                    relevant = sum(correct(req, p.title, p.industry) for p in people.values())
                    k = min(5, relevant)
                    top = who_can_help(s, req.text, NOW, limit=5)[:k]
                    hits = [correct(req, people[h.person_id].title, people[h.person_id].industry) for h in top]
                    precision = sum(hits) / k if k else float("nan")
                    rows.append((req.text, precision))
                    if verbose:
                        shown = "; ".join(f"{h.name} ({people[h.person_id].title})" for h in top)
                        print(f"{precision:.2f}  {req.text} [{relevant} relevant]: {shown}")
        finally:
            kith.close()
    values = [p for _, p in rows if p == p]
    return sum(values) / len(values), rows


def main() -> int:
    """Print the mean precision at 5; exit 1 below the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--verbose", action="store_true", help="print every request's top five")
    args = parser.parse_args()
    mean, rows = evaluate(args.verbose)
    print(f"{len(rows)} labelled requests over the demo network: mean precision at 5 = {mean:.3f}")
    worst = sorted(rows, key=lambda r: r[1])[:3]
    print("lowest: " + "; ".join(f"{text} {p:.2f}" for text, p in worst))
    return 0 if mean >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
