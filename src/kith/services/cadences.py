"""Keep-in-touch cadences: per person, per tag, per layer; the learned rhythm otherwise.

The most specific explicit cadence wins: the person's own, else the shortest
of their tags', else their layer's. Without any, the tie's learned usual gap
(``PersonTie.learned_gap_days``, from the engine) applies; without that,
there is no cadence. The clock runs from the last interaction of any kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kith import clock
from kith.engine.agenda_rules import CadenceChoice, choose_cadence
from kith.engine.kinds import LAYERS
from kith.errors import BadInput
from kith.services.memo import memoized
from kith.services.people import names_of, normalize_tag
from kith.services.scores import PersonTie, TieTable
from kith.store.journal import journaled
from kith.store.models import Cadence, Person, PersonTag, Tag

SCOPES = ("person", "tag", "layer")


@dataclass(frozen=True)
class CadenceRule:
    """One explicit cadence: ``scope`` person/tag/layer, its target and its label."""

    scope: str
    target: str
    label: str
    days: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"scope": self.scope, "target": self.target, "label": self.label, "days": self.days}


def parse_days(text: str) -> int:
    """``30``, ``30d``, ``2w``, ``3m`` (30 days), ``1y`` as a positive number of days."""
    raw = text.strip()
    days = int(raw) if raw.isdigit() else clock.parse_span(raw).days
    if days <= 0:
        raise BadInput("a cadence is a positive number of days")
    return days


def _target(scope: str, target: str | Person) -> str:
    if scope not in SCOPES:
        raise BadInput(f"a cadence is per person, tag or layer, not '{scope}'")
    if scope == "person":
        if not isinstance(target, Person):
            raise BadInput("a person cadence needs a person")
        return str(target.id)
    name = target.display_name if isinstance(target, Person) else target
    if scope == "tag":
        return normalize_tag(name)
    layer = name.strip().lower()
    if layer not in LAYERS:
        raise BadInput(f"unknown layer '{name}' (use {', '.join(LAYERS)})")
    return layer


@journaled(lambda session, scope, target, days: f"Set the {scope} cadence of {_target_name(target)}")
def set_cadence(session: Session, scope: str, target: str | Person, days: int) -> CadenceRule:
    """Set the cadence of a person, a tag or a layer (replacing the previous one)."""
    if days <= 0:
        raise BadInput("a cadence is a positive number of days")
    key = _target(scope, target)
    row = session.scalars(select(Cadence).where(Cadence.scope == scope, Cadence.target == key)).first()
    if row is None:
        session.add(Cadence(scope=scope, target=key, days=days))
    else:
        row.days = days
    session.flush()
    return CadenceRule(scope, key, _label(session, scope, key), days)


@journaled(lambda session, scope, target: f"Cleared the {scope} cadence of {_target_name(target)}")
def clear_cadence(session: Session, scope: str, target: str | Person) -> bool:
    """Remove a cadence; returns whether there was one."""
    key = _target(scope, target)
    gone = session.execute(delete(Cadence).where(Cadence.scope == scope, Cadence.target == key))
    return bool(getattr(gone, "rowcount", 0))


def list_cadences(session: Session) -> list[CadenceRule]:
    """Every explicit cadence, layers first, then tags, then people (by label)."""
    rows = session.execute(select(Cadence.scope, Cadence.target, Cadence.days)).all()
    names = names_of(session, [int(t) for s, t, _ in rows if s == "person" and t.isdigit()])
    rules = [CadenceRule(s, t, names.get(int(t), f"#{t}") if s == "person" else t, d) for s, t, d in rows]
    order = {"layer": 0, "tag": 1, "person": 2}
    return sorted(rules, key=lambda r: (order.get(r.scope, 3), r.label.lower()))


def _label(session: Session, scope: str, key: str) -> str:
    if scope != "person":
        return key
    return names_of(session, [int(key)]).get(int(key), f"#{key}")


MAINTAINED_LAYERS = frozenset({"inner", "close", "active", "meaningful"})


@dataclass(frozen=True)
class CadenceRules:
    """Every explicit cadence, by scope: person id, tag name and layer name -> days."""

    person: dict[int, int]
    tag: dict[str, int]
    layer: dict[str, int]

    def choose(self, person_id: int, tags: Iterable[str], tie: PersonTie | None) -> CadenceChoice | None:
        """The cadence that applies to one person with these tags and this tie.

        Only the ties you actually maintain (the ~150 of the meaningful layers
        and closer) keep their learned rhythm; beyond that nobody can keep up
        with everyone, so acquaintances and dormant ties need an explicit cadence.
        """
        layer = tie.layer if tie is not None else ""
        learned = tie.learned_gap_days if tie is not None and layer in MAINTAINED_LAYERS else None
        tag_days = [(t, self.tag[t]) for t in tags if t in self.tag]
        return choose_cadence(self.person.get(person_id), tag_days, layer, self.layer.get(layer), learned)


def memoized_rules(session: Session) -> CadenceRules:
    """:func:`cadence_rules`, memoized per data version (a person page asks on every visit)."""
    return memoized(session, "cadences.rules", None, lambda: cadence_rules(session))


def cadence_rules(session: Session) -> CadenceRules:
    """The explicit cadences (one small query)."""
    rows = session.execute(select(Cadence.scope, Cadence.target, Cadence.days)).all()
    return CadenceRules(
        person={int(t): d for s, t, d in rows if s == "person" and t.isdigit()},
        tag={t: d for s, t, d in rows if s == "tag"},
        layer={t: d for s, t, d in rows if s == "layer"},
    )


@dataclass(frozen=True)
class Cadences:
    """The explicit cadences and who carries a tag that has one: what choosing a cadence needs beyond the ties."""

    rules: CadenceRules
    tags: dict[int, list[str]]  # person -> their tags that carry a cadence

    def choose_all(self, ties: TieTable | Mapping[int, PersonTie],
                   person_ids: Iterable[int] | None = None) -> dict[int, CadenceChoice]:
        """The cadence that applies to each person who has one (their own, a tag's, their layer's, or learned).

        Looks only at the people who can have one; layers and learned gaps
        come from ``ties``' arrays (people missing from it get only explicit
        cadences).
        """
        ids = set(self.rules.person) | set(self.tags) | _in_layers(ties, MAINTAINED_LAYERS | set(self.rules.layer))
        if person_ids is not None:
            ids &= set(person_ids)
        out: dict[int, CadenceChoice] = {}
        for pid in ids:
            layer, gap = _layer_and_gap(ties, pid)
            learned = gap if layer in MAINTAINED_LAYERS else None
            tag_days = [(t, self.rules.tag[t]) for t in self.tags.get(pid, ()) if t in self.rules.tag]
            choice = choose_cadence(self.rules.person.get(pid), tag_days, layer, self.rules.layer.get(layer), learned)
            if choice is not None:
                out[pid] = choice
        return out


def _layer_and_gap(ties: TieTable | Mapping[int, PersonTie], pid: int) -> tuple[str, float | None]:
    """A person's layer ("" if unscored) and learned gap (None if unknown), from the arrays of a TieTable."""
    if isinstance(ties, TieTable):
        row = ties.row(pid)
        if row is None:
            return "", None
        gap = float(ties.learned_gap_days[row])
        return LAYERS[int(ties.layer[row])], (gap if gap == gap else None)
    tie = ties.get(pid)
    return ("", None) if tie is None else (tie.layer, tie.learned_gap_days)


def cadences_of(session: Session) -> Cadences:
    """The workspace's :class:`Cadences` (two small queries)."""
    rules = cadence_rules(session)
    return Cadences(rules, _tags_with_cadences(session, set(rules.tag)))


def effective_cadences(
    session: Session, ties: TieTable | Mapping[int, PersonTie], person_ids: Iterable[int] | None = None
) -> dict[int, CadenceChoice]:
    """The cadence that applies to each person (only those who have one); see :meth:`Cadences.choose_all`."""
    return cadences_of(session).choose_all(ties, person_ids)


def _in_layers(ties: Mapping[int, PersonTie], layers: frozenset[str]) -> set[int]:
    """People whose tie is in one of ``layers`` (from the arrays when ``ties`` is a :class:`TieTable`)."""
    if isinstance(ties, TieTable):
        return set(ties.in_layers(layers))
    return {pid for pid, tie in ties.items() if tie.layer in layers}


def _tags_with_cadences(session: Session, names: set[str]) -> dict[int, list[str]]:
    """Each person's tags that carry a cadence."""
    out: dict[int, list[str]] = defaultdict(list)
    if not names:
        return out
    stmt = (select(PersonTag.person_id, Tag.name).join(Tag, Tag.id == PersonTag.tag_id)
            .where(Tag.name.in_(list(names))))
    for pid, name in session.execute(stmt):
        out[pid].append(name)
    return out


def _target_name(target: str | Person) -> str:
    return target.display_name if isinstance(target, Person) else str(target)
