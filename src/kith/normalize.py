"""Normalising what identifies people: folded text, e-mails, phones, profile URLs.

Matching (find, imports, duplicates) compares these keys, never raw values.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from unidecode import unidecode

_SPACES = re.compile(r"\s+")
_NANP = re.compile(r"^\+?[\d\s().-]+$")  # digits and separators only: no extension, no letters
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
# Control characters no text Kith keeps may hold: C0 but tab, newline and carriage return; DEL and C1;
# lone surrogates (from \ud800 in JSON), which no database can store (PostgreSQL refuses NUL in text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def without_control(text: str) -> tuple[str, int]:
    """``text`` without control characters (tab, newline and CR kept) and lone surrogates; and how many went.

    The one rule for text from outside: imported files (:mod:`kith.importers.checks`), and what people
    type in the CLI, the API and the web (:mod:`kith.store.typed_text` cleans every text column written).
    """
    return CONTROL.subn("", text)


def typed(text: str) -> str:
    """``text`` without control characters (see :func:`without_control`)."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def fold(text: str) -> str:
    """Accent- and case-free text with single spaces: ``'Zoë  Ünal'`` -> ``'zoe unal'``."""
    if not text:
        return ""
    return " ".join(unidecode(typed(text)).lower().split())  # (split: the whitespace of _SPACES, ends dropped)


def email_key(value: str) -> str | None:
    """The comparable form of an e-mail address, or None if it is not one."""
    v = (value or "").strip().strip("<>").strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    return v if _EMAIL.match(v) else None


def phone_key(value: str, region: str = "US") -> str | None:
    """E.164 form of a phone number (``+14155550100``), or its digits if unparseable."""
    raw = (value or "").strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:]
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 5:
        return None
    if region == "US" and _NANP.match(raw):  # what phonenumbers answers, without its 1 ms a number
        if raw.startswith("+") and len(digits) == 11 and digits[0] == "1" and digits[1] in "23456789":
            return "+" + digits
        if not raw.startswith("+") and len(digits) == 10 and digits[0] in "23456789":
            return "+1" + digits
    import phonenumbers  # 20 ms to import: only when a phone number is read

    try:
        parsed = phonenumbers.parse(raw, None if raw.startswith("+") else region)
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return digits


def url_key(value: str) -> str | None:
    """A profile URL without scheme, ``www.``, query, fragment, trailing slash or case.

    ``https://www.linkedin.com/in/Ana-Diaz/?trk=x`` -> ``linkedin.com/in/ana-diaz``.
    """
    raw = (value or "").strip()
    if not raw:
        return None
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or "." not in host:
        return None
    for prefix in ("www.", "m.", "mobile."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    if host.endswith(".linkedin.com"):  # de.linkedin.com and friends
        host = "linkedin.com"
    path = re.sub(r"/+", "/", parts.path).rstrip("/").lower()
    return host + path


def identifier_key(kind: str, value: str) -> str | None:
    """The matching key of an identifier of ``kind``; None if the value is unusable."""
    if kind == "email":
        return email_key(value)
    if kind == "phone":
        return phone_key(value)
    if kind in ("url", "linkedin", "facebook"):
        return url_key(value)
    v = fold(value)
    return v or None


def parse_name(name: str) -> tuple[str, str]:
    """Given and family name of a full name (nameparser, imported on first use: 40 ms of every start otherwise)."""
    from nameparser import HumanName

    parsed = HumanName(name)
    return parsed.first or "", parsed.last or ""


_DERIVED = re.compile(r"[a-z0-9_.]+(?:-[a-z0-9_.]+)*-row:.*#\d+", re.S)


def derived_id(source: str, base: str, n: int) -> str:
    """The source id an import makes for the ``n``-th record without any identifier that reads ``base``.

    It lets the same file, imported again, find the same people; it is Kith's
    bookkeeping, not something the user knows the person by: never shown
    (:func:`is_derived_id`).
    """
    return f"{source}-row:{base}#{n}"


def is_derived_id(kind: str, value: str) -> bool:
    """Whether an identifier is a source id made by :func:`derived_id` (hidden from person views)."""
    return kind == "external" and _DERIVED.fullmatch(value) is not None
