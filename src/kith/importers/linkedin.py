"""LinkedIn ``Connections.csv``: the current, 2021 and 2018 shapes.

The header row is found, not assumed: current and 2021 exports start with a
``Notes:`` preamble, 2018 ones do not; only the current one has a URL column.
"Connected On" becomes a dated ``connection`` interaction.

Every row of a connections export is a different person by construction, so
a row is never merged with another row of the same file unless they share a
profile URL or an e-mail address. The older shapes have no URL: a row
without one gets a source id built from what does not change between two
exports (the name, the date connected, and how many rows with both came
before it), so that importing the file again finds the same people, a newer
export updates their company and position, and two namesakes stay two.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import parse_datetime, strip_credentials
from kith.importers.records import (
    ContactRecord,
    Item,
    Labeled,
    Parsed,
    ParseOptions,
    Problem,
    Stream,
    display,
)
from kith.importers.streaming import CsvRows
from kith.normalize import derived_id, fold

HEADER = ("First Name", "Last Name", "Connected On")  # the columns that make a file a Connections.csv


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read a LinkedIn Connections.csv."""
    return stream(path, opts).collect()


def stream(path: Path, opts: ParseOptions) -> Stream:
    """Read a LinkedIn Connections.csv row by row."""
    rows = CsvRows(path, HEADER, opts=opts)
    if rows.header is None:
        raise ImportFailed(f"{path}: not a LinkedIn Connections.csv (no 'First Name,Last Name,...,Connected On' header)")
    return Stream(_items(path, rows), rows.total)


COLUMNS = ("First Name", "Last Name", "Company", "Position", "Connected On", "URL", "Email Address")


def _items(path: Path, rows: CsvRows) -> Iterator[Item]:
    seen: dict[str, int] = {}
    for line, cells in rows.cells(*COLUMNS):
        ref = f"row {line}"
        rec = connection(cells, ref)
        if rec is None:
            yield Problem(display(path), ref, "no name")
            continue
        when = cells[4]
        if not rec.urls:
            base = "|".join(fold(v) for v in (rec.name, when))
            seen[base] = seen.get(base, 0) + 1
            rec.external_id = derived_id("linkedin", base, seen[base])
        if rec.connected_on is None and when:
            yield Problem(display(path), ref, f"unreadable date '{when}' (kept the person)", kept=True)
        yield rec


@lru_cache(maxsize=8192)
def _date(text: str) -> datetime | None:
    """A "Connected On" date (thousands of rows share a few thousand days: each read once)."""
    return parse_datetime(text)


def connection(cells: tuple[str, ...], ref: str) -> ContactRecord | None:
    """One connection row (its cells of :data:`COLUMNS`) as a contact record (None without a name)."""
    first, last, company, position, when, url, email = cells
    given = " ".join(first.split())
    family = " ".join(last.split())
    if " " in family or "," in family or "." in family:  # "Patel MBA", "Reyes, Ph.D.": one word has no suffix
        family = strip_credentials(family)
    name = " ".join(f"{given} {family}".split())
    if not name:
        return None
    rec = ContactRecord(ref=ref, name=name, given_name=given, family_name=family, org=company, title=position,
                        connected_on=_date(when) if when else None)
    if url:
        rec.urls.append(Labeled(url, "linkedin"))
    if email:
        rec.emails.append(Labeled(email))
    return rec
