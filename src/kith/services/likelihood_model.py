"""The personal model: contact likelihood's weights fitted on the workspace's own log (`kith model`).

:func:`fit_model` reads the log once (through the log cache), fits the
weights (:mod:`kith.engine.fit`: past 28-day windows predicting the next,
ridge toward the defaults, the newest window held out) and stores the
outcome (:class:`~kith.store.models.ModelFit`). Scores use the fitted
weights only when the fit beat the defaults on the held-out window
(:func:`likelihood_params`); strength, layers and readiness never depend
on them.

Refitting is explicit or incremental: :func:`model_status` refits when
there is no fit yet or the log has grown by ``REFIT_GROWTH`` since the last
one, so no other command ever waits for a fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.fit import Fit, LogColumns, default_weights, fit_likelihood
from kith.engine.ties import DEFAULT_PARAMS, TieParams
from kith.services.tie_log import read_network_log
from kith.store import door
from kith.store.models import ModelFit

REFIT_GROWTH = 0.1  # refit when the log has grown by a tenth since the last fit


@dataclass(frozen=True)
class ModelStatus:
    """What `kith model` shows: the fit (or the defaults), when it was made and on how large a log."""

    fit: Fit
    fitted_at: datetime | None
    log_at_fit: int
    log_now: int
    refitted: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the fit's keys, and when and on what it was made."""
        return {**self.fit.as_dict(), "fitted_at": self.fitted_at.isoformat() if self.fitted_at else None,
                "log_at_fit": self.log_at_fit, "log_now": self.log_now, "refitted": self.refitted}


def _stored(session: Session) -> ModelFit | None:
    return session.scalars(select(ModelFit).order_by(ModelFit.id.desc()).limit(1)).first()


def _fit_of(row: ModelFit) -> Fit:
    d = row.data

    def num(x: Any) -> float:
        return float("nan") if x is None else float(x)

    return Fit(bool(row.in_use), {k: num(v) for k, v in d["weights"].items()},
               {k: num(v) for k, v in d["default_weights"].items()}, num(d["heldout_auc_default"]),
               num(d["heldout_auc_fit"]), int(d["train_rows"]), int(d["heldout_rows"]), str(d["reason"]))


def likelihood_params(session: Session) -> TieParams:
    """The tie parameters scores use: the defaults, or the fitted likelihood weights when they are in use."""
    row = _stored(session)
    if row is None or not row.in_use:
        return DEFAULT_PARAMS
    fit = _fit_of(row)
    if set(fit.weights) != set(default_weights()):  # a fit of another version's terms: not used
        return DEFAULT_PARAMS
    return fit.params(DEFAULT_PARAMS)


def fit_model(session: Session, as_of: datetime) -> Fit:
    """Fit the likelihood's weights on the log up to ``as_of`` and store the outcome."""
    network = read_network_log(session, as_of)
    log = network.log
    mask = log.contacts(as_of.timestamp())
    columns = LogColumns(
        log.person[mask].astype(np.int64), log.ts[mask].astype(np.float64), log.kind[mask].astype(np.int64),
        log.direction[mask].astype(np.int64), log.sentiment[mask].astype(np.float64),
        log.group[mask].astype(np.float64), log.n_people,
    )
    fit = fit_likelihood(columns, as_of.timestamp())
    row = _stored(session)
    if row is None:
        row = ModelFit(fitted_at=as_of, participations=0, in_use=False, data={})
        session.add(row)
    row.fitted_at, row.participations, row.in_use = as_of, door.data_version(session).participations, fit.in_use
    row.data = fit.as_dict()
    session.flush()
    return fit


def model_status(session: Session, as_of: datetime, refit: bool = False) -> ModelStatus:
    """The model in use; fitted first when asked, when there is none yet, when the log has grown enough,
    or when the stored fit has another version's terms."""
    size = door.data_version(session).participations
    row = _stored(session)
    grown = row is not None and size > row.participations * (1.0 + REFIT_GROWTH)
    stale = row is not None and set(_fit_of(row).weights) != set(default_weights())  # another version's terms
    refitted = refit or row is None or grown or stale
    if refitted:
        fit_model(session, as_of)
        row = _stored(session)
    assert row is not None
    return ModelStatus(_fit_of(row), row.fitted_at, int(row.participations), size, refitted)


__all__ = ["ModelStatus", "fit_model", "likelihood_params", "model_status"]
