"""Goals: what the networking is for, and an audit of where it actually goes.

A goal names target organisations, industries, roles and tags and a time
window. A person is *goal-relevant* when they match any of these
(:func:`kith.engine.relevance.goal_reasons`). The audit looks at the last 90
days: the share of interactions spent with goal-relevant people, the relevant
ties that are cooling, the targets with no path, and the three actions that
would help most.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.graph import best_paths
from kith.engine.kinds import KINDS
from kith.engine.relevance import GoalCriteria, Profile, goal_reasons, role_matches, tag_key
from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import fold
from kith.services.network import Network, my_ties, network
from kith.services.scores import PersonTie
from kith.store.models import Goal, Interaction, InteractionParticipant

AUDIT_DAYS = 90
COOLING_DAYS = 60


def add_goal(
    session: Session, title: str, *, now: datetime, target_orgs: Sequence[str] = (),
    industries: Sequence[str] = (), roles: Sequence[str] = (), tags: Sequence[str] = (),
    starts_on: date | None = None, ends_on: date | None = None, note: str = "",
) -> Goal:
    """Create an active goal."""
    clean = " ".join(title.split())
    if not clean:
        raise BadInput("a goal needs a title")
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput("a goal cannot end before it starts")
    goal = Goal(
        title=clean, note=note, target_orgs=_clean(target_orgs), industries=_clean(industries),
        roles=_clean(roles), tags=[tag_key(t) for t in tags if tag_key(t)], starts_on=starts_on or now.date(),
        ends_on=ends_on, status="active", closed_on=None, created_at=now,
    )
    session.add(goal)
    session.flush()
    return goal


def _clean(values: Sequence[str]) -> list[str]:
    return [" ".join(v.split()) for v in values if v.strip()]


def list_goals(session: Session, include_closed: bool = False) -> list[Goal]:
    """Goals, oldest first; only active ones unless ``include_closed``."""
    stmt = select(Goal).order_by(Goal.id)
    if not include_closed:
        stmt = stmt.where(Goal.status == "active")
    return list(session.scalars(stmt).all())


def get_goal(session: Session, ref: str) -> Goal:
    """A goal by id (``3`` or ``#3``) or by (part of) its title."""
    text = ref.strip()
    if text.lstrip("#").isdigit():
        goal = session.scalars(select(Goal).where(Goal.id == int(text.lstrip("#")))).first()
        if goal is None:
            raise NotFound(f"no goal with id {text}")
        return goal
    goals = list_goals(session, include_closed=True)
    exact = [g for g in goals if fold(g.title) == fold(text)]
    found = exact or [g for g in goals if fold(text) in fold(g.title)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no goal called '{text}'")
    raise AmbiguousPerson(text, [(g.id, g.title) for g in found])


def close_goal(session: Session, goal: Goal, on: date) -> Goal:
    """Mark a goal closed (reached or dropped) on a date."""
    goal.status, goal.closed_on = "closed", on
    session.flush()
    return goal


def goal_as_dict(goal: Goal) -> dict[str, Any]:
    """JSON form of a goal."""
    def d(x: date | None) -> str | None:
        return x.isoformat() if x else None

    return {"id": goal.id, "title": goal.title, "note": goal.note, "target_orgs": list(goal.target_orgs),
            "industries": list(goal.industries), "roles": list(goal.roles), "tags": list(goal.tags),
            "starts_on": d(goal.starts_on), "ends_on": d(goal.ends_on), "status": goal.status,
            "closed_on": d(goal.closed_on)}


def is_cooling(tie: PersonTie, as_of: datetime) -> bool:
    """Whether a tie is cooling: the engine says so (overdue for its learned rhythm) or no contact for COOLING_DAYS."""
    return tie.cooling or (tie.last_at is not None and (as_of - tie.last_at).days >= COOLING_DAYS)


def relevant_people(net: Network, goal: Goal) -> dict[int, list[str]]:
    """Everyone relevant to the goal, with why."""
    crit = GoalCriteria(tuple(goal.target_orgs), tuple(goal.industries), tuple(goal.roles), tuple(goal.tags))
    out: dict[int, list[str]] = {}
    for pid, p in net.people.items():
        reasons = goal_reasons(crit, Profile(pid, p.title, p.org, p.industry, p.tags, p.notes))
        if reasons:
            out[pid] = reasons
    return out


@dataclass
class Action:
    """One thing to do for a goal, with how much it is expected to help."""

    priority: float
    text: str
    person_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"action": self.text, "person_id": self.person_id, "priority": round(self.priority, 2)}


@dataclass
class GoalAudit:
    """Where the last 90 days of networking went, relative to one goal."""

    goal: dict[str, Any]
    window_start: date
    interactions: int
    with_relevant: int
    with_others: int
    relevant_share: float
    top_others: list[dict[str, Any]]
    relevant_people: int
    cooling: list[dict[str, Any]]
    no_path: list[dict[str, Any]]
    actions: list[Action] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"goal": self.goal, "window_start": self.window_start.isoformat(),
                "interactions": self.interactions, "with_relevant": self.with_relevant,
                "with_others": self.with_others, "relevant_share": self.relevant_share,
                "top_others": self.top_others, "relevant_people": self.relevant_people,
                "cooling": self.cooling, "no_path": self.no_path,
                "actions": [a.as_dict() for a in self.actions]}


def audit_goal(session: Session, goal: Goal, as_of: datetime) -> GoalAudit:
    """Audit a goal as of a date: effort share, cooling ties, targets without a path, top actions."""
    net = network(session)
    ties = my_ties(session, net, as_of)
    relevant = relevant_people(net, goal)
    start = as_of - timedelta(days=AUDIT_DAYS)
    groups = _recent_interactions(session, start, as_of)
    with_rel = sum(1 for members in groups.values() if relevant.keys() & members)
    others: Counter[int] = Counter(p for members in groups.values() if not relevant.keys() & members for p in members)
    cooling = _cooling(net, ties, relevant, as_of)
    reached, no_path = _targets(session, net, goal, as_of)
    audit = GoalAudit(
        goal_as_dict(goal), start.date(), len(groups), with_rel, len(groups) - with_rel,
        round(with_rel / len(groups), 4) if groups else 0.0,
        [_other_dict(net, pid, n) for pid, n in sorted(others.items(), key=lambda kv: (-kv[1], net.name(kv[0])))[:5]],
        len(relevant), cooling, no_path,
    )
    audit.actions = _actions(net, ties, audit, reached, as_of)
    return audit


def _recent_interactions(session: Session, start: datetime, end: datetime) -> dict[int, set[int]]:
    stmt = (
        select(Interaction.id, InteractionParticipant.person_id, Interaction.kind)
        .join(InteractionParticipant, InteractionParticipant.interaction_id == Interaction.id)
        .where(Interaction.occurred_at > start, Interaction.occurred_at <= end)
    )
    groups: dict[int, set[int]] = defaultdict(set)
    for iid, pid, kind in session.execute(stmt):
        if KINDS[kind].depth > 0:  # a note is not time spent with anyone
            groups[iid].add(pid)
    return groups


def _other_dict(net: Network, pid: int, count: int) -> dict[str, Any]:
    info = net.people.get(pid)
    return {"id": pid, "name": net.name(pid), "interactions": count,
            "label": info.label() if info else net.name(pid), "tags": list(info.tags) if info else []}


def _cooling(net: Network, ties: Mapping[int, PersonTie], relevant: dict[int, list[str]], as_of: datetime) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for pid, why in relevant.items():
        tie = ties.get(pid)
        if tie is not None and tie.last_at is not None and is_cooling(tie, as_of):  # never met is not cooling
            out.append({"id": pid, "name": net.name(pid), "score": tie.score, "layer": tie.layer,
                        "days_since": (as_of - tie.last_at).days, "why_relevant": why})
    out.sort(key=lambda c: (-float(c["score"]), str(c["name"])))
    return out


def _targets(
    session: Session, net: Network, goal: Goal, as_of: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each target organisation and role: its best path, or why there is none."""
    edges = net.my_edges(session, as_of)
    reached, missing = [], []
    targets = [("organisation", o) for o in goal.target_orgs] + [("role", r) for r in goal.roles]
    for kind, name in targets:
        people = _target_people(net, kind, name)
        paths = best_paths(net.adj, edges, people, limit=1, strongest_first=True) if people else []
        if paths:
            reached.append({"kind": kind, "target": name, "path": paths[0]})
        else:
            why = (f"nobody you know connects to {name} within three hops" if people
                   else f"nobody {'at' if kind == 'organisation' else 'with the role'} {name} is in your network")
            missing.append({"kind": kind, "target": name, "people": len(people), "why": why})
    return reached, missing


def _target_people(net: Network, kind: str, name: str) -> list[int]:
    if kind == "organisation":
        return sorted(pid for pid, p in net.people.items() if p.org and fold(p.org) == fold(name))
    return sorted(pid for pid, p in net.people.items() if role_matches(name, p.title))


def _actions(
    net: Network, ties: Mapping[int, PersonTie], audit: GoalAudit, reached: list[dict[str, Any]], as_of: datetime
) -> list[Action]:
    acts: list[Action] = []
    for r in reached:
        acts.append(_path_action(net, ties, r, as_of))
    first_hops = {r["path"].people[0] for r in reached}
    for c in (c for c in audit.cooling if c["id"] not in first_hops):
        acts.append(Action(c["score"] * 0.8, f"reconnect with {net.people[c['id']].label()}: "
                           f"no contact for {c['days_since']} days ({c['why_relevant'][0]})", c["id"]))
    if audit.interactions >= 3 and audit.relevant_share < 0.5:
        names = ", ".join(o["name"] for o in audit.top_others[:3])
        acts.append(Action(40.0, f"only {audit.relevant_share:.0%} of your last {AUDIT_DAYS} days' interactions "
                           f"were with goal-relevant people; move time from {names} to them"))
    best_tie = max(ties.values(), key=lambda t: (t.score, -t.person_id), default=None)
    for m in audit.no_path:
        who = f"ask {net.name(best_tie.person_id)} who they know" if best_tie and best_tie.score > 0 else "meet people"
        acts.append(Action(30.0, f"find a way to {m['target']}: {who} {'at' if m['kind'] == 'organisation' else 'working as'} {m['target']}"))
    acts.sort(key=lambda a: (-a.priority, a.text))
    return acts[:3]


def _path_action(net: Network, ties: Mapping[int, PersonTie], reached: dict[str, Any], as_of: datetime) -> Action:
    path = reached["path"]
    first = path.people[0]
    tie = ties[first]
    end = net.people[path.people[-1]].label()
    if len(path.hops) == 1:
        text = f"talk to {end} directly ({tie.layer} tie, score {tie.score:.0f}) about {reached['target']}"
    else:
        text = (f"ask {net.name(first)} ({tie.layer} tie; {path.hops[1].why[0]}) "
                f"for an introduction to {end}")
    if tie.last_at is not None and is_cooling(tie, as_of):
        text += f"; no contact for {(as_of - tie.last_at).days} days, so reconnect first"
    return Action(path.quality * 100, text, first)
