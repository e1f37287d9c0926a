"""E-mail: an mbox file or a Maildir folder, headers only (bodies are never read into Kith).

Each message becomes part of an ``email`` interaction with everyone else on
it; messages of one thread on one day with the same people count once.
Mailing lists, bulk mail and no-reply senders are skipped.
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.errors import MessageError
from email.header import Header, decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from kith.errors import ImportFailed
from kith.importers.grouping import Threads
from kith.importers.records import Parsed, ParseOptions, Party, Problem, display
from kith.normalize import email_key, fold

NO_REPLY = re.compile(r"(^|[._+-])(no-?reply|do-?not-?reply|mailer-daemon|postmaster|notifications?|bounces?)([._+-]|@)", re.I)
BULK = {"list", "bulk", "junk"}
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read the headers of every message in an mbox file or a Maildir folder."""
    me = {k for k in (email_key(m) for m in opts.me) if k}
    if not me:
        raise ImportFailed("tell Kith your own e-mail addresses: --me you@example.com (or 'me' in the config file)")
    out, threads = Parsed(), Threads("email")
    seen = 0
    for number, data in messages(path):
        seen += 1
        ref = f"message {number}"
        try:
            headers = BytesHeaderParser().parsebytes(_head(data))
            _message(headers, ref, me, threads, out, display(path))
        except (ValueError, LookupError, TypeError, UnicodeError, MessageError) as exc:
            out.problems.append(Problem(display(path), ref, f"unreadable headers ({exc})"))
    if not seen:
        raise ImportFailed(f"{path}: no e-mail messages (is it an mbox file or a Maildir folder?)")
    out.interactions = threads.interactions("mail")
    return out


def messages(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number, header bytes) of each message of an mbox file or Maildir folder; bodies are skipped unread."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    try:
        if path.is_dir():
            if not (path / "cur").is_dir() and not (path / "new").is_dir():
                raise ImportFailed(f"{path}: a folder but not a Maildir (no cur/ or new/ inside)")
            box = mailbox.Maildir(path, create=False)
            for number, key in enumerate(sorted(box.iterkeys()), start=1):
                with box.get_file(key) as f:
                    yield number, _read_head(f)
        else:
            with path.open("rb") as f:
                yield from enumerate(mbox_heads(f), start=1)
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read it ({exc.strerror or exc})") from None


LINE = 1 << 16  # read at most this much of a line at a time: a file without line breaks costs no more memory
_ESCAPED_FROM = re.compile(rb">+From ")


def mbox_heads(f: IO[bytes]) -> Iterator[bytes]:
    """The header block of each message of an mbox file, read line by line in one pass.

    A message starts at every line beginning ``From `` (as Python's
    :class:`mailbox.mbox` splits them; the ``From`` line itself is not part of
    the message) and its headers end at the first empty line; lines before the
    first ``From`` line belong to no message. Header lines escaped the mboxrd
    way (``>From ``, ``>>From ``) lose one ``>``. Body lines are read and
    dropped, a piece of at most :data:`LINE` bytes at a time, so time is linear
    in the file's size and memory is one message's headers.
    """
    head: list[bytes] | None = None
    in_head = False
    at_start = True  # the piece read next begins a line
    while piece := f.readline(LINE):
        starts, at_start = at_start, piece.endswith(b"\n")
        if starts and piece.startswith(b"From "):
            if head is not None:
                yield b"".join(head) + b"\n"
            head, in_head = [], True
        elif in_head and head is not None:
            if starts and piece in (b"\n", b"\r\n"):
                in_head = False
            else:
                head.append(piece[1:] if starts and _ESCAPED_FROM.match(piece) else piece)
    if head is not None:
        yield b"".join(head) + b"\n"


class _Lines(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def _read_head(f: _Lines) -> bytes:
    """A message file's header block (up to its first empty line)."""
    out = []
    at_start = True
    while piece := f.readline(LINE):
        if at_start and piece in (b"\n", b"\r\n"):
            break
        at_start = piece.endswith(b"\n")
        out.append(piece)
    return b"".join(out) + b"\n"


def _head(data: bytes) -> bytes:
    """Only the header block: the body is never parsed."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = data.find(sep)
        if at >= 0:
            return data[:at + len(sep)]
    return data


def _text(value: object) -> str:
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError, TypeError, MessageError):  # e.g. an unknown charset
        return str(value)


def _message(msg: Message, ref: str, me: set[str], threads: Threads, out: Parsed, file: str) -> None:
    skip = skip_reason(msg)
    if skip:
        out.skip(skip)
        return
    when = _date(msg.get("Date"))
    if when is None:
        out.problems.append(Problem(file, ref, f"no readable Date header ({msg.get('Date')!r})"))
        return
    sender = _addresses(msg, "From")
    if not sender:
        out.problems.append(Problem(file, ref, "no sender (From header)"))
        return
    everyone = sender + _addresses(msg, "To") + _addresses(msg, "Cc")
    others: dict[str, Party] = {}
    for party in everyone:
        key = email_key(party.email) or ""
        if key and key not in me and key not in others:
            others[key] = party
    if not others:
        out.skip("message to yourself")
        return
    direction = "out" if email_key(sender[0].email) in me else "in"
    subject = _text(msg.get("Subject", "")).strip()
    threads.add(thread_of(msg, subject), when, list(others.values()), direction, ref, subject[:200])


def skip_reason(msg: Message) -> str:
    """Why a message is not a personal exchange (mailing list, bulk, no-reply), or ''."""
    if msg.get("List-Id") or msg.get("List-Unsubscribe") or msg.get("List-Post"):
        return "mailing list"
    if str(msg.get("Precedence", "")).strip().lower() in BULK:
        return "bulk mail"
    if str(msg.get("Auto-Submitted", "no")).strip().lower() not in ("", "no"):
        return "automatic message"
    sender = _addresses(msg, "From")
    if sender and NO_REPLY.search(sender[0].email):
        return "no-reply sender"
    return ""


def thread_of(msg: Message, subject: str) -> str:
    """The thread a message belongs to: its first reference, else itself, else its subject."""
    refs = str(msg.get("References", "")).split()
    for candidate in (refs[0] if refs else "", str(msg.get("In-Reply-To", "")).strip(), str(msg.get("Message-ID", "")).strip()):
        if candidate:
            return candidate
    return "subject:" + hashlib.sha1(fold(_REPLY_PREFIX.sub("", subject)).encode()).hexdigest()


def _raw(value: object) -> str:
    """A header's text; raw 8-bit bytes (a sender that did not encode its headers) read as UTF-8, else cp1252."""
    if not isinstance(value, Header):
        return str(value)
    out = []
    for chunk, charset in decode_header(value):
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        for codec in (charset if charset and charset != "unknown-8bit" else "utf-8", "cp1252", "latin-1"):
            try:
                out.append(chunk.decode(codec))
                break
            except (LookupError, UnicodeDecodeError):
                continue
    return "".join(out)


def _addresses(msg: Message, header: str) -> list[Party]:
    values = tuple(_raw(v) for v in msg.get_all(header, []))
    parse = _named_addresses if sum(map(len, values)) < 4096 else _named_addresses.__wrapped__  # a long one: not kept
    return [Party(name=name, email=addr) for name, addr in parse(values)]


@lru_cache(maxsize=16384)
def _named_addresses(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(name, address) of each address in a header's values: parsed once for each distinct header (a mailbox
    names the same correspondents in thousands of messages)."""
    return tuple((_text(name).strip().strip('"'), addr.strip()) for name, addr in getaddresses(list(values))
                 if "@" in addr)


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
