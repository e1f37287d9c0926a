"""Layers of a network: inner, close, active, meaningful, acquaintance, dormant, new.

A tie's own layer comes from its score and the score thresholds that
``kith.engine.ties.layer_thresholds`` derives from steady contact cadences.
This module holds what does not need the model: layer codes, turning scores
into codes, and assigning a whole network with Dunbar-sized caps.

Network assignment (``assign_network_layers``) treats the layer sizes as
cumulative caps (Dunbar: 5 within 15 within 50 within 150). A tie keeps the
layer its score earns unless more people earned the layer than it holds; then
the lower-ranked ones move down. Nobody is ever promoted by ranking: a network
of weak ties has an empty inner layer, which is the honest answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from kith.engine.kinds import LAYERS

LAYER_CODE: dict[str, int] = {name: i for i, name in enumerate(LAYERS)}
DORMANT = LAYER_CODE["dormant"]
ACQUAINTANCE = LAYER_CODE["acquaintance"]
NEW = LAYER_CODE["new"]
SCORED_LAYERS = LAYERS[:DORMANT]  # the layers a strength threshold opens
DUNBAR_SIZES: tuple[int, ...] = (5, 15, 50, 150)  # cumulative: inner, close, active, meaningful


def layer_codes(scores: NDArray[np.float64], thresholds: Mapping[str, float]) -> NDArray[np.int64]:
    """Layer code per score: the first layer whose threshold the score reaches."""
    codes = np.full(scores.shape, DORMANT, dtype=np.int64)
    # Walk from the loosest layer to the closest so the closest reached wins.
    for name in reversed(SCORED_LAYERS):
        codes[scores >= thresholds[name]] = LAYER_CODE[name]
    return codes


def history_caps(
    codes: NDArray[np.int64], contacts: NDArray[np.float64], thin: int, manual: NDArray[np.bool_] | None = None,
    recent: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Layers the history allows: no contact is ``new``; ``thin`` contacts or fewer at most acquaintance;
    a contact in the recent past (``recent``) at least acquaintance, since dormant means gone silent.

    One recent coffee can make a tie likely to continue, never close. A
    manual closeness (``manual`` True) is the user's word and is not capped.
    """
    capped = np.where(contacts <= thin, np.maximum(codes, ACQUAINTANCE), codes)
    if recent is not None:
        capped = np.where(recent & (capped > ACQUAINTANCE), ACQUAINTANCE, capped)
    capped = np.where(contacts <= 0, NEW, capped)
    out: NDArray[np.int64] = capped if manual is None else np.where(manual, codes, capped)
    return out


def layer_name(score: float, thresholds: Mapping[str, float]) -> str:
    """The layer one score falls in."""
    return LAYERS[int(layer_codes(np.array([score]), thresholds)[0])]


def assign_network_layers(
    scores: NDArray[np.float64],
    thresholds: Mapping[str, float],
    sizes: Sequence[int] = DUNBAR_SIZES,
    earned: NDArray[np.int64] | None = None,
) -> NDArray[np.int64]:
    """Layer codes for a whole network: earned by score, capped by cumulative sizes.

    ``sizes[i]`` is how many people layers ``0..i`` may hold together; the
    highest scores keep the closest layers (ties broken by index, stably).
    ``earned`` (default: from the thresholds) is each tie's own layer, e.g.
    after :func:`history_caps`.
    """
    if earned is None:
        earned = layer_codes(scores, thresholds)
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(len(scores), dtype=np.int64)
    rank[order] = np.arange(len(scores))
    # The closest layer a rank may hold; ranks past the last cap hold at best acquaintance.
    allowed = np.searchsorted(np.asarray(sizes), rank, side="right")
    return np.maximum(earned, allowed)
