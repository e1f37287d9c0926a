"""A tie in two numbers, 0-100 each, explained term by term: relationship strength and contact likelihood.

The model (``docs/scoring.md`` has the full story and the numbers)::

    A  = Σ w · 2^(−Δt / h_fast)        activity, half-life ~90 days
    B  = Σ w · 2^(−Δt / h_slow)        bond, half-life ~1.5 years
    w  = depth(kind) / group_size^γ    a forty-person meeting counts less
    z  = bias + gain · (activity + bond + recency + cooling + reply + pace
                       + reciprocity + initiative + duration + multiplexity
                       + sentiment)     pace: the whole network's week (network_pace)
    likelihood = 100 · σ(z)            will we be in touch soon?
    s  = s_bias + s_gain · (bond + duration + reciprocity + multiplexity
                           + favours + sentiment)
    strength = 100 · σ(s)              depth built over time; layers and readiness
                                       come from it; a manual closeness always wins

Public API:

- ``Touch``: one interaction with one person (plain input).
- ``TieParams`` / ``DEFAULT_PARAMS``: every weight and half-life.
- ``TieState``: the per-person accumulator. ``add``/``remove`` keep it exact
  under out-of-order inserts; ``to_dict``/``from_dict`` flatten it to numbers.
- ``build_state(touches, params)``: rebuild from a full log.
- ``score(state, as_of, params, closeness=None) -> TieScore``: one person,
  with components and reasons. ``score_touches`` filters a log to ``as_of``.
- ``StateArrays``, ``build_arrays(...)``, ``score_batch(...) -> BatchScores``:
  the vectorised path for everyone; the scalar path runs the same code on a
  one-row array, so both agree by construction (a test checks it anyway).
- ``network_pace(arrays, as_of)``: how busy the whole network's week is
  against its usual week, one number the likelihood's ``pace`` term takes
  (``score_batch(..., pace=)``, ``score(..., pace=)``); ``subset`` picks rows.
- ``layer_thresholds(params)``: score thresholds of the layers, derived by
  scoring steady weekly / monthly / quarterly / yearly reference ties.

``build_arrays`` takes kind *indices* (``kind_index(name)``) rather than bare
weights, because the model needs more of a kind than its depth (is it a
hello, which context, for multiplexity and explanations).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from kith.clock import ago_words
from kith.engine.cadence import learned_gap_array, learned_gap_days
from kith.engine.kinds import IMPLIED_DIRECTION, KINDS, LAYERS
from kith.engine.layers import history_caps, layer_codes
from kith.errors import BadInput

DAY = 86400.0
F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

# Kinds that are contacts; a "note" (depth 0) is not, so it never enters the state.
KIND_NAMES: tuple[str, ...] = tuple(name for name, kind in KINDS.items() if kind.depth > 0)
KIND_INDEX: dict[str, int] = {name: i for i, name in enumerate(KIND_NAMES)}
CONTEXTS: tuple[str, ...] = tuple(sorted({KINDS[name].context for name in KIND_NAMES}))
_DEPTH = np.array([KINDS[name].depth for name in KIND_NAMES])
_HELLO = np.array([KINDS[name].hello for name in KIND_NAMES])
_CONTEXT_OF = np.array([CONTEXTS.index(KINDS[name].context) for name in KIND_NAMES])
DIRECTIONS: tuple[str, ...] = ("out", "in", "mutual")
DIRECTION_CODE: dict[str, int] = {name: i for i, name in enumerate(DIRECTIONS)}
# A favour given is "out" whatever was typed; -1 where the kind implies nothing.
_IMPLIED = np.array(
    [DIRECTION_CODE[IMPLIED_DIRECTION[n]] if n in IMPLIED_DIRECTION else -1 for n in KIND_NAMES]
)


def kind_index(kind: str) -> int:
    """Index of a contact kind in ``KIND_NAMES`` (for ``build_arrays``)."""
    if kind not in KIND_INDEX:
        raise BadInput(f"not a contact kind: {kind!r}")
    return KIND_INDEX[kind]


@dataclass(frozen=True)
class Touch:
    """One interaction with one person: when, what, who reached out, how it went.

    ``direction`` is ``out`` (I reached out), ``in`` (they did) or ``mutual``.
    Favour records are touches of kind ``favor-given`` / ``favor-received``.
    """

    at: datetime
    kind: str
    direction: str = "mutual"
    sentiment: int = 0
    group_size: int = 1

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise BadInput("a touch needs an aware (UTC) datetime")
        if self.kind not in KINDS:
            raise BadInput(f"unknown interaction kind: {self.kind!r}")
        if self.direction not in DIRECTION_CODE:
            raise BadInput(f"direction must be out, in or mutual, not {self.direction!r}")
        if not -2 <= self.sentiment <= 2:
            raise BadInput(f"sentiment must be between -2 and 2, not {self.sentiment}")
        if self.group_size < 1:
            raise BadInput(f"group size must be at least 1, not {self.group_size}")


@dataclass(frozen=True)
class TieParams:
    """Every half-life and weight of the model; defaults chosen as in docs/scoring.md."""

    h_fast_days: float = 90.0
    h_slow_days: float = 540.0
    group_exponent: float = 0.5  # weight = depth / group_size ** exponent
    hello_cap: float = 0.5  # most decayed weight hellos can add to A or to B
    bias: float = -2.5
    gain: float = 0.25  # multiplies every term but the bias: spreads ties over 0-100
    w_activity: float = 1.6  # per doubling of 1 + A
    w_bond: float = 0.2  # per doubling of 1 + B
    w_recency: float = 2.0  # per halving of 1 + days since last contact / scale
    recency_scale_days: float = 7.0
    recency_horizon_days: float = 1095.0  # silent this long: no recency credit left
    w_cooling: float = 0.5  # per doubling of silence beyond the tie's usual gap
    w_reciprocity: float = 0.3  # times (balance − 0.5)
    reciprocity_prior: float = 0.5  # pseudo-weight each way: one message is not "one-sided"
    w_initiative: float = 0.0  # times (their share of reaching out − 0.5)
    w_duration: float = 0.3  # per doubling of 1 + years known
    w_reply: float = 0.4  # they wrote last (their newest contact is newer than mine): a reply is due
    w_pace: float = 0.4  # per doubling of my whole network's contact this week against my usual week
    h_week_days: float = 7.0  # half-life of the weekly sums behind pace
    pace_prior: float = 0.05  # added to both sides of the pace ratio: a quiet log is not infinitely slow
    w_multiplexity: float = 1.0  # per extra context (half per extra kind)
    multiplexity_cap: float = 3.0
    w_sentiment: float = 2.0  # per point of average sentiment
    prior_gap_days: float = 30.0  # the cadence assumed before a tie shows its own
    prior_gap_weight: float = 3.0  # in pseudo-gaps
    cooling_ratio: float = 2.0  # silent for twice the usual gap: cooling
    reference_depth: float = 1.0  # a call: the "typical depth" of the layer cadences
    reference_years: float = 2.0  # how long the reference ties have lasted
    dormant_after_days: float = 730.0  # a yearly reference tie silent this long is dormant
    # Relationship strength (depth built over time); see docs/scoring.md.
    s_bias: float = -2.4
    s_gain: float = 0.62
    s_bond: float = 1.0  # per doubling of 1 + B (slow-decayed, depth- and group-weighted contact)
    s_duration: float = 0.5  # per doubling of 1 + years known
    s_reciprocity: float = 1.0  # times (balance − 0.5), once there is enough history
    s_multiplexity: float = 0.5  # per extra context (half per extra kind)
    s_favours: float = 0.5  # favours both ways
    s_sentiment: float = 1.0  # per point of average sentiment
    history_contacts: int = 5  # reciprocity is judged only from this many contacts
    thin_contacts: int = 2  # a tie with this many contacts or fewer is at most an acquaintance
    acquainted_days: float = 365.0  # a contact this recent makes at least an acquaintance (not dormant)


DEFAULT_PARAMS = TieParams()

_FAST = ("a", "a_hello")  # decayed with the fast half-life
_SLOW = ("b", "b_hello", "b_out", "b_in", "sent_sum", "sent_n")


@dataclass
class TieState:
    """Per-person accumulator: decayed sums referred to time ``ref`` (unix seconds).

    ``ref`` only moves forward (to the newest touch), so after any insertion
    order it is the newest touch time and the sums are the same numbers.
    """

    ref: float = 0.0
    n: int = 0
    first: float = 0.0
    last: float = 0.0
    a: float = 0.0
    a_hello: float = 0.0
    b: float = 0.0
    b_hello: float = 0.0
    b_out: float = 0.0
    b_in: float = 0.0
    sent_sum: float = 0.0
    sent_n: float = 0.0
    a_week: float = 0.0  # real (not hello) contact decayed with the week half-life (pace)
    last_in: float = 0.0  # newest contact they started (or mutual), 0 = never
    last_out: float = 0.0  # newest contact I started (or mutual), 0 = never
    counts: dict[str, int] = field(default_factory=dict)
    recent: dict[str, float] = field(default_factory=dict)  # fast-decayed counts per kind

    def add(self, touch: Touch, params: TieParams = DEFAULT_PARAMS) -> None:
        """Take one touch into account, whatever its time relative to the others."""
        if KINDS[touch.kind].depth <= 0:
            return
        t = touch.at.timestamp()
        if self.n == 0:
            self.ref, self.first, self.last = t, t, t
        elif t > self.ref:
            self._advance(t, params)
        self._accumulate(touch, t, params, 1.0)
        self.n += 1
        self.first, self.last = min(self.first, t), max(self.last, t)
        direction = effective_direction(touch)
        if direction != "out":
            self.last_in = max(self.last_in, t)
        if direction != "in":
            self.last_out = max(self.last_out, t)

    def remove(self, touch: Touch, params: TieParams = DEFAULT_PARAMS) -> bool:
        """Take back a touch that was added (a deleted interaction).

        Sums and counts stay exact. Returns False when the removed touch was
        the first or last contact (or the newest either way): those extremes
        cannot be recovered from the state, so the caller should rebuild it
        from the log.
        """
        if KINDS[touch.kind].depth <= 0:
            return True
        t = touch.at.timestamp()
        if self.n == 0 or t > self.ref or self.counts.get(touch.kind, 0) == 0:
            raise BadInput("cannot remove a touch that was never added")
        self._accumulate(touch, t, params, -1.0)
        self.n -= 1
        if self.n == 0:
            self.__dict__.update(TieState().__dict__)
            return True
        return not (t <= self.first or t >= self.last or t in (self.last_in, self.last_out))

    def _advance(self, t: float, params: TieParams) -> None:
        fast, slow = _decay(t - self.ref, params)
        self.a_week *= _week(t - self.ref, params)
        for name in _FAST:
            setattr(self, name, getattr(self, name) * fast)
        for name in _SLOW:
            setattr(self, name, getattr(self, name) * slow)
        self.recent = {k: v * fast for k, v in self.recent.items()}
        self.ref = t

    def _accumulate(self, touch: Touch, t: float, params: TieParams, sign: float) -> None:
        fast, slow = _decay(self.ref - t, params)
        w = sign * touch_weight(touch, params)
        hello = KINDS[touch.kind].hello
        self.a_hello, self.a = self.a_hello + w * fast * hello, self.a + w * fast * (not hello)
        self.b_hello, self.b = self.b_hello + w * slow * hello, self.b + w * slow * (not hello)
        self.a_week += w * _week(self.ref - t, params) * (not hello)
        share_out = {"out": 1.0, "in": 0.0, "mutual": 0.5}[effective_direction(touch)]
        self.b_out += w * slow * share_out
        self.b_in += w * slow * (1.0 - share_out)
        self.sent_sum += sign * slow * touch.sentiment
        self.sent_n += sign * slow
        self.counts[touch.kind] = self.counts.get(touch.kind, 0) + int(sign)
        self.recent[touch.kind] = self.recent.get(touch.kind, 0.0) + sign * fast
        if self.counts[touch.kind] == 0:
            del self.counts[touch.kind], self.recent[touch.kind]
        if sign < 0:
            self._clamp_rounding()

    def _clamp_rounding(self) -> None:
        # Subtraction can leave -1e-17 where the exact answer is 0.
        for name in (*_FAST, "a_week", "b", "b_hello", "b_out", "b_in", "sent_n"):
            setattr(self, name, max(getattr(self, name), 0.0))

    def to_dict(self) -> dict[str, float]:
        """Flat dict of numbers (``count:<kind>``, ``recent:<kind>`` per kind seen)."""
        flat = {
            f.name: float(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("counts", "recent")
        }
        flat.update({f"count:{k}": float(v) for k, v in self.counts.items()})
        flat.update({f"recent:{k}": v for k, v in self.recent.items()})
        return flat

    @classmethod
    def from_dict(cls, flat: Mapping[str, float]) -> TieState:
        """Inverse of ``to_dict``."""
        state = cls(n=int(flat.get("n", 0)))
        for f in fields(cls):
            if f.name not in ("n", "counts", "recent") and f.name in flat:
                setattr(state, f.name, float(flat[f.name]))
        state.counts = {k[6:]: int(v) for k, v in flat.items() if k.startswith("count:")}
        state.recent = {k[7:]: float(v) for k, v in flat.items() if k.startswith("recent:")}
        return state


def _decay(seconds: float, params: TieParams) -> tuple[float, float]:
    """Fast and slow decay factors over ``seconds``."""
    days = seconds / DAY
    return math.pow(2.0, -days / params.h_fast_days), math.pow(2.0, -days / params.h_slow_days)


def _week(seconds: float, params: TieParams) -> float:
    """Decay factor of the weekly sums over ``seconds``."""
    return math.pow(2.0, -seconds / DAY / params.h_week_days)


def effective_direction(touch: Touch) -> str:
    """The touch's direction, or the one its kind implies when it says ``mutual``."""
    implied = IMPLIED_DIRECTION.get(touch.kind)
    return str(implied) if touch.direction == "mutual" and implied is not None else touch.direction


def touch_weight(touch: Touch, params: TieParams = DEFAULT_PARAMS) -> float:
    """Depth of the kind, shared among the people present (1/sqrt(n) by default)."""
    return KINDS[touch.kind].depth / math.pow(touch.group_size, params.group_exponent)


def build_state(touches: Iterable[Touch], params: TieParams = DEFAULT_PARAMS) -> TieState:
    """Rebuild a person's accumulator from their whole interaction log."""
    state = TieState()
    for touch in touches:
        state.add(touch, params)
    return state


# ---------------------------------------------------------------- arrays


@dataclass
class StateArrays:
    """Accumulators of many people as parallel numpy arrays (row i = person i)."""

    ref: F64
    n: F64
    first: F64
    last: F64
    a: F64
    a_hello: F64
    b: F64
    b_hello: F64
    b_out: F64
    b_in: F64
    sent_sum: F64
    sent_n: F64
    a_week: F64
    last_in: F64
    last_out: F64
    counts: F64  # (people, kinds)
    recent: F64  # (people, kinds)

    def __len__(self) -> int:
        return len(self.ref)

    @classmethod
    def from_states(cls, states: list[TieState]) -> StateArrays:
        """Stack scalar states (as loaded from the store) into arrays."""
        cols = {
            f.name: np.array([float(getattr(s, f.name)) for s in states], dtype=np.float64)
            for f in fields(cls)
            if f.name not in ("counts", "recent")
        }
        counts = np.zeros((len(states), len(KIND_NAMES)))
        recent = np.zeros((len(states), len(KIND_NAMES)))
        for i, s in enumerate(states):
            for kind, c in s.counts.items():
                counts[i, KIND_INDEX[kind]] = c
                recent[i, KIND_INDEX[kind]] = s.recent.get(kind, 0.0)
        return cls(counts=counts, recent=recent, **cols)


# Scalar columns of StateArrays, in the order of a packed row (then counts, then recent).
SCALARS: tuple[str, ...] = (
    "ref", "n", "first", "last", "a", "a_hello", "b", "b_hello", "b_out", "b_in", "sent_sum", "sent_n",
    "a_week", "last_in", "last_out",
)
PACKED_WIDTH = len(SCALARS) + 2 * len(KIND_NAMES)


def pack(arrays: StateArrays) -> F64:
    """One float64 row per person (``PACKED_WIDTH`` wide): how the store keeps states."""
    cols = [getattr(arrays, name)[:, None] for name in SCALARS]
    return np.hstack([*cols, arrays.counts, arrays.recent]).astype(np.float64)


def unpack(matrix: F64) -> StateArrays:
    """Inverse of :func:`pack`."""
    m = np.asarray(matrix, dtype=np.float64).reshape(-1, PACKED_WIDTH)
    k = len(SCALARS)
    scalars = {name: m[:, i].copy() for i, name in enumerate(SCALARS)}
    return StateArrays(
        counts=m[:, k:k + len(KIND_NAMES)].copy(), recent=m[:, k + len(KIND_NAMES):].copy(), **scalars
    )


def state_row(state: TieState) -> F64:
    """One person's state as a packed row."""
    row: F64 = pack(StateArrays.from_states([state]))[0]
    return row


def merge_arrays(older: StateArrays, newer: StateArrays, params: TieParams = DEFAULT_PARAMS) -> StateArrays:
    """The states of two disjoint sets of touches, combined row by row.

    Decayed sums are linear: each side is decayed to the later reference time
    and added, exactly as if every touch had been added to one state. Used to
    roll states forward month by month for the report's trend.
    """
    has_o, has_n = older.n > 0, newer.n > 0
    ref = np.where(has_o & has_n, np.maximum(older.ref, newer.ref), np.where(has_n, newer.ref, older.ref))
    fast_o = np.where(has_o, np.exp2(-(ref - older.ref) / DAY / params.h_fast_days), 0.0)
    slow_o = np.where(has_o, np.exp2(-(ref - older.ref) / DAY / params.h_slow_days), 0.0)
    fast_n = np.where(has_n, np.exp2(-(ref - newer.ref) / DAY / params.h_fast_days), 0.0)
    slow_n = np.where(has_n, np.exp2(-(ref - newer.ref) / DAY / params.h_slow_days), 0.0)
    week_o = np.where(has_o, np.exp2(-(ref - older.ref) / DAY / params.h_week_days), 0.0)
    week_n = np.where(has_n, np.exp2(-(ref - newer.ref) / DAY / params.h_week_days), 0.0)

    def mix(name: str, fast: bool) -> F64:
        fo, fn = (fast_o, fast_n) if fast else (slow_o, slow_n)
        out: F64 = getattr(older, name) * fo + getattr(newer, name) * fn
        return out

    first = np.where(has_o & has_n, np.minimum(older.first, newer.first), np.where(has_n, newer.first, older.first))
    last = np.where(has_o & has_n, np.maximum(older.last, newer.last), np.where(has_n, newer.last, older.last))
    return StateArrays(
        ref=ref, n=older.n + newer.n, first=first, last=last,
        a=mix("a", True), a_hello=mix("a_hello", True), b=mix("b", False), b_hello=mix("b_hello", False),
        b_out=mix("b_out", False), b_in=mix("b_in", False), sent_sum=mix("sent_sum", False),
        sent_n=mix("sent_n", False), a_week=older.a_week * week_o + newer.a_week * week_n,
        last_in=np.maximum(older.last_in, newer.last_in), last_out=np.maximum(older.last_out, newer.last_out),
        counts=older.counts + newer.counts,
        recent=older.recent * fast_o[:, None] + newer.recent * fast_n[:, None],
    )  # fmt: skip


def build_arrays(
    person_idx: NDArray[np.integer],
    ts: F64,
    kind_idx: NDArray[np.integer],
    direction: NDArray[np.integer],
    sentiment: NDArray[np.integer] | F64,
    group_size: NDArray[np.integer] | F64,
    n_people: int,
    params: TieParams = DEFAULT_PARAMS,
) -> StateArrays:
    """Accumulators for everyone from parallel interaction arrays, in one pass.

    ``ts`` is unix seconds, ``kind_idx`` indexes ``KIND_NAMES``, ``direction``
    uses ``DIRECTION_CODE``. Order does not matter: each touch is decayed to
    its person's newest touch, exactly as ``TieState.add`` does.
    """
    p = np.asarray(person_idx, dtype=np.int64)
    k = np.asarray(kind_idx, dtype=np.int64)
    ts = np.asarray(ts, dtype=np.float64)
    ref = np.full(n_people, -np.inf)
    np.maximum.at(ref, p, ts)
    first = np.full(n_people, np.inf)
    np.minimum.at(first, p, ts)
    seen = np.isfinite(ref)
    ref, first = np.where(seen, ref, 0.0), np.where(seen, first, 0.0)
    lag_days = (ref[p] - ts) / DAY
    fast = np.exp2(-lag_days / params.h_fast_days)
    slow = np.exp2(-lag_days / params.h_slow_days)
    w = _DEPTH[k] / np.asarray(group_size, dtype=np.float64) ** params.group_exponent
    hello = _HELLO[k]
    d = np.asarray(direction)
    d = np.where((d == DIRECTION_CODE["mutual"]) & (_IMPLIED[k] >= 0), _IMPLIED[k], d)
    share_out = np.where(d == 0, 1.0, np.where(d == 1, 0.0, 0.5))
    last_in, last_out = np.zeros(n_people), np.zeros(n_people)
    np.maximum.at(last_in, p[d != 0], ts[d != 0])
    np.maximum.at(last_out, p[d != 1], ts[d != 1])

    def total(values: F64) -> F64:
        return np.bincount(p, weights=values, minlength=n_people).astype(np.float64)

    def per_kind(values: F64) -> F64:
        flat = np.bincount(
            p * len(KIND_NAMES) + k, weights=values, minlength=n_people * len(KIND_NAMES)
        )
        return flat.reshape(n_people, len(KIND_NAMES)).astype(np.float64)

    return StateArrays(
        ref=ref, n=total(np.ones_like(ts)), first=first, last=ref.copy(),
        a=total(w * fast * ~hello), a_hello=total(w * fast * hello),
        b=total(w * slow * ~hello), b_hello=total(w * slow * hello),
        b_out=total(w * slow * share_out), b_in=total(w * slow * (1.0 - share_out)),
        sent_sum=total(slow * np.asarray(sentiment, dtype=np.float64)), sent_n=total(slow),
        a_week=total(w * np.exp2(-lag_days / params.h_week_days) * ~hello), last_in=last_in, last_out=last_out,
        counts=per_kind(np.ones_like(ts)), recent=per_kind(fast),
    )  # fmt: skip


# ---------------------------------------------------------------- the model


@dataclass
class _Terms:
    """Logit contributions and the quantities the explanations quote."""

    z: dict[str, F64]  # contact likelihood
    s: dict[str, F64]  # relationship strength
    days_since: F64
    gap: F64
    ratio: F64
    balance: F64
    out_share: F64
    contexts: F64
    kinds: F64
    sentiment: F64
    years: F64
    hello_only: NDArray[np.bool_]


def subset(arrays: StateArrays, rows: NDArray[np.integer] | NDArray[np.bool_]) -> StateArrays:
    """The given rows of ``arrays`` (indices or a mask)."""
    return StateArrays(**{f.name: getattr(arrays, f.name)[rows] for f in fields(StateArrays)})


def network_pace(arrays: StateArrays, as_of: datetime | float, params: TieParams = DEFAULT_PARAMS) -> float:
    """How busy my whole log is this week against my usual week: log2 of their ratio (0 = as usual).

    ``arrays`` must be everyone (the network), not a page of it: the real
    contact of the last week (week half-life) over the fast-decayed contact
    scaled to a week, each plus ``pace_prior``. After a quiet spell every tie
    is less likely to see contact soon; in a busy week, more.
    """
    idle = np.maximum(_seconds(as_of) - arrays.ref, 0.0) / DAY
    week = float(np.sum(arrays.a_week * np.exp2(-idle / params.h_week_days)))
    usual = float(np.sum(arrays.a * np.exp2(-idle / params.h_fast_days))) * params.h_week_days / params.h_fast_days
    return math.log2((week + params.pace_prior) / (usual + params.pace_prior))


def _terms(s: StateArrays, as_of: float, params: TieParams, pace: float | F64 = 0.0) -> _Terms:
    """Every term of the logit for every row; the scalar and batch paths share it.

    ``pace`` is :func:`network_pace` (one number for the whole network, or one
    per row when rows belong to several networks, as in the validation bench;
    0, the neutral value, when the caller scores without it).
    """
    has = s.n > 0
    # Touches after as_of count as if now, so a future meeting never amplifies.
    idle = np.maximum(as_of - s.ref, 0.0) / DAY
    fast, slow = np.exp2(-idle / params.h_fast_days), np.exp2(-idle / params.h_slow_days)
    activity = s.a * fast + np.minimum(s.a_hello * fast, params.hello_cap)
    bond = s.b * slow + np.minimum(s.b_hello * slow, params.hello_cap)
    # Substance: the share of the bond that is more than hellos scales the terms
    # a long list of hellos would otherwise inflate (duration, reciprocity).
    substance = np.divide(s.b, s.b + s.b_hello, out=np.zeros_like(s.b), where=has)
    days_since = np.where(has, np.maximum(as_of - s.last, 0.0) / DAY, np.nan)
    years = (s.last - s.first) / DAY / 365.25
    gap = learned_gap_array(s.n, years * 365.25, params.prior_gap_days, params.prior_gap_weight)
    ratio = np.where(has, np.nan_to_num(days_since) / gap, 0.0)
    o, i, prior = s.b_out, s.b_in, params.reciprocity_prior
    balance = (np.minimum(o, i) + prior) / (np.maximum(o, i) + prior)
    out_share = (o + prior) / (o + i + 2 * prior)
    real = (s.counts > 0) & ~_HELLO
    kinds = real.sum(axis=1).astype(np.float64)
    contexts = np.zeros_like(kinds)
    for c in range(len(CONTEXTS)):
        contexts += real[:, c == _CONTEXT_OF].any(axis=1)
    multiplex = np.clip((contexts - 1) + 0.5 * (kinds - contexts), 0.0, params.multiplexity_cap)
    sentiment = s.sent_sum / (s.sent_n + 1.0)  # one neutral pseudo-touch: shrink to 0
    z = {
        "bias": np.full(len(s), params.bias),
        "activity": params.w_activity * np.log2(1.0 + activity),
        "bond": params.w_bond * np.log2(1.0 + bond),
        "recency": substance * params.w_recency * _freshness(days_since, params),
        "cooling": -params.w_cooling * np.log2(np.maximum(ratio, 1.0)),
        "reply": params.w_reply * (has & (s.last_in > s.last_out)),
        "pace": params.w_pace * has * pace,
        "reciprocity": has * substance * params.w_reciprocity * (balance - 0.5),
        "initiative": has * substance * params.w_initiative * (0.5 - out_share),
        "duration": substance * params.w_duration * np.log2(1.0 + years),
        "multiplexity": params.w_multiplexity * multiplex,
        "sentiment": params.w_sentiment * sentiment,
    }
    z = {name: v if name == "bias" else params.gain * v for name, v in z.items()}
    favours = (s.counts[:, KIND_INDEX["favor-given"]] > 0) & (s.counts[:, KIND_INDEX["favor-received"]] > 0)
    history = s.n >= params.history_contacts
    strength = {
        "bias": np.full(len(s), params.s_bias),
        "bond": params.s_bond * np.log2(1.0 + bond),
        "duration": substance * params.s_duration * np.log2(1.0 + years),
        "reciprocity": history * substance * params.s_reciprocity * (balance - 0.5),
        "multiplexity": params.s_multiplexity * multiplex,
        "favours": params.s_favours * favours,
        "sentiment": params.s_sentiment * sentiment,
    }
    strength = {name: v if name == "bias" else params.s_gain * v for name, v in strength.items()}
    return _Terms(
        z=z, s=strength, days_since=days_since, gap=gap, ratio=ratio, balance=balance, out_share=out_share,
        contexts=contexts, kinds=kinds, sentiment=sentiment, years=years,
        hello_only=has & (s.b <= 0),
    )  # fmt: skip


def likelihood_terms(
    arrays: StateArrays, as_of: float, params: TieParams = DEFAULT_PARAMS, pace: float | F64 = 0.0
) -> dict[str, F64]:
    """Every term of the contact likelihood's logit, row by row (``bias`` included): for a personal fit."""
    return _terms(arrays, as_of, params, pace).z


def _freshness(days_since: F64, params: TieParams) -> F64:
    """log2(1 + horizon/scale) − log2(1 + days/scale), floored at 0 (never: 0).

    Counted up from the horizon rather than down from zero so that a tie with
    no real contact (or only hellos) gets no credit from being recent.
    """
    horizon = math.log2(1.0 + params.recency_horizon_days / params.recency_scale_days)
    days = np.nan_to_num(days_since, nan=params.recency_horizon_days)
    fresh: F64 = np.maximum(horizon - np.log2(1.0 + days / params.recency_scale_days), 0.0)
    return fresh


def _sigmoid(z: F64) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class BatchScores:
    """Scores of everyone, row-aligned with the ``StateArrays`` they came from.

    ``score`` is the relationship strength, or the manual closeness where one
    is set; ``strength`` is always the computed one. ``likelihood`` is the
    contact likelihood. Layers come from ``score`` and the history caps.
    """

    score: F64
    layer: I64  # index into kinds.LAYERS
    logit: F64  # of the computed strength
    days_since_last: F64  # nan where there was no contact
    learned_gap_days: F64  # prior-shrunk; meaningful where n >= 2
    cooling: NDArray[np.bool_]
    strength: F64
    likelihood: F64


def score_batch(
    arrays: StateArrays,
    as_of: datetime | float,
    params: TieParams = DEFAULT_PARAMS,
    closeness: F64 | None = None,
    pace: float | F64 = 0.0,
) -> BatchScores:
    """Score everyone at once; ``closeness`` (nan = none) overrides strength row by row.

    ``pace`` is the network's :func:`network_pace` (only the contact likelihood uses it).
    """
    return _batch(arrays, _terms(arrays, _seconds(as_of), params, pace), params, closeness)


def _batch(arrays: StateArrays, terms: _Terms, params: TieParams, closeness: F64 | None) -> BatchScores:
    """Scores from terms already computed (one person's explanation reuses them)."""
    z = np.sum(np.stack(list(terms.z.values())), axis=0)
    zs = np.sum(np.stack(list(terms.s.values())), axis=0)
    strength = 100.0 * _sigmoid(zs)
    value, manual = strength, None
    if closeness is not None:
        manual = ~np.isnan(closeness)
        value = np.where(manual, np.clip(np.nan_to_num(closeness), 0.0, 100.0), strength)
    recent = np.nan_to_num(terms.days_since, nan=np.inf) <= params.acquainted_days
    codes = history_caps(layer_codes(value, layer_thresholds(params)), arrays.n, params.thin_contacts, manual, recent)
    return BatchScores(
        score=value,
        layer=codes,
        logit=zs,
        days_since_last=terms.days_since,
        learned_gap_days=terms.gap,
        cooling=(arrays.n >= 2) & (terms.ratio >= params.cooling_ratio),
        strength=strength,
        likelihood=100.0 * _sigmoid(z),
    )


def _seconds(as_of: datetime | float) -> float:
    if isinstance(as_of, datetime):
        if as_of.tzinfo is None:
            raise BadInput("as_of must be an aware (UTC) datetime")
        return as_of.timestamp()
    return float(as_of)


# ---------------------------------------------------------------- one person


@dataclass(frozen=True)
class TieScore:
    """One person's tie with its explanation.

    ``score`` is the relationship strength (or the manual closeness);
    ``strength`` the computed strength, ``likelihood`` the contact likelihood.
    ``components`` are the strength's logit contributions that are not zero
    (``baseline`` plus their sum is logit(score / 100)); ``reasons`` say the
    same in words, ``likelihood_reasons`` explain the likelihood.
    """

    score: float
    layer: str
    components: dict[str, float]
    reasons: list[str]
    learned_gap_days: float | None
    days_since_last: float | None
    cooling: bool
    strength: float = 0.0
    likelihood: float = 0.0
    baseline: float = 0.0
    contacts: int = 0
    likelihood_components: dict[str, float] = field(default_factory=dict)
    likelihood_reasons: list[str] = field(default_factory=list)


SHOWN = 0.005  # a term whose contribution rounds to 0.00 is left out of explanations


def score(
    state: TieState,
    as_of: datetime,
    params: TieParams = DEFAULT_PARAMS,
    closeness: float | None = None,
    pace: float | F64 = 0.0,
) -> TieScore:
    """Score one person as of ``as_of``, explained; ``closeness`` (0-100) always wins.

    ``pace`` is the network's :func:`network_pace` (0: as usual), as ``score_batch`` takes it.
    """
    arrays = StateArrays.from_states([state])
    terms = _terms(arrays, _seconds(as_of), params, pace)
    batch = _batch(arrays, terms, params, None if closeness is None else np.array([closeness]))
    every = {name: float(v[0]) for name, v in terms.s.items()}
    baseline = every.pop("bias")
    components = {name: v for name, v in every.items() if abs(v) >= SHOWN}
    likely = {name: float(v[0]) for name, v in terms.z.items() if name != "bias"}
    reasons = _strength_reasons(state, terms, components, as_of, params, closeness is not None)
    if closeness is not None:
        computed = float(batch.strength[0])
        components["manual closeness"] = _logit(closeness / 100.0) - baseline - sum(components.values())
        reasons.insert(0, f"manual closeness {closeness:.0f} overrides the computed {computed:.0f}")
    days = float(batch.days_since_last[0])
    return TieScore(
        score=float(batch.score[0]),
        layer=LAYERS[int(batch.layer[0])],
        components=components,
        reasons=reasons,
        learned_gap_days=learned_gap_days(
            state.n, float(terms.years[0]) * 365.25, params.prior_gap_days, params.prior_gap_weight
        ),
        days_since_last=None if math.isnan(days) else days,
        cooling=bool(batch.cooling[0]),
        strength=float(batch.strength[0]),
        likelihood=float(batch.likelihood[0]),
        baseline=baseline,
        contacts=state.n,
        likelihood_components={k: v for k, v in likely.items() if abs(v) >= SHOWN},
        likelihood_reasons=_likelihood_reasons(state, terms, likely, as_of, params),
    )


def score_touches(
    touches: Iterable[Touch],
    as_of: datetime,
    params: TieParams = DEFAULT_PARAMS,
    closeness: float | None = None,
) -> TieScore:
    """Score from a raw log, ignoring touches after ``as_of`` (scores "as of any date")."""
    return score(
        build_state((t for t in touches if t.at <= as_of), params), as_of, params, closeness
    )


# ---------------------------------------------------------------- explanations


def _plural(count: float, noun: str, plural: str | None = None) -> str:
    n = round(count)
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _last_contact(days: float) -> str:
    return "last contact " + ago_words(int(days))


def _strength_reasons(
    state: TieState, t: _Terms, c: dict[str, float], as_of: datetime, params: TieParams, manual: bool
) -> list[str]:
    """One sentence per strength term that counted, in the user's words, with its contribution."""
    if state.n == 0:
        return ["no contact logged yet: a new tie"]
    reasons = []
    days = float(t.days_since[0])
    terms = {
        "bond": f"{_plural(state.n, 'contact')} since {_date(state.first)}, {_last_contact(days)}",
        "duration": f"known for {_years(float(t.years[0]))}",
        "reciprocity": f"you reach out {100 * float(t.out_share[0]):.0f}% of the time",
        "multiplexity": f"{_plural(t.kinds[0], 'kind')} of contact in {_plural(t.contexts[0], 'context')}",
        "favours": "favours both ways",
        "sentiment": f"average sentiment {float(t.sentiment[0]):+.1f}",
    }
    for name, text in terms.items():
        if name in c:
            reasons.append(f"{name}: {text} {c[name]:+.2f}")
    if bool(t.hello_only[0]):
        reasons.append(f"only hellos and likes: they add at most {params.hello_cap:g} to the bond")
    if state.n <= params.thin_contacts and not manual:
        reasons.append(f"only {_plural(state.n, 'contact')} so far: at most an acquaintance")
    return reasons


def _likelihood_reasons(
    state: TieState, t: _Terms, c: dict[str, float], as_of: datetime, params: TieParams
) -> list[str]:
    """What says whether you will be in touch soon: recent activity, recency, the tie's rhythm."""
    if state.n == 0:
        return ["no contact logged yet"]
    days = float(t.days_since[0])
    fast = 2.0 ** (-max(as_of.timestamp() - state.ref, 0.0) / DAY / params.h_fast_days)
    recent = {k: v * fast for k, v in state.recent.items()}
    terms = {
        "activity": _kind_list(recent, "in the last months"),
        "bond": f"{_plural(state.n, 'contact')} since {_date(state.first)}",
        "recency": _last_contact(days),
        "cooling": f"{_past_gap(state, t)}" + (": cooling" if state.n >= 2 and t.ratio[0] >= params.cooling_ratio else ""),
        "reply": "they were the last to get in touch: a reply is due",
        "pace": f"you have been in touch with everyone {'more' if c.get('pace', 0.0) > 0 else 'less'} than usual this week",
        "reciprocity": f"you reach out {100 * float(t.out_share[0]):.0f}% of the time",
        "duration": f"known for {_years(float(t.years[0]))}",
        "multiplexity": f"{_plural(t.kinds[0], 'kind')} of contact in {_plural(t.contexts[0], 'context')}",
        "sentiment": f"average sentiment {float(t.sentiment[0]):+.1f}",
    }
    if state.n < params.history_contacts:
        terms.pop("reciprocity")
    return [f"{name}: {text} {c[name]:+.2f}" for name, text in terms.items()
            if text and abs(c.get(name, 0.0)) >= SHOWN]


def _past_gap(state: TieState, t: _Terms) -> str:
    gap = _plural(float(t.gap[0]), "day")
    if state.n < 2:
        return f"silent longer than the {gap} assumed before a tie shows its rhythm"
    return f"silent longer than its usual gap of {gap}"


def _years(years: float) -> str:
    if years * 12 < 1.0:
        return _plural(max(years * 52.18, 1.0), "week")
    if years < 1.0:
        return _plural(years * 12, "month")
    return f"{years:.1f} years"


def _kind_list(amounts: Mapping[str, float], when: str) -> str:
    """'3 calls and a meal recently' from decayed counts per kind."""
    parts = []
    for kind, amount in sorted(amounts.items(), key=lambda kv: -kv[1]):
        count = round(amount)
        if count >= 1:
            parts.append(_counted(kind, count))
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{text} {when}"


# Kinds named by a countable noun ("3 calls", "2 video calls"); the rest read "did them a favour 2 times".
_NOUNS = {
    "like": "like", "hello": "hello", "connection": "connection", "message": "message", "email": "e-mail",
    "call": "call", "video": "video call", "meeting": "meeting", "event": "event", "coffee": "coffee",
    "meal": "meal", "referral": "referral",
}


def _counted(kind: str, count: int) -> str:
    noun = _NOUNS.get(kind)
    if noun is not None:
        article = "an" if noun[0] in "aeiou" else "a"
        return f"{article} {noun}" if count == 1 else f"{count} {noun}s"
    return f"{KINDS[kind].label} " + ("once" if count == 1 else f"{count} times")


def _date(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%d %b %Y")


# ---------------------------------------------------------------- layers


def reference_state(
    gap_days: float, params: TieParams = DEFAULT_PARAMS
) -> tuple[TieState, datetime]:
    """A steady tie: one call-depth contact every ``gap_days`` for the reference years.

    Returns the state and its trough (the moment just before the next
    contact is due), where a steady tie is weakest.
    """
    end = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(days=params.reference_years * 365.25)
    count = max(int(params.reference_years * 365.25 / gap_days), 1) + 1
    kind = min(KIND_NAMES, key=lambda k: abs(KINDS[k].depth - params.reference_depth))
    touches = [Touch(end - timedelta(days=gap_days * j), kind) for j in range(count)]
    return build_state(touches, params), end + timedelta(days=gap_days)


# Layer → gap in days of the steady reference tie that just reaches it.
REFERENCE_CADENCES: dict[str, float] = {
    "inner": 7.0,
    "close": 365.25 / 12,
    "active": 365.25 / 4,
    "meaningful": 365.25,
}


@lru_cache(maxsize=16)
def layer_thresholds(params: TieParams = DEFAULT_PARAMS) -> dict[str, float]:
    """Lowest score of each layer, derived from steady reference ties.

    ``inner``..``meaningful``: the score of a steady weekly / monthly /
    quarterly / yearly tie of call depth at its trough; ``acquaintance``: the
    yearly tie after ``dormant_after_days`` of silence; below that, dormant.
    """
    thresholds: dict[str, float] = {}
    for layer, gap in REFERENCE_CADENCES.items():
        thresholds[layer] = _raw_score(*reference_state(gap, params), params)
    state, trough = reference_state(365.25, params)
    silent = trough + timedelta(days=params.dormant_after_days - 365.25)
    thresholds["acquaintance"] = _raw_score(state, silent, params)
    return thresholds


def _raw_score(state: TieState, as_of: datetime, params: TieParams) -> float:
    terms = _terms(StateArrays.from_states([state]), as_of.timestamp(), params)
    z = np.sum(np.stack(list(terms.s.values())), axis=0)
    # A hair below the reference strength, so the reference tie itself is in its layer.
    return float(100.0 * _sigmoid(z)[0]) - 1e-9
