"""Today's agenda: one ranked action per person, with its reason and due date.

The facts come from the stored tie states (scores, rhythm and the latest
moments the agenda asks about, as arrays over everyone) and a fixed number of
small queries (key people, meetings, cadences, gatekeepers, favours,
projects, goals), never one query per person. The rules and the ranking are
in :mod:`kith.engine.agenda_rules`; they run on all the columns at once, and
only the items returned are put into words. ``kith done`` and ``kith snooze``
write :class:`AgendaMark` rows, which hide items until their ``until`` (see
``docs/agenda.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from kith import clock
from kith.engine import agenda_rules as rules
from kith.engine.agenda_rules import NEVER, Facts, Helps, Owes, Suggestions
from kith.engine.kinds import RelationKind
from kith.engine.relevance import Profile, tag_key
from kith.errors import BadInput
from kith.services import goals as goals_svc
from kith.services.cadences import Cadences, cadences_of
from kith.services.memo import memoized
from kith.services.scores import TieTable, tie_scores
from kith.services.tie_log import people_columns
from kith.store import door
from kith.store.door import WS
from kith.store.journal import journaled
from kith.store.models import (
    AgendaMark,
    Event,
    EventMember,
    Favor,
    Goal,
    Interaction,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)

TEAM_RELATIONS = (RelationKind.ASSISTANT_OF, RelationKind.WORKS_WITH, RelationKind.REPORTS_TO)
HELP_LABELS = {"favor": "did you a favour", "referral": "referred you", "intro": "made an introduction for you"}
HELP_MARKS = (("favor", "last_favor_received"), ("referral", "last_referral_in"), ("intro", "last_intro_in"))


@dataclass(frozen=True)
class AgendaItem:
    """One line of the agenda."""

    person_id: int
    person: str
    action: str
    reason: str
    due: date
    priority: float
    also: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``person``, ``action``, ``reason``, ``due`` (ISO date), and the rest."""
        return {
            "person": self.person, "person_id": self.person_id, "action": self.action,
            "reason": self.reason, "due": self.due.isoformat(), "priority": self.priority,
            "also": list(self.also),
        }


@dataclass
class Day:
    """Everything the agenda knows as of one moment: the facts, every rule's suggestion, the marks."""

    as_of: datetime
    ids: np.ndarray  # person id of each row
    facts: Facts
    helps: Helps
    owes: Owes
    suggestions: Suggestions
    shown: np.ndarray  # (rows, actions): suggested and not hidden by a mark

    @property
    def today(self) -> date:
        """The day of ``as_of``."""
        return self.as_of.date()

    def row_of(self, person_id: int) -> int | None:
        """The row of a person (None if they are not in the table)."""
        found = np.flatnonzero(self.ids == person_id)
        return int(found[0]) if len(found) else None


def agenda(session: Session, as_of: datetime, limit: int | None = None) -> list[AgendaItem]:
    """Today's ranked actions, one per person, as of ``as_of``."""
    return agenda_page(session, as_of, limit)[0]


def agenda_page(session: Session, as_of: datetime, limit: int | None = None, offset: int = 0,
                ties: TieTable | None = None) -> tuple[list[AgendaItem], int]:
    """One page of today's ranked actions and how many there are in all (only the page is put into words).

    ``ties`` (everyone's, scored as of ``as_of``) saves scoring everyone again.
    """
    day = gather(session, as_of, ties=ties)
    ranked = rules.rank(day.facts, day.suggestions, day.shown, day.today)
    pids = day.ids.tolist()
    names = _names(session, [pids[r.row] for r in ranked])
    ranked.sort(key=lambda r: (-r.priority, r.due, names[pids[r.row]].lower(), pids[r.row]))
    chosen = ranked[offset:] if limit is None else ranked[offset:offset + limit]
    return [_item(day, r, names) for r in chosen], len(ranked)


def _item(day: Day, r: rules.Ranked, names: Mapping[int, str]) -> AgendaItem:
    text = rules.reason(r.action, r.row, day.facts, day.suggestions, day.helps, day.owes, day.today)
    if r.also:
        text += f" (also: {', '.join(r.also)})"
    pid = int(day.ids[r.row])
    return AgendaItem(pid, names[pid], r.action, text, r.due, r.priority, r.also)


def _names(session: Session, pids: list[int]) -> Mapping[int, str]:
    """Display names of ``pids``, people not archived (everyone's at once when they are many)."""
    if len(pids) > 2000:
        return people_columns(session).names
    out: dict[int, str] = {}
    for start in range(0, len(pids), 1000):
        chunk = pids[start:start + 1000]
        out.update((pid, name) for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(chunk))))
    return out


# ---------------------------------------------------------------- the facts


def gather(session: Session, as_of: datetime, person_ids: Iterable[int] | None = None, *,
           ties: TieTable | None = None) -> Day:
    """The facts of every (or the given) non-archived person, every rule's suggestion and the marks in force.

    The facts about people beyond the log (key people, meetings, gatekeepers,
    favours, projects, goals, cadences, marks) are memoized across logged
    interactions (:func:`people_facts`); the rest comes from the tie states.
    """
    only = None if person_ids is None else set(person_ids)
    people = _people_facts(session, as_of, only) if only is not None else people_facts(session, as_of)
    if ties is None or only is not None or not ties.everyone:
        ties = tie_scores(session, as_of, only)
    rows = np.arange(len(ties.ids)) if only is None else np.flatnonzero(np.isin(ties.ids, list(only)))
    ids = ties.ids[rows]
    where = {int(pid): i for i, pid in enumerate(ids.tolist())}
    marks = _marks(session, as_of, ties, rows, only)
    facts = Facts(
        person_id=ids, is_key=np.isin(ids, list(people.key)), strength=ties.score[rows].astype(np.float64),
        last=marks["last_any"], last_thanks=marks["last_thanks_given"], last_negative=marks["last_negative"],
        met_day=np.full(len(ids), NEVER, dtype=np.int64), cooling=ties.cooling[rows].astype(bool),
        learned_gap_days=ties.learned_gap_days[rows],
    )
    for pid, (day, label) in people.met.items():
        if pid in where:
            facts.met_day[where[pid]] = day
            if label:
                facts.met_where[where[pid]] = label
    facts.cadence = {where[pid]: c for pid, c in people.cadences.choose_all(ties, only).items() if pid in where}
    facts.gatekeeps = {where[pid]: texts for pid, texts in people.gatekeeps.items() if pid in where}
    facts.goals = GoalReasons(people.relevance, people.relevant, {where[pid]: pid for pid in people.relevant.people
                                                                  if pid in where}) if people.relevance else {}
    helps = _helps(marks, people, where)
    owes = Owes(*_columns([(where[pid], day, asked, what) for pid, day, asked, what in people.owes if pid in where]))
    suggestions = rules.suggest(facts, helps, owes, as_of.date())
    shown = suggestions.applies & ~_hidden(people, suggestions, where)
    return Day(as_of, ids, facts, helps, owes, suggestions, shown)


def _columns(rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Rows of (row, day, flag, text) as the columns of :class:`Owes`."""
    return (np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64),
            np.array([r[2] for r in rows], dtype=bool), [r[3] for r in rows])


def _only(stmt: Any, column: Any, only: set[int] | None) -> Any:
    """``stmt`` restricted to the people in ``only`` (all when None)."""
    return stmt if only is None else stmt.where(column.in_(only))


def _marks(session: Session, as_of: datetime, ties: TieTable, rows: np.ndarray,
           only: set[int] | None) -> dict[str, np.ndarray]:
    """The latest moments per row (unix seconds, nan = never): stored with the tie states, else from the log."""
    if ties.marks is not None:
        return {name: stamps.array[rows] for name, stamps in ties.marks.items()}
    return _marks_from_log(session, as_of, ties.ids[rows], only)


def _marks_from_log(session: Session, as_of: datetime, ids: np.ndarray, only: set[int] | None) -> dict[str, np.ndarray]:
    """The same moments from one grouped pass over the log up to ``as_of`` (a past ``as_of``)."""
    at, kind, direction = Interaction.occurred_at, Interaction.kind, Interaction.direction

    def latest(condition: Any) -> Any:
        return func.max(case((condition, at)))

    stmt = (
        select(
            InteractionParticipant.person_id, func.max(at), latest(kind == "thanks-given"),
            latest(Interaction.sentiment < 0), latest(kind == "favor-received"),
            latest(and_(kind == "referral", direction != "out")), latest(and_(kind == "intro-made", direction == "in")),
        )
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .where(at <= as_of)
        .group_by(InteractionParticipant.person_id)
    )
    names = ("last_any", "last_thanks_given", "last_negative", "last_favor_received", "last_referral_in",
             "last_intro_in")
    out = {name: np.full(len(ids), np.nan) for name in names}
    where = {int(pid): i for i, pid in enumerate(ids.tolist())}
    for pid, *moments in session.execute(_only(stmt, InteractionParticipant.person_id, only)):
        i = where.get(pid)
        if i is None:
            continue
        for name, moment in zip(names, moments, strict=True):
            if moment is not None:
                out[name][i] = clock.utc(moment).timestamp()
    return out


# ---------------------------------------------------------------- what is known of people beyond the log


@dataclass(frozen=True)
class _Mark:
    """A done or snooze mark in force."""

    person_id: int
    action: str
    state: str
    created: float  # unix seconds


@dataclass
class PeopleFacts:
    """What the agenda knows of people beyond the interaction log, as of one moment (person ids as keys).

    Reads nothing of the log nor of the tie states, so it is memoized across
    logged interactions (:func:`people_facts`).
    """

    key: dict[int, str]  # key people not archived, and their names
    met: dict[int, tuple[int, str]]  # day met (ordinal) and where ("at Web Summit", or "")
    gatekeeps: dict[int, tuple[str, ...]]  # "assistant of Bea Key (key person)"
    helps: list[tuple[int, int, bool, bool, str]]  # favours done for me and project work: person, day, flags, what
    owes: list[tuple[int, int, bool, str]]  # favours I owe: person, day, asked of me, what
    marks: list[_Mark]
    cadences: Cadences
    relevance: goals_svc.GoalRelevance | None  # the active goals, prepared
    relevant: RelevantPeople  # everyone relevant to one of them


def people_facts(session: Session, as_of: datetime) -> PeopleFacts:
    """:class:`PeopleFacts` of the workspace as of about ``as_of`` (memoized while only the log changes)."""
    return memoized(session, "agenda.people", as_of, lambda: _people_facts(session, as_of, None), people_only=True)


def _people_facts(session: Session, as_of: datetime, only: set[int] | None) -> PeopleFacts:
    key = _key_people(session)
    goals = active_goals(session, as_of)
    relevance = goals_svc.GoalRelevance(goals_svc.GoalView.of(g).ref for g in goals) if goals else None
    return PeopleFacts(
        key=key, met=_meetings(session, as_of, only), gatekeeps=_gatekeepers(session, key),
        helps=_static_helps(session, as_of, only), owes=_owes(session, as_of, only),
        marks=_marks_in_force(session, as_of, only), cadences=cadences_of(session),
        relevance=relevance,
        relevant=_relevant_people(session, relevance, {t for g in goals for t in g.tags}, only) if relevance
        else RelevantPeople({}, {}, {}),
    )


def _key_people(session: Session) -> dict[int, str]:
    """Key people who are not archived, and their names."""
    stmt = select(Person.id, Person.display_name).where(Person.is_key.is_(True), Person.archived.is_(False))
    return {pid: name for pid, name in session.execute(stmt)}


def _meetings(session: Session, as_of: datetime, only: set[int] | None) -> dict[int, tuple[int, str]]:
    """When and where people were met: ``met_on``/``met_at`` and event members with the role 'met'.

    The most recent meeting counts; a person's own ``met_on`` on or after the
    event's day wins over the event.
    """
    today = as_of.date()
    events = {eid: (name, on) for eid, name, on in session.execute(
        select(Event.id, Event.name, Event.starts_on).where(Event.kind == "event"))}
    met: dict[int, tuple[date, str]] = {}
    met_at: list[tuple[int, int]] = []
    stmt = select(Person.id, Person.met_on, Person.met_at_event_id).where(
        Person.archived.is_(False), or_(Person.met_on.is_not(None), Person.met_at_event_id.is_not(None)))
    for pid, met_on, met_event in session.execute(_only(stmt, Person.id, only)):
        if met_on is not None and met_on <= today:
            met[pid] = (met_on, "")
        if met_event is not None:
            met_at.append((pid, met_event))
    members = select(EventMember.person_id, EventMember.event_id).where(func.lower(EventMember.role) == "met")
    met_at += [(pid, eid) for pid, eid in session.execute(_only(members, EventMember.person_id, only))]
    for pid, eid in met_at:
        if eid not in events:
            continue
        name, on = events[eid]
        own = met.get(pid)
        day = own[0] if own is not None and (on is None or own[0] >= on) else on
        if day is not None and day <= today:
            met[pid] = (day, f"at {name}")
    return {pid: (day.toordinal(), label) for pid, (day, label) in met.items()}


def _gatekeepers(session: Session, key: dict[int, str]) -> dict[int, tuple[str, ...]]:
    """The assistants and team of key people: 'assistant of Bea Key (key person)'."""
    if not key:
        return {}
    stmt = select(Relation.src_id, Relation.kind, Relation.dst_id).where(
        Relation.kind.in_([k.value for k in TEAM_RELATIONS]),
        or_(Relation.dst_id.in_(key), and_(Relation.kind == RelationKind.WORKS_WITH.value, Relation.src_id.in_(key))),
    )
    out: dict[int, list[str]] = defaultdict(list)
    for src, kind, dst in session.execute(stmt):
        member, boss = (src, dst) if dst in key else (dst, src)
        if member not in key:
            text = f"{kind.replace('-', ' ')} {key[boss]} (key person)"
            if text not in out[member]:
                out[member].append(text)
    return {pid: tuple(texts) for pid, texts in out.items()}


def _static_helps(session: Session, as_of: datetime, only: set[int] | None) -> list[tuple[int, int, bool, bool, str]]:
    """Favours received (done or returned) and work on projects that have ended."""
    today = as_of.date()
    out: list[tuple[int, int, bool, bool, str]] = []
    favours = select(Favor.person_id, Favor.what, Favor.done_on, Favor.asked_on, Favor.created_at).where(
        Favor.direction == "received", Favor.status.in_(("done", "returned")))
    for pid, what, done_on, asked_on, created in session.execute(_only(favours, Favor.person_id, only)):
        day = done_on or asked_on or created.date()
        if day <= today:
            out.append((pid, day.toordinal(), False, False, f"did you a favour ({what})" if what else HELP_LABELS["favor"]))
    ended = func.coalesce(Event.ends_on, Event.starts_on)
    work = (select(EventMember.person_id, EventMember.role, EventMember.behind_scenes, Event.name, ended)
            .join(Event, Event.id == EventMember.event_id)
            .where(Event.kind == "project", ended.is_not(None), ended <= today))
    for pid, role, behind_scenes, name, day in session.execute(_only(work, EventMember.person_id, only)):
        who = "worked behind the scenes" if behind_scenes else "worked"
        role_text = f" as {role}" if role and role not in ("attendee", "member") else ""
        out.append((pid, day.toordinal(), bool(behind_scenes), True, f"{who} on {name}{role_text}"))
    return out


def _helps(marks: dict[str, np.ndarray], people: PeopleFacts, where: dict[int, int]) -> Helps:
    """What people did for me: the latest favour, referral and intro of the log, then favours and project work."""
    rows: list[np.ndarray] = []
    days: list[np.ndarray] = []
    whats: list[str] = []
    for label, name in HELP_MARKS:
        have = np.flatnonzero(~np.isnan(marks[name]))
        rows.append(have)
        days.append(rules.day_of(marks[name][have]))
        whats += [HELP_LABELS[label]] * len(have)
    n_marks = sum(len(r) for r in rows)
    static = [h for h in people.helps if h[0] in where]
    whats += [h[4] for h in static]
    return Helps(
        row=np.concatenate([*rows, np.array([where[h[0]] for h in static], dtype=np.int64)]).astype(np.int64),
        day=np.concatenate([*days, np.array([h[1] for h in static], dtype=np.int64)]).astype(np.int64),
        behind_scenes=np.concatenate([np.zeros(n_marks, dtype=bool), np.array([h[2] for h in static], dtype=bool)]),
        project=np.concatenate([np.zeros(n_marks, dtype=bool), np.array([h[3] for h in static], dtype=bool)]),
        what=whats,
    )


def _owes(session: Session, as_of: datetime, only: set[int] | None) -> list[tuple[int, int, bool, str]]:
    """Favours I owe: received and not returned; asked of me and still open."""
    stmt = select(Favor.person_id, Favor.direction, Favor.what, Favor.asked_on, Favor.done_on, Favor.created_at).where(
        or_(and_(Favor.direction == "received", Favor.status == "done", Favor.returned_on.is_(None)),
            and_(Favor.direction == "given", Favor.status == "asked")))
    out = []
    for pid, direction, what, asked_on, done_on, created in session.execute(_only(stmt, Favor.person_id, only)):
        mine = direction == "given"
        day = (asked_on if mine else done_on) or asked_on or done_on or created.date()
        if day <= as_of.date():
            out.append((pid, day.toordinal(), mine, f"'{what}'" if what else "a favour"))
    return out


def _marks_in_force(session: Session, as_of: datetime, only: set[int] | None) -> list[_Mark]:
    """Marks made by ``as_of`` and not yet expired."""
    stmt = select(AgendaMark.person_id, AgendaMark.action, AgendaMark.state, AgendaMark.created_at).where(
        AgendaMark.created_at <= as_of, AgendaMark.until > as_of)
    return [_Mark(pid, action, state, clock.utc(created).timestamp())
            for pid, action, state, created in session.execute(_only(stmt, AgendaMark.person_id, only))]


def _hidden(people: PeopleFacts, s: Suggestions, where: dict[int, int]) -> np.ndarray:
    """Which suggestions the marks in force hide: a snooze hides everything; a "done" hides its
    action unless the situation arose after the mark."""
    hidden = np.zeros(s.applies.shape, dtype=bool)
    for mark in people.marks:
        row = where.get(mark.person_id)
        if row is None:
            continue
        cols = range(len(rules.ACTIONS)) if mark.action == "*" else [rules.ACTIONS.index(mark.action)]
        for c in cols:
            if mark.state == "snoozed" or mark.created >= s.since[row, c]:
                hidden[row, c] = True
    return hidden


# ---------------------------------------------------------------- goals


def active_goals(session: Session, as_of: datetime) -> list[Goal]:
    """Goals that are active on ``as_of``'s date (:func:`kith.services.goals.active_goals`)."""
    return goals_svc.active_goals(session, as_of)


class GoalReasons(Mapping[int, tuple[str, ...]]):
    """Row -> why that person is relevant to active goals, one line per goal; the words made when read.

    Who is relevant is decided with each goal's matcher, whose answers are
    remembered per organisation, industry and title (people share them); the
    reasons of the goal service's one rule
    (:class:`kith.services.goals.GoalRelevance`) are put into words only for
    the items shown.
    """

    def __init__(self, relevance: goals_svc.GoalRelevance, relevant: RelevantPeople, rows: dict[int, int]) -> None:
        self._relevance = relevance
        self._relevant = relevant
        self._rows = rows  # row -> person id
        self._made: dict[int, tuple[str, ...]] = {}

    def __getitem__(self, row: int) -> tuple[str, ...]:
        if row not in self._made:
            profile = self._relevant.profile(self._rows[row])
            self._made[row] = tuple(goal.text for goal in self._relevance.of(profile))
        return self._made[row]

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


@dataclass(frozen=True)
class RelevantPeople:
    """Who is relevant to the active goals; each one's :class:`Profile` is made when asked (few are shown)."""

    people: dict[int, tuple[str, int | None]]  # person id -> title, organisation id
    orgs: dict[int, tuple[str, str]]  # organisation id -> name, industry
    tags: dict[int, tuple[str, ...]]  # person id -> the goals' tags they carry

    def profile(self, pid: int) -> Profile:
        title, org = self.people[pid]
        name, industry = self.orgs.get(org, ("", "")) if org is not None else ("", "")
        return Profile(pid, title, name, industry, self.tags.get(pid, ()))


_ORGS = select(Organization.id, Organization.name, Organization.industry).where(Organization.workspace_id == WS)


def _relevant_people(session: Session, relevance: goals_svc.GoalRelevance, goal_tags: set[str],
                     only: set[int] | None) -> RelevantPeople:
    """Everyone relevant to one of the active goals, with what made them so.

    Each goal's matcher judges each organisation and each title once (people
    share them; the agenda's reasons later ask the same matchers); a person is
    relevant when their organisation, title or tags are, the same test as
    :meth:`kith.engine.relevance.GoalMatcher.relevant`.
    """
    matchers = relevance.matchers
    orgs = {oid: (name or "", industry or "") for oid, name, industry in door.tuples(session, _ORGS)}
    good_orgs = {oid for oid, (name, industry) in orgs.items()
                 if any((name and m.at_target(name)) or (industry and m.in_industry(industry)) for m in matchers)}
    tags = _tags_of(session, goal_tags)
    good_tags = {pid for pid, held in tags.items() if any(m.shared_tags(held) for m in matchers)}
    titles: dict[str, bool] = {}
    out: dict[int, tuple[str, int | None]] = {}
    people = people_columns(session)
    for pid, title, org in zip(people.ids.tolist(), people.titles, people.orgs, strict=True):
        if only is not None and pid not in only:
            continue
        if title not in titles:
            titles[title] = any(bool(title) and bool(m.goal.roles) and m.role_of(title) is not None for m in matchers)
        if org in good_orgs or titles[title] or pid in good_tags:
            out[pid] = (title, org)
    return RelevantPeople(out, orgs, tags)


def _tags_of(session: Session, keys: set[str]) -> dict[int, tuple[str, ...]]:
    """Person id -> the tags they carry among those whose folded key is one of ``keys``."""
    wanted = {k for k in (tag_key(t) for t in keys) if k}
    if not wanted:
        return {}
    tag_ids = {tid: name for tid, name in session.execute(select(Tag.id, Tag.name)) if tag_key(name) in wanted}
    if not tag_ids:
        return {}
    held: dict[int, list[str]] = defaultdict(list)
    for pid, tid in session.execute(select(PersonTag.person_id, PersonTag.tag_id).where(PersonTag.tag_id.in_(tag_ids))):
        held[pid].append(tag_ids[tid])
    return {pid: tuple(names) for pid, names in held.items()}


def goal_reasons(session: Session, as_of: datetime) -> dict[int, list[str]]:
    """Person id -> why they are relevant to the active goals, as the agenda says it (everyone relevant)."""
    day = gather(session, as_of)
    return {int(day.ids[row]): list(texts) for row, texts in day.facts.goals.items()}


# ---------------------------------------------------------------- done and snooze


@journaled(lambda session, person, *_a, **_: f"Marked {person.display_name} done")
def mark_done(session: Session, person: Person, now: datetime, action: str | None = None) -> AgendaMark:
    """Mark the person's current action (or ``action``) done: hidden for its natural period.

    Logs nothing: logging the interaction itself (``kith log``) is the other
    way to clear an item, and resets the cadence clock.
    """
    if action is not None and action not in rules.ACTIONS:
        raise BadInput(f"unknown agenda action '{action}' (use {', '.join(rules.ACTIONS)})")
    day = gather(session, now, [person.id])
    row = day.row_of(person.id)
    if action is None:
        ranked = rules.rank(day.facts, day.suggestions, day.shown, day.today) if row is not None else []
        if not ranked:
            raise BadInput(f"{person.display_name} has nothing on the agenda")
        action = ranked[0].action
    cadence = day.facts.cadence.get(row) if row is not None else None
    period = rules.mark_period(action, cadence)
    mark = AgendaMark(person_id=person.id, action=action, state="done", until=now + period, created_at=now)
    session.add(mark)
    session.flush()
    return mark


@journaled(lambda session, person, now, until: f"Snoozed {person.display_name} until {until:%-d %b %Y}")
def snooze(session: Session, person: Person, now: datetime, until: datetime) -> AgendaMark:
    """Hide every agenda item of the person until ``until``."""
    if until <= now:
        raise BadInput("snooze until a later date")
    clock.check_span(until - now, "a snooze")
    mark = AgendaMark(person_id=person.id, action="*", state="snoozed", until=clock.check_moment(until, "snooze until"),
                      created_at=now)
    session.add(mark)
    session.flush()
    return mark


def parse_until(text: str, now: datetime) -> datetime:
    """``2w``, ``10d``, ``3m`` from now, or a date (snoozed through the end of that day)."""
    try:
        return now + clock.parse_span(text)
    except BadInput:
        return clock.parse_when(text, now=now, end_of_day=True)


__all__ = ["AgendaItem", "Day", "PeopleFacts", "agenda", "agenda_page", "gather", "goal_reasons", "mark_done", "parse_until", "people_facts", "snooze"]

