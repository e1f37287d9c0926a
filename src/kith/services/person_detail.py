"""Everything about one person in one read model: `kith show --json` and ``GET /api/v1/people/{id}/detail``.

:class:`PersonDetail` is the person's summary (the listing's
:class:`~kith.services.people_list.PersonSummary`) with their explicit
cadence, every relation they take part in, their newest interactions (with
everyone's names) and their favours, each in its entity's own read model.
The web's person page has its own, faster read model
(:mod:`kith.services.person_view`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kith.services.favors import FavorView, list_favors
from kith.services.interactions import InteractionQuery, InteractionView, list_interactions
from kith.services.people import person_cadence
from kith.services.people_list import PersonSummary, summary_of
from kith.services.relations import RelationView, list_relations
from kith.store.models import Person

RECENT_INTERACTIONS = 20


@dataclass(frozen=True)
class PersonDetail:
    """A person with their cadence, relations, newest interactions and favours."""

    person: PersonSummary
    cadence_days: int | None  # the cadence set on the person (not one of a tag or layer)
    relations: tuple[RelationView, ...]
    interactions: tuple[InteractionView, ...]  # the newest RECENT_INTERACTIONS, newest first, with names
    favors: tuple[FavorView, ...]  # newest first

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the summary's keys, ``cadence_days``, ``relations``, ``interactions``, ``favors``."""
        return {**self.person.as_dict(), "cadence_days": self.cadence_days,
                "relations": [r.as_dict() for r in self.relations],
                "interactions": [i.as_dict() for i in self.interactions],
                "favors": [f.as_dict() for f in self.favors]}


def person_detail(session: Session, person: Person) -> PersonDetail:
    """Everything about ``person`` (archived people too)."""
    relations = list_relations(session, person_id=person.id)[0]
    interactions = list_interactions(session, InteractionQuery(person_id=person.id), limit=RECENT_INTERACTIONS,
                                     with_names=True)[0]
    favors = list_favors(session, person_id=person.id)[0]
    return PersonDetail(summary_of(person), person_cadence(session, person), tuple(relations), tuple(interactions),
                        tuple(favors))


__all__ = ["RECENT_INTERACTIONS", "PersonDetail", "person_detail"]
