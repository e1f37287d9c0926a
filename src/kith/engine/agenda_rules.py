"""The agenda's rules: what to do about each person today, why, by when, how urgently.

Pure: no I/O, no database. :mod:`kith.services.agenda` gathers the facts of
every person who may need an action as columns (:class:`Facts`: one row per
person, plus the :class:`Helps` and :class:`Owes` tables of things a person
did for me or I owe them); each rule here turns the columns into at most one
suggestion per person, for every person at once (numpy), and
:func:`rank` picks each person's most important one. Only the items returned
are put into words (:func:`reason`), so an agenda of thousands of people
costs a few vectorised passes. ``docs/agenda.md`` describes every rule, its
due date and the priority formula.

Priority = action weight x urgency x importance, where

- urgency = clamp(1 + days overdue / 14, 0.5, 3): due today is 1, two weeks
  late 2, four weeks late and more 3; not yet due sinks towards 0.5;
- importance = 1 + 1 (key person) + 0.5 (relevant to an active goal)
  + tie strength / 100.

Days are proleptic ordinals (``date.toordinal()``) and moments unix seconds,
as integer and float arrays; nan (moments) and -1 (days) mean "never".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from kith.clock import ago_words
from kith.engine.kinds import AGENDA_ACTIONS

ACTIONS = AGENDA_ACTIONS
ACTION_WEIGHT: dict[str, float] = {
    "repair": 5.0,
    "return-favour": 4.0,
    "thank": 4.0,
    "follow-up": 5.0,
    "nurture": 3.0,
    "rewarm-goal": 3.0,
    "reconnect": 2.0,
}
LOOKAHEAD_DAYS = 3  # the agenda shows what is due within this many days
FOLLOW_UP_DUE_DAYS = 3  # follow up within three days of meeting
FOLLOW_UP_WINDOW_DAYS = 60  # after that the follow-up is missed, not suggested
THANK_DUE_DAYS = 2
BEHIND_SCENES_BONUS = 1.25  # thanking behind-the-scenes work weighs this much more
PROJECT_THANK_WINDOW_DAYS = 90  # contributors to a project are listed this long after it ends
REPAIR_DUE_DAYS = 2
REPAIR_WINDOW_DAYS = 180  # a bad last exchange older than this is history, not a repair
RETURN_DUE_DAYS = 30  # a favour received is "owed" after a month
ASKED_DUE_DAYS = 7  # a favour asked of me should be answered within a week
NURTURE_SCORE = 45.0  # below this a gatekeeper tie is weak
NURTURE_SILENCE_DAYS = 90  # a gatekeeper tie silent this long needs care
NURTURE_WEAK_SILENCE_DAYS = 30  # a weak one, after this long
COOLING_RATIO = 2.0  # silent for twice the usual gap: cooling (the engine's default)
DEFAULT_GAP_DAYS = 30.0  # the usual gap assumed when none is known
MARK_PERIOD_DAYS: dict[str, int] = {
    "follow-up": FOLLOW_UP_WINDOW_DAYS,
    "thank": 365,
    "repair": 365,
    "return-favour": 365,
    "nurture": 30,
    "rewarm-goal": 30,
    "reconnect": 30,  # replaced by the person's cadence when there is one
}
EPOCH_DAY = date(1970, 1, 1).toordinal()
DAY = 86400.0
NEVER = -1  # a day that never was

B = NDArray[np.bool_]
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


def day_of(seconds: F64) -> I64:
    """The UTC day (ordinal) of each moment; NEVER for nan."""
    out = np.full(len(seconds), NEVER, dtype=np.int64)
    known = ~np.isnan(seconds)
    out[known] = np.floor(seconds[known] / DAY).astype(np.int64) + EPOCH_DAY
    return out


def start_of(days: I64) -> F64:
    """Midnight UTC at the start of each day, as unix seconds."""
    return (days - EPOCH_DAY).astype(np.float64) * DAY


def as_date(day: int) -> date:
    """A day ordinal as a date."""
    return date.fromordinal(int(day))


@dataclass(frozen=True)
class CadenceChoice:
    """The keep-in-touch rhythm that applies to a person, and where it comes from."""

    days: float
    source: str  # "person", "tag film", "layer close" or "learned"

    @property
    def explicit(self) -> bool:
        """Set by the user (for the person, a tag or a layer), not learned."""
        return self.source != "learned"


@dataclass
class Facts:
    """What the agenda knows about the people who may need an action: one row per person.

    ``met_where``, ``cadence``, ``gatekeeps`` and ``goals`` are sparse: only
    the rows that have one appear (by row index).
    """

    person_id: I64
    is_key: B
    strength: F64  # tie score 0-100
    last: F64  # newest contact (unix seconds, nan = never)
    last_thanks: F64  # newest thanks given
    last_negative: F64  # newest interaction that went badly
    met_day: I64  # day met (NEVER = not met)
    cooling: B  # the engine's verdict
    learned_gap_days: F64  # nan = unknown
    met_where: dict[int, str] = field(default_factory=dict)  # "at Web Summit"
    cadence: dict[int, CadenceChoice] = field(default_factory=dict)
    gatekeeps: dict[int, tuple[str, ...]] = field(default_factory=dict)  # "assistant of Bea Key"
    goals: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # why relevant to active goals

    def __len__(self) -> int:
        return len(self.person_id)


@dataclass
class Helps:
    """Things people did for me (favour, referral, intro, project work): one row per help."""

    row: I64  # the person's row in Facts
    day: I64
    behind_scenes: B
    project: B
    what: list[str]


@dataclass
class Owes:
    """Favours I owe: received and not returned, or asked of me and still open: one row per favour."""

    row: I64
    day: I64
    asked_of_me: B
    what: list[str]


@dataclass
class Suggestions:
    """Every rule's suggestion for every row of :class:`Facts` (columns in ACTIONS order)."""

    applies: B  # (rows, actions)
    due: I64  # day
    since: F64  # when the situation arose: a "done" mark older than this no longer hides it
    weight: F64
    first_help: I64  # the help the thank names (index into Helps), -1 if none
    helps: I64  # how many helps are pending
    first_owed: I64  # the favour return-favour names (index into Owes), -1 if none
    owed: I64  # how many favours are owed


def _col(action: str) -> int:
    return ACTIONS.index(action)


def suggest(f: Facts, helps: Helps, owes: Owes, today: date) -> Suggestions:
    """Every rule, for every person (before marks and the choice of one per person)."""
    n, t = len(f), today.toordinal()
    s = Suggestions(np.zeros((n, len(ACTIONS)), dtype=bool), np.zeros((n, len(ACTIONS)), dtype=np.int64),
                    np.zeros((n, len(ACTIONS))), np.zeros((n, len(ACTIONS))), np.full(n, -1, dtype=np.int64),
                    np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64))
    last_day = day_of(f.last)
    _repair(f, last_day, t, s)
    _return_favour(owes, t, s)
    _thank(f, helps, t, s)
    _follow_up(f, last_day, t, s)
    _nurture(f, last_day, t, s)
    _rewarm_goal(f, last_day, t, s)
    _reconnect(f, last_day, t, s)
    return s


def _set(s: Suggestions, action: str, rows: I64 | B, due: I64 | int, since: F64 | float, weight: F64 | float) -> None:
    c = _col(action)
    s.applies[rows, c] = True
    s.due[rows, c] = due
    s.since[rows, c] = since
    s.weight[rows, c] = weight


def _repair(f: Facts, last_day: I64, t: int, s: Suggestions) -> None:
    """The last interaction went badly (negative sentiment), within the last 180 days."""
    neg_day = day_of(f.last_negative)
    rows = np.flatnonzero((f.last_negative >= f.last) & (neg_day != NEVER) & (t - neg_day <= REPAIR_WINDOW_DAYS))
    _set(s, "repair", rows, neg_day[rows] + REPAIR_DUE_DAYS, f.last_negative[rows], ACTION_WEIGHT["repair"])


def _return_favour(owes: Owes, t: int, s: Suggestions) -> None:
    """Favours I owe: asked of me and open (due in a week), received and not returned (in a month)."""
    open_ = np.flatnonzero(owes.day <= t)
    if not len(open_):
        return
    due_of = owes.day[open_] + np.where(owes.asked_of_me[open_], ASKED_DUE_DAYS, RETURN_DUE_DAYS)
    rows = owes.row[open_]
    order = np.lexsort((due_of, rows))  # per person, earliest due first: that is the one named
    first = _first_per_group(rows[order])
    people, chosen = rows[order][first], open_[order][first]
    due = due_of[order][first]
    latest = np.full(len(s.applies), NEVER, dtype=np.int64)
    np.maximum.at(latest, rows, owes.day[open_])
    ok = due - t <= LOOKAHEAD_DAYS
    people, chosen, due = people[ok], chosen[ok], due[ok]
    _set(s, "return-favour", people, due, start_of(latest[people]), ACTION_WEIGHT["return-favour"])
    s.first_owed[people] = chosen
    s.owed[people] = np.bincount(rows, minlength=len(s.applies))[people]


def _thank(f: Facts, helps: Helps, t: int, s: Suggestions) -> None:
    """They helped (favour, referral, intro, project work) and were not thanked on or after that day."""
    thanked = day_of(f.last_thanks)[helps.row]
    pending = np.flatnonzero((helps.day <= t) & ~(thanked >= helps.day)
                             & ~(helps.project & (t - helps.day > PROJECT_THANK_WINDOW_DAYS)))
    if not len(pending):
        return
    rows = helps.row[pending]
    # Per person, the help named first: behind-the-scenes work first, then the most recent, then the first listed.
    order = np.lexsort((-pending, helps.day[pending], helps.behind_scenes[pending], rows))
    last = _last_per_group(rows[order])
    people, chosen = rows[order][last], pending[order][last]
    latest = np.full(len(s.applies), NEVER, dtype=np.int64)
    np.maximum.at(latest, rows, helps.day[pending])
    weight = ACTION_WEIGHT["thank"] * np.where(helps.behind_scenes[chosen], BEHIND_SCENES_BONUS, 1.0)
    _set(s, "thank", people, helps.day[chosen] + THANK_DUE_DAYS, start_of(latest[people]), weight)
    s.first_help[people] = chosen
    s.helps[people] = np.bincount(rows, minlength=len(s.applies))[people]


def _follow_up(f: Facts, last_day: I64, t: int, s: Suggestions) -> None:
    """Met within the last 60 days and never contacted after the day of meeting."""
    met = f.met_day
    rows = np.flatnonzero((met != NEVER) & (met <= t) & (t - met <= FOLLOW_UP_WINDOW_DAYS) & ~(last_day > met))
    _set(s, "follow-up", rows, met[rows] + FOLLOW_UP_DUE_DAYS, start_of(met[rows]), ACTION_WEIGHT["follow-up"])


def _nurture(f: Facts, last_day: I64, t: int, s: Suggestions) -> None:
    """The gatekeeper or team of a key person, when that tie is silent (90 days, or never) or weak (30 days)."""
    rows = np.fromiter(f.gatekeeps, dtype=np.int64, count=len(f.gatekeeps))
    if not len(rows):
        return
    weak = f.strength[rows] < NURTURE_SCORE
    never = last_day[rows] == NEVER
    after = np.where(weak, NURTURE_WEAK_SILENCE_DAYS, NURTURE_SILENCE_DAYS)
    due = np.where(never, t, last_day[rows] + after)
    ok = due - t <= LOOKAHEAD_DAYS
    since = np.where(never, 0.0, f.last[rows])
    _set(s, "nurture", rows[ok], due[ok], since[ok], ACTION_WEIGHT["nurture"])


def _gap(f: Facts, row: int) -> tuple[float, bool]:
    """The usual gap of a row (an explicit cadence, else learned, else 30 days) and whether it is explicit."""
    cadence = f.cadence.get(row)
    if cadence is not None and cadence.explicit:
        return float(cadence.days), True
    learned = float(f.learned_gap_days[row])
    return (DEFAULT_GAP_DAYS if math.isnan(learned) else learned), False


def _gaps(f: Facts, rows: I64) -> tuple[F64, B]:
    """:func:`_gap` of each row, as arrays."""
    pairs = [_gap(f, r) for r in rows.tolist()]
    return (np.array([p[0] for p in pairs], dtype=np.float64).reshape(len(pairs)),
            np.array([p[1] for p in pairs], dtype=bool).reshape(len(pairs)))


def _rewarm_goal(f: Facts, last_day: I64, t: int, s: Suggestions) -> None:
    """A tie relevant to an active goal is cooling: silent for twice its usual gap.

    The usual gap is the explicit cadence when there is one (then silence of
    twice that is cooling), else the engine's verdict decides (``cooling``).
    """
    rows = np.fromiter((r for r in f.goals if last_day[r] != NEVER), dtype=np.int64)
    if not len(rows):
        return
    gap, explicit = _gaps(f, rows)
    silence = t - last_day[rows]
    cooling = np.where(explicit, silence >= COOLING_RATIO * gap, f.cooling[rows])
    due = np.minimum(t, last_day[rows] + np.round(COOLING_RATIO * gap).astype(np.int64))
    _set(s, "rewarm-goal", rows[cooling], due[cooling], f.last[rows][cooling], ACTION_WEIGHT["rewarm-goal"])


def _reconnect(f: Facts, last_day: I64, t: int, s: Suggestions) -> None:
    """A keep-in-touch cadence is overdue or due within a few days (today if never contacted)."""
    rows = np.fromiter(f.cadence, dtype=np.int64, count=len(f.cadence))
    if not len(rows):
        return
    days = np.array([round(f.cadence[r].days) for r in rows.tolist()], dtype=np.int64)
    never = last_day[rows] == NEVER
    due = np.where(never, t, last_day[rows] + days)
    ok = due - t <= LOOKAHEAD_DAYS
    since = np.where(never, 0.0, f.last[rows])
    _set(s, "reconnect", rows[ok], due[ok], since[ok], ACTION_WEIGHT["reconnect"])


def _first_per_group(sorted_keys: I64) -> B:
    """Mask of the first entry of each run of equal keys (keys sorted)."""
    mask = np.ones(len(sorted_keys), dtype=bool)
    mask[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return mask


def _last_per_group(sorted_keys: I64) -> B:
    """Mask of the last entry of each run of equal keys (keys sorted)."""
    mask = np.ones(len(sorted_keys), dtype=bool)
    mask[:-1] = sorted_keys[1:] != sorted_keys[:-1]
    return mask


# ---------------------------------------------------------------- ranking


def urgency(due: I64, today: int) -> F64:
    """1 when due today, growing with days overdue (capped at 3), shrinking before (at least 0.5)."""
    out: F64 = np.clip(1.0 + (today - due) / 14.0, 0.5, 3.0)
    return out


def importance(f: Facts) -> F64:
    """1, plus 1 for a key person, 0.5 for goal relevance, and strength / 100."""
    goal = np.zeros(len(f))
    if f.goals:
        goal[np.fromiter(f.goals, dtype=np.int64, count=len(f.goals))] = 0.5
    out: F64 = 1.0 + f.is_key.astype(np.float64) + goal + np.maximum(0.0, f.strength) / 100.0
    return out


@dataclass(frozen=True)
class Ranked:
    """One person's agenda item: the row, the action chosen, its priority, and the others (by priority)."""

    row: int
    action: str
    priority: float
    due: date
    also: tuple[str, ...]


def priorities(f: Facts, s: Suggestions, shown: B, today: date) -> F64:
    """Action weight x urgency x importance of every shown suggestion (-inf where none), rounded to cents."""
    raw = s.weight * urgency(s.due, today.toordinal()) * importance(f)[:, None]
    out: F64 = np.full(raw.shape, -np.inf)
    # Python's round (of the exact binary value) for every shown one, as the agenda always rounded.
    out[shown] = [round(x, 2) for x in raw[shown].tolist()]
    return out


def rank(f: Facts, s: Suggestions, shown: B, today: date) -> list[Ranked]:
    """Each person's most important shown action (ties go to the order of ACTIONS), others mentioned."""
    p = priorities(f, s, shown, today)
    counts = shown.sum(axis=1)
    rows = np.flatnonzero(counts)
    best = np.argmax(p[rows], axis=1)  # the first of equal maxima: ACTIONS order
    chosen = p[rows, best].tolist()
    due = s.due[rows, best].tolist()
    several = counts[rows] > 1
    out = []
    for r, b, prio, day, more in zip(rows.tolist(), best.tolist(), chosen, due, several.tolist(), strict=True):
        also: tuple[str, ...] = ()
        if more:  # the others, by priority (ACTIONS order among equals)
            others = [c for c in np.flatnonzero(shown[r]).tolist() if c != b]
            others.sort(key=lambda c: (-p[r, c], c))
            also = tuple(ACTIONS[c] for c in others)
        out.append(Ranked(r, ACTIONS[b], prio, date.fromordinal(day), also))
    return out


# ---------------------------------------------------------------- words


def _when(seconds: float) -> date:
    """The UTC day of a moment (the same day as :func:`day_of`; ``datetime.fromtimestamp`` with a zone costs 8 us)."""
    return as_date(math.floor(seconds / DAY) + EPOCH_DAY)


def reason(action: str, row: int, f: Facts, s: Suggestions, helps: Helps, owes: Owes, today: date) -> str:
    """Why the rule proposes ``action`` for the person of ``row``, in words."""
    last = float(f.last[row])
    ago = None if np.isnan(last) else (today - _when(last)).days
    if action == "repair":
        return f"last interaction on {_when(float(f.last_negative[row])).isoformat()} went badly (negative sentiment)"
    if action == "return-favour":
        i = int(s.first_owed[row])
        when = as_date(owes.day[i]).isoformat()
        what = (f"asked you for {owes.what[i]} on {when}, still open" if owes.asked_of_me[i]
                else f"did {owes.what[i]} for you on {when}, not returned yet")
        more = int(s.owed[row]) - 1
        return what + (f" (and {more} more owed)" if more else "")
    if action == "thank":
        i = int(s.first_help[row])
        more = int(s.helps[row]) - 1
        return f"{helps.what[i]} on {as_date(helps.day[i]).isoformat()}" + (f" (and {more} more)" if more else "") \
            + "; not thanked since"
    if action == "follow-up":
        return f"met {f.met_where.get(row, '')} on {as_date(f.met_day[row]).isoformat()}; no contact since"
    if action == "nurture":
        state = ["never contacted"] if ago is None else [f"last contact {ago_words(ago)}"]
        if f.strength[row] < NURTURE_SCORE:
            state.insert(0, f"weak tie (strength {f.strength[row]:.0f})")
        return f"{'; '.join(f.gatekeeps[row])}: {', '.join(state)}"
    if action == "rewarm-goal":
        gap = _gap(f, row)[0]
        since = "never contacted" if ago is None else f"last contact {ago_words(ago)}"
        return f"{'; '.join(f.goals[row])}; cooling: {since} (usual gap {gap:.0f} days)"
    if action == "reconnect":
        c = f.cadence[row]
        if ago is None:
            return f"keep in touch every {c.days:g} days ({c.source}); no contact logged yet"
        return (f"keep in touch every {c.days:g} days ({c.source}); last contact {ago_words(ago)} "
                f"({_when(last).isoformat()})")
    raise ValueError(f"unknown action {action!r}")


# ---------------------------------------------------------------- marks and cadences


def mark_period(action: str, cadence: CadenceChoice | None) -> timedelta:
    """How long ``kith done`` hides an action: its natural period (a cadence for reconnect)."""
    if action == "reconnect" and cadence is not None:
        return timedelta(days=cadence.days)
    return timedelta(days=MARK_PERIOD_DAYS[action])


def choose_cadence(
    person_days: int | None,
    tag_days: Sequence[tuple[str, int]],
    layer: str,
    layer_days: int | None,
    learned: float | None,
) -> CadenceChoice | None:
    """Most specific wins: person, then the shortest of the person's tags, then layer, then learned."""
    if person_days is not None:
        return CadenceChoice(float(person_days), "person")
    if tag_days:
        tag, days = min(tag_days, key=lambda td: (td[1], td[0]))
        return CadenceChoice(float(days), f"tag {tag}")
    if layer_days is not None:
        return CadenceChoice(float(layer_days), f"layer {layer}")
    if learned is not None:
        return CadenceChoice(round(learned, 1), "learned")
    return None
