"""vCard 2.1, 3.0 and 4.0 address books.

Cards are read line by line with a tolerant reader rather than handed whole to
vobject: real address books write quoted-printable soft breaks, bare 2.1 type
parameters, unpadded base64 photos and LF-only files, and vobject gives up on
the whole card (or file) at the first of them. Each card is read on its own,
so one broken card is reported and the others are imported.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kith.errors import ImportFailed
from kith.importers.reading import birthday, read_decoded
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
from kith.importers.streaming import lines

# Labels Apple and Google write as _$!<Label>!$_, and relation labels we keep.
_AB_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")
_BEGIN = re.compile(r"BEGIN:VCARD", re.IGNORECASE)  # counted for the stream's estimated total
RELATION_LABELS = {
    "assistant": "assistant", "manager": "manager", "spouse": "spouse", "partner": "partner",
    "referred_by": "referred-by", "referred-by": "referred-by", "co-worker": "colleague",
    "colleague": "colleague", "agent": "agent",
}
X_RELATIONS = {
    "X-EVOLUTION-MANAGER": "manager", "X-EVOLUTION-ASSISTANT": "assistant", "X-EVOLUTION-SPOUSE": "spouse",
    "X-MS-MANAGER": "manager", "X-MS-ASSISTANT": "assistant", "X-MANAGER": "manager",
    "X-ASSISTANT": "assistant", "X-SPOUSE": "spouse", "X-MS-SPOUSE": "spouse",
}
SYSTEM_GROUPS = {"my contacts", "mycontacts", "starred in android", "* mycontacts"}


@dataclass
class Line:
    """One unfolded content line: ``group.NAME;params:value``."""

    group: str
    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    value: str = ""

    def types(self) -> list[str]:
        """The TYPE parameter values, lower-case (2.1 bare types included)."""
        return [t.lower() for v in self.params.get("TYPE", []) for t in v.split(",") if t]


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read every card of a .vcf file; broken cards become problems."""
    return stream(path, opts).collect()


def stream(path: Path, opts: ParseOptions) -> Stream:
    """Read a .vcf file card by card (a card's lines are held only while it is read); broken cards become
    problems."""
    text = read_decoded(path, opts)
    total = sum(1 for _ in _BEGIN.finditer(text))  # nested AGENT cards count too: an estimate, for progress
    if not total:
        raise ImportFailed(f"{path}: no vCard in this file (no BEGIN:VCARD line)")
    return Stream(_items(display(path), text, opts), total)


def _items(file: str, text: str, opts: ParseOptions) -> Iterator[Item]:
    for found in cards_of(text, file):
        if isinstance(found, Problem):
            yield found
            continue
        number, lines = found
        ref = f"card {number}"
        try:
            record = read_card(lines, ref, opts)
        except (ValueError, LookupError, UnicodeError) as exc:
            yield Problem(file, ref, f"cannot read it ({exc})")
            continue
        if not record.display_name():
            yield Problem(file, ref, "no name, e-mail or phone")
            continue
        yield record


def split_cards(text: str, file: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """Physical lines of each card (nested AGENT cards stay inside), numbered from 1; and the problems."""
    cards: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    for found in cards_of(text, file):
        if isinstance(found, Problem):
            problems.append(found)
        else:
            cards.append(found)
    return cards, problems


def cards_of(text: str, file: str) -> Iterator[tuple[int, list[str]] | Problem]:
    """Each card's physical lines as it ends (nested AGENT cards stay inside), numbered from 1; a card that
    never ends is a problem."""
    current: list[str] | None = None
    depth = 0
    number = 0
    for line in lines(text):
        raw = line.rstrip("\r\n")
        upper = raw.strip().upper()
        if upper == "BEGIN:VCARD":
            if current is None:
                current, depth = [], 1
                continue
            depth += 1
        elif upper == "END:VCARD" and current is not None:
            depth -= 1
            if depth == 0:
                number += 1
                yield number, current
                current = None
                continue
        if current is not None:
            current.append(raw)
    if current is not None:
        yield Problem(file, f"card {number + 1}", "the card never ends (no END:VCARD)")


def unfold(lines: list[str]) -> list[str]:
    """Logical lines: folded continuations joined, quoted-printable soft breaks joined.

    Each logical line is gathered as a list of pieces and joined once, so a
    value folded over 50,000 physical lines costs what its length does (joining
    into one growing string cost the square of it: 37 s for a 4 MB line).
    """
    out: list[list[str]] = []
    qp = False  # the current logical line is quoted-printable (read from its name and parameters)
    head: list[str] | None = None  # its name and parameters, until the first colon has been seen
    for raw in lines:
        if not raw.strip():
            if out and qp and out[-1][-1].endswith("="):
                out[-1][-1] = out[-1][-1][:-1]  # a blank line ends a soft-broken value
            continue
        if out and raw[:1] in (" ", "\t"):
            piece = raw[1:]
        elif out and qp and out[-1][-1].endswith("="):
            out[-1][-1] = out[-1][-1][:-1]
            piece = raw
        else:
            out.append([])
            qp, head, piece = False, [], raw
        out[-1].append(piece)
        if head is not None:
            before, colon, _ = piece.partition(":")
            head.append(before)
            if colon:
                qp, head = "QUOTED-PRINTABLE" in "".join(head).upper(), None
    return ["".join(pieces) for pieces in out]


def parse_line(text: str) -> Line | None:
    """Split a logical line into group, name, parameters and raw value; None if it has no colon."""
    colon = _unquoted_colon(text)
    if colon < 0:
        return None
    head, value = text[:colon], text[colon + 1:]
    parts = _split_params(head)
    name = parts[0].strip()
    group = ""
    if "." in name:
        group, name = name.rsplit(".", 1)
    line = Line(group=group.lower(), name=name.upper(), value=value)
    for p in parts[1:]:
        key, eq, val = p.partition("=")
        if not eq:  # vCard 2.1: bare "WORK", "QUOTED-PRINTABLE", "BASE64"
            key, val = _bare_param(key)
        line.params.setdefault(key.strip().upper(), []).append(val.strip().strip('"'))
    return line


def _bare_param(word: str) -> tuple[str, str]:
    w = word.strip().upper()
    if w in ("QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"):
        return "ENCODING", w
    return "TYPE", w


def _unquoted_colon(text: str) -> int:
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            return i
    return -1


def _split_params(head: str) -> list[str]:
    parts, buf, quoted = [], "", False
    for ch in head:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return parts


def raw_bytes(line: Line) -> bytes:
    """The value's bytes after its transfer encoding (quoted-printable or base64)."""
    enc = {e.upper() for e in line.params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" in enc:
        return quopri.decodestring(line.value.encode("latin-1", "replace"))
    if enc & {"B", "BASE64"}:
        data = re.sub(r"\s+", "", line.value)
        return base64.b64decode(data + "=" * (-len(data) % 4))
    return line.value.encode("utf-8", "surrogateescape")


def text_value(line: Line) -> str:
    """The value as text: transfer encoding and charset undone (escapes kept)."""
    enc = {e.upper() for e in line.params.get("ENCODING", [])}
    if "QUOTED-PRINTABLE" not in enc:
        return line.value
    charset = (line.params.get("CHARSET") or ["utf-8"])[0] or "utf-8"
    data = raw_bytes(line)
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")


def unescape(text: str) -> str:
    r"""Undo vCard escapes: ``\n``, ``\,``, ``\;``, ``\\``, ``\:``."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def components(text: str, sep: str = ";") -> list[str]:
    """Split a structured value on unescaped separators, then unescape each part."""
    parts = re.split(r"(?<!\\)" + re.escape(sep), text)
    return [unescape(p).strip() for p in parts]


def read_card(raw_lines: list[str], ref: str, opts: ParseOptions) -> ContactRecord:
    """Turn one card's lines into a :class:`ContactRecord`."""
    lines = [ln for ln in (parse_line(t) for t in unfold(raw_lines)) if ln is not None]
    labels = {ln.group: _label(text_value(ln)) for ln in lines if ln.name == "X-ABLABEL" and ln.group}
    rec = ContactRecord(ref=ref)
    notes: list[str] = []  # gathered, then joined once: a card of 100,000 NOTE lines stays linear
    tags: dict[str, None] = {}
    for ln in lines:
        if ln.name == "NOTE":
            notes.append(unescape(text_value(ln)).replace("\r\n", "\n").strip())
        elif ln.name == "CATEGORIES":
            tags.update((t, None) for t in (tag.strip() for tag in unescape(text_value(ln)).split(","))
                        if t and t.lower() not in SYSTEM_GROUPS)
        else:
            _apply(rec, ln, labels.get(ln.group, "") if ln.group else "", opts)
    rec.notes = "\n".join(n for n in notes if n)
    rec.tags = list(tags)
    if not rec.name and (rec.given_name or rec.family_name):
        rec.name = " ".join(f"{rec.given_name} {rec.family_name}".split())
    return rec


def _label(text: str) -> str:
    raw = unescape(text).strip()
    m = _AB_LABEL.match(raw)
    return (m.group(1) if m else raw).lower()


def _apply(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    handler = _HANDLERS.get(ln.name)
    if handler is not None:
        handler(rec, ln, label, opts)
    elif ln.name in X_RELATIONS:
        name = unescape(text_value(ln)).strip()
        if name:
            rec.relations.append((X_RELATIONS[ln.name], name))


def _fn(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not rec.name:
        rec.name = " ".join(unescape(text_value(ln)).split())


def _n(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    parts = [*components(text_value(ln)), "", ""]
    if not rec.family_name and not rec.given_name:
        rec.family_name, rec.given_name = " ".join(parts[0].split()), " ".join(parts[1].split())


def _nickname(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not rec.nickname:
        rec.nickname = components(text_value(ln), ",")[0]


def _email(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    value = unescape(text_value(ln)).strip()
    if value:
        rec.emails.append(Labeled(value, label or _type_label(ln, {"internet", "pref"})))


def _tel(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    value = unescape(text_value(ln)).strip()
    if value.lower().startswith("tel:"):
        value = value[4:].split(";", 1)[0]
    if value:
        rec.phones.append(Labeled(value, label or _type_label(ln, {"voice", "pref"})))


def _url(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    value = unescape(text_value(ln)).strip()
    if value:
        rec.urls.append(Labeled(value, label or _type_label(ln, {"pref"})))


def _type_label(ln: Line, ignore: set[str]) -> str:
    kept = [t for t in ln.types() if t not in ignore and not t.startswith("x-")]
    return ",".join(kept)


def _org(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not rec.org:
        rec.org = components(text_value(ln))[0]


def _title(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not rec.title:
        rec.title = " ".join(unescape(text_value(ln)).split())


def _bday(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not rec.birthday:  # ALTID alternatives: the first readable one wins
        rec.birthday = birthday(unescape(text_value(ln)))


def _adr(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if rec.location:
        return
    parts = [*components(text_value(ln)), "", "", "", "", "", "", ""]
    place = [p for p in (parts[3], parts[4], parts[6]) if p]
    rec.location = ", ".join(" ".join(p.split()) for p in place)


def _photo(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    if not opts.photos or rec.photo is not None:
        return
    value = ln.value.strip()
    kind = (ln.types() or [""])[0]
    if value.lower().startswith("data:"):
        meta, _, data = value.partition(",")
        kind = meta[5:].split(";")[0].split("/")[-1]
        ln = Line(ln.group, ln.name, {"ENCODING": ["B"]}, data)
    elif not {e.upper() for e in ln.params.get("ENCODING", [])} & {"B", "BASE64"}:
        return  # a URL: not fetched
    try:
        rec.photo = raw_bytes(ln)
    except binascii.Error:
        return  # a damaged photo is dropped, never the card
    rec.photo_type = _photo_ext(kind, rec.photo)


def _photo_ext(kind: str, data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"GIF8"):
        return "gif"
    return {"png": "png", "gif": "gif"}.get(kind.lower(), "jpg")


def _related(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    value = unescape(text_value(ln)).strip()
    if not value or re.match(r"^(urn|https?|mailto):", value, re.I):
        return  # a reference to another card, not a name
    kind = label or (ln.types() or ["contact"])[0]
    rec.relations.append((RELATION_LABELS.get(kind, kind), value))


def _uid(rec: ContactRecord, ln: Line, label: str, opts: ParseOptions) -> None:
    value = unescape(text_value(ln)).strip()
    if value and not rec.external_id:
        rec.external_id = "vcard:" + value


_HANDLERS = {
    "FN": _fn, "N": _n, "NICKNAME": _nickname, "EMAIL": _email, "TEL": _tel, "URL": _url,
    "ORG": _org, "TITLE": _title, "BDAY": _bday,
    "ADR": _adr, "PHOTO": _photo, "RELATED": _related, "X-ABRELATEDNAMES": _related, "UID": _uid,
}
