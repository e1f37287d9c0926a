"""Goals: what the networking is for, and an audit of where it actually goes.

A goal names target organisations, industries, roles and tags and a time
window. A person is *goal-relevant* when they match any of these; the rule is
written once, in :class:`kith.engine.relevance.GoalMatcher`, and the audit, the
agenda and the person page all take their reasons from it (through
:func:`relevant_people` and :class:`GoalRelevance`). The audit looks at the last
90 days: the share of interactions spent with goal-relevant people, the
relevant ties that are cooling, the targets with no path, and the three actions
that would help most.

:class:`GoalView` is the one read form of a goal (API, CLI ``--json``, pages);
:func:`edit_goal` is the one way to change one; :class:`GoalAudit` is the read
model of an audit (`kith goal audit --json`, ``GET /api/v1/goals/{id}/audit``,
the goals page).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kith.clock import ago_words
from kith.engine.kinds import KINDS
from kith.engine.relevance import (
    GoalCriteria,
    GoalMatcher,
    Profile,
    role_matches,
    tag_key,
    works_at,
)
from kith.errors import AmbiguousPerson, BadInput, NotFound
from kith.normalize import fold
from kith.services.memo import memoized
from kith.services.paging import by_id, paged
from kith.services.scores import PersonTie
from kith.store.journal import journaled
from kith.store.models import Goal, Interaction, InteractionParticipant

if TYPE_CHECKING:
    from kith.engine.graph import Path
    from kith.services.network import Network

AUDIT_DAYS = 90
COOLING_DAYS = 60
GOAL_STATUSES = ("active", "closed")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class GoalRef(NamedTuple):
    """A goal as far as relevance needs it: which goal, and its criteria."""

    id: int
    title: str
    criteria: GoalCriteria


@dataclass(frozen=True)
class GoalView:
    """A goal as every interface shows it (API, CLI ``--json``, pages)."""

    id: int
    title: str
    note: str
    target_orgs: tuple[str, ...]
    industries: tuple[str, ...]
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    starts_on: date | None
    ends_on: date | None
    status: str
    closed_on: date | None

    @classmethod
    def of(cls, goal: Goal) -> GoalView:
        """The view of a stored goal."""
        return cls(
            goal.id, goal.title, goal.note or "", tuple(goal.target_orgs or ()), tuple(goal.industries or ()),
            tuple(goal.roles or ()), tuple(goal.tags or ()), goal.starts_on, goal.ends_on, goal.status, goal.closed_on,
        )

    @property
    def ref(self) -> GoalRef:
        """What relevance needs of this goal."""
        return GoalRef(self.id, self.title, GoalCriteria(self.target_orgs, self.industries, self.roles, self.tags))

    def as_dict(self) -> dict[str, Any]:
        """JSON form (dates as ISO text)."""
        return {"id": self.id, "title": self.title, "note": self.note, "target_orgs": list(self.target_orgs),
                "industries": list(self.industries), "roles": list(self.roles), "tags": list(self.tags),
                "starts_on": _iso(self.starts_on), "ends_on": _iso(self.ends_on), "status": self.status,
                "closed_on": _iso(self.closed_on)}


@dataclass(frozen=True)
class GoalChanges:
    """Fields to change on a goal; ``None`` leaves a field as it is."""

    title: str | None = None
    note: str | None = None
    target_orgs: Sequence[str] | None = None
    industries: Sequence[str] | None = None
    roles: Sequence[str] | None = None
    tags: Sequence[str] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: str | None = None


@journaled(lambda session, title, **_: f"Added the goal {title}")
def add_goal(
    session: Session, title: str, *, now: datetime, target_orgs: Sequence[str] = (),
    industries: Sequence[str] = (), roles: Sequence[str] = (), tags: Sequence[str] = (),
    starts_on: date | None = None, ends_on: date | None = None, note: str = "",
) -> Goal:
    """Create an active goal."""
    start = starts_on or now.date()
    _check_window(start, ends_on)
    goal = Goal(
        title=_title(title), note=note, target_orgs=_clean(target_orgs), industries=_clean(industries),
        roles=_clean(roles), tags=_tag_keys(tags), starts_on=start, ends_on=ends_on, status="active",
        closed_on=None, created_at=now,
    )
    session.add(goal)
    session.flush()
    return goal


@journaled(lambda session, goal, *_a, **_: f"Edited the goal {goal.title}")
def edit_goal(session: Session, goal: Goal, changes: GoalChanges, *, now: datetime) -> Goal:
    """Change a goal: the title stays non-blank, the window in order, the status active or closed.

    Closing a goal records today as ``closed_on`` (an already closed goal keeps
    its date); reopening it clears ``closed_on``.
    """
    title = _title(changes.title) if changes.title is not None else goal.title
    starts = changes.starts_on if changes.starts_on is not None else goal.starts_on
    ends = changes.ends_on if changes.ends_on is not None else goal.ends_on
    _check_window(starts, ends)
    if changes.status is not None and changes.status not in GOAL_STATUSES:
        raise BadInput(f"unknown goal status '{changes.status}' (use {', '.join(GOAL_STATUSES)})")
    goal.title, goal.starts_on, goal.ends_on = title, starts, ends
    if changes.note is not None:
        goal.note = changes.note
    if changes.target_orgs is not None:
        goal.target_orgs = _clean(changes.target_orgs)
    if changes.industries is not None:
        goal.industries = _clean(changes.industries)
    if changes.roles is not None:
        goal.roles = _clean(changes.roles)
    if changes.tags is not None:
        goal.tags = _tag_keys(changes.tags)
    if changes.status is not None:
        _set_status(goal, changes.status, now.date())
    session.flush()
    return goal


@journaled(lambda session, goal, *_a: f"Closed the goal {goal.title}")
def close_goal(session: Session, goal: Goal, on: date) -> Goal:
    """Mark a goal closed (reached or dropped) on a date (an already closed goal keeps its date)."""
    _set_status(goal, "closed", on)
    session.flush()
    return goal


def _set_status(goal: Goal, status: str, on: date) -> None:
    if status == "closed" and (goal.status != "closed" or goal.closed_on is None):
        goal.closed_on = on
    elif status == "active":
        goal.closed_on = None
    goal.status = status


def _title(text: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise BadInput("a goal needs a title")
    return clean


def _check_window(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise BadInput("a goal cannot end before it starts")


def _clean(values: Sequence[str]) -> list[str]:
    return [" ".join(v.split()) for v in values if v.strip()]


def _tag_keys(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(k for k in (tag_key(t) for t in values) if k))


def list_goals(
    session: Session, *, include_closed: bool = False, limit: int | None = None, offset: int = 0
) -> tuple[list[GoalView], int]:
    """Goals, active ones first, each group oldest first (closed ones only if ``include_closed``):
    one page and how many in all."""
    stmt = select(Goal)
    if not include_closed:
        stmt = stmt.where(Goal.status == "active")
    rows, total = paged(session, stmt.order_by(Goal.status != "active", Goal.id), limit=limit, offset=offset)
    return [GoalView.of(g) for g in rows], total


def active_goals(session: Session, as_of: datetime) -> list[Goal]:
    """Goals in force on ``as_of``'s date: status active, and the date inside their window."""
    day = as_of.date()
    stmt = select(Goal).where(
        Goal.status == "active",
        or_(Goal.starts_on.is_(None), Goal.starts_on <= day),
        or_(Goal.ends_on.is_(None), Goal.ends_on >= day),
    ).order_by(Goal.id)
    return list(session.scalars(stmt).all())


def get_goal(session: Session, ref: str) -> Goal:
    """A goal by id (``3`` or ``#3``) or by (part of) its title."""
    text = ref.strip()
    if text.lstrip("#").isdigit():
        goal = session.scalars(select(Goal).where(Goal.id == int(text.lstrip("#")))).first()
        if goal is None:
            raise NotFound(f"no goal with id {text}")
        return goal
    goals = session.scalars(select(Goal).order_by(Goal.id)).all()
    exact = [g for g in goals if fold(g.title) == fold(text)]
    found = exact or [g for g in goals if fold(text) in fold(g.title)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no goal called '{text}'")
    raise AmbiguousPerson(text, [(g.id, g.title) for g in found])


def goal_by_id(session: Session, goal_id: int) -> Goal:
    """A goal of the workspace by its id."""
    return by_id(session, Goal, goal_id, "goal")


@journaled(lambda session, goal: f"Deleted the goal {goal.title}")
def delete_goal(session: Session, goal: Goal) -> None:
    """Delete a goal (its opportunities stay, no longer tied to it)."""
    session.delete(goal)
    session.flush()


# -- relevance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelevantGoal:
    """A goal a person is relevant to, and why (the engine's reasons)."""

    id: int
    title: str
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        """One line, as the agenda says it: ``relevant to goal 'T' (reason; reason)``."""
        return f"relevant to goal '{self.title}' ({'; '.join(self.reasons)})"


class GoalRelevance:
    """Several goals prepared once, to say which of them each of many people is relevant to."""

    def __init__(self, goals: Iterable[GoalRef]) -> None:
        self._goals = [(g, GoalMatcher(g.criteria)) for g in goals]

    @property
    def matchers(self) -> list[GoalMatcher]:
        """Each goal's matcher, in the goals' order (their answers are remembered: share them)."""
        return [matcher for _, matcher in self._goals]

    def of(self, profile: Profile) -> list[RelevantGoal]:
        """The goals ``profile`` is relevant to, in the goals' order, each with its reasons."""
        out = []
        for goal, matcher in self._goals:
            reasons = matcher.reasons(profile)
            if reasons:
                out.append(RelevantGoal(goal.id, goal.title, tuple(reasons)))
        return out


def active_goal_refs(session: Session, as_of: datetime) -> list[GoalRef]:
    """:func:`active_goals` as criteria (memoized per data version and day: a person page asks on every visit)."""

    def compute() -> list[GoalRef]:
        return [GoalRef(g.id, g.title, GoalCriteria(tuple(g.target_orgs), tuple(g.industries), tuple(g.roles),
                                                    tuple(g.tags))) for g in active_goals(session, as_of)]

    return memoized(session, f"goals.active:{as_of.date().isoformat()}", None, compute)


def goals_relevant_to(goals: Iterable[GoalRef], profile: Profile) -> list[RelevantGoal]:
    """The goals one person is relevant to, with why (the person page: no query)."""
    return GoalRelevance(goals).of(profile)


def is_cooling(tie: PersonTie, as_of: datetime) -> bool:
    """Whether a tie is cooling: the engine says so (overdue for its learned rhythm) or no contact for COOLING_DAYS."""
    return tie.cooling or (tie.last_at is not None and (as_of - tie.last_at).days >= COOLING_DAYS)


def relevant_people(net: Network, goal: Goal) -> dict[int, list[str]]:
    """Everyone relevant to the goal, with why."""
    matcher = GoalMatcher(GoalView.of(goal).ref.criteria)
    out: dict[int, list[str]] = {}
    for pid, p in net.people.items():
        reasons = matcher.reasons(Profile(pid, p.title, p.org, p.industry, p.tags, p.notes))
        if reasons:
            out[pid] = reasons
    return out


@dataclass(frozen=True)
class Action:
    """One thing to do for a goal, with how much it is expected to help."""

    priority: float
    text: str
    person_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``action`` (the text), ``person_id``, ``priority`` (2 decimals)."""
        return {"action": self.text, "person_id": self.person_id, "priority": round(self.priority, 2)}


@dataclass(frozen=True)
class OtherContact:
    """Someone not relevant to the goal who took some of the window's interactions."""

    id: int
    name: str
    label: str  # the name with title and organisation
    interactions: int
    tags: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``id``, ``name``, ``interactions``, ``label``, ``tags``."""
        return {"id": self.id, "name": self.name, "interactions": self.interactions, "label": self.label,
                "tags": list(self.tags)}


@dataclass(frozen=True)
class CoolingContact:
    """A goal-relevant tie that is cooling: how strong it is, since when, and why it matters to the goal."""

    id: int
    name: str
    score: float
    layer: str
    days_since: int
    why_relevant: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``id``, ``name``, ``score``, ``layer``, ``days_since``, ``why_relevant``."""
        return {"id": self.id, "name": self.name, "score": self.score, "layer": self.layer,
                "days_since": self.days_since, "why_relevant": list(self.why_relevant)}


@dataclass(frozen=True)
class MissingTarget:
    """A target organisation or role the network has no path to, and why."""

    kind: str  # organisation | role
    target: str
    people: int  # how many people of the network are at it (0: nobody known)
    why: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``kind``, ``target``, ``people``, ``why``."""
        return {"kind": self.kind, "target": self.target, "people": self.people, "why": self.why}


@dataclass(frozen=True)
class _Reached:
    """A target with a path to it."""

    kind: str
    target: str
    path: Path


@dataclass(frozen=True)
class GoalAudit:
    """Where the last 90 days of networking went, relative to one goal."""

    goal: GoalView
    window_start: date
    interactions: int
    with_relevant: int
    with_others: int
    relevant_share: float
    top_others: tuple[OtherContact, ...]
    relevant_people: int
    cooling: tuple[CoolingContact, ...]  # strongest first
    no_path: tuple[MissingTarget, ...]
    actions: tuple[Action, ...] = ()  # the three that would help most

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"goal": self.goal.as_dict(), "window_start": self.window_start.isoformat(),
                "interactions": self.interactions, "with_relevant": self.with_relevant,
                "with_others": self.with_others, "relevant_share": self.relevant_share,
                "top_others": [o.as_dict() for o in self.top_others], "relevant_people": self.relevant_people,
                "cooling": [c.as_dict() for c in self.cooling], "no_path": [m.as_dict() for m in self.no_path],
                "actions": [a.as_dict() for a in self.actions]}


@dataclass(frozen=True)
class GoalOverview:
    """A goal as the goals page shows it: the goal, and for an active one its audit."""

    goal: GoalView
    audit: GoalAudit | None


def audit_goal(session: Session, goal: Goal, as_of: datetime) -> GoalAudit:
    """Audit a goal as of a date: effort share, cooling ties, targets without a path, top actions."""
    from kith.services.network import my_ties, network

    net = network(session)
    ties = my_ties(session, net, as_of)
    relevant = relevant_people(net, goal)
    start = as_of - timedelta(days=AUDIT_DAYS)
    groups = _recent_interactions(session, start, as_of)
    with_rel = sum(1 for members in groups.values() if relevant.keys() & members)
    others: Counter[int] = Counter(p for members in groups.values() if not relevant.keys() & members for p in members)
    reached, no_path = _targets(session, net, goal, as_of)
    audit = GoalAudit(
        GoalView.of(goal), start.date(), len(groups), with_rel, len(groups) - with_rel,
        round(with_rel / len(groups), 4) if groups else 0.0,
        tuple(_other(net, pid, n) for pid, n in sorted(others.items(), key=lambda kv: (-kv[1], net.name(kv[0])))[:5]),
        len(relevant), _cooling(net, ties, relevant, as_of), no_path,
    )
    return replace(audit, actions=_actions(net, ties, audit, reached, as_of))


def goals_overview(session: Session, as_of: datetime) -> list[GoalOverview]:
    """Every goal, active ones first, each active one with its audit (the goals page)."""
    goals = session.scalars(select(Goal).order_by(Goal.status != "active", Goal.id)).all()
    return [GoalOverview(GoalView.of(g), audit_goal(session, g, as_of) if g.status == "active" else None)
            for g in goals]


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


def _other(net: Network, pid: int, count: int) -> OtherContact:
    info = net.people.get(pid)
    return OtherContact(pid, net.name(pid), info.label() if info else net.name(pid), count,
                        tuple(info.tags) if info else ())


def _cooling(net: Network, ties: Mapping[int, PersonTie], relevant: dict[int, list[str]],
             as_of: datetime) -> tuple[CoolingContact, ...]:
    out: list[CoolingContact] = []
    for pid, why in relevant.items():
        tie = ties.get(pid)
        if tie is not None and tie.last_at is not None and is_cooling(tie, as_of):  # never met is not cooling
            out.append(CoolingContact(pid, net.name(pid), tie.score, tie.layer, (as_of - tie.last_at).days, tuple(why)))
    out.sort(key=lambda c: (-c.score, c.name))
    return tuple(out)


def _targets(
    session: Session, net: Network, goal: Goal, as_of: datetime
) -> tuple[list[_Reached], tuple[MissingTarget, ...]]:
    """Each target organisation and role: its best path, or why there is none."""
    from kith.engine.graph import best_paths

    edges = net.my_edges(session, as_of)
    reached: list[_Reached] = []
    missing: list[MissingTarget] = []
    targets = [("organisation", o) for o in goal.target_orgs] + [("role", r) for r in goal.roles]
    for kind, name in targets:
        people = _target_people(net, kind, name)
        paths = best_paths(net.adj, edges, people, limit=1, strongest_first=True) if people else []
        if paths:
            reached.append(_Reached(kind, name, paths[0]))
        else:
            why = (f"nobody you know connects to {name} within three hops" if people
                   else f"nobody {'at' if kind == 'organisation' else 'with the role'} {name} is in your network")
            missing.append(MissingTarget(kind, name, len(people), why))
    return reached, tuple(missing)


def _target_people(net: Network, kind: str, name: str) -> list[int]:
    if kind == "organisation":
        return sorted(pid for pid, p in net.people.items() if p.org and works_at(name, p.org))
    return sorted(pid for pid, p in net.people.items() if role_matches(name, p.title))


def _actions(
    net: Network, ties: Mapping[int, PersonTie], audit: GoalAudit, reached: list[_Reached], as_of: datetime
) -> tuple[Action, ...]:
    acts: list[Action] = []
    for r in reached:
        acts.append(_path_action(net, ties, r, as_of))
    first_hops = {r.path.people[0] for r in reached}
    for c in (c for c in audit.cooling if c.id not in first_hops):
        acts.append(Action(c.score * 0.8, f"reconnect with {net.people[c.id].label()}: "
                           f"last contact {ago_words(c.days_since)} ({c.why_relevant[0]})", c.id))
    if audit.interactions >= 3 and audit.relevant_share < 0.5:
        names = ", ".join(o.name for o in audit.top_others[:3])
        acts.append(Action(40.0, f"only {audit.relevant_share:.0%} of your last {AUDIT_DAYS} days' interactions "
                           f"were with goal-relevant people; move time from {names} to them"))
    best_tie = max(ties.values(), key=lambda t: (t.score, -t.person_id), default=None)
    for m in audit.no_path:
        who = f"ask {net.name(best_tie.person_id)} who they know" if best_tie and best_tie.score > 0 else "meet people"
        acts.append(Action(30.0, f"find a way to {m.target}: {who} {'at' if m.kind == 'organisation' else 'working as'} {m.target}"))
    acts.sort(key=lambda a: (-a.priority, a.text))
    return tuple(acts[:3])


def _path_action(net: Network, ties: Mapping[int, PersonTie], reached: _Reached, as_of: datetime) -> Action:
    path = reached.path
    first = path.people[0]
    tie = ties[first]
    end = net.people[path.people[-1]].label()
    if len(path.hops) == 1:
        why = f"about {reached.target}" if reached.kind == "organisation" else f"they work as {reached.target}"
        text = f"talk to {end} directly ({tie.layer} tie, score {tie.score:.0f}): {why}"
    else:
        text = (f"ask {net.name(first)} ({tie.layer} tie; {path.hops[1].why[0]}) "
                f"for an introduction to {end}")
    if tie.last_at is not None and is_cooling(tie, as_of):
        text += f"; last contact {ago_words((as_of - tie.last_at).days)}, so reconnect first"
    return Action(path.quality * 100, text, first)
