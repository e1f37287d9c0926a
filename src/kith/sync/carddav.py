"""vCards on a CardDAV server: the values Kith models, and a card rewritten with only those changed.

A card Kith writes back keeps every line it does not model exactly as the
server had it (byte for byte: photos, X- properties, groups, parameters,
folding); only the lines of changed fields are replaced.
"""

from __future__ import annotations

import re
from typing import Any

from kith.importers.records import ContactRecord, ParseOptions
from kith.importers.vcard import read_card, split_cards
from kith.normalize import email_key

CONTENT_TYPE = "text/vcard; charset=utf-8"
SCALARS = ("name", "org", "title", "notes", "birthday")
LISTS = ("emails", "phones")
FIELDS = SCALARS + LISTS
# The vCard properties behind each field Kith models.
PROPERTIES = {"name": ("FN", "N"), "org": ("ORG",), "title": ("TITLE",), "notes": ("NOTE",),
              "birthday": ("BDAY",), "emails": ("EMAIL",), "phones": ("TEL",)}
_HEAD = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)[;:]")


class BadCard(ValueError):
    """A card that cannot be read."""


def parse_card(text: str, ref: str) -> ContactRecord:
    """The contact a card describes (the importers' own reader)."""
    cards, problems = split_cards(text, ref)
    if problems or len(cards) != 1:
        raise BadCard(str(problems[0].reason) if problems else "no BEGIN:VCARD ... END:VCARD")
    try:
        rec = read_card(cards[0][1], ref, ParseOptions(photos=False))
    except (ValueError, LookupError, UnicodeError) as exc:
        raise BadCard(f"cannot read it ({exc})") from None
    if not rec.display_name():
        raise BadCard("no name, e-mail or phone")
    return rec


def values_of(rec: ContactRecord) -> dict[str, Any]:
    """The values Kith models, in the form the three-way comparison uses."""
    return {"name": rec.display_name(), "org": rec.org, "title": rec.title, "notes": rec.notes,
            "birthday": rec.birthday, "emails": sorted({k for k in (email_key(e.value) for e in rec.emails) if k}),
            "phones": [p.value.strip() for p in rec.phones if p.value.strip()]}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """A content line folded at 75 octets (RFC 6350 3.2)."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def _lines_for(field: str, value: Any, name_parts: tuple[str, str]) -> list[str]:
    if field == "name":
        given, family = name_parts
        return [f"FN:{_escape(value)}", f"N:{_escape(family)};{_escape(given)};;;"]
    if field == "emails":
        return [f"EMAIL;TYPE=INTERNET:{v}" for v in value]
    if field == "phones":
        return [f"TEL:{_escape(v)}" for v in value]
    prop = PROPERTIES[field][0]
    return [f"{prop}:{_escape(value)}"] if value else []


def _units(text: str) -> tuple[list[list[str]], str]:
    """The card's physical lines grouped by logical line (a line and its continuations), and the line ending."""
    newline = "\r\n" if "\r\n" in text else "\n"
    units: list[list[str]] = []
    for raw in text.split(newline):
        if units and raw[:1] in (" ", "\t"):
            units[-1].append(raw)
        else:
            units.append([raw])
    return units, newline


def _prop(unit: list[str]) -> str:
    m = _HEAD.match(unit[0])
    return m.group(1).upper() if m else ""


def rewrite(text: str, changes: dict[str, Any], *, server: dict[str, Any], name_parts: tuple[str, str]) -> str:
    """The card with the changed fields' lines replaced and every other byte kept.

    For lists, lines whose value stays are kept as they were; only the
    values added are appended and the values dropped removed.
    """
    units, newline = _units(text)
    drop: set[str] = set()
    extra: list[str] = []
    keep_values: dict[str, set[str]] = {}
    for field, value in changes.items():
        if field in LISTS:
            old = server.get(field, [])
            wanted = list(value)
            keep_values[field] = {_list_key(field, v) for v in wanted}
            added = [v for v in wanted if _list_key(field, v) not in {_list_key(field, o) for o in old}]
            extra += _lines_for(field, added, name_parts)
        else:
            drop.update(PROPERTIES[field])
            extra += _lines_for(field, value, name_parts)
    out: list[str] = []
    for unit in units:
        prop = _prop(unit)
        if prop in drop:
            continue
        if prop == "END" and unit[0].strip().upper() == "END:VCARD":
            for line in extra:
                out += _fold(line)
            extra = []
        field = "emails" if prop == "EMAIL" else "phones" if prop == "TEL" else ""
        if field in keep_values:
            value = "".join([unit[0]] + [u[1:] for u in unit[1:]]).split(":", 1)[-1]
            if _list_key(field, value) not in keep_values[field]:
                continue
        out += unit
    return newline.join(out)


def _list_key(field: str, value: str) -> str:
    if field == "emails":
        return email_key(value) or value.strip().lower()
    return re.sub(r"[^0-9+]", "", value)
