"""Reading files for the parsers: decoding, CSV headers, dates in the formats exports use."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from kith.errors import ImportFailed
from kith.normalize import fold

MAX_BYTES = 2 * 1024**3
csv.field_size_limit(10 * 1024 * 1024)


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; any reason it cannot be read is an :class:`ImportFailed`."""
    try:
        if path.is_dir():
            raise ImportFailed(f"{path}: is a folder, not a file")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read it ({exc.strerror or exc})") from None


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Outlook and old Excel exports are Windows-1252; latin-1 never fails.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_text(path: Path) -> str:
    """The decoded text of ``path``; a binary file is an :class:`ImportFailed`."""
    text = decode(read_bytes(path))
    if "\x00" in text:
        raise ImportFailed(f"{path}: looks like a binary file, not text")
    return text


def csv_rows(text: str) -> list[list[str]]:
    """All rows of a CSV text; a CSV that cannot be tokenised is an ImportFailed."""
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFailed(f"not a readable CSV file ({exc})") from None


def header_key(cell: str) -> str:
    """A header cell as compared: folded, single spaces, no BOM or quotes."""
    return fold(cell.replace("\ufeff", "").strip().strip('"'))


def find_header(rows: Sequence[Sequence[str]], required: Iterable[str], *, within: int = 30) -> int | None:
    """Index of the first row (among the first ``within``) holding every required column."""
    want = {header_key(c) for c in required}
    for i, row in enumerate(rows[:within]):
        if want <= {header_key(c) for c in row}:
            return i
    return None


def records(rows: Sequence[Sequence[str]], header_at: int) -> Iterator[tuple[int, dict[str, str]]]:
    """(1-based line number, {folded column: cell}) for each non-empty row after the header."""
    header = [header_key(c) for c in rows[header_at]]
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        if not any(cell.strip() for cell in row):
            continue
        yield i + 1, {h: (row[j].strip() if j < len(row) else "") for j, h in enumerate(header) if h}


DATE_FORMATS = (
    "%d %b %Y",  # LinkedIn, current: 12 Mar 2024
    "%d-%b-%y",
    "%m/%d/%y, %I:%M %p",  # LinkedIn 2018: 1/8/18, 6:14 PM
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S %Z",  # LinkedIn messages: 2024-03-12 14:05:33 UTC
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%d.%m.%Y",
)


def parse_datetime(text: str) -> datetime | None:
    """A datetime (UTC) from the date formats exports use, or None."""
    raw = " ".join(text.strip().split())
    if not raw:
        return None
    if re.fullmatch(r"\d{9,11}(\.\d+)?", raw):
        try:
            return datetime.fromtimestamp(float(raw), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        iso = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return iso.replace(tzinfo=UTC) if iso.tzinfo is None else iso.astimezone(UTC)
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def split_name(name: str) -> tuple[str, str]:
    """(given, family) of a full name, via nameparser (handles ``Ph.D.``, ``van der``)."""
    from nameparser import HumanName

    parsed = HumanName(name)
    return str(parsed.first or ""), str(parsed.last or "")


def birthday(text: str) -> str:
    """``YYYY-MM-DD`` or ``--MM-DD`` (no year) from the birthday forms address books use."""
    raw = text.strip()
    m = re.fullmatch(r"--(\d{2})-?(\d{2})", raw)
    if m:
        return f"--{m.group(1)}-{m.group(2)}"
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(T.*)?", raw)
    if m:
        year = m.group(1)
        # Apple writes 1604 and some phones 0000 for "no year".
        if year in ("1604", "0000", "1900"):
            return f"--{m.group(2)}-{m.group(3)}"
        return _valid(f"{year}-{m.group(2)}-{m.group(3)}")
    parsed = parse_datetime(raw)
    return parsed.date().isoformat() if parsed else ""


def _valid(iso: str) -> str:
    try:
        datetime.strptime(iso, "%Y-%m-%d")
    except ValueError:
        return ""
    return iso


def pick(row: dict[str, str], *columns: str) -> str:
    """The first non-empty cell among ``columns`` (header names, any case)."""
    for c in columns:
        value = row.get(header_key(c), "")
        if value:
            return value
    return ""


def strip_credentials(family: str) -> str:
    """A family name without degrees and suffixes: ``'Reyes, Ph.D.'`` -> ``'Reyes'``."""
    from nameparser.config import CONSTANTS

    suffixes = set(CONSTANTS.suffix_acronyms) | set(CONSTANTS.suffix_not_acronyms)
    words = family.replace(",", " , ").split()
    while words and (words[-1] == "," or words[-1].lower().replace(".", "") in suffixes):
        words.pop()
    return " ".join(words).replace(" ,", ",")
