"""Message headers from an IMAP server (RFC 3501), never bodies.

The client lists the folders to read (the inbox and the folder of sent
mail), reports a folder's UIDVALIDITY and the UIDs above a mark, and fetches
only the header fields Kith reads (``BODY.PEEK``: nothing is marked read).
:func:`message` turns one header block into who wrote to whom, with the
header rules of the mail importer (mailing lists, bulk, no-reply skipped).
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import MessageError
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from urllib.parse import unquote, urlsplit

from kith.importers.mbox import skip_reason, thread_of
from kith.importers.records import Party
from kith.normalize import email_key
from kith.sync import AuthFailed, SyncError, Unreachable

FIELDS = ("FROM", "TO", "CC", "DATE", "SUBJECT", "MESSAGE-ID", "IN-REPLY-TO", "REFERENCES", "LIST-ID",
          "LIST-UNSUBSCRIBE", "LIST-POST", "PRECEDENCE", "AUTO-SUBMITTED")
BATCH = 1000  # UIDs per FETCH
_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) (?P<name>.+)$')


@dataclass
class Message:
    """One message as Kith sees it: the people on it other than you, the direction, its thread."""

    uid: int
    when: datetime
    others: list[Party]
    direction: str
    thread: str
    subject: str


class MailClient:
    """One IMAP connection (``imap://`` or ``imaps://host:port``)."""

    def __init__(self, url: str, user: str, password: str, *, timeout: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise SyncError(f"'{url}' is not an imap:// or imaps:// address")
        self.host = parts.hostname
        self.port = parts.port or (993 if parts.scheme == "imaps" else 143)
        self.path_folder = unquote(parts.path.strip("/"))
        try:
            if parts.scheme == "imaps":
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(self.host, self.port, timeout=timeout,
                                                              ssl_context=ssl.create_default_context())
            else:
                self.imap = imaplib.IMAP4(self.host, self.port, timeout=timeout)
        except (OSError, imaplib.IMAP4.error) as exc:
            reason = "no answer (timed out)" if isinstance(exc, socket.timeout) else (
                getattr(exc, "strerror", None) or str(exc))
            raise Unreachable(f"cannot reach {self.host}:{self.port} ({reason})") from None
        try:
            self.imap.login(user, password)
        except imaplib.IMAP4.error:
            self.close()
            raise AuthFailed(f"{self.host}: the server refused the user name or password") from None
        except OSError as exc:
            raise Unreachable(f"{self.host}:{self.port}: the connection was lost ({exc})") from None

    def close(self) -> None:
        """Log out (quietly when the connection is gone)."""
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.imap.logout()

    def _ok(self, what: str, result: tuple[str, list[object]]) -> list[object]:
        typ, data = result
        if typ != "OK":
            raise SyncError(f"{self.host}: {what} failed ({_text_of(data)})")
        return data

    def _call(self, what: str, fn: object, *args: object) -> list[object]:
        try:
            return self._ok(what, fn(*args))  # type: ignore[operator]
        except imaplib.IMAP4.abort as exc:
            raise Unreachable(f"{self.host}:{self.port}: the connection was lost ({exc})") from None
        except OSError as exc:
            raise Unreachable(f"{self.host}:{self.port}: the connection was lost ({exc})") from None
        except imaplib.IMAP4.error as exc:
            raise SyncError(f"{self.host}: {what} failed ({exc})") from None

    def folders(self, wanted: list[str]) -> list[str]:
        """The folders to read: those named, else the inbox and the folders marked \\Sent."""
        if wanted:
            return wanted
        if self.path_folder:
            return [self.path_folder]
        found = ["INBOX"]
        for line in self._call("LIST", self.imap.list):
            if not isinstance(line, bytes):
                continue
            m = _LIST.match(line)
            if m and b"\\sent" in m.group("flags").lower():
                name = m.group("name").strip()
                found.append(name[1:-1].decode() if name.startswith(b'"') else name.decode())
        return found

    def select(self, folder: str) -> int:
        """Open a folder read-only; its UIDVALIDITY."""
        self._call(f"SELECT {folder}", self.imap.select, _quote(folder), True)
        data = self._call("STATUS", self.imap.status, _quote(folder), "(UIDVALIDITY)")
        m = re.search(rb"UIDVALIDITY (\d+)", data[0] if isinstance(data[0], bytes) else b"")
        if not m:
            raise SyncError(f"{self.host}: {folder} has no UIDVALIDITY")
        return int(m.group(1))

    def uids_after(self, last: int) -> list[int]:
        """UIDs above ``last``, ascending."""
        data = self._call("SEARCH", self.imap.uid, "SEARCH", f"UID {last + 1}:*")
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        return sorted(u for u in (int(x) for x in raw.split()) if u > last)

    def headers(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(UID, header block) of each message named (only the fields Kith reads)."""
        for at in range(0, len(uids), BATCH):
            chunk = uids[at:at + BATCH]
            spec = ",".join(str(u) for u in chunk)
            data = self._call("FETCH", self.imap.uid, "FETCH", spec,
                              f"(UID BODY.PEEK[HEADER.FIELDS ({' '.join(FIELDS)})])")
            for part in data:
                if isinstance(part, tuple) and len(part) == 2:
                    m = re.search(rb"UID (\d+)", part[0])
                    if m:
                        yield int(m.group(1)), part[1]


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text_of(data: list[object]) -> str:
    return " ".join(d.decode(errors="replace") if isinstance(d, bytes) else str(d) for d in data)


def _text(value: object) -> str:
    try:
        return str(make_header(decode_header(str(value))))
    except (ValueError, LookupError, UnicodeError, TypeError, MessageError):
        return str(value)


def message(uid: int, head: bytes, me: set[str]) -> Message | str:
    """Who wrote to whom, or why the message does not count (a skip reason, or 'problem: ...')."""
    try:
        msg = BytesHeaderParser().parsebytes(head)
        skip = skip_reason(msg)
        if skip:
            return skip
        raw_date = msg.get("Date")
        try:
            when = parsedate_to_datetime(str(raw_date)) if raw_date else None
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is None:
            return f"problem: no readable Date header ({raw_date!r})"
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
        parties = {h: [Party(name=_text(n).strip().strip('"'), email=a.strip())
                       for n, a in getaddresses([str(v) for v in msg.get_all(h, [])]) if "@" in a]
                   for h in ("From", "To", "Cc")}
        if not parties["From"]:
            return "problem: no sender (From header)"
        others: dict[str, Party] = {}
        for party in parties["From"] + parties["To"] + parties["Cc"]:
            key = email_key(party.email) or ""
            if key and key not in me and key not in others:
                others[key] = party
        if not others:
            return "message to yourself"
        if not any(email_key(p.email) in me for p in parties["From"] + parties["To"] + parties["Cc"]):
            return "message not to or from you"
        direction = "out" if email_key(parties["From"][0].email) in me else "in"
        subject = _text(msg.get("Subject", "")).strip()
        return Message(uid, when, list(others.values()), direction, thread_of(msg, subject), subject[:200])
    except (ValueError, LookupError, TypeError, UnicodeError, MessageError) as exc:
        return f"problem: unreadable headers ({exc})"
