"""Reading files for the parsers: decoding, CSV headers, dates in the formats exports use."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kith.config import env_int
from kith.errors import ImportFailed
from kith.normalize import fold, without_control

if TYPE_CHECKING:
    from kith.importers.records import ParseOptions

csv.field_size_limit(10 * 1024 * 1024)

# The largest file an importer reads (mbox and Maildir excepted: their bodies are never read).
# KITH_IMPORT_MAX_MB overrides it.
MAX_FILE_MB = 256
# Deepest nesting of arrays and objects a JSON reader accepts (Facebook's exports nest 3 deep,
# a Kith backup 4); anything deeper is refused before Python's recursive parser sees it.
MAX_JSON_DEPTH = 64


def max_file_bytes() -> int:
    """The size limit of an imported file, in bytes."""
    return env_int("KITH_IMPORT_MAX_MB", MAX_FILE_MB, minimum=1) * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    """The bytes of ``path``; any reason it cannot be read is an :class:`ImportFailed`."""
    try:
        if path.is_dir():
            raise ImportFailed(f"{path}: is a folder, not a file")
        size = path.stat().st_size
        limit = max_file_bytes()
        if size > limit:
            raise ImportFailed(f"{path}: {size / 1024**2:.0f} MB is more than the {limit // 1024**2} MB an import reads "
                               "(split the file, or raise KITH_IMPORT_MAX_MB)")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read it ({exc.strerror or exc})") from None


@dataclass(frozen=True)
class Decoded:
    """A file's text and how it was decoded: the codec, why, and what could not be read."""

    text: str
    encoding: str  # a Python codec name: utf-8, utf-16, cp1252...
    how: str  # "byte-order mark", "valid UTF-8", "detected", "given with --encoding"
    bad_bytes: int = 0  # invalid UTF-8 sequences, each replaced by U+FFFD
    first_bad_line: int = 0

    def report(self) -> str:
        """How the file was read, for the import summary: ``utf-8 (valid UTF-8)``."""
        return f"{self.encoding} ({self.how})"

    def problem(self) -> str:
        """What a person must know about the decoding ('' when nothing was lost)."""
        if not self.bad_bytes:
            return ""
        n = f"{self.bad_bytes} bytes" if self.bad_bytes > 1 else "a byte"
        return (f"{n} not valid UTF-8 (first on line {self.first_bad_line}) replaced by \ufffd; "
                "if the file is in another encoding, import it again with --encoding (e.g. --encoding cp1252)")


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
# A valid UTF-8 sequence of two to four bytes: a file holding some is UTF-8 with damage, not cp1252.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_bytes(data: bytes, encoding: str | None = None) -> Decoded:
    """Text from bytes, with how it was read.

    ``encoding`` (``--encoding``) wins. Otherwise: a byte-order mark; valid
    UTF-8; UTF-8 with a few damaged bytes (when the rest holds UTF-8
    sequences: each bad byte becomes U+FFFD and is counted, the accented names
    around it stay right); else the encoding charset-normalizer finds most
    likely (Windows-1252 when it finds none).
    """
    if encoding:
        return _given(data, encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec.removesuffix("-sig"), "byte-order mark")
            except UnicodeDecodeError:
                break
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "valid UTF-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    # Mostly valid UTF-8 sequences: UTF-8 with a few damaged bytes, not another encoding (where
    # sequences that happen to be valid UTF-8 are rare and invalid ones everywhere).
    if sum(1 for _ in _UTF8_MULTIBYTE.finditer(data)) > bad:
        return Decoded(text, "utf-8", "UTF-8 with damaged bytes", bad, data.count(b"\n", 0, first_bad) + 1)
    return _detected(data)


def _given(data: bytes, encoding: str) -> Decoded:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportFailed(f"unknown encoding '{encoding}' (e.g. utf-8, cp1252, latin-1, utf-16, mac-roman)") from None
    try:
        return Decoded(data.decode(encoding), encoding, "given with --encoding")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(f"the file is not {encoding}: byte 0x{data[exc.start]:02x} on line {line} "
                           f"cannot be read as {encoding}") from None


# Encodings charset-normalizer is trusted with: scripts Windows-1252 cannot hold. On Latin text
# (and short files) it wavers between Windows-1252's relatives and stranger code pages (José read
# as cp1006), so those files are read as Windows-1252, what Outlook and Excel write; --encoding
# chooses another (cp1250 for Central European exports, mac-roman...).
_TRUSTED = {"utf_16", "utf_16_le", "utf_16_be", "utf_32", "cp1251", "koi8_r", "koi8_u", "iso8859_5", "mac_cyrillic",
            "cp866", "shift_jis", "cp932", "euc_jp", "iso2022_jp", "gb2312", "gb18030", "gbk", "big5", "big5hkscs",
            "euc_kr", "cp949", "iso8859_7", "cp1253", "iso8859_8", "cp1255", "iso8859_6", "cp1256", "cp874",
            "tis_620", "cp1258"}


def _detected(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding in _TRUSTED:
        try:
            return Decoded(data.decode(best.encoding), best.encoding.replace("_", "-"), "detected")
        except UnicodeDecodeError:
            pass
    if _fits(data, "cp1252"):
        return Decoded(data.decode("cp1252"), "cp1252", "detected")
    return Decoded(data.decode("latin-1"), "latin-1", "detected")


def _fits(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> str:
    """Text from bytes (see :func:`decode_bytes`)."""
    return decode_bytes(data).text


def read_decoded(path: Path, opts: ParseOptions | None = None) -> str:
    """The text of ``path``, decoded per :func:`decode_bytes` (``opts.encoding`` overrides);
    how it was read is added to ``opts.decoded`` for the import summary."""
    found = decode_bytes(read_bytes(path), opts.encoding if opts else None)
    if opts is not None:  # how, not the text: that goes as soon as the reader is done with it (60 MB a million rows)
        opts.decoded.append(replace(found, text=""))
    return found.text


def read_text(path: Path, opts: ParseOptions | None = None) -> str:
    """The decoded text of ``path``; a binary file is an :class:`ImportFailed`."""
    text = read_decoded(path, opts)
    if "\x00" in text and (text.count("\x00") > len(text) // 100 or "\x00\x00" in text):
        raise ImportFailed(f"{path}: looks like a binary file, not text")
    return text


def clean(text: str) -> tuple[str, int]:
    """``text`` without control characters (tab, newline and CR kept) and lone surrogates; and how many went."""
    return without_control(text)


def json_document(text: str, where: str) -> Any:
    """A JSON document; nested deeper than :data:`MAX_JSON_DEPTH` is an ImportFailed, never a RecursionError.

    The C parser is linear and stops itself (RecursionError) long before the
    stack ends; the depth of what it built is then measured without recursion.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{where}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        data = None
        deep = True
    else:
        deep = json_depth(data) > MAX_JSON_DEPTH
    if deep:
        raise ImportFailed(f"{where}: JSON nested more than {MAX_JSON_DEPTH} levels deep; not a file Kith reads")
    return data


def json_depth(data: Any) -> int:
    """How deeply lists and objects nest in ``data`` (a scalar is 0), counted without recursion."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def csv_rows(text: str) -> list[list[str]]:
    """All rows of a CSV text; a CSV that cannot be tokenised is an ImportFailed."""
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportFailed(f"not a readable CSV file ({exc})") from None


@lru_cache(maxsize=4096)  # called for every column name of every row: folding once each is a third of a CSV import
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
        # Only the cells the row has: a short row under a header of 100,000 columns costs its own length.
        yield i + 1, {h: cell.strip() for h, cell in zip(header, row, strict=False) if h}


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


_UNIX_SECONDS = re.compile(r"\d{9,11}(\.\d+)?")


def parse_datetime(text: str) -> datetime | None:
    """A datetime (UTC) from the date formats exports use, or None."""
    raw = " ".join(text.split())
    if not raw:
        return None
    if _UNIX_SECONDS.fullmatch(raw):
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
