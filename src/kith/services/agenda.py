"""Today's agenda: one ranked action per person, with its reason and due date.

The facts come from a fixed number of aggregate queries (grouped by person),
never one query per person, so the agenda of a 30,000-person network stays
fast; the rules and the ranking are in :mod:`kith.engine.agenda_rules`.
``kith done`` and ``kith snooze`` write :class:`AgendaMark` rows, which hide
items until their ``until`` (see ``docs/agenda.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from kith import clock
from kith.engine import agenda_rules as rules
from kith.engine.agenda_rules import CadenceChoice, Facts, Help, Meeting, Owed, Suggestion
from kith.engine.kinds import RelationKind
from kith.engine.relevance import Profile, tag_key
from kith.errors import BadInput
from kith.services import goals as goals_svc
from kith.services.cadences import effective_cadences
from kith.services.scores import Stamps, TieTable, tie_scores
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

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")
TEAM_RELATIONS = (RelationKind.ASSISTANT_OF, RelationKind.WORKS_WITH, RelationKind.REPORTS_TO)
HELP_LABELS = {"favor": "did you a favour", "referral": "referred you", "intro": "made an introduction for you"}


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
class _People:
    """What the agenda knows about people beyond their ties: key people and meetings."""

    alive: TieTable  # everyone not archived
    key: dict[int, str] = field(default_factory=dict)  # key people's names
    met: dict[int, Meeting] = field(default_factory=dict)


@dataclass
class _Contacts:
    """Per-person aggregates of the interaction log up to ``as_of``."""

    last: Mapping[int, datetime] = field(default_factory=dict)
    thanks: Mapping[int, datetime] = field(default_factory=dict)
    negative: dict[int, datetime] = field(default_factory=dict)
    helps: dict[int, list[Help]] = field(default_factory=lambda: defaultdict(list))


def agenda(session: Session, as_of: datetime, limit: int | None = None) -> list[AgendaItem]:
    """Today's ranked actions, one per person, as of ``as_of``."""
    today = as_of.date()
    hidden = _hidden(session, as_of)
    ranked: list[rules.Ranked] = []
    for pid, (facts, options) in candidates(session, as_of).items():
        shown = [s for s in options if not _is_hidden(hidden.get(pid, ()), s)]
        best = rules.pick(facts, shown, today)
        if best is not None:
            ranked.append(best)
    ranked.sort(key=lambda r: (-r.priority, r.suggestion.due, r.name.lower(), r.person_id))
    return [_item(r) for r in (ranked[:limit] if limit is not None else ranked)]


def _item(r: rules.Ranked) -> AgendaItem:
    s = r.suggestion
    reason = s.reason + (f" (also: {', '.join(r.also)})" if r.also else "")
    return AgendaItem(r.person_id, r.name, s.action, reason, s.due, r.priority, tuple(r.also))


def candidates(
    session: Session, as_of: datetime, person_ids: Iterable[int] | None = None
) -> dict[int, tuple[Facts, list[Suggestion]]]:
    """Everyone with at least one suggested action (before marks and dedupe)."""
    today = as_of.date()
    out: dict[int, tuple[Facts, list[Suggestion]]] = {}
    for pid, facts in gather_facts(session, as_of, person_ids).items():
        options = rules.suggestions(facts, today)
        if options:
            out[pid] = (facts, options)
    return out


def gather_facts(session: Session, as_of: datetime, person_ids: Iterable[int] | None = None) -> dict[int, Facts]:
    """The agenda's facts about every (or the given) non-archived person who may need an action.

    Everyone's tie is scored (as arrays); names and facts are gathered only for
    the people some rule may pick: a few hundred of a 30,000-person network.
    """
    only = None if person_ids is None else set(person_ids)
    ties = tie_scores(session, as_of, only)
    people = _people(session, as_of, ties, only)
    contacts = _contacts(session, as_of, ties, only)
    _add_project_helps(session, as_of, contacts, only)
    owed = _owed(session, as_of, only)
    gatekeeps = _gatekeepers(session, people)
    goals = _goal_reasons(session, as_of, ties)
    cadences = effective_cadences(session, ties, only)
    interesting = (set(people.met) | set(contacts.helps) | set(contacts.negative) | set(owed)
                   | set(gatekeeps) | set(goals) | _cadence_due(cadences, contacts.last, as_of.date()))
    chosen = [pid for pid in interesting if pid in ties]
    names = _names(session, chosen)
    out: dict[int, Facts] = {}
    for pid in chosen:
        tie = ties[pid]
        out[pid] = Facts(
            person_id=pid, name=names[pid], is_key=pid in people.key,
            strength=float(tie.score), layer=tie.layer,
            last_at=contacts.last.get(pid), last_thanks_at=contacts.thanks.get(pid),
            last_negative_at=contacts.negative.get(pid), met=people.met.get(pid),
            cadence=cadences.get(pid), helps=tuple(contacts.helps.get(pid, ())),
            owed=tuple(owed.get(pid, ())), gatekeeps=tuple(gatekeeps.get(pid, ())),
            goals=tuple(goals.get(pid, ())), cooling=tie.cooling,
            learned_gap_days=tie.learned_gap_days,
        )
    return out


def _names(session: Session, pids: Sequence[int]) -> dict[int, str]:
    """Display names of ``pids`` (in chunks, whatever their number)."""
    out: dict[int, str] = {}
    for start in range(0, len(pids), 5000):
        chunk = pids[start:start + 5000]
        out.update(session.execute(select(Person.id, Person.display_name).where(Person.id.in_(chunk))).all())
    return out


def _cadence_due(cadences: dict[int, CadenceChoice], last: Mapping[int, datetime], today: date) -> set[int]:
    """People whose cadence is due within the look-ahead: the only reconnect candidates.

    The same test as the reconnect rule, done before building anyone's facts,
    so a large network costs a dict pass rather than a rule run per person.
    """
    horizon = today + timedelta(days=rules.LOOKAHEAD_DAYS)
    due = set()
    for pid, c in cadences.items():
        at = last.get(pid)
        if at is None or at.date() + timedelta(days=round(c.days)) <= horizon:
            due.add(pid)
    return due


def _only(stmt: S, column: Any, only: set[int] | None) -> S:
    """``stmt`` restricted to the people in ``only`` (all when None)."""
    return stmt if only is None else stmt.where(column.in_(only))


def _people(session: Session, as_of: datetime, alive: TieTable, only: set[int] | None) -> _People:
    """Key people and where and when people were met (only the people who have either)."""
    people = _People(alive)
    stmt = select(Person.id, Person.display_name).where(Person.is_key.is_(True))
    people.key = {pid: name for pid, name in session.execute(stmt) if pid in alive}
    stmt2 = select(Person.id, Person.met_on, Person.met_at_event_id).where(
        or_(Person.met_on.is_not(None), Person.met_at_event_id.is_not(None)))
    met_at: dict[int, int] = {}
    for pid, met_on, met_event in session.execute(_only(stmt2, Person.id, only)):
        if pid not in alive:
            continue
        if met_on is not None and met_on <= as_of.date():
            people.met[pid] = Meeting(met_on, "")
        if met_event is not None:
            met_at[pid] = met_event
    _add_meetings(session, as_of, people, met_at, only)
    return people


def _add_meetings(
    session: Session, as_of: datetime, people: _People, met_at: dict[int, int], only: set[int] | None
) -> None:
    """Where people were met: ``met_at`` events and event members with the role 'met'."""
    events = {eid: (name, on) for eid, name, on in session.execute(
        select(Event.id, Event.name, Event.starts_on).where(Event.kind == "event"))}
    pairs = list(met_at.items())
    stmt = select(EventMember.person_id, EventMember.event_id).where(func.lower(EventMember.role) == "met")
    pairs += [(pid, eid) for pid, eid in session.execute(_only(stmt, EventMember.person_id, only))]
    for pid, eid in pairs:
        if pid not in people.alive or eid not in events:
            continue
        name, on = events[eid]
        own = people.met.get(pid)
        day = own.on if own is not None and (on is None or own.on >= on) else on
        if day is not None and day <= as_of.date():
            people.met[pid] = Meeting(day, f"at {name}")


def _contacts(session: Session, as_of: datetime, ties: TieTable, only: set[int] | None) -> _Contacts:
    """Last contact, thanks, bad exchange and help per person: the stored marks, else one pass over the log."""
    c = _contacts_from_marks(ties, as_of, only) if ties.marks is not None else _contacts_from_log(session, as_of, only)
    _add_favor_helps(session, as_of, c, only)
    return c


def _contacts_from_marks(ties: TieTable, as_of: datetime, only: set[int] | None) -> _Contacts:
    """The same facts from the per-person marks the scores service keeps (no log scan).

    The marks are arrays over everyone. Only the people a rule can still act
    on become Python objects: a bad exchange that is still the newest contact
    and recent enough to repair, a help not thanked on or after its day.
    Whatever is left out, the rules (:func:`rules.repair`, :func:`rules.thank`)
    would have dropped.
    """
    assert ties.marks is not None
    marks = ties.marks

    def keep(values: Stamps) -> Mapping[int, datetime]:
        return values if only is None else {pid: values[pid] for pid in only if pid in values}

    def wanted(mask: np.ndarray) -> list[int]:  # nan compares false: people without the mark drop out
        pids: list[int] = ties.ids[mask].tolist()
        return pids if only is None else [pid for pid in pids if pid in only]

    c = _Contacts()
    c.last = keep(marks["last_any"])
    c.thanks = keep(marks["last_thanks_given"])
    last, negative = marks["last_any"].array, marks["last_negative"].array
    horizon = as_of.timestamp() - rules.REPAIR_WINDOW_DAYS * 86400.0
    c.negative = {pid: marks["last_negative"][pid] for pid in wanted((negative >= last) & (negative >= horizon))}
    thanked_day = np.floor(marks["last_thanks_given"].array / 86400.0)
    for label, name in (("favor", "last_favor_received"), ("referral", "last_referral_in"),
                        ("intro", "last_intro_in")):
        stamps = marks[name]
        seconds = stamps.array
        unthanked = ~(thanked_day >= np.floor(seconds / 86400.0))  # thanked on or after the help's day
        for pid in wanted(~np.isnan(seconds) & unthanked):
            c.helps[pid].append(Help(stamps[pid].date(), HELP_LABELS[label]))
    return c


def _contacts_from_log(session: Session, as_of: datetime, only: set[int] | None) -> _Contacts:
    """One grouped pass over the log (used for a past ``as_of``)."""
    at, kind, direction = Interaction.occurred_at, Interaction.kind, Interaction.direction

    def latest(condition: Any) -> Any:
        return func.max(case((condition, at)))

    stmt = (
        select(
            InteractionParticipant.person_id, func.max(at),
            latest(kind == "thanks-given"), latest(Interaction.sentiment < 0),
            latest(kind == "favor-received"),
            latest(and_(kind == "referral", direction != "out")),
            latest(and_(kind == "intro-made", direction == "in")),
        )
        .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
        .where(at <= as_of)
        .group_by(InteractionParticipant.person_id)
    )
    c = _Contacts()
    lasts: dict[int, datetime] = {}
    thanked: dict[int, datetime] = {}
    c.last, c.thanks = lasts, thanked
    for pid, last, thanks, negative, favor, referral, intro in session.execute(
        _only(stmt, InteractionParticipant.person_id, only)
    ):
        lasts[pid] = last
        if thanks is not None:
            thanked[pid] = thanks
        if negative is not None and negative >= last:
            c.negative[pid] = negative
        for label, when in (("favor", favor), ("referral", referral), ("intro", intro)):
            if when is not None:
                c.helps[pid].append(Help(when.date(), HELP_LABELS[label]))
    return c


def _add_favor_helps(session: Session, as_of: datetime, c: _Contacts, only: set[int] | None) -> None:
    """Favours received (done or returned) count as help to thank for."""
    stmt = select(Favor.person_id, Favor.what, Favor.done_on, Favor.asked_on, Favor.created_at).where(
        Favor.direction == "received", Favor.status.in_(("done", "returned"))
    )
    for pid, what, done_on, asked_on, created in session.execute(_only(stmt, Favor.person_id, only)):
        day = done_on or asked_on or created.date()
        if day <= as_of.date():
            c.helps[pid].append(Help(day, f"did you a favour ({what})" if what else HELP_LABELS["favor"]))


def _add_project_helps(session: Session, as_of: datetime, c: _Contacts, only: set[int] | None) -> None:
    """Members of a project that has ended (its end date, else its start date) are thanked."""
    ended = func.coalesce(Event.ends_on, Event.starts_on)
    stmt = (
        select(EventMember.person_id, EventMember.role, EventMember.behind_scenes, Event.name, ended)
        .join(Event, Event.id == EventMember.event_id)
        .where(Event.kind == "project", ended.is_not(None), ended <= as_of.date())
    )
    for pid, role, behind, name, day in session.execute(_only(stmt, EventMember.person_id, only)):
        who = "worked behind the scenes" if behind else "worked"
        role_text = f" as {role}" if role and role not in ("attendee", "member") else ""
        c.helps[pid].append(Help(day, f"{who} on {name}{role_text}", behind_scenes=bool(behind), project=True))


def _owed(session: Session, as_of: datetime, only: set[int] | None) -> dict[int, list[Owed]]:
    """Favours I owe: received and not returned; asked of me and still open."""
    stmt = select(Favor.person_id, Favor.direction, Favor.status, Favor.what, Favor.asked_on,
                  Favor.done_on, Favor.created_at).where(or_(
        and_(Favor.direction == "received", Favor.status == "done", Favor.returned_on.is_(None)),
        and_(Favor.direction == "given", Favor.status == "asked"),
    ))
    out: dict[int, list[Owed]] = defaultdict(list)
    for pid, direction, _status, what, asked_on, done_on, created in session.execute(
        _only(stmt, Favor.person_id, only)
    ):
        asked = direction == "given"
        day = (asked_on if asked else done_on) or asked_on or done_on or created.date()
        if day <= as_of.date():
            out[pid].append(Owed(day, f"'{what}'" if what else "a favour", asked))
    return out


def _gatekeepers(session: Session, people: _People) -> dict[int, list[str]]:
    """People who are the assistant or team of a key person: 'assistant of Bea Key'."""
    if not people.key:
        return {}
    stmt = select(Relation.src_id, Relation.kind, Relation.dst_id).where(
        Relation.kind.in_([k.value for k in TEAM_RELATIONS]),
        or_(Relation.dst_id.in_(people.key),
            and_(Relation.kind == RelationKind.WORKS_WITH.value, Relation.src_id.in_(people.key))),
    )
    out: dict[int, list[str]] = defaultdict(list)
    for src, kind, dst in session.execute(stmt):
        member, key = (src, dst) if dst in people.key else (dst, src)
        if member in people.alive and member not in people.key:
            text = f"{kind.replace('-', ' ')} {people.key[key]} (key person)"
            if text not in out[member]:
                out[member].append(text)
    return out


def active_goals(session: Session, as_of: datetime) -> list[Goal]:
    """Goals that are active on ``as_of``'s date (:func:`kith.services.goals.active_goals`)."""
    return goals_svc.active_goals(session, as_of)


def _goal_reasons(session: Session, as_of: datetime, alive: TieTable) -> dict[int, list[str]]:
    """Why each goal-relevant person matters, one line per goal (the goals service's rule and words)."""
    goals = active_goals(session, as_of)
    out: dict[int, list[str]] = defaultdict(list)
    if not goals:
        return out
    relevance = goals_svc.GoalRelevance(goals_svc.GoalView.of(g).ref for g in goals)
    tags = _tags_of(session, {t for g in goals for t in g.tags}, alive)
    stmt = (select(Person.id, Person.title, Organization.name, Organization.industry)
            .outerjoin(Organization, Organization.id == Person.organization_id)
            .where(or_(Person.title.is_not(None), Person.organization_id.is_not(None))))
    seen: set[int] = set()
    said: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}  # people share titles and organisations
    for pid, title, org, industry in session.execute(stmt):
        if pid in alive:
            seen.add(pid)
            key = (title or "", org or "", industry or "", tags.get(pid, ()))
            if key not in said:
                said[key] = _relevance(relevance, Profile(pid, *key))
            if said[key]:
                out[pid] = list(said[key])
    for pid in tags.keys() - seen:  # tagged, with neither title nor organisation
        out[pid] = _relevance(relevance, Profile(pid, tags=tags[pid]))
    return out


def _relevance(relevance: goals_svc.GoalRelevance, person: Profile) -> list[str]:
    """One line per goal the person is relevant to: ``relevant to goal 'T' (why; why)``."""
    return [goal.text for goal in relevance.of(person)]


def _tags_of(session: Session, keys: set[str], alive: TieTable) -> dict[int, tuple[str, ...]]:
    """The tags each living person carries among those whose folded key is one of ``keys``."""
    out: dict[int, tuple[str, ...]] = {}
    wanted = {k for k in (tag_key(t) for t in keys) if k}
    if not wanted:
        return out
    tag_ids = {tid: name for tid, name in session.execute(select(Tag.id, Tag.name)) if tag_key(name) in wanted}
    if not tag_ids:
        return out
    held: dict[int, list[str]] = defaultdict(list)
    stmt = select(PersonTag.person_id, PersonTag.tag_id).where(PersonTag.tag_id.in_(tag_ids))
    for pid, tid in session.execute(stmt):
        if pid in alive:
            held[pid].append(tag_ids[tid])
    return {pid: tuple(names) for pid, names in held.items()}


# -- done and snooze -------------------------------------------------------------------------


def _hidden(session: Session, as_of: datetime, person_ids: Sequence[int] | None = None) -> dict[int, list[AgendaMark]]:
    """Marks in force on ``as_of`` (made by then, not yet expired), per person."""
    stmt = select(AgendaMark).where(AgendaMark.created_at <= as_of, AgendaMark.until > as_of)
    if person_ids is not None:
        stmt = stmt.where(AgendaMark.person_id.in_(person_ids))
    out: dict[int, list[AgendaMark]] = defaultdict(list)
    for mark in session.scalars(stmt):
        out[mark.person_id].append(mark)
    return out


def _is_hidden(marks: Iterable[AgendaMark], s: Suggestion) -> bool:
    """A snooze hides everything; a done mark hides its action unless the situation is newer."""
    for mark in marks:
        if mark.state == "snoozed" and mark.action in ("*", s.action):
            return True
        if mark.state == "done" and mark.action in ("*", s.action) and mark.created_at >= s.since:
            return True
    return False


def mark_done(session: Session, person: Person, now: datetime, action: str | None = None) -> AgendaMark:
    """Mark the person's current action (or ``action``) done: hidden for its natural period.

    Logs nothing: logging the interaction itself (``kith log``) is the other
    way to clear an item, and resets the cadence clock.
    """
    if action is not None and action not in rules.ACTIONS:
        raise BadInput(f"unknown agenda action '{action}' (use {', '.join(rules.ACTIONS)})")
    found = candidates(session, now, [person.id]).get(person.id)
    facts, options = found if found is not None else (None, [])
    marks = _hidden(session, now, [person.id]).get(person.id, [])
    shown = [s for s in options if not _is_hidden(marks, s)]
    if action is None:
        best = rules.pick(facts, shown, now.date()) if facts is not None else None
        if best is None:
            raise BadInput(f"{person.display_name} has nothing on the agenda")
        action = best.suggestion.action
    period = rules.mark_period(action, facts.cadence if facts is not None else None)
    mark = AgendaMark(person_id=person.id, action=action, state="done", until=now + period, created_at=now)
    session.add(mark)
    session.flush()
    return mark


def snooze(session: Session, person: Person, now: datetime, until: datetime) -> AgendaMark:
    """Hide every agenda item of the person until ``until``."""
    if until <= now:
        raise BadInput("snooze until a later date")
    mark = AgendaMark(person_id=person.id, action="*", state="snoozed", until=until, created_at=now)
    session.add(mark)
    session.flush()
    return mark


def parse_until(text: str, now: datetime) -> datetime:
    """``2w``, ``10d``, ``3m`` from now, or a date (snoozed through the end of that day)."""
    try:
        return now + clock.parse_span(text)
    except BadInput:
        return clock.parse_when(text, now=now, end_of_day=True)

