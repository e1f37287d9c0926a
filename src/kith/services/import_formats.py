"""Which import format a file is in: from its name where that says, else from its first bytes.

Exports arrive under names that say nothing (Google and Outlook both call
theirs ``contacts.csv``; a browser may save ``contacts (1).csv``), so `kith
import auto FILE` and the web's *Detect* read the start of the file: a vCard
begins ``BEGIN:VCARD``, a calendar ``BEGIN:VCALENDAR``, a mailbox ``From ``,
and a CSV is known by its header, matched with the columns each importer
itself requires (its ``HEADER``), so detection and import never disagree.
"""

from __future__ import annotations

import csv
from pathlib import Path

from kith.errors import BadInput, ImportFailed
from kith.importers import (
    IMPORT_FORMATS,
    facebook,
    google_csv,
    interactions_csv,
    linkedin,
    linkedin_messages,
    outlook_csv,
)
from kith.importers.reading import decode_bytes, header_key, json_document
from kith.services.backup import FORMAT as BACKUP_FORMAT

FORMATS = IMPORT_FORMATS
HEAD_BYTES = 64 * 1024  # what is read of a file to tell its format
HEADER_WITHIN = 30  # rows searched for a CSV header (LinkedIn puts notes above it)

# By name: what an export is called by the service that made it, or its suffix.
_BY_NAME = (("connections.csv", "linkedin"), ("messages.csv", "linkedin-messages"))
_BY_SUFFIX = {".vcf": "vcard", ".vcard": "vcard", ".ics": "ics", ".ical": "ics", ".mbox": "mbox"}

# A CSV by its header, most specific first: every Outlook and LinkedIn header has First Name and Last Name too.
_CSV_SHAPES = tuple((fmt, frozenset(header_key(c) for c in header)) for fmt, header in (
    ("linkedin", linkedin.HEADER),
    ("outlook", outlook_csv.HEADER),
    ("interactions", interactions_csv.HEADER),
    ("linkedin-messages", linkedin_messages.HEADER),
    ("google", google_csv.HEADER),
    ("google", google_csv.LEGACY_HEADER),
))


def detect_format(path: Path, name: str | None = None) -> str:
    """The import format of the file (or Maildir folder) at ``path``; ``name`` is its own name when ``path`` is
    where an upload was saved. A :class:`BadInput` naming the formats when neither name nor content tells."""
    shown = name or path.name
    if path.is_dir():
        return "mbox"  # a Maildir
    lowered = shown.lower()
    for ending, fmt in _BY_NAME:
        if lowered.endswith(ending):
            return fmt
    by_suffix = _BY_SUFFIX.get(Path(lowered).suffix)
    if by_suffix is not None:
        return by_suffix
    try:
        with path.open("rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError as exc:
        raise BadInput(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    found = format_of(head)
    if found is None:
        raise BadInput(f"{shown}: cannot tell its format from its name or its first lines; name it "
                       f"(one of {', '.join(FORMATS)})")
    return found


def format_of(head: bytes) -> str | None:
    """The format the first bytes of a file show, or None."""
    text = decode_bytes(head).text.lstrip("\ufeff \t\r\n")
    start = text[:200].upper()
    if start.startswith("BEGIN:VCARD"):
        return "vcard"
    if start.startswith("BEGIN:VCALENDAR"):
        return "ics"
    if text.startswith("From ") or start.startswith(("RETURN-PATH:", "RECEIVED:", "DELIVERED-TO:")):
        return "mbox"
    if text.startswith(("{", "[")):
        return _json_format(text)
    return _csv_format(text)


def _json_format(text: str) -> str | None:
    """A Kith backup or a Facebook friends list (known by their keys near the start)."""
    if f'"{BACKUP_FORMAT}"' in text[:4096]:
        return "backup"
    if any(f'"{key}"' in text[:4096] for key in facebook.LIST_KEYS):
        return "facebook"
    try:  # a whole small document: look at its keys (nested too deep, or cut at HEAD_BYTES: not told)
        data = json_document(text, "the file")
    except ImportFailed:
        return None
    if isinstance(data, dict) and data.get("format") == BACKUP_FORMAT:
        return "backup"
    return "facebook" if isinstance(data, dict) and any(k in data for k in facebook.LIST_KEYS) else None


def _csv_format(text: str) -> str | None:
    """The CSV format whose header is among the first rows."""
    lines = text.splitlines(keepends=True)[:HEADER_WITHIN]
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return None
    for row in rows:
        keys = {header_key(cell) for cell in row}
        for fmt, required in _CSV_SHAPES:
            if required <= keys:
                return fmt
    return None
