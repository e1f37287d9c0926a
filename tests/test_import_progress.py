"""The import's progress bar: on stderr, only at a terminal, only for an import that takes more than a second.

The process tests run the installed ``kith`` console script with its stderr
on a pseudo-terminal, as in a user's terminal, and read what it drew there.
The long import is a 40,000-row LinkedIn export (two seconds and more on the
machines this suite runs on); whether a bar is drawn at all is decided by the
import's own clock, which the last tests replace to check the one-second rule
without waiting for it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from tests.conftest import FIXED_NOW, KITH_SCRIPT, process_env
from tests.import_helpers import IMPORT

from kith.cli.importing import SHOW_AFTER, LazyProgress

BAR = "━"  # what Rich draws a bar with
ROWS = 40_000


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A current-shape LinkedIn Connections.csv of 40,000 fictional connections."""
    path = tmp_path_factory.mktemp("progress") / "Connections.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Notes:\n\"Some e-mail addresses may be missing.\"\n\n")
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for i in range(ROWS):
            w.writerow([f"Given{i}", f"Family{i}", f"https://www.linkedin.com/in/given-family-{i}",
                        f"given.{i}@example.com" if i % 3 == 0 else "", f"Studio {i % 700}", "Producer",
                        f"{1 + i % 28:02d} Mar 2024"])
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


def kith_at_terminal(db_url: str, tmp_path: Path, *args: str, stderr_is_terminal: bool = True) -> Run:
    """``kith --db URL ARGS`` in its own process, its stderr a pseudo-terminal (or a pipe)."""
    env = {k: v for k, v in process_env(tmp_path).items() if k != "NO_COLOR"}  # a terminal that takes colour
    env |= {"TERM": "xterm-256color", "COLUMNS": "100"}
    argv = [str(KITH_SCRIPT), "--db", db_url, "--as-of", FIXED_NOW.isoformat(), *args]
    if not stderr_is_terminal:
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8",
                              timeout=300, check=False)
        return Run(done.returncode, done.stdout, done.stderr)
    controller, terminal = pty.openpty()
    drawn = bytearray()

    def read_terminal() -> None:  # drained as it comes, so that the child never waits on a full terminal
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed its end
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        with subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal,
                              encoding="utf-8") as child:
            os.close(terminal)
            out, _ = child.communicate(timeout=300)
        reader.join(timeout=10)
    finally:
        os.close(controller)
    return Run(child.returncode, out, drawn.decode("utf-8", errors="replace"))


def test_a_long_import_at_a_terminal_draws_a_progress_bar_on_stderr(db_url: str, tmp_path: Path,
                                                                    big_export: Path) -> None:
    run = kith_at_terminal(db_url, tmp_path, "import", "linkedin", str(big_export))

    assert run.code == 0, run.err
    assert "Importing Connections.csv" in run.err
    assert BAR in run.err
    assert f"/{ROWS}" in run.err  # rows done out of the file's rows
    assert BAR not in run.out and "Imported (#" in run.out  # the summary stays on stdout, free of the bar
    assert f"{ROWS} added" in run.out


def test_a_long_import_with_json_draws_no_bar(db_url: str, tmp_path: Path, big_export: Path) -> None:
    run = kith_at_terminal(db_url, tmp_path, "import", "linkedin", str(big_export), "--json")

    assert run.code == 0, run.err
    assert BAR not in run.err and "Importing" not in run.err
    assert json.loads(run.out)["added"] == ROWS


def test_a_long_import_with_stderr_not_a_terminal_draws_no_bar(db_url: str, tmp_path: Path,
                                                               big_export: Path) -> None:
    run = kith_at_terminal(db_url, tmp_path, "import", "linkedin", str(big_export), stderr_is_terminal=False)

    assert run.code == 0, run.err
    assert BAR not in run.err and "Importing" not in run.err
    assert f"{ROWS} added" in run.out


def test_a_quick_import_at_a_terminal_draws_no_bar(db_url: str, tmp_path: Path) -> None:
    run = kith_at_terminal(db_url, tmp_path, "import", "linkedin", str(IMPORT / "linkedin-current.csv"))

    assert run.code == 0, run.err
    assert BAR not in run.err and "Importing" not in run.err
    assert "Imported (#" in run.out


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def terminal_console() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=100), screen


def test_the_bar_waits_until_the_import_has_taken_a_second() -> None:
    console, screen = terminal_console()
    clock = Clock()
    progress = LazyProgress("Importing x.csv", console=console, clock=clock)

    clock.now += SHOW_AFTER * 0.9
    progress(1000, 30_000)
    assert progress.bar is None and screen.getvalue() == ""

    clock.now += SHOW_AFTER * 0.2
    progress(2000, 30_000)
    progress.stop()
    assert progress.bar is not None
    assert progress.bar.tasks[0].completed == 2000 and progress.bar.tasks[0].total == 30_000
    assert "Importing x.csv" in screen.getvalue()


def test_an_import_done_within_a_second_never_draws_a_bar() -> None:
    console, screen = terminal_console()
    clock = Clock()
    progress = LazyProgress("Importing x.csv", console=console, clock=clock)

    for done in range(1000, 30_001, 1000):
        clock.now += SHOW_AFTER / 40
        progress(done, 30_000)
    progress.stop()

    assert progress.bar is None and screen.getvalue() == ""
