"""The load test of bench/bench_load.py, small: concurrent API readers and writers plus a CLI writer, on this backend.

No timing assertions here (the machine is shared; the figures are
`make bench`'s, docs/benchmarks.md): only that no request failed and that
every acknowledged write is in the database afterwards.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

BACKEND = os.environ.get("KITH_TEST_BACKEND", "sqlite")
BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_load.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_concurrent_readers_writers_and_a_cli_writer_lose_nothing_and_fail_nothing(
    bench: ModuleType, tmp_path: Path,
) -> None:
    result = bench.run_load(BACKEND, clients=12, duration=6, workers=2, people=10, think=0.2, writes=0.4,
                            home=tmp_path)
    assert result.errors == []
    assert result.lost == []
    assert len(result.acked) > 10 and result.cli_acked  # it did write, through both doors
