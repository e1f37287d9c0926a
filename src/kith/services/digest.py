"""The daily digest: the day's agenda, ties cooling, people to thank, as one plain-text e-mail.

Opt-in: it is sent only to whoever added an ``smtp`` account (`kith account add smtp digest --url
smtp://host:port --to you@example.org`); `kith serve` sends it once a day, `kith sync digest` now,
`kith digest` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy.orm import Session

from kith.services.agenda import AgendaItem, agenda

TODAY = 10  # items of the day's agenda shown
COOLING = ("rewarm-goal", "reconnect", "nurture")
THANKS = ("thank", "return-favour")


@dataclass(frozen=True)
class Digest:
    """One day's digest."""

    day: str
    today: list[AgendaItem] = field(default_factory=list)
    cooling: list[AgendaItem] = field(default_factory=list)
    thank: list[AgendaItem] = field(default_factory=list)

    def empty(self) -> bool:
        """Nothing to say."""
        return not (self.today or self.cooling or self.thank)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        def items(xs: list[AgendaItem]) -> list[dict[str, Any]]:
            return [{"person_id": i.person_id, "person": i.person, "action": i.action, "reason": i.reason,
                     "due": i.due.isoformat()} for i in xs]
        return {"day": self.day, "today": items(self.today), "cooling": items(self.cooling),
                "thank": items(self.thank)}

    def subject(self) -> str:
        """The e-mail's subject."""
        return f"Kith for {self.day}: {len(self.today)} on the agenda"

    def text(self) -> str:
        """The e-mail's body (plain text)."""
        def block(title: str, xs: list[AgendaItem]) -> list[str]:
            if not xs:
                return []
            return [title, *[f"- {i.person}: {i.action.replace('-', ' ')} ({i.reason})" for i in xs], ""]
        lines = [f"Your Kith digest for {self.day}", ""]
        lines += block("Today's agenda", self.today)
        lines += block("Ties cooling", self.cooling)
        lines += block("People to thank", self.thank)
        if self.empty():
            lines += ["Nothing on the agenda today.", ""]
        lines.append("-- Kith (remove the digest: kith account remove NAME)")
        return "\n".join(lines) + "\n"


def daily_digest(session: Session, now: datetime, *, size: int = TODAY) -> Digest:
    """The digest as of ``now``: the agenda's first items, and the cooling ties and thanks among the rest."""
    items = agenda(session, now, limit=200)
    return Digest(day=now.date().isoformat(), today=items[:size],
                  cooling=[i for i in items if i.action in COOLING][:size],
                  thank=[i for i in items if i.action in THANKS][:size])


def digest_message(digest: Digest, *, to: str, sender: str, now: datetime) -> EmailMessage:
    """The digest as an e-mail."""
    msg = EmailMessage()
    msg["Subject"] = digest.subject()
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("digest")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(digest.text())
    return msg
