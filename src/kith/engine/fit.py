"""A personal fit of contact likelihood: its weights learned from the user's own log.

Contact likelihood is ``σ(bias + Σ_t β_t · f_t)`` where ``f_t`` are the raw
terms of :func:`kith.engine.ties._terms` (activity, bond, recency, cooling,
reciprocity, initiative, duration, multiplexity, sentiment) and the default
``β_t = gain · w_t``. The fit:

- cuts the log into windows of ``HORIZON_DAYS`` (28) ending at ``as_of``;
  at the start of each window, everyone contacted before is a row: the terms
  of their tie then, and whether there was contact within the window;
- holds the newest window out; fits ``bias`` and ``β`` on the earlier ones by
  logistic regression with an L2 penalty pulling toward the defaults
  (``ridge``), so a small log moves the weights little;
- keeps the fit only if its ROC-AUC on the held-out window beats the
  defaults' (by ``MIN_GAIN``); otherwise the defaults stay in use.

Everything is pure: the caller gives the log as arrays and the moment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kith.engine.ties import (
    DEFAULT_PARAMS,
    StateArrays,
    TieParams,
    build_arrays,
    likelihood_terms,
    merge_arrays,
    network_pace,
)

F64 = NDArray[np.float64]
DAY = 86400.0
HORIZON_DAYS = 28.0
WINDOWS = 8  # 7 to learn from, the newest held out
MIN_ROWS_WITH_EACH_OUTCOME = 20  # in the training windows; 5 in the held-out one
MIN_GAIN = 0.002  # held-out AUC the fit must add to be used
RIDGE = 50.0  # L2 pull toward the defaults, in the units of the standardised terms

# The likelihood's terms and the weight each has in TieParams.
TERMS: dict[str, str] = {
    "activity": "w_activity", "bond": "w_bond", "recency": "w_recency", "cooling": "w_cooling",
    "reply": "w_reply", "pace": "w_pace", "reciprocity": "w_reciprocity", "initiative": "w_initiative", "duration": "w_duration",
    "multiplexity": "w_multiplexity", "sentiment": "w_sentiment",
}
_ONES: dict[str, Any] = {w: 1.0 for w in TERMS.values()}
_UNIT = replace(DEFAULT_PARAMS, bias=0.0, gain=1.0, **_ONES)


@dataclass(frozen=True)
class Fit:
    """The outcome of a fit: the weights to use, and the held-out evidence for them."""

    in_use: bool  # the fitted weights beat the defaults on the held-out window
    weights: dict[str, float]  # "bias" and one per term: the logit's coefficients
    default_weights: dict[str, float]
    heldout_auc_default: float  # nan when there was not enough history
    heldout_auc_fit: float
    train_rows: int
    heldout_rows: int
    reason: str

    def params(self, base: TieParams = DEFAULT_PARAMS) -> TieParams:
        """The tie parameters with these likelihood weights (strength is untouched)."""
        return params_with(self.weights, base) if self.in_use else base

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        def r(x: float) -> float | None:
            return None if x != x else round(x, 4)

        return {"using": "fit" if self.in_use else "defaults", "in_use": self.in_use, "weights": {k: r(v) for k, v in self.weights.items()},
                "default_weights": {k: r(v) for k, v in self.default_weights.items()},
                "heldout_auc_default": r(self.heldout_auc_default), "heldout_auc_fit": r(self.heldout_auc_fit),
                "train_rows": self.train_rows, "heldout_rows": self.heldout_rows, "reason": self.reason}


def default_weights(params: TieParams = DEFAULT_PARAMS) -> dict[str, float]:
    """The logit coefficients the defaults amount to (``bias``, then ``gain · w`` per term)."""
    out = {"bias": params.bias}
    out.update({t: params.gain * getattr(params, w) for t, w in TERMS.items()})
    return out


def params_with(weights: dict[str, float], base: TieParams = DEFAULT_PARAMS) -> TieParams:
    """Tie parameters whose likelihood logit has these coefficients."""
    chosen: dict[str, Any] = {w: weights[t] for t, w in TERMS.items()}
    return replace(base, bias=weights["bias"], gain=1.0, **chosen)


def features(arrays: StateArrays, as_of: float, pace: float = 0.0) -> F64:
    """The raw likelihood terms of every row (columns in the order of :data:`TERMS`); ``pace`` the network's."""
    z = likelihood_terms(arrays, as_of, _UNIT, pace)
    return np.column_stack([z[t] for t in TERMS]).astype(np.float64)


def auc(scores: F64, labels: NDArray[np.bool_]) -> float:
    """ROC-AUC by the rank-sum formula, ties given their average rank (nan without both outcomes)."""
    pos = int(labels.sum())
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    return float((ranks[labels].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def logistic(x: F64, y: F64, prior: F64, ridge: float = RIDGE, iterations: int = 25) -> F64:
    """Coefficients (intercept first) of a logistic regression pulled toward ``prior`` (Newton steps).

    The penalty ``ridge/2 · Σ ((β − prior) · sd)²`` is on the terms' standardised
    scale, so every term is pulled alike; the intercept is free.
    """
    sd = x.std(axis=0) + 1e-9
    design = np.column_stack([np.ones(len(x)), x])
    scale = np.concatenate([[0.0], sd ** 2]) * ridge
    beta = prior.astype(np.float64).copy()
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        grad = design.T @ (p - y) + scale * (beta - prior)
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(scale + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta


@dataclass(frozen=True)
class LogColumns:
    """The log as the fit needs it: one entry per (interaction, person), contacts only."""

    person: NDArray[np.int64]
    ts: F64
    kind: NDArray[np.int64]
    direction: NDArray[np.int64]
    sentiment: F64
    group: F64
    n_people: int


def windows(log: LogColumns, as_of: float, count: int = WINDOWS) -> list[tuple[F64, NDArray[np.bool_]]]:
    """(terms, in touch within the window) of everyone contacted before each window's start, oldest first."""
    starts = [as_of - HORIZON_DAYS * DAY * k for k in range(count, 0, -1)]
    order = np.argsort(log.ts, kind="stable")
    ts = log.ts[order]
    states: StateArrays | None = None
    done = 0
    out = []
    for start in starts:
        upto = int(np.searchsorted(ts, start, side="right"))
        chunk = order[done:upto]
        new = build_arrays(log.person[chunk], log.ts[chunk], log.kind[chunk], log.direction[chunk],
                           log.sentiment[chunk], log.group[chunk], log.n_people)
        states = new if states is None else merge_arrays(states, new)
        done = upto
        after = order[upto:int(np.searchsorted(ts, start + HORIZON_DAYS * DAY, side="right"))]
        touched = np.zeros(log.n_people, dtype=bool)
        touched[log.person[after]] = True
        known = states.n > 0
        rows = np.flatnonzero(known)
        sub = StateArrays(**{k: v[rows] for k, v in states.__dict__.items()})
        out.append((features(sub, start, network_pace(states, start)), touched[rows]))
    return out


def fit_likelihood(log: LogColumns, as_of: float, base: TieParams = DEFAULT_PARAMS, ridge: float = RIDGE) -> Fit:
    """Fit the likelihood's weights on the log's past windows; keep them only if the held-out window agrees."""
    prior_w = default_weights(base)
    prior = np.array(list(prior_w.values()))
    if len(log.ts) == 0:
        return _not_fitted(prior_w, "no interactions logged yet", 0, 0)
    data = windows(log, as_of)
    x_train = np.vstack([x for x, _ in data[:-1]])
    y_train = np.concatenate([y for _, y in data[:-1]])
    x_held, y_held = data[-1]
    pos, held_pos = int(y_train.sum()), int(y_held.sum())
    if min(pos, len(y_train) - pos) < MIN_ROWS_WITH_EACH_OUTCOME or min(held_pos, len(y_held) - held_pos) < 5:
        return _not_fitted(prior_w, f"not enough history yet: {len(y_train)} past tie-windows with {pos} "
                           f"followed by contact (at least {MIN_ROWS_WITH_EACH_OUTCOME} of each needed)",
                           len(y_train), len(y_held))
    beta = logistic(x_train, y_train.astype(np.float64), prior, ridge)
    fitted = dict(zip(prior_w, beta.tolist(), strict=True))
    design = np.column_stack([np.ones(len(x_held)), x_held])
    a_default, a_fit = auc(design @ prior, y_held), auc(design @ beta, y_held)
    better = a_fit >= a_default + MIN_GAIN
    reason = (f"the fit beats the defaults on the held-out window ({a_fit:.3f} against {a_default:.3f})" if better
              else f"the fit does not beat the defaults on the held-out window ({a_fit:.3f} against {a_default:.3f})")
    return Fit(better, fitted, prior_w, a_default, a_fit, len(y_train), len(y_held), reason)


def _not_fitted(prior: dict[str, float], reason: str, train: int, held: int) -> Fit:
    return Fit(False, dict(prior), dict(prior), float("nan"), float("nan"), train, held, reason)
