"""A short coverage-guided fuzzing run (atheris) of every importer, the backup reader and the format detection.

Every target in one run of 20 seconds (the first byte of an input picks the
importer), from the real files in tests/fixtures (tests/fuzz_importers.py);
any exception but a one-line ImportFailed, or an input taking over 10 s,
fails. docs/importing.md describes the long run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import BACKEND

HARNESS = Path(__file__).parent / "fuzz_importers.py"
SECONDS = 20

pytest.importorskip("atheris")


@pytest.mark.skipif(BACKEND != "sqlite", reason="parsing reads no database: run once, with the SQLite suite")
def test_fuzzing_every_importer_and_the_backup_reader_finds_no_crash_in_a_short_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(HARNESS), "all", f"-max_total_time={SECONDS}", "-max_len=4096", "-timeout=10",
         "-print_final_stats=1"],
        cwd=tmp_path, capture_output=True, encoding="utf-8", errors="replace", timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done " in done.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))


def test_the_harness_covers_every_import_format() -> None:
    from fuzz_importers import TARGETS
    from kith.importers import PARSERS

    assert set(TARGETS) == {*PARSERS, "backup"}
