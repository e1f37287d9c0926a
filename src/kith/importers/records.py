"""What a parser yields: plain records, independent of the database.

Every importer turns a file into a :class:`Parsed` holding
:class:`ContactRecord` and :class:`InteractionRecord` objects plus the
:class:`Problem` of each record it could not read. Only
:mod:`kith.services.importing` turns records into rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kith.importers.reading import Decoded


@dataclass
class Labeled:
    """A value with the label the source gave it (``work``, ``mobile``...)."""

    value: str
    label: str = ""


@dataclass
class ContactRecord:
    """One person as a file describes them; ``ref`` says where ("card 3", "row 12")."""

    ref: str
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    nickname: str = ""
    emails: list[Labeled] = field(default_factory=list)
    phones: list[Labeled] = field(default_factory=list)
    urls: list[Labeled] = field(default_factory=list)
    org: str = ""
    title: str = ""
    location: str = ""
    birthday: str = ""  # YYYY-MM-DD or --MM-DD
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    photo: bytes | None = None
    photo_type: str = ""  # file extension: jpg, png, gif
    # (kind, name): ("assistant", "Ann Lee") means Ann Lee is this person's assistant.
    relations: list[tuple[str, str]] = field(default_factory=list)
    connected_on: datetime | None = None
    external_id: str = ""

    def display_name(self) -> str:
        """The name to show, built from the parts when the file gave none."""
        if self.name.strip():
            return " ".join(self.name.split())
        parts = " ".join(f"{self.given_name} {self.family_name}".split())
        if parts:
            return parts
        if self.nickname.strip():
            return self.nickname.strip()
        if self.emails:
            return self.emails[0].value.split("@")[0]
        return ""


@dataclass
class Party:
    """Someone taking part in an interaction, as the file names them."""

    name: str = ""
    email: str = ""
    url: str = ""
    external_id: str = ""

    def label(self) -> str:
        """A short human form for messages."""
        return self.name or self.email or self.url or self.external_id


@dataclass
class InteractionRecord:
    """One interaction; ``dedupe_key`` makes re-imports idempotent."""

    ref: str
    when: datetime
    kind: str
    direction: str
    participants: list[Party]
    dedupe_key: str
    note: str = ""


@dataclass
class Problem:
    """A record that could not be read: which file, which record, what is wrong."""

    file: str
    ref: str
    reason: str
    kept: bool = False  # the record was imported all the same (only part of it was unreadable)

    def __str__(self) -> str:
        return f"{self.file}: {self.ref}: {self.reason}"


@dataclass
class Parsed:
    """Everything read from one file."""

    contacts: list[ContactRecord] = field(default_factory=list)
    interactions: list[InteractionRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Records left out on purpose (mailing list, declined event...): reason -> count.
    skipped: dict[str, int] = field(default_factory=dict)
    encoding: str = ""  # how the file's text was decoded ("utf-8 (valid UTF-8)"); "" for mail

    def skip(self, reason: str) -> None:
        """Count a record left out on purpose."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def stream(self) -> Stream:
        """The same records as a stream (contacts, then interactions, then problems and skips)."""

        def items() -> Iterator[Item]:
            yield from self.contacts
            yield from self.interactions
            yield from self.problems
            for reason, n in self.skipped.items():
                yield Skipped(reason, n)

        return Stream(items(), len(self.contacts) + len(self.interactions))


@dataclass
class Skipped:
    """Records left out on purpose (a mailing list, a draft...), ``count`` of them, in a stream."""

    reason: str
    count: int = 1


Item = ContactRecord | InteractionRecord | Problem | Skipped
"""What a stream yields, in file order."""


@dataclass
class Stream:
    """A file's records read as they come, for imports of any size; ``total`` estimates how many."""

    items: Iterator[Item]
    total: int = 0

    def collect(self) -> Parsed:
        """Every record in memory (what :func:`parse` returns)."""
        out = Parsed()
        for item in self.items:
            if isinstance(item, ContactRecord):
                out.contacts.append(item)
            elif isinstance(item, InteractionRecord):
                out.interactions.append(item)
            elif isinstance(item, Problem):
                out.problems.append(item)
            else:
                out.skipped[item.reason] = out.skipped.get(item.reason, 0) + item.count
        return out


@dataclass
class ParseOptions:
    """What some parsers need besides the file."""

    me: list[str] = field(default_factory=list)  # the user's own e-mails, names or profile URLs
    now: datetime | None = None  # recurring events are expanded up to now
    photos: bool = True
    encoding: str | None = None  # --encoding: the file's text encoding, instead of detecting it
    decoded: list[Decoded] = field(default_factory=list)  # filled by the reader: how each text was decoded


def as_date(value: datetime | None) -> date | None:
    """The date part of an optional datetime."""
    return value.date() if value else None


def display(path: Path) -> str:
    """How a file is named in messages."""
    return path.name or str(path)
