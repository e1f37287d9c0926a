"""The generic interactions CSV of the CLI contract: ``timestamp,contact,direction,kind[,note]``.

``timestamp`` is ISO 8601 or Unix seconds; ``contact`` an e-mail, an external
id or a name; ``direction`` out, in or mutual; ``kind`` an interaction kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from kith.engine.kinds import KINDS
from kith.errors import ImportFailed
from kith.importers.reading import parse_datetime
from kith.importers.records import (
    InteractionRecord,
    Item,
    Parsed,
    ParseOptions,
    Party,
    Problem,
    Stream,
    display,
)
from kith.importers.streaming import CsvRows
from kith.normalize import email_key, fold

DIRECTIONS = {"out": "out", "in": "in", "mutual": "mutual", "me": "out", "them": "in", "both": "mutual"}


HEADER = ("timestamp", "contact", "direction", "kind")  # the required columns, on the first line


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read an interactions CSV; bad rows are problems, good rows are kept."""
    return stream(path, opts).collect()


def stream(path: Path, opts: ParseOptions) -> Stream:
    """Read an interactions CSV row by row."""
    rows = CsvRows(path, HEADER, within=1, opts=opts)
    if rows.header is None:
        raise ImportFailed(f"{path}: the first line must be the header timestamp,contact,direction,kind[,note]")
    return Stream(_items(path, rows), rows.total)


COLUMNS = ("timestamp", "contact", "direction", "kind", "note")


def _items(path: Path, rows: CsvRows) -> Iterator[Item]:
    for line, cells in rows.cells(*COLUMNS):
        ref = f"row {line}"
        result = interaction(cells, ref)
        yield Problem(display(path), ref, result) if isinstance(result, str) else result


def interaction(cells: tuple[str, ...], ref: str) -> InteractionRecord | str:
    """One row (its cells of :data:`COLUMNS`) as an interaction, or what is wrong with it."""
    stamp, contact, how, what, note = cells
    when = parse_datetime(stamp)
    if when is None:
        return f"unreadable timestamp '{stamp}' (use ISO 8601 or Unix seconds)"
    contact = " ".join(contact.split())
    if not contact:
        return "no contact"
    direction = DIRECTIONS.get(how.lower() or "mutual")
    if direction is None:
        return f"unknown direction '{how}' (use out, in or mutual)"
    kind = what.lower().replace("_", "-")
    if kind not in KINDS:
        return f"unknown kind '{what}' (known: {', '.join(KINDS)})"
    folded, is_email = _contact(contact)
    party = Party(email=contact) if is_email else Party(name=contact, external_id=contact)
    key = f"{when.isoformat()}|{folded}|{kind}|{direction}|{_digest(note) if note else _EMPTY}"
    return InteractionRecord(ref=ref, when=when, kind=kind, direction=direction, participants=[party],
                             dedupe_key=key, note=note)


def _digest(note: str) -> str:
    return hashlib.sha1(note.encode("utf-8", "replace")).hexdigest()[:10]


_EMPTY = _digest("")


@lru_cache(maxsize=65536)
def _contact(contact: str) -> tuple[str, bool]:
    """A contact cell folded (for the row's key), and whether it is an e-mail address: once per contact, not per row."""
    return fold(contact), email_key(contact) is not None
