"""Scores as people read them: `kith score`, ``GET /api/v1/scores`` and the pages render these.

:class:`ScoreLine` is one person's tie in a listing (strongest first);
:class:`ScoreDetail` adds every term of the score and the reasons of its
favour readiness. Both are built from the whole-network
:class:`~kith.services.scores.TieTable` (the layers are assigned over
everyone) with names and keys read in two statements: no ORM object per
person, so listing 30,000 people costs a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import BindParameter, bindparam, select
from sqlalchemy.orm import Session

from kith.engine.kinds import LAYERS
from kith.engine.readiness import CALLABLE_THRESHOLD
from kith.errors import BadInput
from kith.services.scores import PersonTie, TieTable, explain, tie_scores
from kith.services.tie_log import people_columns
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
    strength: float = 0.0
    likelihood: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the CLI contract's keys, and ``person_id``/``last_at`` as the API names them)."""
        return {
            "id": self.id, "person_id": self.id, "name": self.name, "key": self.key, "score": round(self.score, 1),
            "strength": round(self.strength, 1), "likelihood": round(self.likelihood, 1),
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
    likelihood_reasons: list[str] = field(default_factory=list)
    baseline: float = 0.0  # the strength's constant: baseline + sum(components) = logit(score / 100)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the line's keys plus the reasons."""
        return {**self.line.as_dict(), "baseline": round(self.baseline, 3), "reasons": self.reasons, "likelihood_reasons": self.likelihood_reasons,
                "readiness_reasons": self.readiness_reasons}


_NAMES = select(Person.id, Person.display_name).where(Person.workspace_id == WS)
_IDENTIFIERS = (select(Identifier.person_id, Identifier.kind, Identifier.value_key)
                .where(Identifier.workspace_id == WS, Identifier.kind.in_(KEY_KINDS)).order_by(Identifier.id))
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_SOME_NAMES = _NAMES.where(Person.id.in_(_IDS))
_SOME_IDENTIFIERS = _IDENTIFIERS.where(Identifier.person_id.in_(_IDS))


def _names(session: Session, ids: list[int]) -> Mapping[int, str]:
    """Names of ``ids``, people not archived (the scored): from the people's columns when they are many."""
    if len(ids) > 2000:
        return people_columns(session).names
    return {pid: name for pid, name in door.rows(session, _SOME_NAMES, ids=ids)}


def _keys(session: Session, ids: list[int]) -> dict[int, str]:
    """Each person's key (those with an identifier)."""
    found = door.tuples(session, _IDENTIFIERS) if len(ids) > 2000 else door.rows(session, _SOME_IDENTIFIERS, ids=ids)
    best: dict[int, tuple[int, str]] = {}
    for pid, kind, value in found:
        rank = KEY_KINDS.index(kind)
        if pid not in best or rank < best[pid][0]:
            best[pid] = (rank, value)
    return {pid: value for pid, (_, value) in best.items()}


def _line(pid: int, name: str, key: str | None, tie: PersonTie) -> ScoreLine:
    return ScoreLine(pid, name, key or f"person:{pid}", tie.score, tie.layer, tie.readiness, tie.callable,
                     tie.cooling, tie.last_at, tie.learned_gap_days, dict(tie.components), tie.strength,
                     tie.likelihood)


@dataclass(frozen=True)
class ScoreTable:
    """Many people's ties as columns, strongest first: what a listing of thousands is rendered from.

    :meth:`lines` gives the same people as :class:`ScoreLine` objects;
    :meth:`as_dicts` their JSON straight from the columns (30,000 people
    without an object each).
    """

    ids: list[int]
    names: list[str]
    keys: list[str]
    score: list[float]
    layer: list[str]
    readiness: list[float]
    callable: list[bool]
    cooling: list[bool]
    last: list[float]  # unix seconds, nan = never
    learned_gap_days: list[float]  # nan = unknown
    total: int
    strength: list[float] = field(default_factory=list)
    likelihood: list[float] = field(default_factory=list)  # how many people the listing has in all (the table may be one page of it)

    def __len__(self) -> int:
        return len(self.ids)

    def lines(self) -> list[ScoreLine]:
        """One :class:`ScoreLine` per row."""
        return [ScoreLine(pid, name, key, sc, layer, ready, call, cool, _moment(last), _known(gap), {}, st, li)
                for pid, name, key, sc, layer, ready, call, cool, last, gap, st, li in self._rows()]

    def as_dicts(self) -> list[dict[str, Any]]:
        """The rows' JSON, as :meth:`ScoreLine.as_dict` gives it (components empty in a listing)."""
        out = []
        for pid, name, key, sc, layer, ready, call, cool, last, gap, st, li in self._rows():
            at = _moment(last)
            out.append({
                "id": pid, "person_id": pid, "name": name, "key": key, "score": round(sc, 1),
                "strength": round(st, 1), "likelihood": round(li, 1), "layer": layer,
                "readiness": round(ready, 1), "callable": call, "cooling": cool,
                "last_contact": at.date().isoformat() if at else None, "last_at": at.isoformat() if at else None,
                "learned_gap_days": None if gap != gap else round(gap, 1), "components": {},
            })
        return out

    def _rows(self) -> Any:
        return zip(self.ids, self.names, self.keys, self.score, self.layer, self.readiness, self.callable,
                   self.cooling, self.last, self.learned_gap_days, self.strength, self.likelihood, strict=True)


def _moment(seconds: float) -> datetime | None:
    return None if seconds != seconds else datetime.fromtimestamp(seconds, UTC)


def _known(value: float) -> float | None:
    return None if value != value else value


def score_table(session: Session, ties: TieTable, *, layer: str | None = None, limit: int | None = None,
                offset: int = 0) -> ScoreTable:
    """People strongest first (of ``layer``): one page of them as columns, and how many there are in all."""
    if layer is not None and layer not in LAYERS:
        raise BadInput(f"unknown layer '{layer}' (use one of: {', '.join(LAYERS)})")
    rows = np.arange(len(ties.ids)) if layer is None else np.flatnonzero(ties.layer == LAYERS.index(layer))
    order = rows[np.lexsort((ties.ids[rows], -ties.score[rows]))]
    total = len(order)
    order = order[offset:] if limit is None else order[offset:offset + limit]
    ids = [int(p) for p in ties.ids[order].tolist()]
    names = _names(session, ids)
    keys = _keys(session, ids)
    last = np.where(ties.n[order] > 0, ties.last[order], np.nan)
    return ScoreTable(
        ids, [names.get(pid, "") for pid in ids], [keys.get(pid) or f"person:{pid}" for pid in ids],
        ties.score[order].tolist(), [LAYERS[c] for c in ties.layer[order].tolist()], ties.readiness[order].tolist(),
        (ties.readiness[order] >= CALLABLE_THRESHOLD).tolist(), ties.cooling[order].astype(bool).tolist(),
        last.tolist(), ties.learned_gap_days[order].tolist(), total,
        ties.strength[order].tolist(), ties.likelihood[order].tolist(),
    )


def score_lines(session: Session, ties: TieTable, *, layer: str | None = None, limit: int | None = None,
                offset: int = 0) -> tuple[list[ScoreLine], int]:
    """People strongest first (of ``layer``), one page of them and how many there are in all."""
    table = score_table(session, ties, layer=layer, limit=limit, offset=offset)
    return table.lines(), table.total


def score_listing(session: Session, as_of: datetime, *, layer: str | None = None,
                  limit: int | None = None) -> ScoreTable:
    """Everyone's tie as of ``as_of``, strongest first (`kith score`)."""
    return score_table(session, tie_scores(session, as_of), layer=layer, limit=limit)


def score_detail(session: Session, person: Person, as_of: datetime, ties: TieTable | None = None) -> ScoreDetail:
    """One person's score explained as of ``as_of`` (`kith score PERSON --explain`, the API).

    ``ties`` (the whole network, for the layer) saves scoring everyone again;
    the terms come from the person's stored accumulators, a replay of their
    log only when ``as_of`` is earlier than the log's newest entry.
    """
    table = ties if ties is not None else tie_scores(session, as_of)
    tie = _copy(table[person.id]) if person.id in table else None  # archived: scored alone, outside the layers
    explained = explain(session, person, as_of, tie=tie)
    key = _keys(session, [person.id]).get(person.id)
    line = _line(person.id, person.display_name, key, explained.tie)
    return ScoreDetail(line, list(explained.detail.reasons), list(explained.readiness.reasons),
                       list(explained.detail.likelihood_reasons), explained.detail.baseline)


def _copy(tie: PersonTie) -> PersonTie:
    from dataclasses import replace

    return replace(tie, components={}, reasons=[])


__all__ = ["ScoreDetail", "ScoreLine", "ScoreTable", "score_detail", "score_lines", "score_listing", "score_table"]
