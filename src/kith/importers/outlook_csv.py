"""Outlook CSV, desktop and Outlook.com variants, mapped by header name.

Outlook's ``Title`` is the honorific (Mr., Dr.); the job is ``Job Title``.
``Manager's Name`` and ``Assistant's Name`` become relations: the assistant is
the gatekeeper of the person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import birthday
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

EMAILS = ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
PHONES = (
    ("Mobile Phone", "mobile"), ("Business Phone", "work"), ("Business Phone 2", "work"),
    ("Home Phone", "home"), ("Home Phone 2", "home"), ("Primary Phone", ""), ("Other Phone", "other"),
    ("Company Main Phone", "work"), ("Car Phone", "car"), ("Pager", "pager"),
)
EMPTY_DATES = {"0/0/00", "00/00/00", "1/1/1601", "0/0/0000"}


HEADER = ("First Name", "Last Name", "E-mail Address")  # the columns that make a file an Outlook export


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read an Outlook contacts CSV."""
    return stream(path, opts).collect()


def stream(path: Path, opts: ParseOptions) -> Stream:
    """Read an Outlook contacts CSV row by row."""
    rows = CsvRows(path, HEADER, opts=opts)
    if rows.header is None:
        raise ImportFailed(f"{path}: not an Outlook CSV (no 'First Name,...,Last Name,...,E-mail Address' header)")
    return Stream(_items(path, rows), rows.total)


def _items(path: Path, rows: CsvRows) -> Iterator[Item]:
    for line, row in rows:
        rec = contact(row, f"row {line}")
        if not rec.display_name():
            yield Problem(display(path), rec.ref, "no name, e-mail or phone")
            continue
        yield rec


def contact(row: dict[str, str], ref: str) -> ContactRecord:
    """One Outlook row as a contact record."""
    given, family = pick(row, "First Name"), pick(row, "Last Name")
    name = " ".join(f"{given} {pick(row, 'Middle Name')} {family} {pick(row, 'Suffix')}".split())
    bday = pick(row, "Birthday")
    rec = ContactRecord(
        ref=ref, name=name, given_name=given, family_name=family, nickname=pick(row, "Nickname"),
        org=pick(row, "Company"), title=pick(row, "Job Title"), notes=pick(row, "Notes"),
        birthday="" if bday in EMPTY_DATES else birthday(bday),
        tags=[t.strip() for t in pick(row, "Categories").replace(",", ";").split(";") if t.strip()],
        location=_location(row),
    )
    rec.emails = [Labeled(pick(row, c)) for c in EMAILS if pick(row, c)]
    rec.phones = [Labeled(pick(row, c), label) for c, label in PHONES if pick(row, c)]
    if pick(row, "Web Page"):
        rec.urls.append(Labeled(pick(row, "Web Page")))
    for column, kind in (("Manager's Name", "manager"), ("Assistant's Name", "assistant")):
        if pick(row, column):
            rec.relations.append((kind, pick(row, column)))
    return rec


def _location(row: dict[str, str]) -> str:
    for where in ("Business", "Home", "Other"):
        parts = [pick(row, f"{where} City"), pick(row, f"{where} State"), pick(row, f"{where} Country/Region", f"{where} Country")]
        if any(parts):
            return ", ".join(p for p in parts if p)
    return ""
