"""Matching quality on the labelled set (tests/fixtures/matching): the targets of issue 12, on either backend."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "matching_quality.py"


def _measure(url: str) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("matching_quality", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.measure(url))


def test_automatic_merges_are_never_wrong_and_kith_dupes_finds_most_of_the_rest_precisely(db_url: str) -> None:
    result = _measure(db_url)
    assert result["auto_merge"]["precision"] == 1.0
    assert result["dupes"]["precision"] >= 0.95
    assert result["dupes"]["recall"] >= 0.8
    assert result["held_for_review"] > 0
