"""Contact likelihood predicts who stays in touch better than recency or frequency alone."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "validate_ties.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_ties", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["validate_ties"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_auc_by_rank_formula_handles_ties(bench: ModuleType) -> None:
    labels = np.array([False, False, True, True])
    assert bench.auc(np.array([1.0, 2.0, 3.0, 4.0]), labels) == 1.0
    assert bench.auc(np.array([4.0, 3.0, 2.0, 1.0]), labels) == 0.0
    assert bench.auc(np.array([1.0, 1.0, 1.0, 1.0]), labels) == 0.5
    assert bench.auc(np.array([1.0, 2.0, 2.0, 3.0]), labels) == 0.875
    assert math.isnan(bench.auc(np.array([1.0, 2.0]), np.array([True, True])))


def test_kith_beats_recency_and_frequency_at_every_cutoff(bench: ModuleType) -> None:
    msgs = bench.load()
    tuning, report = bench.split(bench.top_egos(msgs, 100))
    assert len(set(tuning) & set(report)) == 0
    results = bench.evaluate(msgs, report)
    assert len(results) >= 4
    for r in results:
        assert r.kith > r.recency, r
        assert r.kith > r.frequency, r
