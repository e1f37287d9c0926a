"""Reach: the best warm introduction paths to a person, an organisation, a role or a tag.

``plan_reach`` resolves what the user typed into a set of target people, asks
the graph engine for the best paths of up to three hops (a strong first hop
preferred), and names the gatekeepers (assistants) of the people at the end
of those paths together with the state of my tie with each of them.

:class:`ReachPlan` is the read model `kith reach --json`, ``GET /api/v1/reach``
and the network page render (through its ``as_dict()``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.graph import ME, Path, best_paths
from kith.engine.kinds import KINDS
from kith.engine.relevance import expand, role_matches, role_words, tag_key
from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import email_key, fold, typed
from kith.services.network import Network, my_ties, network
from kith.services.people import resolve_person
from kith.services.people_list import PersonRef
from kith.services.scores import PersonTie
from kith.store.models import Interaction, InteractionParticipant

WEAK_GATEKEEPER = 25.0  # below this tie score, a gatekeeper needs nurturing before an ask


@dataclass
class Target:
    """What a reach query resolved to: its kind, a label and the people it stands for."""

    kind: str  # person | organisation | role | tag
    label: str
    people: list[int]


@dataclass(frozen=True)
class ReachTarget:
    """The resolved target as the plan shows it: kind, label and the people, named."""

    kind: str
    label: str
    people: tuple[PersonRef, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``{kind, label, people: [{id, name}]}``."""
        return {"kind": self.kind, "label": self.label, "people": [p.as_dict() for p in self.people]}


@dataclass(frozen=True)
class Hop:
    """One step of a path: from me or a person to the next person, how strong, and why."""

    from_name: str  # "you" for the first hop
    from_id: int | None  # None for me
    to_name: str
    to_id: int
    strength: float
    why: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``from``, ``from_id``, ``to``, ``to_id``, ``strength`` (4 decimals), ``why``."""
        return {"from": self.from_name, "from_id": self.from_id, "to": self.to_name, "to_id": self.to_id,
                "strength": round(self.strength, 4), "why": list(self.why)}


@dataclass(frozen=True)
class ReachPath:
    """An introduction path: its quality, whom to ask first, the route in words and every hop."""

    quality: float
    ask: str  # the first person on the path
    route: str  # "you → Ana → Bea"
    hops: tuple[Hop, ...]

    @property
    def first_hop(self) -> float:
        """The strength of my own tie with the first person."""
        return self.hops[0].strength

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``quality`` and ``first_hop`` (4 decimals), ``ask``, ``route``, ``hops``."""
        return {"quality": round(self.quality, 4), "first_hop": round(self.first_hop, 4), "ask": self.ask,
                "route": self.route, "hops": [h.as_dict() for h in self.hops]}


@dataclass(frozen=True)
class GatekeeperNote:
    """An assistant on the way to a target, and how my tie with them stands."""

    person_id: int
    name: str
    of_id: int
    of_name: str
    score: float
    layer: str
    last: str | None
    advice: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"id": self.person_id, "name": self.name, "of_id": self.of_id, "of": self.of_name,
                "score": self.score, "layer": self.layer, "last_interaction": self.last, "advice": self.advice}


@dataclass(frozen=True)
class ReachPlan:
    """Paths to a target, the gatekeepers on the way, and what to do first."""

    query: str
    target: ReachTarget
    paths: tuple[ReachPath, ...]
    gatekeepers: tuple[GatekeeperNote, ...] = ()
    advice: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``query``, ``target``, ``paths``, ``gatekeepers``, ``advice``."""
        return {"query": self.query, "target": self.target.as_dict(), "paths": [p.as_dict() for p in self.paths],
                "gatekeepers": [g.as_dict() for g in self.gatekeepers], "advice": list(self.advice)}


def plan_reach(session: Session, target: str, as_of: datetime, limit: int = 3) -> ReachPlan:
    """The best introduction paths to ``target`` (person, organisation, role or tag)."""
    if limit < 1:
        raise BadInput("limit must be at least 1")
    net = network(session)
    resolved = resolve_target(session, net, target)
    ties = my_ties(session, net, as_of)
    paths = best_paths(net.adj, net.my_edges(session, as_of), resolved.people, limit=limit, strongest_first=True)
    keepers = tuple(gatekeeper_note(session, net, ties, g, t, as_of)
                    for t in _ends(resolved, paths) for g in net.gatekeepers.get(t, []))
    shown = ReachTarget(resolved.kind, resolved.label, tuple(PersonRef(p, net.name(p)) for p in resolved.people))
    return ReachPlan(target, shown, tuple(reach_path(net, p) for p in paths), keepers,
                     tuple(_advice(net, resolved, paths, keepers)))


def _ends(target: Target, paths: list[Path]) -> list[int]:
    ends = [target.people[0]] if target.kind == "person" else []
    for p in paths:
        if p.people[-1] not in ends:
            ends.append(p.people[-1])
    return ends


def resolve_target(session: Session, net: Network, text: str) -> Target:
    """A person (id, e-mail, name), organisation, tag (``tag:x``, ``#x`` or the name) or role."""
    raw = typed(text).strip()
    if not raw:
        raise BadInput("name a target: a person, an organisation, a role or a tag")
    if raw.lower().startswith("tag:") or (raw.startswith("#") and not raw[1:].isdigit()):
        name = raw.split(":", 1)[1] if ":" in raw else raw[1:]
        tagged = _tag_target(net, name)
        if tagged is None:
            raise NotFound(f"nobody is tagged '{tag_key(name)}'")
        return tagged
    if raw.lstrip("#").isdigit() or email_key(raw) is not None:
        person = resolve_person(session, raw)
        return Target("person", net.people[person.id].label() if person.id in net.people else person.display_name, [person.id])
    found = _org_target(net, raw) or _person_target(session, net, raw) or _tag_target(net, raw)
    found = found or _role_target(net, raw)
    if found is None:
        raise NotFound(f"'{raw}' is not a person, organisation, tag or job title in your network")
    return found


def _person_target(session: Session, net: Network, raw: str) -> Target | None:
    try:
        person = resolve_person(session, raw)
    except NotFound:
        return None
    except AmbiguousPerson:
        if _role_target(net, raw) is None and _tag_target(net, raw) is None:
            raise
        return None
    if person.id not in net.people:
        return None
    return Target("person", net.people[person.id].label(), [person.id])


def _org_target(net: Network, raw: str) -> Target | None:
    key, orgs = fold(raw), net.orgs()
    partial = [k for k in orgs if len(key) >= 3 and key in k] if key not in orgs else []
    chosen = key if key in orgs else (partial[0] if len(partial) == 1 else None)
    if chosen is None:
        return None
    name, people = orgs[chosen]
    return Target("organisation", name, list(people))


def _tag_target(net: Network, raw: str) -> Target | None:
    key = tag_key(raw)
    people = sorted(pid for pid, info in net.people.items() if key and key in info.tags)
    return Target("tag", key, people) if people else None


def _role_target(net: Network, raw: str) -> Target | None:
    wanted = role_words(raw)
    if not wanted:
        return None
    index = net.index()
    candidates: set[int] = set()
    for cand in expand(index, wanted[0]):
        candidates.update(pid for pid, f in index.postings[cand].items() if f == "title")
    people = sorted(pid for pid in candidates if role_matches(raw, net.people[pid].title))
    return Target("role", raw, people) if people else None


def reach_path(net: Network, path: Path) -> ReachPath:
    """A path of the graph engine as people read it: names, every hop with its strength and reasons."""
    hops = tuple(Hop("you" if h.src == ME else net.name(h.src), None if h.src == ME else h.src, net.name(h.dst),
                     h.dst, h.strength, tuple(h.why)) for h in path.hops)
    names = ["you", *(net.name(p) for p in path.people)]
    return ReachPath(path.quality, net.name(path.people[0]), " → ".join(names), hops)


def last_interaction(session: Session, person_id: int, as_of: datetime) -> Interaction | None:
    """My most recent interaction with a person up to ``as_of``."""
    stmt = (
        select(Interaction).join(InteractionParticipant, InteractionParticipant.interaction_id == Interaction.id)
        .where(InteractionParticipant.person_id == person_id, Interaction.occurred_at <= as_of)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(1)
    )
    return session.scalars(stmt).first()


def gatekeeper_note(
    session: Session, net: Network, ties: Mapping[int, PersonTie], keeper: int, of: int, as_of: datetime
) -> GatekeeperNote:
    """How my tie with ``keeper`` (the assistant of ``of``) stands, and what to do about it."""
    tie = ties.get(keeper)
    score, layer = (tie.score, tie.layer) if tie else (0.0, "dormant")
    # Only a tie that went badly needs the interaction itself (to name its kind).
    last = last_interaction(session, keeper, as_of) if tie is None or tie.last_sentiment < 0 else None
    name, boss = net.name(keeper), net.name(of)
    last_text = f"{KINDS[last.kind].label} on {last.occurred_at.date().isoformat()}" if last else (
        f"on {tie.last_at.date().isoformat()}" if tie and tie.last_at else None)
    if last is not None and last.sentiment < 0:
        advice = (f"your last {KINDS[last.kind].name} with {boss}'s assistant {name} went badly "
                  f"({last.occurred_at.date().isoformat()}); mend that first")
    elif score < WEAK_GATEKEEPER:
        advice = f"{name} is {boss}'s assistant and your tie is weak (score {score:.0f}); nurture it before you ask"
    else:
        advice = f"{name} is {boss}'s assistant and your tie is {layer} (score {score:.0f}); go through them"
    return GatekeeperNote(keeper, name, of, boss, score, layer, last_text, advice)


def _advice(net: Network, target: Target, paths: list[Path], keepers: Sequence[GatekeeperNote]) -> list[str]:
    out = [g.advice for g in keepers]
    if not paths:
        out.append(f"no path of up to three hops to {target.label}: meet someone who knows them")
        return out
    best = paths[0]
    if len(best.hops) == 1:
        out.append(f"you know {net.name(best.people[0])} directly")
    else:
        out.append(f"ask {net.name(best.people[0])} for an introduction to {net.name(best.people[-1])} "
                   f"(path quality {best.quality:.2f})")
    return out
