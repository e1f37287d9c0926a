"""Counting conversations once per day: messages of one thread on one day are one interaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kith.importers.records import InteractionRecord, Party


@dataclass
class DayThread:
    """The messages of one thread on one day with the same people."""

    first: datetime
    ref: str
    parties: list[Party]
    note: str
    directions: set[str] = field(default_factory=set)


class Threads:
    """Collects messages, yields one interaction per (thread, day, people)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.groups: dict[tuple[str, str, tuple[str, ...]], DayThread] = {}

    def add(self, thread: str, when: datetime, parties: list[Party], direction: str, ref: str, note: str) -> None:
        """Count one message."""
        who = tuple(sorted((p.email or p.url or p.name).lower() for p in parties))
        key = (thread, when.date().isoformat(), who)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = DayThread(first=when, ref=ref, parties=parties, note=note)
        group.first = min(group.first, when)
        group.directions.add(direction)

    def interactions(self, prefix: str) -> list[InteractionRecord]:
        """One interaction per group; both directions on one day make it mutual."""
        import hashlib

        out = []
        for (thread, day, who), g in self.groups.items():
            direction = g.directions.pop() if len(g.directions) == 1 else "mutual"
            digest = hashlib.sha1("|".join((thread, day, *who)).encode("utf-8", "replace")).hexdigest()
            out.append(InteractionRecord(ref=g.ref, when=g.first, kind=self.kind, direction=direction,
                                         participants=g.parties, dedupe_key=f"{prefix}:{digest}", note=g.note))
        return out
