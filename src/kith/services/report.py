"""The quality report: how big the network is next to how much of it is callable.

Figures (``docs/agenda.md`` defines each): network and callable size, layer
sizes, the share of relationships that never went beyond a hello, follow-up
rate per event, the favour ledger, the state of gatekeepers of key people, and
the trend of these figures at each of the last 24 month ends.
"""

from __future__ import annotations

import bisect
import calendar
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.engine.agenda_rules import FOLLOW_UP_WINDOW_DAYS
from kith.engine.kinds import GATEKEEPER_RELATIONS, KINDS, LAYERS
from kith.engine.ties import KIND_INDEX
from kith.services.scores import (
    NetworkLog,
    PersonTie,
    TieBrief,
    read_network_log,
    series_from_log,
    tie_scores,
)
from kith.store.models import (
    Event,
    EventMember,
    Favor,
    Interaction,
    InteractionParticipant,
    Person,
    Relation,
)

TREND_MONTHS = 24
CONTACT_KINDS = tuple(k.name for k in KINDS.values() if k.depth > 0)
DEEP_KINDS = tuple(k.name for k in KINDS.values() if k.depth > 0 and not k.hello)
WEAK_SCORE = 45.0


@dataclass
class _Person:
    """When a person entered the network and when it went beyond hellos."""

    name: str
    known_since: datetime
    first_contact: datetime | None = None
    first_deep: datetime | None = None  # first contact that was more than a hello


@dataclass
class _Meeting:
    """One person met at one event (or on a date with no event)."""

    person_id: int
    event_id: int | None
    event: str
    on: date
    contacts: list[datetime] = field(default_factory=list)  # sorted interaction times

    def followed_up_by(self, moment: datetime) -> bool:
        """Whether there was any interaction after the meeting day, up to ``moment``."""
        i = bisect.bisect_right(self.contacts, datetime.combine(self.on, time.max, UTC))
        return i < len(self.contacts) and self.contacts[i] <= moment


@dataclass
class _Favor:
    person_id: int
    direction: str
    status: str
    what: str
    on: date
    returned: bool


def month_ends(as_of: datetime, months: int = TREND_MONTHS) -> list[datetime]:
    """The last ``months`` month ends (end of the day) at or before ``as_of``, oldest first."""
    year, month = as_of.year, as_of.month
    ends: list[datetime] = []
    while len(ends) < months:
        last = datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, tzinfo=UTC)
        if last <= as_of:
            ends.append(last)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return ends[::-1]


def report(session: Session, as_of: datetime) -> dict[str, Any]:
    """The quality report as of ``as_of`` (a JSON-ready dict)."""
    network = read_network_log(session, as_of)  # read once: first contacts, thanks and the trend
    people = _people(session, network)
    meetings = _meetings(session, people)
    favors = _favors(session)
    thanks = _last_thanks(network)
    ties = tie_scores(session, as_of)
    return {
        "as_of": as_of.isoformat(),
        "sizes": _sizes(people, ties, as_of),
        "hellos": _hellos(people, as_of),
        "follow_up": _follow_up(meetings, as_of),
        "favours": _favour_figures(favors, thanks, as_of),
        "gatekeepers": _gatekeepers(session, people, ties, as_of),
        "trend": _trend(session, network, people, meetings, favors, month_ends(as_of)),
    }


def _people(session: Session, network: NetworkLog) -> dict[int, _Person]:
    """Every non-archived person with the dates the figures need (first contact, first real one)."""
    people = {
        pid: _Person(name, min(created, datetime.combine(met_on, time(0), UTC)) if met_on else created)
        for pid, name, created, met_on in session.execute(
            select(Person.id, Person.display_name, Person.created_at, Person.met_on)
            .where(Person.archived.is_(False)))
    }
    log = network.log
    first = log.earliest(log.contacts())
    deep = log.earliest(log.deep())
    for i, pid in enumerate(network.ids.tolist()):
        p = people.get(pid)
        if p is not None and not math.isnan(first[i]):
            p.first_contact = datetime.fromtimestamp(first[i], UTC)
            p.first_deep = None if math.isnan(deep[i]) else datetime.fromtimestamp(deep[i], UTC)
            p.known_since = min(p.known_since, p.first_contact)
    return people


def _known(people: Mapping[int, _Person], moment: datetime) -> list[int]:
    return [pid for pid, p in people.items() if p.known_since <= moment]


def _sizes(people: Mapping[int, _Person], ties: Mapping[int, PersonTie | TieBrief], moment: datetime) -> dict[str, Any]:
    """Network size, callable size and each layer's size among people known by ``moment``."""
    known = _known(people, moment)
    layers = dict.fromkeys(LAYERS, 0)
    callable_ = 0
    for pid in known:
        tie = ties.get(pid)
        layers[tie.layer if tie else "dormant"] = layers.get(tie.layer if tie else "dormant", 0) + 1
        callable_ += bool(tie and tie.callable)
    return {"network": len(known), "callable": callable_, "layers": layers}


def _hellos(people: Mapping[int, _Person], moment: datetime) -> dict[str, Any]:
    """Relationships that never went beyond a hello: only hello kinds, or no contact at all."""
    known = _known(people, moment)
    none = sum(1 for pid in known if not _contacted(people[pid].first_contact, moment))
    only = sum(1 for pid in known if _contacted(people[pid].first_contact, moment)
               and not _contacted(people[pid].first_deep, moment))
    return {"hello_only": only, "no_contact": none, "network": len(known),
            "share": _ratio(only + none, len(known))}


def _contacted(first: datetime | None, moment: datetime) -> bool:
    return first is not None and first <= moment


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _meetings(session: Session, people: Mapping[int, _Person]) -> list[_Meeting]:
    """Everyone met somewhere: ``met_at``/``met_on`` on the person, members with the role 'met'."""
    events = {eid: (name, on) for eid, name, on in session.execute(select(Event.id, Event.name, Event.starts_on))}
    rows = session.execute(select(Person.id, Person.met_at_event_id, Person.met_on, Person.created_at)
                           .where(Person.archived.is_(False),
                                  (Person.met_at_event_id.is_not(None)) | (Person.met_on.is_not(None)))).all()
    own = {pid: (eid, met_on, created.date()) for pid, eid, met_on, created in rows}
    pairs = {(pid, eid) for pid, eid, _m, _c in rows}
    member_rows = session.execute(select(EventMember.person_id, EventMember.event_id)
                                  .where(func.lower(EventMember.role) == "met")).all()
    pairs |= {(pid, eid) for pid, eid in member_rows if pid in people}
    meetings = []
    for pid, eid in sorted(pairs, key=lambda pe: (pe[0], pe[1] or 0)):
        name, starts = events.get(eid, ("", None)) if eid is not None else ("", None)
        own_event, met_on, created = own.get(pid, (None, None, None))
        # The person's own met_on dates the meeting at their met_at event; other events date themselves.
        dates = (met_on, starts) if eid is None or eid == own_event else (starts, met_on)
        day = dates[0] or dates[1] or created or people[pid].known_since.date()
        meetings.append(_Meeting(pid, eid, name, day))
    _attach_contacts(session, meetings)
    return meetings


def _attach_contacts(session: Session, meetings: list[_Meeting]) -> None:
    """Each met person's interaction times (one query per 1,000 people met)."""
    ids = sorted({m.person_id for m in meetings})
    times: dict[int, list[datetime]] = defaultdict(list)
    for chunk in (ids[i:i + 1000] for i in range(0, len(ids), 1000)):
        stmt = (select(InteractionParticipant.person_id, Interaction.occurred_at)
                .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
                .where(InteractionParticipant.person_id.in_(chunk), Interaction.kind.in_(CONTACT_KINDS)))
        for pid, at in session.execute(stmt):
            times[pid].append(at)
    for m in meetings:
        m.contacts = sorted(times.get(m.person_id, []))


def _follow_up(meetings: Iterable[_Meeting], as_of: datetime) -> dict[str, Any]:
    """Follow-up rate overall and per event, as of ``as_of``."""
    per_event: dict[int, list[_Meeting]] = defaultdict(list)
    seen = [m for m in meetings if m.on <= as_of.date()]
    for m in seen:
        if m.event_id is not None:
            per_event[m.event_id].append(m)
    events = [dict(event_id=eid, event=ms[0].event, on=min(m.on for m in ms).isoformat(),
                   **_rate(ms, as_of)) for eid, ms in per_event.items()]
    events.sort(key=lambda e: (str(e["on"]), int(e["event_id"])))
    return {"overall": _rate(seen, as_of), "events": events}


def _rate(meetings: list[_Meeting], as_of: datetime) -> dict[str, Any]:
    """Met, followed up, missed (window closed without contact) and the rate."""
    followed = sum(1 for m in meetings if m.followed_up_by(as_of))
    missed = sum(1 for m in meetings if not m.followed_up_by(as_of)
                 and (as_of.date() - m.on).days > FOLLOW_UP_WINDOW_DAYS)
    return {"met": len(meetings), "followed_up": followed, "missed": missed,
            "rate": _ratio(followed, len(meetings))}


def _favors(session: Session) -> list[_Favor]:
    rows = session.execute(select(Favor.person_id, Favor.direction, Favor.status, Favor.what, Favor.done_on,
                                  Favor.asked_on, Favor.returned_on, Favor.created_at)
                           .join(Person, Person.id == Favor.person_id).where(Person.archived.is_(False)))
    return [_Favor(pid, direction, status, what, done_on or asked_on or created.date(),
                   returned_on is not None or status == "returned")
            for pid, direction, status, what, done_on, asked_on, returned_on, created in rows]


def _last_thanks(network: NetworkLog) -> dict[int, datetime]:
    """When I last thanked each person (the log is already cut at ``as_of``)."""
    log = network.log
    last = log.latest(log.kind == KIND_INDEX["thanks-given"])
    return {pid: datetime.fromtimestamp(last[i], UTC) for i, pid in enumerate(network.ids.tolist())
            if not math.isnan(last[i])}


def _favour_figures(favors: Iterable[_Favor], thanks: Mapping[int, datetime], as_of: datetime) -> dict[str, Any]:
    """Favours given and received (done), open ones each way, unreturned and unthanked."""
    seen = [f for f in favors if f.on <= as_of.date()]
    done = [f for f in seen if f.status in ("done", "returned")]
    received = [f for f in done if f.direction == "received"]
    return {
        "given": sum(1 for f in done if f.direction == "given"),
        "received": len(received),
        "open_asked_of_me": sum(1 for f in seen if f.direction == "given" and f.status == "asked"),
        "open_asked_by_me": sum(1 for f in seen if f.direction == "received" and f.status == "asked"),
        "unreturned": sum(1 for f in received if not f.returned),
        "unthanked": sum(1 for f in received
                         if f.person_id not in thanks or thanks[f.person_id].date() < f.on),
    }


def _gatekeepers(
    session: Session, people: Mapping[int, _Person], ties: Mapping[int, PersonTie], as_of: datetime
) -> list[dict[str, Any]]:
    """Gatekeepers (assistant-of) of key people and the state of my tie with them."""
    keys = set(session.scalars(select(Person.id).where(Person.is_key.is_(True), Person.archived.is_(False))))
    pairs = [(src, dst) for src, dst in session.execute(
        select(Relation.src_id, Relation.dst_id).where(Relation.kind.in_([k.value for k in GATEKEEPER_RELATIONS])))
        if dst in keys and src in people]
    last = _last_interactions(session, {src for src, _ in pairs}, as_of)
    rows = []
    for src, dst in pairs:
        tie = ties.get(src)
        at, sentiment = last.get(src, (None, None))
        days = (as_of - at).days if at is not None else None
        score = tie.score if tie else 0.0
        weak = score < WEAK_SCORE or at is None
        state = "soured" if sentiment is not None and sentiment < 0 else "weak" if weak else "ok"
        rows.append({"gatekeeper": people[src].name, "gatekeeper_id": src, "key_person": people[dst].name,
                     "key_person_id": dst, "score": score, "layer": tie.layer if tie else "dormant",
                     "last_sentiment": sentiment, "days_since_contact": days, "state": state})
    return sorted(rows, key=lambda r: (str(r["key_person"]), str(r["gatekeeper"])))


def _last_interactions(session: Session, ids: set[int], as_of: datetime) -> dict[int, tuple[datetime, int]]:
    """Time and sentiment of each given person's last interaction up to ``as_of``."""
    out: dict[int, tuple[datetime, int]] = {}
    if not ids:
        return out
    stmt = (select(InteractionParticipant.person_id, Interaction.occurred_at, Interaction.sentiment)
            .join(Interaction, Interaction.id == InteractionParticipant.interaction_id)
            .where(InteractionParticipant.person_id.in_(ids), Interaction.occurred_at <= as_of)
            .order_by(Interaction.occurred_at, Interaction.id))
    for pid, at, sentiment in session.execute(stmt):
        out[pid] = (at, sentiment)
    return out


def _trend(
    session: Session, network: NetworkLog, people: Mapping[int, _Person], meetings: list[_Meeting],
    favors: list[_Favor], ends: list[datetime],
) -> list[dict[str, Any]]:
    """The headline figures at each month end; the ties of all months come from one pass."""
    series = series_from_log(session, network, ends)
    return [_month(people, meetings, favors, end, ties) for end, ties in zip(ends, series, strict=True)]


def _month(
    people: Mapping[int, _Person], meetings: list[_Meeting], favors: list[_Favor], end: datetime,
    ties: Mapping[int, TieBrief],
) -> dict[str, Any]:
    """The headline figures as of one month end."""
    sizes = _sizes(people, ties, end)
    met = [m for m in meetings if m.on <= end.date()]
    done = [f for f in favors if f.on <= end.date() and f.status in ("done", "returned")]
    return {
        "month_end": end.date().isoformat(),
        "network": sizes["network"],
        "callable": sizes["callable"],
        "layers": sizes["layers"],
        "hello_share": _hellos(people, end)["share"],
        "follow_up_rate": _ratio(sum(1 for m in met if m.followed_up_by(end)), len(met)),
        "favours_given": sum(1 for f in done if f.direction == "given"),
        "favours_received": sum(1 for f in done if f.direction == "received"),
    }
