"""LinkedIn ``Connections.csv``: the current, 2021 and 2018 shapes.

The header row is found, not assumed: current and 2021 exports start with a
``Notes:`` preamble, 2018 ones do not; only the current one has a URL column.
"Connected On" becomes a dated ``connection`` interaction.
"""

from __future__ import annotations

from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import (
    csv_rows,
    find_header,
    parse_datetime,
    pick,
    read_text,
    records,
    strip_credentials,
)
from kith.importers.records import ContactRecord, Labeled, Parsed, ParseOptions, Problem, display


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read a LinkedIn Connections.csv."""
    rows = csv_rows(read_text(path, opts))
    header = find_header(rows, ["First Name", "Last Name", "Connected On"])
    if header is None:
        raise ImportFailed(f"{path}: not a LinkedIn Connections.csv (no 'First Name,Last Name,...,Connected On' header)")
    out = Parsed()
    for line, row in records(rows, header):
        ref = f"row {line}"
        rec = connection(row, ref)
        if rec is None:
            out.problems.append(Problem(display(path), ref, "no name"))
            continue
        if rec.connected_on is None and pick(row, "Connected On"):
            out.problems.append(Problem(display(path), ref, f"unreadable date '{pick(row, 'Connected On')}' (kept the person)"))
        out.contacts.append(rec)
    return out


def connection(row: dict[str, str], ref: str) -> ContactRecord | None:
    """One connection row as a contact record (None without a name)."""
    given = " ".join(pick(row, "First Name").split())
    family = strip_credentials(" ".join(pick(row, "Last Name").split()))
    name = " ".join(f"{given} {family}".split())
    if not name:
        return None
    rec = ContactRecord(ref=ref, name=name, given_name=given, family_name=family,
                        org=pick(row, "Company"), title=pick(row, "Position"),
                        connected_on=parse_datetime(pick(row, "Connected On")))
    if pick(row, "URL"):
        rec.urls.append(Labeled(pick(row, "URL"), "linkedin"))
    if pick(row, "Email Address"):
        rec.emails.append(Labeled(pick(row, "Email Address")))
    return rec
