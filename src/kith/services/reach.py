"""Reach: the best warm introduction paths to a person, an organisation, a role or a tag.

``plan_reach`` resolves what the user typed into a set of target people, asks
the graph engine for the best paths of up to three hops (a strong first hop
preferred), and names the gatekeepers (assistants) of the people at the end
of those paths together with the state of my tie with each of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.graph import ME, Path, best_paths
from kith.engine.kinds import KINDS
from kith.engine.relevance import expand, role_matches, tag_key, words
from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import email_key, fold
from kith.services.network import Network, my_ties, network
from kith.services.people import resolve_person
from kith.services.scores import PersonTie
from kith.store.models import Interaction, InteractionParticipant

WEAK_GATEKEEPER = 25.0  # below this tie score, a gatekeeper needs nurturing before an ask


@dataclass
class Target:
    """What a reach query resolved to: its kind, a label and the people it stands for."""

    kind: str  # person | organisation | role | tag
    label: str
    people: list[int]

    def as_dict(self, net: Network) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "label": self.label,
                "people": [{"id": p, "name": net.name(p)} for p in self.people]}


@dataclass
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


@dataclass
class ReachPlan:
    """Paths to a target, the gatekeepers on the way, and what to do first."""

    query: str
    target: Target
    paths: list[dict[str, Any]]
    gatekeepers: list[GatekeeperNote] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    target_json: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"query": self.query, "target": self.target_json, "paths": self.paths,
                "gatekeepers": [g.as_dict() for g in self.gatekeepers], "advice": self.advice}


def plan_reach(session: Session, target: str, as_of: datetime, limit: int = 3) -> ReachPlan:
    """The best introduction paths to ``target`` (person, organisation, role or tag)."""
    if limit < 1:
        raise BadInput("limit must be at least 1")
    net = network(session)
    resolved = resolve_target(session, net, target)
    ties = my_ties(session, net, as_of)
    paths = best_paths(net.adj, net.my_edges(session, as_of), resolved.people, limit=limit, strongest_first=True)
    plan = ReachPlan(target, resolved, [path_dict(net, p) for p in paths], target_json=resolved.as_dict(net))
    ends = _ends(resolved, paths)
    plan.gatekeepers = [gatekeeper_note(session, net, ties, g, t, as_of) for t in ends for g in net.gatekeepers.get(t, [])]
    plan.advice = _advice(net, resolved, paths, plan.gatekeepers)
    return plan


def _ends(target: Target, paths: list[Path]) -> list[int]:
    ends = [target.people[0]] if target.kind == "person" else []
    for p in paths:
        if p.people[-1] not in ends:
            ends.append(p.people[-1])
    return ends


def resolve_target(session: Session, net: Network, text: str) -> Target:
    """A person (id, e-mail, name), organisation, tag (``tag:x``, ``#x`` or the name) or role."""
    raw = text.strip()
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
    role_words = words(raw)
    if not role_words:
        return None
    index = net.index()
    candidates: set[int] = set()
    for cand in expand(index, role_words[0]):
        candidates.update(pid for pid, f in index.postings[cand].items() if f == "title")
    people = sorted(pid for pid in candidates if role_matches(raw, net.people[pid].title))
    return Target("role", raw, people) if people else None


def path_dict(net: Network, path: Path) -> dict[str, Any]:
    """JSON form of a path: every hop with its strength and reasons."""
    hops = [
        {"from": "you" if h.src == ME else net.name(h.src), "from_id": None if h.src == ME else h.src,
         "to": net.name(h.dst), "to_id": h.dst, "strength": round(h.strength, 4), "why": list(h.why)}
        for h in path.hops
    ]
    names = ["you", *(net.name(p) for p in path.people)]
    return {"quality": round(path.quality, 4), "first_hop": round(path.hops[0].strength, 4),
            "ask": net.name(path.people[0]), "route": " → ".join(names), "hops": hops}


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


def _advice(net: Network, target: Target, paths: list[Path], keepers: list[GatekeeperNote]) -> list[str]:
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
