"""Reading CSV exports row by row: a million rows never sit in memory as lists.

The text is decoded once by :func:`kith.importers.reading.read_text`; rows are
tokenised as they are consumed. The header row is searched among the first
rows, as :func:`kith.importers.reading.find_header` does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import header_key, read_text
from kith.importers.records import ParseOptions


class CsvRows:
    """The rows of a CSV file after its header: ``(line, {folded column: cell})``, and a row-count estimate."""

    def __init__(self, path: Path, required: Iterable[str], *, within: int = 30,
                 opts: ParseOptions | None = None) -> None:
        text = read_text(path, opts)
        newlines = text.count("\n")
        self.total = max(0, newlines - 1)
        self._reader = csv.reader(lines(text))
        want = {header_key(c) for c in required}
        self._head: list[list[str]] = []
        self.header: list[str] | None = None
        self._line = 0
        try:
            for row in islice(self._reader, within):
                self._line += 1
                keys = [header_key(c) for c in row]
                if want <= set(keys):
                    self.header = keys
                    self.total = max(0, newlines - self._line)  # the lines before the header are no rows
                    break
        except csv.Error as exc:
            raise ImportFailed(f"{path}: not a readable CSV file ({exc})") from None
        self.path = path

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        header = self.header
        if header is None:
            return
        width = len(header)
        for line, row in self._rows():
            # Built from the row's own cells (a short row under a very wide header costs its own length);
            # a column the row lacks is absent, which pick() reads as empty.
            yield line, {header[j]: row[j].strip() for j in range(min(len(row), width)) if header[j]}

    def cells(self, *columns: str) -> Iterator[tuple[int, tuple[str, ...]]]:
        """The rows as :meth:`__iter__` reads them, each as the stripped cells of ``columns`` only (empty where
        the file lacks the column or the row is short), without a dict a row: for the big exports."""
        header = self.header
        if header is None:
            return
        # Where several columns fold to one name the last counts, as in the dicts of __iter__.
        where = {key: j for j, key in enumerate(header) if key}
        at = [where.get(column(c), -1) for c in columns]
        for line, row in self._rows():
            n = len(row)
            yield line, tuple(row[j].strip() if 0 <= j < n else "" for j in at)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFailed(f"{self.path}: not a readable CSV file after line {self._line} ({exc})") from None
            self._line += 1
            if any(cell.strip() for cell in row):
                yield self._line, row


def lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their endings, as ``io.StringIO(text, newline="")`` gives them, without its copy.

    A StringIO holds its own copy of the text at four bytes a character (220 MB
    for a million-row file); slicing the text at each line feed holds one line
    at a time (CR LF ends stay whole, as StringIO keeps them). A text with a
    carriage return not followed by a line feed (old Mac line ends) goes
    through StringIO, which knows every line-end convention.
    """
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        yield from io.StringIO(text, newline="")
        return
    find, start, end = text.find, 0, len(text)
    while start < end:
        stop = find("\n", start) + 1 or end
        yield text[start:stop]
        start = stop


@lru_cache(maxsize=4096)
def column(name: str) -> str:
    """A column name as rows are keyed (folded once, not once per row)."""
    return header_key(name)


def pick(row: dict[str, str], *columns: str) -> str:
    """The first non-empty cell among ``columns``: :func:`kith.importers.reading.pick` for row-by-row reads."""
    for c in columns:
        value = row.get(column(c), "")
        if value:
            return value
    return ""
