"""The personal model: contact likelihood's weights fitted on the user's own log, kept only if they do better."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tests.conftest import CliResult

from kith.engine.fit import LogColumns, auc, default_weights, fit_likelihood, logistic, params_with
from kith.engine.ties import DEFAULT_PARAMS, kind_index

DATA = Path(__file__).resolve().parent / "fixtures" / "collegemsg" / "CollegeMsg.txt"


def test_the_regression_recovers_a_known_slope_and_ridge_pulls_toward_the_prior() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(0.5 + 2.0 * x[:, 0])))).astype(np.float64)
    free = logistic(x, y, np.zeros(3), ridge=0.0)
    assert abs(free[0] - 0.5) < 0.15 and abs(free[1] - 2.0) < 0.2 and abs(free[2]) < 0.15
    held = logistic(x, y, np.array([0.0, 0.3, 0.0]), ridge=1e6)
    assert abs(held[1] - 0.3) < 0.01


def test_the_default_weights_are_the_likelihood_s_own_logit() -> None:
    assert params_with(default_weights()).bias == DEFAULT_PARAMS.bias
    assert default_weights()["recency"] == DEFAULT_PARAMS.gain * DEFAULT_PARAMS.w_recency


def _ego_log(ego: int) -> LogColumns:
    raw = np.loadtxt(DATA, skiprows=1, dtype=np.int64)
    src, dst, ts = raw[:, 0], raw[:, 1], raw[:, 2].astype(np.float64)
    out, inn = (src == ego) & (dst != ego), (dst == ego) & (src != ego)
    other = np.concatenate([dst[out], src[inn]])
    _, person = np.unique(other, return_inverse=True)
    n = len(other)
    direction = np.concatenate([np.zeros(out.sum(), dtype=np.int64), np.ones(inn.sum(), dtype=np.int64)])
    return LogColumns(person.astype(np.int64), np.concatenate([ts[out], ts[inn]]),
                      np.full(n, kind_index("message")), direction, np.zeros(n), np.ones(n), int(person.max()) + 1)


def test_on_a_real_log_the_fit_is_kept_only_when_it_beats_the_defaults_on_the_held_out_window() -> None:
    fit = fit_likelihood(_ego_log(9), datetime(2004, 7, 15, tzinfo=UTC).timestamp())
    assert fit.train_rows > 100 and fit.heldout_rows > 100
    assert fit.in_use == (fit.heldout_auc_fit >= fit.heldout_auc_default + 0.002)
    assert fit.in_use and fit.params().w_activity != DEFAULT_PARAMS.w_activity


def test_a_small_log_keeps_the_defaults_and_says_why() -> None:
    log = LogColumns(np.array([0, 0, 1]), np.array([1.7e9, 1.7e9 + 86400, 1.7e9 + 2 * 86400]),
                     np.full(3, kind_index("call")), np.full(3, 2), np.zeros(3), np.ones(3), 2)
    fit = fit_likelihood(log, 1.7e9 + 30 * 86400)
    assert not fit.in_use and "not enough history" in fit.reason
    assert math.isnan(fit.heldout_auc_fit) and fit.params() == DEFAULT_PARAMS


def test_auc_of_a_perfect_and_of_a_reversed_ranking() -> None:
    labels = np.array([False, True, True])
    assert auc(np.array([0.0, 1.0, 2.0]), labels) == 1.0 and auc(np.array([2.0, 1.0, 0.0]), labels) == 0.0


def test_kith_model_on_a_fresh_log_uses_the_defaults(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Diaz")
    cli("log", "Ana Diaz", "call", "--on", "2026-06-01")
    data = json.loads(cli("model", "--json").out)
    assert data["using"] == "defaults" and data["refitted"] and "not enough history" in data["reason"]
    assert "recency" in cli("model").out


def test_kith_model_on_the_demo_network_fits_keeps_the_better_weights_and_refits_when_asked(
    cli: Callable[..., CliResult],
) -> None:
    assert cli("demo").code == 0
    listing = json.loads(cli("score", "--json").out)
    before = {p["id"]: p["likelihood"] for p in listing}
    strength_before = {p["id"]: p["strength"] for p in listing}
    data = json.loads(cli("model", "--json").out)
    assert data["refitted"] and data["heldout_rows"] > 100
    assert data["in_use"] == (data["heldout_auc_fit"] >= data["heldout_auc_default"] + 0.002)
    again = json.loads(cli("model", "--json").out)
    assert not again["refitted"] and again["weights"] == data["weights"]
    assert json.loads(cli("model", "--refit", "--json").out)["refitted"]
    after = json.loads(cli("score", "--json").out)
    if data["in_use"]:
        assert any(p["likelihood"] != before[p["id"]] for p in after)
    assert {p["id"]: p["strength"] for p in after} == strength_before  # the fit moves likelihood only
    text = cli("model").out
    assert "Held-out AUC" in text and "fitted" in text
