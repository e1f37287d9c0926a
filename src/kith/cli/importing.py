"""Running a file import from the CLI: progress bar, summary, dry-run report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from kith.cli.context import STATE
from kith.cli.output import emit_json, err, say, table, warn
from kith.errors import BadInput
from kith.services.importing import ImportOptions, ImportSummary, import_file

if TYPE_CHECKING:
    from rich.console import Console

SHOW_AFTER = 1.0  # seconds: quick imports get no progress bar


class LazyProgress:
    """A Rich progress bar that appears only once an import has taken a second."""

    def __init__(self, label: str, *, console: Console = err,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.console = console
        self.clock = clock
        self.started = clock()
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.started < SHOW_AFTER:
                return
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total, completed=done)
        assert self.task is not None
        self.bar.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()


def run_import(fmt: str, file: Path, *, dry_run: bool, me: list[str], photos: bool,
               photos_dir: Path | None, as_json: bool, encoding: str | None = None) -> None:
    """Import one file in one transaction and report what changed.

    The progress bar goes to stderr, only when stderr is a terminal and the
    answer is not JSON, and only once the import has taken a second.
    """
    progress = LazyProgress(f"Importing {file.name}") if (not as_json and err.is_terminal) else None
    kith = STATE.kith()
    opts = ImportOptions(dry_run=dry_run, me=[*me, *kith.settings.me], photos=photos,
                         photos_dir=photos_dir, progress=progress, encoding=encoding)
    try:
        with STATE.session() as session:
            summary = import_file(session, fmt, file, now=STATE.now, options=opts)
    finally:
        if progress is not None:
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
    say(("Dry run, nothing written: " if summary.dry_run else f"Imported (#{summary.run_id}): ") + summary.headline())
    if summary.encoding and not summary.encoding.startswith("utf-8 (valid"):  # plain UTF-8 goes without saying
        warn(f"read as {summary.encoding}")
    for held in summary.held_pairs[:50]:
        new = held.name if summary.dry_run else f"#{held.person_id} {held.name}"  # a dry run keeps no ids
        say(f"  held for review: {new} ({held.ref}) is like #{held.like_id} {held.like_name} "
            f"({held.confidence:.0%}: {'; '.join(held.reasons)})")
    if summary.held_pairs and not summary.dry_run:
        first = summary.held_pairs[0]
        say(f"  see them with kith dupes; kith merge {first.like_id} {first.person_id} or "
            f"kith keep-apart {first.like_id} {first.person_id} settles each")
    for reason, n in sorted(summary.skipped.items()):
        warn(f"skipped {n}: {reason}")
    for rejected in summary.rejected[:50]:
        warn(f"rejected {summary.file}: {rejected.ref}: {rejected.reason}")
    if summary.rejected_count > 50:
        warn(f"... and {summary.rejected_count - 50} more rejected")
    extra = [p for p in summary.problems if not any(p.endswith(f"{r.ref}: {r.reason}") for r in summary.rejected)]
    for problem in extra[:20]:
        warn(f"problem: {problem}")
    if not summary.dry_run and summary.run_id is not None:
        say(f"Undo it with: kith import undo {summary.run_id}")


def run_history(as_json: bool) -> None:
    """`kith import history`: the imports, newest first."""
    from kith.services.import_runs import history

    with STATE.session() as session:
        runs = history(session)
    if as_json:
        emit_json([r.as_dict() for r in runs])
        return
    if not runs:
        say("No imports yet.")
        return
    table("Imports", ["#", "when", "format", "file", "added", "updated", "held", "rejected", "interactions", "status"],
          [(r.id, r.started_at.strftime("%Y-%m-%d %H:%M"), r.format, r.file, r.added, r.updated, r.held, r.rejected,
            r.interactions_added, r.status if r.undoable or r.status == "undone" else "done (no undo)") for r in runs])


def run_undo(run: str | None, as_json: bool) -> None:
    """`kith import undo RUN`."""
    from kith.services.import_runs import undo_run

    if not run or not run.lstrip("#").isdigit():
        raise BadInput("kith import undo needs the import's number (see kith import history)")
    with STATE.session() as session:
        result = undo_run(session, int(run.lstrip("#")), now=STATE.now)
    if as_json:
        emit_json(result.as_dict())
    else:
        say(result.headline())
