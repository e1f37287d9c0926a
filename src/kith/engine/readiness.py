"""Favour readiness: "could I ask X for a favour now?", 0-100 with reasons.

    z = bias + strength + cooling + balance + last ask + sentiment + history
    readiness = 100 · σ(z);  callable = readiness >= CALLABLE_THRESHOLD

Strength is the tie score itself (centred on 50). Favours they did me that I
have not returned make asking again awkward; favours I did them that they have
not returned make it easy. Having asked recently costs, fading with a 60-day
half-life. A cooling tie or a sour last interaction costs too. A thin history
costs most of all: the score rewards recency (that is what predicts contact),
but one recent exchange is not a relationship you can lean on, so readiness
discounts ties with few contacts (``w_thin · 2^(−(contacts − 1) / 2)``), and
a tie of ``thin_contacts`` (2) contacts or fewer is never callable: its
readiness is capped at ``THIN_CAP``, unless the user set a manual closeness.

Strength here is the relationship strength (``TieScore.score``), not the
contact likelihood: a tie likely to be in touch next week may still be too
new to ask anything of.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kith.clock import ago_words
from kith.engine.ties import DEFAULT_PARAMS, TieScore

CALLABLE_THRESHOLD = 60.0  # a steady monthly tie with no debts and no recent ask clears it
THIN_CAP = 45.0  # the most readiness a tie of one or two contacts gets
THIN_CONTACTS = DEFAULT_PARAMS.thin_contacts


@dataclass(frozen=True)
class ReadinessParams:
    """Weights of the readiness logit."""

    bias: float = 0.0
    w_strength: float = 0.08  # per score point above 50
    w_cooling: float = -0.8
    w_owed_to_me: float = 0.4  # per favour I gave that is still open (capped at 3)
    w_i_owe: float = -0.7  # per favour I received that is still open (capped at 3)
    w_recent_ask: float = -1.5  # times 2^(-days since my last ask / ask_half_life)
    ask_half_life_days: float = 60.0
    w_sentiment: float = 0.4  # per point of the last interaction's sentiment
    w_thin: float = -2.0  # one contact only; halves with every two more contacts


DEFAULT_READINESS = ReadinessParams()


@dataclass(frozen=True)
class Readiness:
    """How ready the tie is for a request, whether it is callable, and why."""

    value: float
    callable: bool
    reasons: list[str]


def readiness(
    tie_score: TieScore,
    favours_received_open: int,
    favours_given_open: int,
    days_since_my_last_ask: float | None,
    last_sentiment: int,
    params: ReadinessParams = DEFAULT_READINESS,
    contacts: int | None = None,
) -> Readiness:
    """Readiness to ask this person for a favour now (see the module docstring)."""
    terms = _terms(
        tie_score,
        favours_received_open,
        favours_given_open,
        days_since_my_last_ask,
        last_sentiment,
        params,
    )
    if contacts is not None and contacts < 12:
        thin = params.w_thin * 2.0 ** (-(max(contacts, 1) - 1) / 2.0)
        terms.append((thin, f"only {_contacts(contacts)} so far"))
    z = sum(value for value, _ in terms)
    value = 100.0 / (1.0 + math.exp(-z))
    reasons = [
        f"{reason} {contribution:+.2f}" for contribution, reason in terms if abs(contribution) >= 0.005
    ]
    manual = "manual closeness" in tie_score.components
    if contacts is not None and contacts <= THIN_CONTACTS and not manual and value > THIN_CAP:
        value = THIN_CAP
        reasons.append(f"too early to ask a favour: {_contacts(contacts)} so far (readiness at most {THIN_CAP:.0f})")
    return Readiness(value=value, callable=value >= CALLABLE_THRESHOLD, reasons=reasons)


def _terms(
    tie: TieScore,
    i_owe: int,
    owed_to_me: int,
    days_since_ask: float | None,
    sentiment: int,
    p: ReadinessParams,
) -> list[tuple[float, str]]:
    """(logit contribution, reason) per term."""
    terms = [(p.bias, "base"), (p.w_strength * (tie.score - 50.0), f"relationship strength {tie.score:.0f}")]
    if tie.cooling:
        terms.append((p.w_cooling, "the tie is cooling"))
    if owed_to_me:
        terms.append((p.w_owed_to_me * min(owed_to_me, 3), f"they owe you {_favours(owed_to_me)}"))
    if i_owe:
        terms.append((p.w_i_owe * min(i_owe, 3), f"you owe them {_favours(i_owe)}"))
    if days_since_ask is not None:
        fading = 2.0 ** (-max(days_since_ask, 0.0) / p.ask_half_life_days)
        terms.append((p.w_recent_ask * fading, f"you last asked {ago_words(round(days_since_ask))}"))
    if sentiment:
        mood = "went badly" if sentiment < 0 else "went well"
        terms.append((p.w_sentiment * sentiment, f"the last exchange {mood} ({sentiment:+d})"))
    return terms


def _contacts(n: int) -> str:
    return f"{n} contact" + ("" if n == 1 else "s")


def _favours(n: int) -> str:
    return "a favour" if n == 1 else f"{n} favours"


def readiness_batch(
    score: NDArray[np.float64],
    cooling: NDArray[np.bool_],
    i_owe: NDArray[np.float64],
    owed_to_me: NDArray[np.float64],
    days_since_ask: NDArray[np.float64],
    last_sentiment: NDArray[np.float64],
    contacts: NDArray[np.float64],
    params: ReadinessParams = DEFAULT_READINESS,
    manual: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Readiness of everyone at once (``days_since_ask`` nan = never asked; ``manual``: closeness set).

    The same terms as :func:`readiness` with ``contacts`` given; a test checks
    that both agree.
    """
    p = params
    z = p.bias + p.w_strength * (score - 50.0) + np.where(cooling, p.w_cooling, 0.0)
    z = z + p.w_owed_to_me * np.minimum(owed_to_me, 3) + p.w_i_owe * np.minimum(i_owe, 3)
    asked = ~np.isnan(days_since_ask)
    fading = np.exp2(-np.maximum(np.nan_to_num(days_since_ask), 0.0) / p.ask_half_life_days)
    z = z + np.where(asked, p.w_recent_ask * fading, 0.0) + p.w_sentiment * last_sentiment
    thin = p.w_thin * np.exp2(-(np.maximum(contacts, 1) - 1) / 2.0)
    z = z + np.where(contacts < 12, thin, 0.0)
    value: NDArray[np.float64] = 100.0 / (1.0 + np.exp(-z))
    too_new = contacts <= THIN_CONTACTS
    if manual is not None:
        too_new = too_new & ~manual
    out: NDArray[np.float64] = np.where(too_new, np.minimum(value, THIN_CAP), value)
    return out
