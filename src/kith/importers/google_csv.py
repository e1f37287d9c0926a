"""Google Contacts CSV: the current header and the legacy ("Google CSV") one.

Several values in one cell are separated by `` ::: ``; labels (groups) become
tags, except Google's own system groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import birthday, header_key
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
from kith.importers.streaming import CsvRows, pick

SEP = " ::: "
SYSTEM_LABELS = {"mycontacts", "my contacts", "other contacts", "othercontacts"}
RELATION_KINDS = {"assistant": "assistant", "manager": "manager", "spouse": "spouse", "partner": "partner",
                  "referred by": "referred-by", "referred_by": "referred-by"}


HEADER = ("First Name", "Last Name")  # the export of today
LEGACY_HEADER = ("Name", "Given Name", "Family Name")  # before 2023


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read a Google Contacts CSV export."""
    return stream(path, opts).collect()


def stream(path: Path, opts: ParseOptions) -> Stream:
    """Read a Google Contacts CSV export row by row."""
    rows = CsvRows(path, HEADER, opts=opts)
    legacy = False
    if rows.header is None:
        rows, legacy = CsvRows(path, LEGACY_HEADER, opts=opts), True
    if rows.header is None:
        raise ImportFailed(f"{path}: not a Google Contacts CSV (no 'First Name,...' or 'Name,Given Name,...' header)")
    return Stream(_items(path, rows, legacy), rows.total)


def _items(path: Path, rows: CsvRows, legacy: bool) -> Iterator[Item]:
    numbers = _numbers(dict.fromkeys(rows.header or []))
    for line, row in rows:
        rec = legacy_contact(row, f"row {line}", numbers) if legacy else contact(row, f"row {line}", numbers)
        if not rec.display_name():
            yield Problem(display(path), rec.ref, "no name, e-mail or phone")
            continue
        yield rec


def contact(row: dict[str, str], ref: str, numbers: list[int] | None = None) -> ContactRecord:
    """A row of the current export."""
    given, middle, family = pick(row, "First Name"), pick(row, "Middle Name"), pick(row, "Last Name")
    rec = ContactRecord(
        ref=ref, name=" ".join(f"{pick(row, 'Name Prefix')} {given} {middle} {family} {pick(row, 'Name Suffix')}".split()),
        given_name=given, family_name=family, nickname=pick(row, "Nickname"),
        org=pick(row, "Organization Name"), title=pick(row, "Organization Title"),
        birthday=birthday(pick(row, "Birthday")), notes=pick(row, "Notes"),
        tags=labels(pick(row, "Labels")),
    )
    _multi(row, rec, "Label", numbers)
    return rec


def legacy_contact(row: dict[str, str], ref: str, numbers: list[int] | None = None) -> ContactRecord:
    """A row of the legacy export (``Name, Given Name, ... Group Membership``)."""
    rec = ContactRecord(
        ref=ref, name=pick(row, "Name"), given_name=pick(row, "Given Name"), family_name=pick(row, "Family Name"),
        nickname=pick(row, "Nickname"), org=first(pick(row, "Organization 1 - Name")),
        title=first(pick(row, "Organization 1 - Title")), birthday=birthday(pick(row, "Birthday")),
        notes=pick(row, "Notes"), tags=labels(pick(row, "Group Membership")),
    )
    _multi(row, rec, "Type", numbers)
    return rec


def first(cell: str) -> str:
    """The first of several values in a cell."""
    return cell.split(SEP)[0].strip()


def labels(cell: str) -> list[str]:
    """Tags from ``* myContacts ::: Friends ::: * starred``."""
    out = []
    for raw in cell.split(":::"):
        label = raw.strip().lstrip("*").strip()
        if label and label.lower() not in SYSTEM_LABELS and label not in out:
            out.append(label)
    return out


def _multi(row: dict[str, str], rec: ContactRecord, label_word: str, numbers: list[int] | None) -> None:
    """E-mails, phones, websites, relations and address from the numbered columns (``numbers``: those the header has)."""
    for n in (_numbers(row) if numbers is None else numbers):
        for kind, target in (("E-mail", rec.emails), ("Phone", rec.phones), ("Website", rec.urls)):
            label = _clean_label(pick(row, f"{kind} {n} - {label_word}"))
            for value in pick(row, f"{kind} {n} - Value").split(":::"):
                if value.strip():
                    target.append(Labeled(value.strip(), label))
        relation = RELATION_KINDS.get(_clean_label(pick(row, f"Relation {n} - {label_word}")).lower())
        if relation and pick(row, f"Relation {n} - Value"):
            rec.relations.append((relation, first(pick(row, f"Relation {n} - Value"))))
    if not rec.location:
        place = [pick(row, f"Address 1 - {p}") for p in ("City", "Region", "Country")]
        rec.location = ", ".join(p for p in place if p)


def _numbers(row: Iterable[str]) -> list[int]:
    """The numbers of the numbered columns the row has (``E-mail 2 - Value``: 2), in order.

    Only numbers present: a header naming ``E-mail 99999999 - Value`` must not
    make every row count to a hundred million.
    """
    return sorted({int(m.group(1)) for k in row if (m := re.search(r" (\d+) - ", k))})


def _clean_label(label: str) -> str:
    return header_key(label.lstrip("*"))
