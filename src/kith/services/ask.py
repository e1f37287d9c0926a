"""Ask: who can help with something, ranked by relevance times favour readiness.

Relevance (0-1) comes from matching the request against role, organisation,
industry, tags and notes (:mod:`kith.engine.relevance`); readiness (0-100) is
the tie engine's answer to "could I ask them a favour now?". The people who
answer the request about as well as the best answer (relevance at least
``TOP_BAND`` of the best) come first, then partial matches, then people with
no live tie; within each, the rank is ``relevance * readiness / 100``. Every
answer says why.

:class:`Helper` is the read model `kith ask --json` (:func:`who_can_help`)
and ``GET /api/v1/ask`` (:func:`list_helpers`, paged) render through its ``as_dict()``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kith.engine.relevance import explain, match, query_words, score
from kith.errors import BadInput
from kith.services.network import my_ties, network

TOP_BAND = 0.75
"""People at least this share of the best relevance answer the request; they come before partial matches."""


@dataclass(frozen=True)
class Helper:
    """Someone who could help, with the numbers behind the rank and the reasons."""

    person_id: int
    name: str
    label: str
    score: float  # relevance * readiness, 0-100
    relevance: float  # 0-1
    readiness: float  # 0-100
    layer: str
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``id``, ``name``, ``label``, ``score``, ``relevance``, ``readiness``, ``layer``, ``reasons``."""
        return {"id": self.person_id, "name": self.name, "label": self.label, "score": self.score,
                "relevance": round(self.relevance, 3), "readiness": round(self.readiness, 1), "layer": self.layer,
                "reasons": list(self.reasons)}


def who_can_help(session: Session, query: str, as_of: datetime, limit: int = 10) -> list[Helper]:
    """The people most likely to help with ``query``, best first (only the relevant ones)."""
    return list_helpers(session, query, as_of, limit=limit)[0]


def list_helpers(
    session: Session, query: str, as_of: datetime, *, limit: int = 10, offset: int = 0
) -> tuple[list[Helper], int]:
    """The people who could help with ``query``, best first: one page, and how many are relevant in all."""
    if not query_words(query):
        raise BadInput(f"say what you need help with ('{query}' has no meaningful word)")
    net = network(session)
    ties = my_ties(session, net, as_of)
    index = net.index()
    n_words, hits = match(index, query)
    best = max((score(h, n_words) for h in hits.values()), default=0.0)
    ranked = []
    for pid, h in hits.items():
        tie = ties.get(pid)
        relevance = score(h, n_words)
        readiness = tie.readiness if tie else 0.0
        live = tie is not None and tie.score > 0 and readiness > 0
        answers = relevance >= TOP_BAND * best
        ranked.append((not live, not answers, -round(relevance * readiness, 2), -relevance, net.people[pid].name, pid,
                       readiness))
    helpers = []
    for _, _, neg_score, neg_rel, name, pid, readiness in heapq.nsmallest(offset + limit, ranked)[offset:]:
        tie = ties.get(pid)
        layer = tie.layer if tie else "dormant"
        live = tie is not None and tie.score > 0
        reasons = (*explain(index.profiles[pid], hits[pid]), _readiness_reason(readiness, layer, live))
        helpers.append(Helper(pid, name, net.people[pid].label(), -neg_score, -neg_rel, readiness, layer, reasons))
    return helpers, len(ranked)


def _readiness_reason(readiness: float, layer: str, live: bool) -> str:
    if not live or readiness <= 0:
        return "you have no live tie to ask on yet (try kith reach for an introduction)"
    return f"readiness {readiness:.0f} ({layer} tie)"
