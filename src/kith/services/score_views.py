"""Scores as people read them: `kith score`, ``GET /api/v1/scores`` and the pages render these.

:class:`ScoreLine` is one person's tie in a listing (strongest first);
:class:`ScoreDetail` adds every term of the score and the reasons of its
favour readiness. Both are built from the whole-network
:class:`~kith.services.scores.TieTable` (the layers are assigned over
everyone) with names and keys read in two statements: no ORM object per
person, so listing 30,000 people costs a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.errors import BadInput
from kith.services.scores import PersonTie, TieTable, explain, tie_scores
from kith.store import door
from kith.store.door import WS
from kith.store.models import Identifier, Person

KEY_KINDS = ("email", "linkedin", "url", "facebook", "phone")  # the first one a person has is their key


@dataclass(frozen=True)
class ScoreLine:
    """One person's tie: strength, layer, favour readiness, rhythm."""

    id: int
    name: str
    key: str  # stable for tools: the first e-mail, else profile URL, else phone, else ``person:ID``
    score: float
    layer: str
    readiness: float
    callable: bool
    cooling: bool
    last_at: datetime | None
    learned_gap_days: float | None
    components: Mapping[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the CLI contract's keys, and ``person_id``/``last_at`` as the API names them)."""
        return {
            "id": self.id, "person_id": self.id, "name": self.name, "key": self.key, "score": round(self.score, 1),
            "layer": self.layer, "readiness": round(self.readiness, 1), "callable": self.callable,
            "cooling": self.cooling, "last_contact": self.last_contact.isoformat() if self.last_contact else None,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "learned_gap_days": None if self.learned_gap_days is None else round(self.learned_gap_days, 1),
            "components": {k: round(v, 3) for k, v in self.components.items()},
        }

    @property
    def last_contact(self) -> date | None:
        """The day of the last contact."""
        return self.last_at.date() if self.last_at else None


@dataclass(frozen=True)
class ScoreDetail:
    """One person's score explained: every term, in numbers and in words, and the readiness's reasons."""

    line: ScoreLine
    reasons: list[str]
    readiness_reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the line's keys plus the reasons."""
        return {**self.line.as_dict(), "reasons": self.reasons, "readiness_reasons": self.readiness_reasons}


_NAMES = select(Person.id, Person.display_name).where(Person.workspace_id == WS)
_IDENTIFIERS = (select(Identifier.person_id, Identifier.kind, Identifier.value_key)
                .where(Identifier.workspace_id == WS, Identifier.kind.in_(KEY_KINDS)).order_by(Identifier.id))


def _keys(session: Session) -> dict[int, str]:
    """Every person's key (those with an identifier)."""
    best: dict[int, tuple[int, str]] = {}
    for pid, kind, value in door.rows(session, _IDENTIFIERS):
        rank = KEY_KINDS.index(kind)
        if pid not in best or rank < best[pid][0]:
            best[pid] = (rank, value)
    return {pid: value for pid, (_, value) in best.items()}


def _line(pid: int, name: str, key: str | None, tie: PersonTie) -> ScoreLine:
    return ScoreLine(pid, name, key or f"person:{pid}", tie.score, tie.layer, tie.readiness, tie.callable,
                     tie.cooling, tie.last_at, tie.learned_gap_days, dict(tie.components))


def score_lines(session: Session, ties: TieTable, *, layer: str | None = None, limit: int | None = None,
                offset: int = 0) -> tuple[list[ScoreLine], int]:
    """People strongest first (of ``layer``), one page of them and how many there are in all."""
    if layer is not None and layer not in LAYERS:
        raise BadInput(f"unknown layer '{layer}' (use one of: {', '.join(LAYERS)})")
    rows = np.arange(len(ties.ids)) if layer is None else np.flatnonzero(ties.layer == LAYERS.index(layer))
    order = rows[np.lexsort((ties.ids[rows], -ties.score[rows]))]
    chosen = [int(p) for p in ties.ids[order].tolist()]
    total = len(chosen)
    chosen = chosen[offset:] if limit is None else chosen[offset:offset + limit]
    names: dict[int, str] = {pid: name for pid, name in door.rows(session, _NAMES)}
    keys = _keys(session)
    return [_line(pid, names.get(pid, ""), keys.get(pid), ties[pid]) for pid in chosen], total


def score_listing(session: Session, as_of: datetime, *, layer: str | None = None,
                  limit: int | None = None) -> list[ScoreLine]:
    """Everyone's tie as of ``as_of``, strongest first (`kith score`)."""
    return score_lines(session, tie_scores(session, as_of), layer=layer, limit=limit)[0]


def score_detail(session: Session, person: Person, as_of: datetime, ties: TieTable | None = None) -> ScoreDetail:
    """One person's score explained as of ``as_of`` (`kith score PERSON --explain`, the API).

    ``ties`` (the whole network, for the layer) saves scoring everyone again;
    the terms come from the person's stored accumulators, a replay of their
    log only when ``as_of`` is earlier than the log's newest entry.
    """
    table = ties if ties is not None else tie_scores(session, as_of)
    tie = _copy(table[person.id]) if person.id in table else None  # archived: scored alone, outside the layers
    explained = explain(session, person, as_of, tie=tie)
    key = _keys_of(session, [person.id]).get(person.id)
    line = _line(person.id, person.display_name, key, explained.tie)
    return ScoreDetail(line, list(explained.detail.reasons), list(explained.readiness.reasons))


def _copy(tie: PersonTie) -> PersonTie:
    from dataclasses import replace

    return replace(tie, components={}, reasons=[])


def _keys_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    found = session.execute(select(Identifier.person_id, Identifier.kind, Identifier.value_key)
                            .where(Identifier.person_id.in_(list(ids)), Identifier.kind.in_(KEY_KINDS))
                            .order_by(Identifier.id)).all()
    best: dict[int, tuple[int, str]] = {}
    for pid, kind, value in found:
        rank = KEY_KINDS.index(kind)
        if pid not in best or rank < best[pid][0]:
            best[pid] = (rank, value)
    return {pid: value for pid, (_, value) in best.items()}


__all__ = ["ScoreDetail", "ScoreLine", "score_detail", "score_lines", "score_listing"]
