"""Thank the crew: everyone who worked on a project or event, or helped with it.

The list holds every member of the event or project and everyone who did me
a favour for it, minus those I have thanked since it (a ``thanks-given``
interaction on or after its start). Behind-the-scenes people come first:
they are the easiest to forget and the most glad to be remembered.

:class:`ToThank` is the read model `kith thank --json` and
``GET /api/v1/events/{id}/thanks`` render (through its ``as_dict()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.store.models import Event, EventMember, Favor, Interaction, InteractionParticipant, Person

THANKS_KINDS = tuple(k.name for k in KINDS.values() if k.thanks and k.name.endswith("-given"))


@dataclass(frozen=True)
class ToThank:
    """One person to thank, with what they did."""

    person_id: int
    name: str
    role: str
    behind_scenes: bool
    helped: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``id``, ``name``, ``role``, ``behind_scenes``, ``helped``, ``reason``."""
        return {"id": self.person_id, "name": self.name, "role": self.role, "behind_scenes": self.behind_scenes,
                "helped": list(self.helped), "reason": self.reason}


@dataclass
class _Crew:
    """Someone on the event or who helped with it, as gathered."""

    name: str
    role: str
    behind_scenes: bool
    helped: list[str] = field(default_factory=list)


def thanked_since(session: Session, since: datetime | None, as_of: datetime) -> set[int]:
    """People I thanked between ``since`` (or ever) and ``as_of``."""
    stmt = (
        select(InteractionParticipant.person_id)
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .where(Interaction.kind.in_(THANKS_KINDS), Interaction.occurred_at <= as_of)
    )
    if since is not None:
        stmt = stmt.where(Interaction.occurred_at >= since)
    return set(session.scalars(stmt).all())


def thank_list(session: Session, event: Event, as_of: datetime) -> list[ToThank]:
    """Everyone on ``event`` or who helped with it and was not thanked since, behind the scenes first."""
    since = datetime.combine(event.starts_on, time(0), UTC) if event.starts_on else None
    done = thanked_since(session, since, as_of)
    crew: dict[int, _Crew] = {}
    rows = session.execute(
        select(Person.id, Person.display_name, EventMember.role, EventMember.behind_scenes)
        .join(EventMember, EventMember.person_id == Person.id)
        .where(EventMember.event_id == event.id, Person.archived.is_(False))
    )
    for pid, name, role, behind in rows:
        crew[pid] = _Crew(name, role, bool(behind))
    favors = session.execute(
        select(Person.id, Person.display_name, Favor.what).join(Favor, Favor.person_id == Person.id)
        .where(Favor.event_id == event.id, Favor.direction == "received", Person.archived.is_(False))
        .order_by(Favor.id)
    )
    for pid, name, what in favors:
        crew.setdefault(pid, _Crew(name, "helped", False)).helped.append(what or "a favour")
    out = [_to_thank(pid, c, event) for pid, c in crew.items() if pid not in done]
    out.sort(key=lambda t: (not t.behind_scenes, not t.helped, t.name, t.person_id))
    return out


def _to_thank(pid: int, c: _Crew, event: Event) -> ToThank:
    role = f"{c.role} (behind the scenes)" if c.behind_scenes else c.role
    parts = [f"{role} on {event.name}"]
    if c.helped:
        parts.append("helped: " + "; ".join(c.helped))
    return ToThank(pid, c.name, c.role, c.behind_scenes, tuple(c.helped), ", ".join(parts) + "; not thanked since")
