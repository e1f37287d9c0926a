"""One person's score explained from their stored accumulators (no pass over their log).

:func:`kith.services.scores.explain` replays the person's interactions one by
one: milliseconds for most people, seconds for someone with tens of
thousands of interactions. The stored ``tie_state`` row already holds the
accumulators that replay would build, so the engine can score and explain
it directly. The caller passes the tie it already has (from a whole-network
:func:`~kith.services.scores.tie_scores`, which assigns the layer); the
explanation is used only if it reproduces that tie's score, otherwise (the
state moved, or the tie was scored as of an earlier moment than the stored
state) the exact replay answers.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.ties import DEFAULT_PARAMS, TieState, score
from kith.services.scores import PersonTie, decode_state, explain
from kith.store.models import Person
from kith.store.models import TieState as TieStateRow

TOLERANCE = 1e-6  # score points: batch scoring and one-person scoring differ by float rounding only


def stored_state(session: Session, person_id: int) -> TieState | None:
    """The person's stored accumulators (empty if they have no contact), None if of another layout."""
    row = session.execute(
        select(TieStateRow.vector, TieStateRow.layout).where(TieStateRow.person_id == person_id)
    ).first()
    if row is None:
        return TieState()
    return decode_state(row.vector, row.layout)


def explained_tie(session: Session, person: Person, tie: PersonTie, as_of: datetime) -> tuple[PersonTie, bool]:
    """A copy of ``tie`` (scored as of ``as_of``) with its components and reasons, and whether the fast path served.

    ``tie`` itself is left unchanged (it may be shared between requests).
    """
    state = stored_state(session, person.id)
    if state is not None:
        closeness = None if person.closeness is None else float(person.closeness)
        detail = score(state, as_of, DEFAULT_PARAMS, closeness)
        if math.isclose(detail.score, tie.score, rel_tol=0.0, abs_tol=TOLERANCE):
            return replace(tie, components=dict(detail.components), reasons=list(detail.reasons)), True
    return explain(session, person, as_of, tie=replace(tie)).tie, False


__all__ = ["explained_tie", "stored_state"]
