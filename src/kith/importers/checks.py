"""What every parser's output goes through: clean text, bounded records, how the file was read.

:data:`kith.importers.PARSERS` wraps each format's ``parse`` in :func:`checked`,
so the rules hold for every importer alike:

- control characters (NUL, ESC, C1) and lone surrogates are removed from
  every text a record carries, the same on SQLite and PostgreSQL, and the
  count is reported;
- a record larger than a person's record can be (more than
  :data:`MAX_VALUES` e-mail addresses, a name longer than its column...) is
  refused with a problem naming it, never half-imported;
- a date outside the years 1900-2100 (:mod:`kith.clock`) is refused: an
  interaction on it is not imported, a contact keeps everything but that
  date; an interaction in the future is not imported (imports bring what
  happened; plan with ``kith log --planned``);
- the file's encoding (and any byte that was not UTF-8) is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path

from kith import clock
from kith.importers.reading import clean
from kith.importers.records import (
    ContactRecord,
    InteractionRecord,
    Item,
    Labeled,
    Parsed,
    ParseOptions,
    Party,
    Problem,
    Stream,
    display,
)
from kith.normalize import CONTROL

# At most this many e-mail addresses, phones, web addresses, relations or tags per person.
MAX_VALUES = 100
# At most this many people in one interaction (a meeting, a thread).
MAX_PARTICIPANTS = 500
# Longest text per field (the columns' widths; notes have no column limit but a sane one).
MAX_CHARS = {"name": 300, "given_name": 200, "family_name": 200, "nickname": 200, "org": 300, "title": 300,
             "location": 300, "birthday": 10, "notes": 100_000, "external_id": 450, "value": 500, "label": 100,
             "note": 100_000, "email": 320, "url": 500, "relation": 300, "tag": 100}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
_FIELD_NAMES = {"name": "a name", "given_name": "a given name", "family_name": "a family name", "nickname": "a nickname",
                "org": "an organisation", "title": "a title", "location": "a location", "birthday": "a birthday",
                "notes": "notes", "external_id": "an id", "value": "a value", "label": "a label", "note": "a note",
                "email": "an e-mail address", "url": "a web address", "relation": "a relation", "tag": "a tag"}

FUTURE_SLACK = timedelta(days=1)  # as kith.services.interactions: a clock a day off is not the future
_YEARS = f"the years {clock.FIRST_YEAR}-{clock.LAST_YEAR}"

Parser = Callable[[Path, ParseOptions], Parsed]
Streamer = Callable[[Path, ParseOptions], Stream]


def checked(parser: Parser) -> Parser:
    """``parser`` with clean, bounded records and the decoding reported (the rules of :func:`checked_stream`)."""

    def parse(path: Path, opts: ParseOptions) -> Parsed:
        opts.decoded.clear()
        parsed = _checked_items(parser(path, opts).stream().items, opts, display(path))
        out = Stream(parsed).collect()
        out.encoding = next((found.report() for found in opts.decoded), "")
        # What the file as a whole says (its encoding, control characters removed) comes first.
        out.problems = [p for p in out.problems if p.ref == "file"] + [p for p in out.problems if p.ref != "file"]
        return out

    parse.__doc__ = parser.__doc__
    return parse


def checked_stream(streamer: Streamer) -> Streamer:
    """``streamer`` (a format read row by row) under the same rules as :func:`checked`, a record at a time."""

    def stream(path: Path, opts: ParseOptions) -> Stream:
        opts.decoded.clear()
        inner = streamer(path, opts)
        return Stream(_checked_items(inner.items, opts, display(path)), inner.total)

    stream.__doc__ = streamer.__doc__
    return stream


def _checked_items(items: Iterator[Item], opts: ParseOptions, file: str) -> Iterator[Item]:
    now = opts.now or datetime.now(UTC)
    removed = 0
    latest = now + FUTURE_SLACK
    for item in items:
        if type(item) is InteractionRecord:  # the common case of the big files, without the general machinery
            cleaned, problem = _checked_interaction(item, latest, file)
            removed += cleaned
            yield problem or item
        elif type(item) is ContactRecord and _plain(item):  # the usual record: nothing to clean, nothing near a limit
            if (item.connected_on is None or clock.in_range(item.connected_on)) and not item.birthday[:4].isdigit():
                yield item  # and no date to check (what _check_dates would find nothing in)
                continue
            one = Parsed(contacts=[item])
            _check_dates(one, now, file)
            yield from one.contacts
            yield from one.problems
        elif isinstance(item, ContactRecord | InteractionRecord):
            one = Parsed(contacts=[item]) if isinstance(item, ContactRecord) else Parsed(interactions=[item])
            removed += _clean_records(one)
            one.contacts = [c for c in one.contacts if _fits(c, one, file)]
            one.interactions = [i for i in one.interactions if _fits(i, one, file)]
            _check_dates(one, now, file)
            yield from one.contacts
            yield from one.interactions
            yield from one.problems
        else:
            yield item
    for found in opts.decoded:
        if found.problem():
            yield Problem(file, "file", found.problem(), kept=True)
    if removed:
        yield Problem(file, "file", _removed_note(removed), kept=True)


def _checked_interaction(inter: InteractionRecord, latest: datetime, file: str) -> tuple[int, Problem | None]:
    """An interaction under the rules of :func:`_clean_records`, :func:`_fits` and :func:`_check_dates`, at
    a fraction of their cost: the texts are cleaned only when one search of them all finds a control
    character, and measured against the limits (:func:`_too_big`) only when one is longer than the shortest
    limit; how many characters were removed, and the problem that keeps the record out if any."""
    removed = 0
    parties = inter.participants
    limited = [inter.note]
    for p in parties:
        limited += (p.name, p.email, p.url, p.external_id)
    if CONTROL.search("".join((inter.ref, inter.kind, inter.direction, inter.dedupe_key, *limited))):
        removed += _clean_fields(inter)
        for party in parties:
            removed += _clean_fields(party)
    if len(parties) > MAX_PARTICIPANTS or max(map(len, limited)) > _SHORT_INTERACTION:
        why = _too_big(inter)
        if why:
            return removed, Problem(file, inter.ref, f"{why}; not imported")
    why = _date_problem(inter, latest)
    return removed, Problem(file, inter.ref, why) if why else None


def _date_problem(inter: InteractionRecord, latest: datetime) -> str:
    """Why an interaction's date keeps it out (outside the accepted years, or later than ``latest``), or ""."""
    if not clock.in_range(inter.when):
        return f"dated {inter.when.date().isoformat()}, outside {_YEARS}; not imported"
    if inter.when > latest:
        return f"dated {inter.when.date().isoformat()}, in the future; not imported"
    return ""


# The limits _too_big checks on an interaction: no text this long or shorter is over one of them.
_SHORT_INTERACTION = min(MAX_CHARS[k] for k in ("note", "name", "email", "url", "external_id"))


_CONTACT_STRINGS = attrgetter(*(f.name for f in fields(ContactRecord) if f.type == "str"))


def _plain(rec: ContactRecord) -> bool:
    """Whether a contact has no control character, no text over :data:`_SHORT` characters, few values and no photo:
    then cleaning removes nothing and every limit holds, and checking it field by field can be skipped."""
    if rec.photo is not None or len(rec.emails) + len(rec.phones) + len(rec.urls) + len(rec.tags) + len(
            rec.relations) > MAX_VALUES:
        return False
    texts = list(_CONTACT_STRINGS(rec))
    for v in (*rec.emails, *rec.phones, *rec.urls):
        texts += (v.value, v.label)
    texts += rec.tags
    for kind, name in rec.relations:
        texts += (kind, name)
    return max(map(len, texts)) <= _SHORT and CONTROL.search("".join(texts)) is None


def _removed_note(removed: int) -> str:
    return f"{removed} control character{'s' if removed > 1 else ''} (NUL, escape or similar) removed"


def _clean_records(parsed: Parsed) -> int:
    removed = 0
    for rec in parsed.contacts:
        removed += _clean_fields(rec)
        for value in [*rec.emails, *rec.phones, *rec.urls]:
            removed += _clean_fields(value)
        tags = [clean(t) for t in rec.tags]
        rec.tags = [t for t, _ in tags]
        relations = [(clean(k), clean(n)) for k, n in rec.relations]
        rec.relations = [(k, n) for (k, _), (n, _) in relations]
        removed += sum(n for _, n in tags) + sum(a + b for (_, a), (_, b) in relations)
    for inter in parsed.interactions:
        removed += _clean_fields(inter)
        for party in inter.participants:
            removed += _clean_fields(party)
    return removed


_NAMES: dict[type, tuple[str, ...]] = {}  # a record class's field names (dataclasses.fields() is slow per record)


def _clean_fields(obj: ContactRecord | InteractionRecord | Labeled | Party) -> int:
    removed = 0
    names = _NAMES.get(type(obj))
    if names is None:
        names = _NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    for name in names:
        value = getattr(obj, name)
        if value and isinstance(value, str) and CONTROL.search(value) is not None:
            text, n = clean(value)
            if n:
                setattr(obj, name, text)
                removed += n
    return removed


def _check_dates(parsed: Parsed, now: datetime, file: str) -> None:
    """Dates outside the accepted years refused; interactions in the future not imported."""
    for rec in parsed.contacts:
        if rec.connected_on is not None and not clock.in_range(rec.connected_on):
            parsed.problems.append(Problem(file, rec.ref, f"connection date {rec.connected_on.date().isoformat()} is "
                                           f"outside {_YEARS}; left out (kept the person)", kept=True))
            rec.connected_on = None
        if rec.birthday[:4].isdigit() and not clock.FIRST_YEAR <= int(rec.birthday[:4]) <= clock.LAST_YEAR:
            parsed.problems.append(Problem(file, rec.ref, f"birthday {rec.birthday} is outside {_YEARS}; "
                                           "left out (kept the person)", kept=True))
            rec.birthday = ""
    kept = []
    latest = now + FUTURE_SLACK
    for inter in parsed.interactions:
        why = _date_problem(inter, latest)
        if why:
            parsed.problems.append(Problem(file, inter.ref, why))
        else:
            kept.append(inter)
    parsed.interactions = kept


def _fits(rec: ContactRecord | InteractionRecord, parsed: Parsed, file: str) -> bool:
    """Whether ``rec`` is within the limits; a record that is not becomes a problem."""
    why = _too_big(rec)
    if why:
        parsed.problems.append(Problem(file, rec.ref, f"{why}; not imported"))
    return not why


def _too_big(rec: ContactRecord | InteractionRecord) -> str:
    if isinstance(rec, InteractionRecord):
        if len(rec.participants) > MAX_PARTICIPANTS:
            return f"{len(rec.participants):,} participants (at most {MAX_PARTICIPANTS})"
        long = _long_text(rec, ("note",)) or next(
            (_long_text(p, ("name", "email", "url", "external_id")) for p in rec.participants), "")
        return long
    for what, values in (("e-mail addresses", rec.emails), ("phone numbers", rec.phones), ("web addresses", rec.urls),
                         ("relations", rec.relations), ("tags", rec.tags)):
        if len(values) > MAX_VALUES:
            return f"{len(values):,} {what} (a person may have at most {MAX_VALUES})"
    if rec.photo is not None and len(rec.photo) > MAX_PHOTO_BYTES:
        return f"a photo of {len(rec.photo) / 1024**2:.1f} MB (at most {MAX_PHOTO_BYTES // 1024**2} MB)"
    why = _long_text(rec, _CONTACT_TEXTS)
    if why:
        return why
    for v in (*rec.emails, *rec.phones, *rec.urls):
        why = _over("value", v.value) or _over("label", v.label)
        if why:
            return why
    return next((why for t in rec.tags if (why := _over("tag", t))), "") or next(
        (why for _, n in rec.relations if (why := _over("relation", n))), "")


_CONTACT_TEXTS = ("name", "given_name", "family_name", "nickname", "org", "title", "location", "notes", "external_id")
# The limits _too_big checks on a contact: no text this long or shorter is over one of them.
_SHORT = min(MAX_CHARS[k] for k in (*_CONTACT_TEXTS, "value", "label", "tag", "relation"))


def _long_text(obj: object, names: tuple[str, ...]) -> str:
    for name in names:
        why = _over(name, getattr(obj, name, ""))
        if why:
            return why
    return ""


def _over(name: str, value: str) -> str:
    limit = MAX_CHARS[name]
    if len(value) > limit:
        return f"{_FIELD_NAMES.get(name, name)} of {len(value):,} characters (at most {limit:,})"
    return ""
