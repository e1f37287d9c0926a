"""The quality report: how big the network is next to how much of it is callable.

Figures (``docs/agenda.md`` defines each): network and callable size, layer
sizes, the share of relationships that never went beyond a hello, follow-up
rate per event, the favour ledger, the state of gatekeepers of key people, and
the trend of these figures at each of the last 24 month ends.

One read of the log through its cache (:mod:`kith.services.log_cache`) feeds
everything; every figure is computed for everyone at once (numpy arrays over
the network), so a 30,000-person network with a million interactions reports
in well under a second. :class:`Report` is the typed read model the CLI, the
API and the report page render (``as_dict`` is its JSON).
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.engine.agenda_rules import FOLLOW_UP_WINDOW_DAYS
from kith.engine.kinds import GATEKEEPER_RELATIONS, LAYERS
from kith.engine.ties import KIND_INDEX
from kith.services.scores import FavourRow, MomentTies, favour_rows, series_arrays, tie_scores
from kith.services.tie_log import NetworkLog, people_columns, read_network_log
from kith.store import door
from kith.store.door import WS
from kith.store.models import Event, EventMember, Favor, Person, Relation

TREND_MONTHS = 24
WEAK_SCORE = 45.0
DAY = 86400.0


# ---------------------------------------------------------------- the read model


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


@dataclass(frozen=True)
class Sizes:
    """Network size, callable size and each layer's size among the people known by then."""

    network: int
    callable: int
    layers: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"network": self.network, "callable": self.callable, "layers": dict(self.layers)}


@dataclass(frozen=True)
class Hellos:
    """Relationships that never went beyond a hello: only hello kinds, or no contact at all."""

    hello_only: int
    no_contact: int
    network: int

    @property
    def share(self) -> float | None:
        """Their share of the network."""
        return _ratio(self.hello_only + self.no_contact, self.network)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"hello_only": self.hello_only, "no_contact": self.no_contact, "network": self.network,
                "share": self.share}


@dataclass(frozen=True)
class FollowUpRate:
    """People met, followed up, missed (the window closed without contact), and the rate."""

    met: int
    followed_up: int
    missed: int

    @property
    def rate(self) -> float | None:
        """Followed up / met."""
        return _ratio(self.followed_up, self.met)

    @property
    def waiting(self) -> int:
        """Met recently, not followed up yet, the window still open."""
        return self.met - self.followed_up - self.missed

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"met": self.met, "followed_up": self.followed_up, "missed": self.missed, "rate": self.rate}


@dataclass(frozen=True)
class EventFollowUp:
    """The follow-up of the people met at one event."""

    event_id: int
    event: str
    on: date
    rate: FollowUpRate

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"event_id": self.event_id, "event": self.event, "on": self.on.isoformat(), **self.rate.as_dict()}


@dataclass(frozen=True)
class FollowUp:
    """Follow-up overall and per event."""

    overall: FollowUpRate
    events: list[EventFollowUp]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"overall": self.overall.as_dict(), "events": [e.as_dict() for e in self.events]}


@dataclass(frozen=True)
class Favours:
    """Favours given and received (done), open ones each way, unreturned and unthanked."""

    given: int
    received: int
    open_asked_of_me: int
    open_asked_by_me: int
    unreturned: int
    unthanked: int

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"given": self.given, "received": self.received, "open_asked_of_me": self.open_asked_of_me,
                "open_asked_by_me": self.open_asked_by_me, "unreturned": self.unreturned,
                "unthanked": self.unthanked}


@dataclass(frozen=True)
class Gatekeeper:
    """A gatekeeper (assistant) of a key person and the state of my tie with them."""

    gatekeeper: str
    gatekeeper_id: int
    key_person: str
    key_person_id: int
    score: float
    layer: str
    last_sentiment: int | None
    days_since_contact: int | None
    state: str  # ok, weak or soured

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"gatekeeper": self.gatekeeper, "gatekeeper_id": self.gatekeeper_id, "key_person": self.key_person,
                "key_person_id": self.key_person_id, "score": self.score, "layer": self.layer,
                "last_sentiment": self.last_sentiment, "days_since_contact": self.days_since_contact,
                "state": self.state}


@dataclass(frozen=True)
class Month:
    """The headline figures as of one month end."""

    month_end: date
    network: int
    callable: int
    layers: dict[str, int]
    hello_share: float | None
    follow_up_rate: float | None
    favours_given: int
    favours_received: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"month_end": self.month_end.isoformat(), "network": self.network, "callable": self.callable,
                "layers": dict(self.layers), "hello_share": self.hello_share, "follow_up_rate": self.follow_up_rate,
                "favours_given": self.favours_given, "favours_received": self.favours_received}


@dataclass(frozen=True)
class Report:
    """The quality report as of ``as_of``."""

    as_of: datetime
    sizes: Sizes
    hellos: Hellos
    follow_up: FollowUp
    favours: Favours
    gatekeepers: list[Gatekeeper]
    trend: list[Month]

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the keys of ``kith report --json``)."""
        return {"as_of": self.as_of.isoformat(), "sizes": self.sizes.as_dict(), "hellos": self.hellos.as_dict(),
                "follow_up": self.follow_up.as_dict(), "favours": self.favours.as_dict(),
                "gatekeepers": [g.as_dict() for g in self.gatekeepers], "trend": [m.as_dict() for m in self.trend]}


# ---------------------------------------------------------------- computing it


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


@dataclass
class _People:
    """Everyone not archived (row-aligned with the network's ids): when they entered and went beyond hellos."""

    ids: np.ndarray
    names: dict[int, str]
    known_since: np.ndarray  # unix seconds: added, met or first contacted, whichever came first
    first_contact: np.ndarray  # nan = never
    first_deep: np.ndarray  # first contact that was more than a hello; nan = never

    def known(self, moment: float) -> np.ndarray:
        """Mask of the people known by ``moment``."""
        mask: np.ndarray = self.known_since <= moment
        return mask


@dataclass
class _Meetings:
    """Everyone met somewhere: the day, the event, and their first contact after that day."""

    event_id: list[int | None]
    event: list[str]
    day: np.ndarray  # day ordinals
    next_contact: np.ndarray  # unix seconds of the first contact after the day of meeting; inf = none

    def followed(self, moment: float) -> np.ndarray:
        """Mask of the meetings followed up by ``moment``."""
        mask: np.ndarray = self.next_contact <= moment
        return mask


def report(session: Session, as_of: datetime) -> Report:
    """The quality report as of ``as_of``."""
    network = read_network_log(session, as_of)  # read once: first contacts, thanks, meetings, the trend
    row_of = {pid: i for i, pid in enumerate(network.ids.tolist())}
    people = _people(session, network)
    meetings = _meetings(session, network, people)
    favors = favour_rows(session)
    dated = _dated(session, row_of)
    ties = tie_scores(session, as_of)
    now = as_of.timestamp()
    current = MomentTies(as_of, ties.score, ties.layer, ties.readiness >= _callable(), np.zeros(len(ties.ids)))
    return Report(
        as_of=as_of,
        sizes=_sizes(people, current, now),
        hellos=_hellos(people, now),
        follow_up=_follow_up(meetings, as_of),
        favours=_favour_figures(network, dated, row_of, as_of),
        gatekeepers=_gatekeepers(session, network, people, ties, row_of, as_of),
        trend=_trend(network, people, meetings, favors, dated, month_ends(as_of)),
    )


def _callable() -> float:
    from kith.engine.readiness import CALLABLE_THRESHOLD

    return CALLABLE_THRESHOLD


_ENTERED = select(Person.id, door.epoch(Person.created_at), door.or_null(door.epoch(Person.met_on))).where(
    Person.workspace_id == WS, Person.archived.is_(False)).order_by(Person.id)


def _people(session: Session, network: NetworkLog) -> _People:
    """When each person entered the network (added, met, first contacted) and first went beyond a hello."""
    ids = network.ids
    entered = door.numbers(session, _ENTERED)
    met = door.nan_for_null(entered[:, 2].copy())
    since = np.fmin(entered[:, 1], met)  # fmin: a missing meeting day does not count
    known = np.full(len(ids), np.inf)
    slot = np.searchsorted(ids, entered[:, 0].astype(np.int64))
    ok = slot < len(ids)
    ok[ok] &= ids[slot[ok]] == entered[ok, 0].astype(np.int64)
    known[slot[ok]] = since[ok]
    names = people_columns(session).names  # the same people as network.ids
    log = network.log
    first = log.earliest(log.contacts())
    deep = log.earliest(log.deep())
    known = np.where(np.isnan(first), known, np.minimum(known, first))
    return _People(ids, names, known, first, deep)


def _sizes(people: _People, ties: MomentTies, moment: float) -> Sizes:
    known = people.known(moment)
    counts = np.bincount(ties.layer[known], minlength=len(LAYERS))
    return Sizes(int(known.sum()), int((known & ties.callable).sum()),
                 {name: int(counts[i]) for i, name in enumerate(LAYERS)})


def _hellos(people: _People, moment: float) -> Hellos:
    known = people.known(moment)
    contacted = people.first_contact <= moment  # nan compares false: never contacted
    deep = people.first_deep <= moment
    return Hellos(int((known & contacted & ~deep).sum()), int((known & ~contacted).sum()), int(known.sum()))


def _meetings(session: Session, network: NetworkLog, people: _People) -> _Meetings:
    """Everyone met somewhere: ``met_at``/``met_on`` on the person, members with the role 'met'.

    The person's own ``met_on`` dates the meeting at their ``met_at`` event;
    other events date themselves. Each meeting's first contact after its day
    comes from the log (contacts only: a note is not a follow-up).
    """
    row_of = {pid: i for i, pid in enumerate(network.ids.tolist())}
    events = {eid: (name, on) for eid, name, on in session.execute(select(Event.id, Event.name, Event.starts_on))}
    rows = session.execute(select(Person.id, Person.met_at_event_id, Person.met_on, Person.created_at)
                           .where(Person.archived.is_(False),
                                  (Person.met_at_event_id.is_not(None)) | (Person.met_on.is_not(None)))).all()
    own = {pid: (eid, met_on, created.date()) for pid, eid, met_on, created in rows}
    pairs = {(pid, eid) for pid, eid, _m, _c in rows if pid in row_of}
    members = session.execute(select(EventMember.person_id, EventMember.event_id)
                              .where(func.lower(EventMember.role) == "met")).all()
    pairs |= {(pid, eid) for pid, eid in members if pid in row_of}
    event_ids: list[int | None] = []
    names: list[str] = []
    days: list[int] = []
    persons: list[int] = []
    for pid, eid in sorted(pairs, key=lambda pe: (pe[0], pe[1] or 0)):
        name, starts = events.get(eid, ("", None)) if eid is not None else ("", None)
        own_event, met_on, created = own.get(pid, (None, None, None))
        dates = (met_on, starts) if eid is None or eid == own_event else (starts, met_on)
        day = dates[0] or dates[1] or created or datetime.fromtimestamp(people.known_since[row_of[pid]], UTC).date()
        event_ids.append(eid)
        names.append(name)
        days.append(day.toordinal())
        persons.append(row_of[pid])
    day_arr = np.array(days, dtype=np.int64)
    end_of_day = (day_arr - date(1970, 1, 1).toordinal() + 1).astype(np.float64) * DAY - 1e-6
    return _Meetings(event_ids, names, day_arr, _next_contacts(network, np.array(persons, dtype=np.int64), end_of_day))


def _next_contacts(network: NetworkLog, rows: np.ndarray, after: np.ndarray) -> np.ndarray:
    """For each (person row, moment): the first contact of that person strictly after the moment (inf if none)."""
    log = network.log
    contacts = log.contacts()
    person, ts = log.person[contacts], log.ts[contacts]
    found = np.full(len(rows), np.inf)
    if not len(ts) or not len(rows):
        return found
    if not log.by_person:
        order = np.lexsort((ts, person))
        person, ts = person[order], ts[order]
    # One sorted key, person first, then time: each person's contacts in a band of its own.
    start = float(ts.min())
    span = float(ts.max()) - start + 1.0
    key = person.astype(np.float64) * span + (ts - start)
    query = rows.astype(np.float64) * span + np.clip(after - start, -0.5, span - 0.5)
    at = np.searchsorted(key, query, side="right")
    ok = at < len(key)
    ok[ok] &= person[at[ok]] == rows[ok]
    found[ok] = ts[at[ok]]
    return found


def _rate(m: _Meetings, mask: np.ndarray, as_of: datetime) -> FollowUpRate:
    followed = m.followed(as_of.timestamp()) & mask
    missed = mask & ~followed & (as_of.date().toordinal() - m.day > FOLLOW_UP_WINDOW_DAYS)
    return FollowUpRate(int(mask.sum()), int(followed.sum()), int(missed.sum()))


def _follow_up(m: _Meetings, as_of: datetime) -> FollowUp:
    """Follow-up rate overall and per event, as of ``as_of``."""
    seen = m.day <= as_of.date().toordinal()
    per_event: dict[int, list[int]] = defaultdict(list)
    for i, eid in enumerate(m.event_id):
        if eid is not None and seen[i]:
            per_event[eid].append(i)
    events = []
    for eid, rows in per_event.items():
        mask = np.zeros(len(m.day), dtype=bool)
        mask[rows] = True
        events.append(EventFollowUp(eid, m.event[rows[0]], date.fromordinal(int(m.day[rows].min())),
                                    _rate(m, mask, as_of)))
    events.sort(key=lambda e: (e.on.isoformat(), e.event_id))
    return FollowUp(_rate(m, seen, as_of), events)


_Dated = tuple[int, str, str, date, bool]  # person, direction, status, its day, returned


def _favour_figures(network: NetworkLog, dated: Sequence[_Dated], row_of: dict[int, int], as_of: datetime) -> Favours:
    """Favours given and received (done) by now, open ones each way, unreturned, unthanked (people not archived)."""
    day = as_of.date()
    log = network.log
    thanked = log.latest(log.kind == KIND_INDEX["thanks-given"])  # the log is cut at as_of
    rows = [f for f in dated if f[3] <= day]
    done = [f for f in rows if f[2] in ("done", "returned")]
    received = [f for f in done if f[1] == "received"]
    unthanked = 0
    for pid, _direction, _status, on, _returned in received:
        last = thanked[row_of[pid]]
        if math.isnan(last) or datetime.fromtimestamp(last, UTC).date() < on:
            unthanked += 1
    return Favours(
        given=sum(1 for f in done if f[1] == "given"), received=len(received),
        open_asked_of_me=sum(1 for f in rows if f[1] == "given" and f[2] == "asked"),
        open_asked_by_me=sum(1 for f in rows if f[1] == "received" and f[2] == "asked"),
        unreturned=sum(1 for f in received if not f[4]), unthanked=unthanked,
    )


def _dated(session: Session, row_of: dict[int, int]) -> list[_Dated]:
    """Each favour of someone not archived: person, direction, status, its day (done, else asked, else recorded)."""
    rows = session.execute(select(Favor.person_id, Favor.direction, Favor.status, Favor.done_on, Favor.asked_on,
                                  Favor.returned_on, Favor.created_at))
    return [(pid, direction, status, done_on or asked_on or created.date(),
             returned_on is not None or status == "returned")
            for pid, direction, status, done_on, asked_on, returned_on, created in rows if pid in row_of]


def _gatekeepers(session: Session, network: NetworkLog, people: _People, ties: Any, row_of: dict[int, int],
                 as_of: datetime) -> list[Gatekeeper]:
    """Gatekeepers (assistant-of) of key people and the state of my tie with them."""
    keys = set(session.scalars(select(Person.id).where(Person.is_key.is_(True), Person.archived.is_(False))))
    pairs = [(src, dst) for src, dst in session.execute(
        select(Relation.src_id, Relation.dst_id).where(Relation.kind.in_([k.value for k in GATEKEEPER_RELATIONS])))
        if dst in keys and src in row_of]
    log = network.log
    every = np.ones(len(log.ts), dtype=bool)
    last = log.latest(every)  # any kind, notes too, up to as_of (the log is cut there)
    sentiment = log.last_sentiments(every)
    out = []
    for src, dst in pairs:
        i = row_of[src]
        tie = ties.get(src)
        seen = not math.isnan(last[i])
        days = (as_of - datetime.fromtimestamp(last[i], UTC)).days if seen else None
        feeling = int(sentiment[i]) if seen else None
        score = tie.score if tie else 0.0
        weak = score < WEAK_SCORE or not seen
        state = "soured" if feeling is not None and feeling < 0 else "weak" if weak else "ok"
        out.append(Gatekeeper(people.names[src], src, people.names.get(dst, ""), dst, score,
                              tie.layer if tie else "dormant", feeling, days, state))
    return sorted(out, key=lambda g: (g.key_person, g.gatekeeper))


def _trend(network: NetworkLog, people: _People, meetings: _Meetings, favors: Sequence[FavourRow],
           dated: Sequence[_Dated], ends: list[datetime]) -> list[Month]:
    """The headline figures at each month end; the ties of all months come from one pass over the log."""
    series = series_arrays(network, favors, ends)
    done = [(on, direction) for _pid, direction, status, on, _returned in dated if status in ("done", "returned")]
    out = []
    for end, ties in zip(ends, series, strict=True):
        t = end.timestamp()
        sizes = _sizes(people, ties, t)
        met = meetings.day <= end.date().toordinal()
        day = end.date()
        counted = [d for on, d in done if on <= day]
        out.append(Month(
            month_end=day, network=sizes.network, callable=sizes.callable, layers=sizes.layers,
            hello_share=_hellos(people, t).share,
            follow_up_rate=_ratio(int((meetings.followed(t) & met).sum()), int(met.sum())),
            favours_given=counted.count("given"), favours_received=counted.count("received"),
        ))
    return out


__all__ = ["Report", "month_ends", "report"]
