"""Running a file import from the CLI: progress bar, summary, dry-run report."""

from __future__ import annotations

import time
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from kith.cli.context import STATE
from kith.cli.output import emit_json, err, say, warn
from kith.services.importing import ImportOptions, ImportSummary, import_file

SHOW_AFTER = 1.0  # seconds: quick imports get no progress bar


class LazyProgress:
    """A Rich progress bar that appears only once an import has taken a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < SHOW_AFTER:
                return
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                TimeRemainingColumn(), console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        assert self.task is not None
        self.bar.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()


def run_import(fmt: str, file: Path, *, dry_run: bool, me: list[str], photos: bool,
               photos_dir: Path | None, as_json: bool, encoding: str | None = None) -> None:
    """Import one file in one transaction and report what changed."""
    progress = LazyProgress(f"Importing {file.name}")
    kith = STATE.kith()
    opts = ImportOptions(dry_run=dry_run, me=[*me, *kith.settings.me], photos=photos,
                         photos_dir=photos_dir, progress=progress, encoding=encoding)
    try:
        with STATE.session() as session:
            summary = import_file(session, fmt, file, now=STATE.now, options=opts)
    finally:
        progress.stop()
    report(summary, as_json)


def report(summary: ImportSummary, as_json: bool) -> None:
    """The summary: JSON on stdout, or lines for a person (problems on stderr)."""
    if as_json:
        emit_json(summary.as_dict())
        return
    if summary.dry_run:
        for change in summary.changes:
            say(f"  would {change}")
    say(("Dry run, nothing written: " if summary.dry_run else "Imported: ") + summary.headline())
    if summary.encoding and not summary.encoding.startswith("utf-8 (valid"):  # plain UTF-8 goes without saying
        warn(f"read as {summary.encoding}")
    for reason, n in sorted(summary.skipped.items()):
        warn(f"skipped {n}: {reason}")
    for problem in summary.problems[:50]:
        warn(f"problem: {problem}")
    if len(summary.problems) > 50:
        warn(f"... and {len(summary.problems) - 50} more problems")
