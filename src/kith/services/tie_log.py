"""The interaction log as arrays: what tie states are built from and checked against.

One entry per (interaction, participant): when (unix seconds), the kind and
direction as integer codes, the sentiment and the group size. Read through
:mod:`kith.store.door` in two all-numeric statements (interactions, then
participants, joined in numpy), which is what makes a rebuild of 30,000
people from a million interactions a matter of seconds rather than minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Float, bindparam, func, select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.engine.ties import (
    DEFAULT_PARAMS,
    DIRECTION_CODE,
    KIND_INDEX,
    StateArrays,
    Touch,
    build_arrays,
)
from kith.store import door
from kith.store.door import WS
from kith.store.models import Interaction, InteractionParticipant, Person

CONTACT_KINDS = tuple(KIND_INDEX)
_HELLO_CODE = np.array([KINDS[k].hello for k in KIND_INDEX])
NOT_A_CONTACT = -1  # the kind code of a note: in the log, never in a tie


def _is(kind: str) -> int:
    return KIND_INDEX[kind]


# The latest moments per person that the agenda needs, as (kind code or None,
# direction test, negative sentiment only). One definition serves the rebuild
# (numpy, whole arrays) and the incremental fold (one interaction at a time).
MARKS: dict[str, tuple[int | None, Callable[[Any], Any] | None, bool]] = {
    "last_any": (None, None, False),
    "last_thanks_given": (_is("thanks-given"), None, False),
    "last_negative": (None, None, True),
    "last_favor_received": (_is("favor-received"), None, False),
    "last_referral_in": (_is("referral"), lambda d: d != DIRECTION_CODE["out"], False),
    "last_intro_in": (_is("intro-made"), lambda d: d == DIRECTION_CODE["in"], False),
}


def mark_mask(name: str, kind: Any, direction: Any, sentiment: Any) -> Any:
    """Which entries (arrays or scalars) count for mark ``name``."""
    code, dir_test, negative = MARKS[name]
    mask = np.ones_like(np.asarray(kind), dtype=bool)
    if code is not None:
        mask = mask & (np.asarray(kind) == code)
    if dir_test is not None:
        mask = mask & dir_test(np.asarray(direction))
    if negative:
        mask = mask & (np.asarray(sentiment) < 0)
    return mask


@dataclass
class LogArrays:
    """The interaction log as parallel arrays, one entry per (interaction, participant)."""

    person: np.ndarray  # row index into the ids asked for
    ts: np.ndarray
    kind: np.ndarray  # KIND_INDEX, or NOT_A_CONTACT
    direction: np.ndarray
    sentiment: np.ndarray
    group: np.ndarray
    n_people: int
    by_person: bool = False  # entries sorted by person, then time (the log cache gives them so)

    def contacts(self, until: float | None = None) -> np.ndarray:
        """Mask of the entries that are contacts (up to ``until``)."""
        mask = self.kind >= 0
        return mask if until is None else mask & (self.ts <= until)

    def chosen(self, mask: np.ndarray, *names: str) -> list[np.ndarray]:
        """The arrays ``names`` of the chosen entries; the arrays themselves when every entry is chosen (no
        copies: a million entries are 8 MB an array)."""
        if mask.dtype == bool and len(mask) == len(self.person) and mask.all():
            return [getattr(self, name) for name in names]
        return [getattr(self, name)[mask] for name in names]

    def build(self, mask: np.ndarray) -> StateArrays:
        """Accumulators of the chosen entries (a boolean mask, or indices in the log's order)."""
        person, ts, kind, direction, sentiment, group = self.chosen(
            mask, "person", "ts", "kind", "direction", "sentiment", "group")
        return build_arrays(person, ts, kind, direction, sentiment, group, self.n_people, DEFAULT_PARAMS)

    def earliest(self, mask: np.ndarray) -> np.ndarray:
        """Time of each person's oldest masked entry (nan if none)."""
        out = np.full(self.n_people, np.inf)
        np.minimum.at(out, self.person[mask], self.ts[mask])
        return np.where(np.isfinite(out), out, np.nan)

    def deep(self) -> np.ndarray:
        """Mask of the contacts that are more than hellos."""
        mask: np.ndarray = (self.kind >= 0) & ~_HELLO_CODE[np.maximum(self.kind, 0)]
        return mask

    def latest(self, mask: np.ndarray) -> np.ndarray:
        """Time of each person's newest masked entry (nan if none)."""
        out = np.full(self.n_people, -np.inf)
        np.maximum.at(out, self.person[mask], self.ts[mask])
        return np.where(np.isfinite(out), out, np.nan)

    def marks(self) -> dict[str, np.ndarray]:
        """Every mark of MARKS for every person."""
        return {name: self.latest(mark_mask(name, self.kind, self.direction, self.sentiment)) for name in MARKS}

    def last_sentiments(self, mask: np.ndarray) -> np.ndarray:
        """Sentiment of each person's newest chosen entry (0 if none; a mask, or indices in the log's order)."""
        out = np.zeros(self.n_people)
        p, ts, sent = self.chosen(mask, "person", "ts", "sentiment")
        if len(p):
            if not self.by_person:
                order = np.lexsort((ts, p))  # by person, then time
                p, sent = p[order], sent[order]
            last = np.ones(len(p), dtype=bool)  # the last entry of each person's run
            last[:-1] = p[1:] != p[:-1]
            out[p[last]] = sent[last]
        return out

    def per_person(self) -> np.ndarray:
        """How many entries (contacts or not) each person has."""
        return np.bincount(self.person, minlength=self.n_people)


_INTERACTIONS = select(
    Interaction.id, door.epoch(Interaction.occurred_at), door.coded(Interaction.kind, KIND_INDEX, NOT_A_CONTACT),
    door.coded(Interaction.direction, DIRECTION_CODE, DIRECTION_CODE["mutual"]), Interaction.sentiment,
).where(Interaction.workspace_id == WS)
_ALL_INTERACTIONS = _INTERACTIONS.order_by(Interaction.id)
_UNTIL_STATEMENT = _INTERACTIONS.where(
    door.epoch(Interaction.occurred_at) <= bindparam("until", type_=Float)).order_by(Interaction.id)
_PARTICIPANTS = select(InteractionParticipant.interaction_id, InteractionParticipant.person_id).where(
    InteractionParticipant.workspace_id == WS)


def read_raw_log(session: Session, until: datetime | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The log as two numeric matrices: interactions (id, moment, kind, direction, sentiment; by id) and
    participants (interaction id, person id)."""
    if until is None:
        inter = door.numbers(session, _ALL_INTERACTIONS)
    else:
        inter = door.numbers(session, _UNTIL_STATEMENT, until=until.timestamp())
    return inter, door.numbers(session, _PARTICIPANTS)


def read_log(session: Session, ids: np.ndarray, until: datetime | None = None) -> LogArrays:
    """The log of ``ids`` (sorted person ids) up to ``until``, as arrays: two numeric reads joined in numpy."""
    inter, raw_parts = read_raw_log(session, until)
    iid = inter[:, 0].astype(np.int64)
    parts = raw_parts.astype(np.int64)
    pi, pp = parts[:, 0], parts[:, 1]
    row = np.searchsorted(iid, pi)
    ok = row < len(iid)
    ok[ok] &= iid[row[ok]] == pi[ok]
    row, pp = row[ok], pp[ok]
    group = np.bincount(row, minlength=len(iid)).astype(np.float64)
    slot = np.searchsorted(ids, pp)
    mine = slot < len(ids)
    mine[mine] &= ids[slot[mine]] == pp[mine]
    r = row[mine]
    return LogArrays(slot[mine], inter[r, 1], inter[r, 2].astype(np.int64), inter[r, 3].astype(np.int64),
                     inter[r, 4], group[r], len(ids))


_PEOPLE = select(Person.id, Person.closeness, Person.display_name, Person.title, Person.organization_id).where(
    Person.workspace_id == WS, Person.archived.is_(False)).order_by(Person.id)


@dataclass(frozen=True)
class PeopleColumns:
    """Everyone not archived, by id, as columns: one read of the people for the scores, the agenda's words
    and its goal relevance (each read of 30,000 people costs about 25 ms, most of it the table's scan)."""

    ids: np.ndarray  # sorted
    closeness: np.ndarray  # manual closeness, nan = none
    names: dict[int, str]
    titles: list[str]  # row-aligned with ids ("" = none)
    orgs: list[int | None]  # organisation ids, row-aligned with ids


def people_columns(session: Session) -> PeopleColumns:
    """:class:`PeopleColumns` of the workspace (memoized while only the log moves)."""
    from kith.services.memo import (
        memoized,  # the memo builds on the store only; imported here to keep this light
    )

    def read() -> PeopleColumns:
        rows = door.tuples(session, _PEOPLE)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        closeness = np.fromiter((np.nan if r[1] is None else r[1] for r in rows), dtype=np.float64, count=len(rows))
        return PeopleColumns(ids, closeness, {r[0]: r[2] for r in rows}, [r[3] or "" for r in rows],
                             [r[4] for r in rows])

    return memoized(session, "tie_log.people", None, read, people_only=True)


def network_people(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """Ids (sorted) and manual closeness (nan = none) of everyone not archived (memoized while only the log moves)."""
    people = people_columns(session)
    return people.ids, people.closeness


@dataclass
class NetworkLog:
    """Everyone not archived (sorted ids, closeness overrides) and their log as arrays."""

    ids: np.ndarray
    closeness: np.ndarray
    log: LogArrays


def read_network_log(session: Session, until: datetime | None = None) -> NetworkLog:
    """The whole network's log up to ``until``, read once for several computations (through the log cache)."""
    from kith.services.log_cache import cached_log  # the cache builds on this module

    ids, closeness = network_people(session)
    return NetworkLog(ids, closeness, cached_log(session, ids, None if until is None else until.timestamp()))


def touches_of(session: Session, person_id: int, until: datetime | None = None) -> list[Touch]:
    """One person's contacts as touches (with group sizes), through indexed lookups only."""
    ids = list(session.scalars(
        select(InteractionParticipant.interaction_id).where(InteractionParticipant.person_id == person_id)
    ))
    touches: list[Touch] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sizes = dict(session.execute(
            select(InteractionParticipant.interaction_id, func.count())
            .where(InteractionParticipant.interaction_id.in_(chunk))
            .group_by(InteractionParticipant.interaction_id)
        ).all())
        stmt = select(Interaction.id, Interaction.occurred_at, Interaction.kind, Interaction.direction,
                      Interaction.sentiment).where(Interaction.id.in_(chunk), Interaction.kind.in_(CONTACT_KINDS))
        if until is not None:
            stmt = stmt.where(Interaction.occurred_at <= until)
        for _iid, at, kind, direction, sentiment in session.execute(stmt):
            touches.append(Touch(aware(at), kind, direction, sentiment, int(sizes.get(_iid, 1))))
    return touches


def aware(at: datetime) -> datetime:
    """A datetime in UTC (naive ones are UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)
