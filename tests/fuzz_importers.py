"""Coverage-guided fuzzing (atheris, libFuzzer) of every importer, the backup reader and the format detection.

    .venv/bin/python tests/fuzz_importers.py TARGET [libFuzzer options]

TARGET is an import format (vcard, google, ..., mbox, ics), ``backup``, or
``all``: one run over every target, the first byte of each input choosing
which (one start-up instead of ten; what ``make test`` runs). Each input is
written to a file and read as a user's file would be; the only
acceptable failure is :class:`kith.errors.ImportFailed` with a one-line
message. Anything else (an uncaught exception, a RecursionError, a hang past
``-timeout``) is a crash, saved by libFuzzer as ``crash-*`` in the current
folder. The real files under ``tests/fixtures`` seed the corpus.

``tests/test_fuzz_importers.py`` runs each target briefly (``make test``);
docs/importing.md describes a long run.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["kith"]):
    from kith.errors import ImportFailed
    from kith.importers import PARSERS
    from kith.importers.records import ParseOptions
    from kith.services.backup import read_backup, validate_backup
    from kith.services.import_formats import FORMATS, format_of

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = {
    "linkedin": ["import/linkedin-current.csv", "import/linkedin-2018.csv"],
    "linkedin-messages": ["import/linkedin-messages.csv"],
    "facebook": ["import/facebook-friends.json"],
    "google": ["google-csv/example.csv", "import/google-legacy.csv"],
    "outlook": ["import/outlook-desktop.csv", "import/outlook-com.csv"],
    "vcard": ["import/vcard-variants.vcf", "vcard/ezvcard__John_Doe_GMAIL.vcf"],
    "mbox": ["import/mail.mbox"],
    "ics": ["import/calendar.ics"],
    "interactions": ["import/interactions.csv"],
    "backup": [],
}
BACKUP_SEED = (b'{"format": "kith-backup", "version": 1, "exported_at": "2026-01-01T00:00:00+00:00", '
               b'"owner_emails": [], "tags": ["film"], "people": [], "organizations": []}')
OPTS = ParseOptions(me=["sam@example.com", "Sam Roe"], now=datetime(2026, 6, 15, tzinfo=UTC))


TARGETS = list(SEEDS)


def one_input(target: str, path: Path) -> Callable[[bytes], None]:
    """The function libFuzzer calls with each input (``all``: the first byte picks the target)."""

    def run(data: bytes) -> None:
        if target == "all":
            if not data:
                return
            read(TARGETS[data[0] % len(TARGETS)], data[1:], path)
        else:
            read(target, data, path)

    return run


def read(target: str, data: bytes, path: Path) -> None:
    """Read ``data`` as a file of ``target``; only a one-line ImportFailed may come out. The format detection
    (`kith import FILE`) reads it first: it answers a format or None, and never raises."""
    found = format_of(data)
    if found is not None and found not in FORMATS:
        raise AssertionError(f"detected an unknown format {found!r}")
    path.write_bytes(data)
    try:
        if target == "backup":
            validate_backup(read_backup(path))
        else:
            PARSERS[target](path, OPTS)
    except ImportFailed as exc:
        if not str(exc) or "\n" in str(exc):
            raise AssertionError(f"not a one-line message: {exc!r}") from None


def seed_corpus(target: str, folder: Path) -> None:
    """Copy the target's real files into ``folder``, libFuzzer's starting corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(TARGETS):
        if target not in (name, "all"):
            continue
        prefix = bytes([i]) if target == "all" else b""
        files = [(FIXTURES / f).read_bytes() for f in SEEDS[name]] + ([BACKUP_SEED] if name == "backup" else [])
        for n, data in enumerate(files):
            (folder / f"{name}-{n}").write_bytes(prefix + data)


def main(argv: list[str]) -> None:
    """Fuzz ``argv[1]`` with the libFuzzer options that follow it."""
    if len(argv) < 2 or argv[1] not in [*SEEDS, "all"]:
        sys.exit(f"usage: {argv[0]} {{{','.join(SEEDS)},all}} [libFuzzer options]")
    target = argv[1]
    work = Path(tempfile.mkdtemp(prefix=f"kith-fuzz-{target}-"))
    corpus = work / "corpus"
    seed_corpus(target, corpus)
    options = [a for a in argv[2:] if a.startswith("-")]
    folders = [a for a in argv[2:] if not a.startswith("-")] or [str(corpus)]
    atheris.Setup([argv[0], *options, *folders], one_input(target, work / "input"))
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
