"""The hooks that keep tie states in step with ORM writes to the interaction log.

:func:`kith.runtime.open_kith` installs one :class:`TieUpkeep` on the session
factory it owns (never on SQLAlchemy's global ``Session`` class): after each
flush the hooks note new interactions and changed or deleted participants;
just before commit they fold the new interactions into their participants'
stored states and rebuild the people the other changes touch
(:mod:`kith.services.tie_states`), inside the same transaction.

This module is light on purpose (it is imported by every command): the
numerical work is imported only when a transaction changed the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from kith.store.models import Interaction, InteractionParticipant
from kith.store.scope import WS_KEY

_PENDING = "kith.tie_pending"


@dataclass
class _Pending:
    """A transaction's changes to the log, applied to the states at commit."""

    added: list[Interaction]
    people: set[int]  # rebuild these
    interactions: set[int]  # rebuild everyone in these


class TieUpkeep:
    """Session hooks that keep tie states in step with ORM writes to the log, inside the same transaction.

    Installed by :func:`kith.runtime.open_kith` on its own session factory:
    after each flush they note new interactions and changed or deleted
    participants; just before commit they fold the new ones in and rebuild
    the people the others touch.
    """

    def install(self, factory: sessionmaker[Session]) -> None:
        """Register the hooks on ``factory`` (and on no other session)."""
        event.listen(factory, "after_flush", self._note)
        event.listen(factory, "before_commit", settle)
        event.listen(factory, "after_soft_rollback", self._forget)

    @staticmethod
    def _note(session: Session, _ctx: Any) -> None:
        if session.info.get(WS_KEY) is None:
            return
        pending = session.info.get(_PENDING)
        if pending is None:
            pending = session.info[_PENDING] = _Pending([], set(), set())
        added = [o for o in session.new if isinstance(o, Interaction)]
        pending.added.extend(added)
        added_ids = {i.id for i in added}
        for obj in session.new:
            if isinstance(obj, InteractionParticipant) and obj.interaction_id not in added_ids:
                pending.interactions.add(obj.interaction_id)  # someone joined: the group size changed
        for obj in session.deleted:
            if isinstance(obj, InteractionParticipant):
                pending.people.add(obj.person_id)
                pending.interactions.add(obj.interaction_id)
            elif isinstance(obj, Interaction):
                pending.interactions.add(obj.id)
        for obj in session.dirty:
            if isinstance(obj, Interaction) and session.is_modified(obj, include_collections=False):
                pending.interactions.add(obj.id)
            elif isinstance(obj, InteractionParticipant) and session.is_modified(obj):
                pending.people.add(obj.person_id)
                pending.interactions.add(obj.interaction_id)

    @staticmethod
    def _forget(session: Session, _previous: Any) -> None:
        session.info.pop(_PENDING, None)


def settle(session: Session) -> None:
    """Apply the transaction's pending changes to the log to the stored tie states, now.

    Runs before every commit, and before tie states are read (like an
    autoflush), so that a transaction that logs and then scores sees its own
    interactions.
    """
    if session.info.get(WS_KEY) is None:
        return
    session.flush()
    pending: _Pending | None = session.info.pop(_PENDING, None)
    if pending is None:
        return
    rebuild = set(pending.people)
    if pending.interactions:
        ids = list(pending.interactions)
        for start in range(0, len(ids), 5000):
            rebuild |= set(session.scalars(
                select(InteractionParticipant.person_id)
                .where(InteractionParticipant.interaction_id.in_(ids[start:start + 5000]))
            ).all())
    from kith.services.tie_states import Added, fold_added, rebuild_tie_states

    if rebuild:
        rebuild_tie_states(session, rebuild)
    added = []
    for inter in pending.added:
        everyone = tuple(dict.fromkeys(p.person_id for p in inter.participants))
        rest = tuple(pid for pid in everyone if pid not in rebuild)  # the rebuilt ones have it already
        if rest and inter.id not in pending.interactions:
            added.append(Added(inter.id, inter.occurred_at, inter.kind, inter.direction, inter.sentiment, rest,
                               len(everyone)))
    fold_added(session, added)
    session.flush()
    session.info.pop(_PENDING, None)  # the flushes above noted nothing new to apply


__all__ = ["TieUpkeep", "settle"]
