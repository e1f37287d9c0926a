"""The agenda's rules: what to do about one person today, why, by when, how urgently.

Pure: no I/O, no database. :mod:`kith.services.agenda` gathers a
:class:`Facts` per person with a few aggregate queries; each rule here turns
those facts into at most one :class:`Suggestion`. ``docs/agenda.md`` describes
every rule, its due date and the priority formula.

Priority = action weight x urgency x importance, where

- urgency = clamp(1 + days overdue / 14, 0.5, 3): due today is 1, two weeks
  late 2, four weeks late and more 3; not yet due sinks towards 0.5;
- importance = 1 + 1 (key person) + 0.5 (relevant to an active goal)
  + tie strength / 100.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

ACTIONS = ("repair", "return-favour", "thank", "follow-up", "nurture", "rewarm-goal", "reconnect")
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


@dataclass(frozen=True)
class Help:
    """Something a person did for me: a favour, a referral, an intro, project work."""

    on: date
    what: str
    behind_scenes: bool = False
    project: bool = False


@dataclass(frozen=True)
class Owed:
    """A favour I owe: received and not returned, or asked of me and still open."""

    on: date
    what: str
    asked_of_me: bool


@dataclass(frozen=True)
class Meeting:
    """Where and when I met a person."""

    on: date
    where: str


@dataclass(frozen=True)
class CadenceChoice:
    """The keep-in-touch rhythm that applies to a person, and where it comes from."""

    days: float
    source: str  # "person", "tag film", "layer close" or "learned"


@dataclass(frozen=True)
class Facts:
    """What the agenda knows about one person as of a date."""

    person_id: int
    name: str
    is_key: bool = False
    strength: float = 0.0  # tie score 0-100
    layer: str = "dormant"
    last_at: datetime | None = None
    last_thanks_at: datetime | None = None
    last_negative_at: datetime | None = None
    met: Meeting | None = None
    cadence: CadenceChoice | None = None
    helps: tuple[Help, ...] = ()
    owed: tuple[Owed, ...] = ()
    gatekeeps: tuple[str, ...] = ()  # "assistant of Bea Key", key people they stand next to
    goals: tuple[str, ...] = ()  # why the person is relevant to an active goal
    cooling: bool | None = None  # the engine's verdict when it gives one
    learned_gap_days: float | None = None


@dataclass(frozen=True)
class Suggestion:
    """One action a rule proposes for one person."""

    action: str
    reason: str
    due: date
    since: datetime  # when the situation arose: a "done" mark older than this no longer hides it
    weight: float


@dataclass
class Ranked:
    """A suggestion with its priority, and the person's other (lesser) actions."""

    person_id: int
    name: str
    suggestion: Suggestion
    priority: float
    also: list[str] = field(default_factory=list)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "since forever": a state that has no start


def start_of(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0, 0), UTC)


def _days_since(at: datetime, today: date) -> int:
    return (today - at.date()).days


def follow_up(f: Facts, today: date) -> Suggestion | None:
    """Met recently and never contacted since: follow up within three days."""
    met = f.met
    if met is None or met.on > today or (today - met.on).days > FOLLOW_UP_WINDOW_DAYS:
        return None
    if f.last_at is not None and f.last_at.date() > met.on:
        return None
    reason = f"met {met.where} on {met.on.isoformat()}; no contact since"
    return Suggestion("follow-up", reason, met.on + timedelta(days=FOLLOW_UP_DUE_DAYS),
                      start_of(met.on), ACTION_WEIGHT["follow-up"])


def reconnect(f: Facts, today: date) -> Suggestion | None:
    """A keep-in-touch cadence is overdue or due within a few days."""
    c = f.cadence
    if c is None:
        return None
    if f.last_at is None:
        due, since = today, EPOCH
        reason = f"keep in touch every {c.days:g} days ({c.source}); no contact logged yet"
    else:
        due = f.last_at.date() + timedelta(days=round(c.days))
        since = f.last_at
        reason = (f"keep in touch every {c.days:g} days ({c.source}); last contact "
                  f"{f.last_at.date().isoformat()}, {_days_since(f.last_at, today)} days ago")
    if (due - today).days > LOOKAHEAD_DAYS:
        return None
    return Suggestion("reconnect", reason, due, since, ACTION_WEIGHT["reconnect"])


def thank(f: Facts, today: date) -> Suggestion | None:
    """They helped (favour, referral, intro, project work) and were not thanked since."""
    pending = [h for h in f.helps if h.on <= today and not _thanked_after(f, h.on)
               and not (h.project and (today - h.on).days > PROJECT_THANK_WINDOW_DAYS)]
    if not pending:
        return None
    # Behind-the-scenes work first, then the most recent.
    first = max(pending, key=lambda h: (h.behind_scenes, h.on))
    more = f" (and {len(pending) - 1} more)" if len(pending) > 1 else ""
    reason = f"{first.what} on {first.on.isoformat()}{more}; not thanked since"
    weight = ACTION_WEIGHT["thank"] * (1.25 if first.behind_scenes else 1.0)
    latest = max(h.on for h in pending)
    return Suggestion("thank", reason, first.on + timedelta(days=THANK_DUE_DAYS), start_of(latest), weight)


def _thanked_after(f: Facts, on: date) -> bool:
    return f.last_thanks_at is not None and f.last_thanks_at.date() >= on


def nurture(f: Facts, today: date) -> Suggestion | None:
    """The gatekeeper or team of a key person, when that tie is weak or silent.

    Silent: no contact for 90 days (or never). Weak: strength below 45 and no
    contact for 30 days (a weak tie just contacted is being nurtured already).
    """
    if not f.gatekeeps:
        return None
    weak = f.strength < NURTURE_SCORE
    if f.last_at is None:
        due, state = today, ["never contacted"]
    else:
        after = NURTURE_WEAK_SILENCE_DAYS if weak else NURTURE_SILENCE_DAYS
        due = f.last_at.date() + timedelta(days=after)
        state = [f"last contact {_days_since(f.last_at, today)} days ago"]
    if (due - today).days > LOOKAHEAD_DAYS:
        return None
    if weak:
        state.insert(0, f"weak tie (strength {f.strength:.0f})")
    reason = f"{'; '.join(f.gatekeeps)}: {', '.join(state)}"
    return Suggestion("nurture", reason, due, f.last_at or EPOCH, ACTION_WEIGHT["nurture"])


def repair(f: Facts, today: date) -> Suggestion | None:
    """The last interaction went badly (negative sentiment)."""
    neg, last = f.last_negative_at, f.last_at
    if neg is None or last is None or neg < last or _days_since(neg, today) > REPAIR_WINDOW_DAYS:
        return None
    reason = f"last interaction on {neg.date().isoformat()} went badly (negative sentiment)"
    return Suggestion("repair", reason, neg.date() + timedelta(days=REPAIR_DUE_DAYS), neg,
                      ACTION_WEIGHT["repair"])


def return_favour(f: Facts, today: date) -> Suggestion | None:
    """Favours I owe: asked of me and open, or received and not returned (older first)."""
    owed = [o for o in f.owed if o.on <= today]
    if not owed:
        return None

    def due_of(o: Owed) -> date:
        return o.on + timedelta(days=ASKED_DUE_DAYS if o.asked_of_me else RETURN_DUE_DAYS)

    first = min(owed, key=due_of)
    if (due_of(first) - today).days > LOOKAHEAD_DAYS:
        return None
    what = (f"asked you for {first.what} on {first.on.isoformat()}, still open" if first.asked_of_me
            else f"did {first.what} for you on {first.on.isoformat()}, not returned yet")
    more = f" (and {len(owed) - 1} more owed)" if len(owed) > 1 else ""
    latest = max(o.on for o in owed)
    return Suggestion("return-favour", what + more, due_of(first), start_of(latest),
                      ACTION_WEIGHT["return-favour"])


def rewarm_goal(f: Facts, today: date) -> Suggestion | None:
    """A tie relevant to an active goal is cooling: silent for twice its usual gap.

    The usual gap is the explicit cadence when there is one, else the engine's
    verdict (``cooling``) decides, else the learned gap (30 days by default).
    """
    if not f.goals or f.last_at is None:
        return None
    explicit = f.cadence is not None and f.cadence.source != "learned"
    gap = f.cadence.days if f.cadence is not None and explicit else (f.learned_gap_days or DEFAULT_GAP_DAYS)
    silence = _days_since(f.last_at, today)
    cooling = f.cooling if f.cooling is not None and not explicit else silence >= COOLING_RATIO * gap
    if not cooling:
        return None
    due = min(today, f.last_at.date() + timedelta(days=round(COOLING_RATIO * gap)))
    reason = f"{'; '.join(f.goals)}; cooling: no contact for {silence} days (usual gap {gap:.0f} days)"
    return Suggestion("rewarm-goal", reason, due, f.last_at, ACTION_WEIGHT["rewarm-goal"])


RULES: tuple[Callable[[Facts, date], Suggestion | None], ...] = (
    repair, return_favour, thank, follow_up, nurture, rewarm_goal, reconnect,
)


def suggestions(f: Facts, today: date) -> list[Suggestion]:
    """Every action the rules propose for one person (before marks and dedupe)."""
    return [s for rule in RULES if (s := rule(f, today)) is not None]


def urgency(due: date, today: date) -> float:
    """1 when due today, growing with days overdue (capped at 3), shrinking before."""
    return min(3.0, max(0.5, 1.0 + (today - due).days / 14.0))


def importance(f: Facts) -> float:
    """1, plus 1 for a key person, 0.5 for goal relevance, and strength / 100."""
    return 1.0 + (1.0 if f.is_key else 0.0) + (0.5 if f.goals else 0.0) + max(0.0, f.strength) / 100.0


def priority(s: Suggestion, f: Facts, today: date) -> float:
    """Action weight x urgency x importance, rounded to two decimals."""
    return round(s.weight * urgency(s.due, today) * importance(f), 2)


def pick(f: Facts, options: Sequence[Suggestion], today: date) -> Ranked | None:
    """The person's one agenda item: the highest-priority action; others are mentioned."""
    if not options:
        return None
    scored = sorted(((priority(s, f, today), s) for s in options),
                    key=lambda ps: (-ps[0], ACTIONS.index(ps[1].action)))
    best_priority, best = scored[0]
    return Ranked(f.person_id, f.name, best, best_priority, [s.action for _, s in scored[1:]])


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
