"""The daily digest over a real SMTP server (aiosmtpd): opt-in by adding an smtp account, sent once a day
by the background schedule, on demand by `kith sync NAME`; the day's agenda, ties cooling, people to thank."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from tests.conftest import FIXED_NOW
from tests.sync_servers import free_port, secrets_file  # noqa: F401  (fixtures)

from kith.runtime import Kith
from kith.services.cadences import set_cadence
from kith.services.digest import daily_digest
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.sync import BackgroundSync, sync_account
from kith.services.sync_accounts import add_account


class Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content)))
        return "250 OK"


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def network(kith: Kith) -> None:
    with kith.session() as s:
        ben = add_person(s, NewPerson(name="Ben Ford"), now=FIXED_NOW)
        set_cadence(s, "person", ben, 30)
        log_interaction(s, [ben], "call", when=datetime(2026, 5, 1, 10, tzinfo=UTC), now=FIXED_NOW)
        cara = add_person(s, NewPerson(name="Cara Diaz"), now=FIXED_NOW)
        record_favor(s, cara, "received", "an introduction to Acme", now=FIXED_NOW,
                     done_on=(FIXED_NOW - timedelta(days=2)).date())


def test_the_digest_holds_the_day_s_agenda_and_the_people_to_thank(kith: Kith, network: None) -> None:
    with kith.session() as s:
        digest = daily_digest(s, FIXED_NOW)
    text = digest.text()
    assert "Your Kith digest for 2026-06-15" in text
    assert "- Ben Ford: reconnect" in text
    assert [i.person for i in digest.thank] == ["Cara Diaz"]


def test_an_smtp_account_sends_the_digest_and_the_schedule_sends_it_once_a_day(
        kith: Kith, network: None, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with kith.session() as s:
        add_account(s, "smtp", "digest", url=f"smtp://127.0.0.1:{port}", user="", password="", now=FIXED_NOW,
                    options={"to": "me@example.org", "from": "kith@example.org"})
    with kith.session() as s:
        report = sync_account(s, "digest", now=FIXED_NOW)
    assert report.error == "" and report.headline() == "digest sent"
    [(sender, rcpts, msg)] = inbox.messages
    assert (sender, rcpts) == ("kith@example.org", ["me@example.org"])
    assert msg["Subject"].startswith("Kith for 2026-06-15") and msg["Auto-Submitted"] == "auto-generated"
    assert "Ben Ford: reconnect" in msg.get_payload()
    clock = [FIXED_NOW + timedelta(hours=1)]
    job = BackgroundSync(kith.factory, kith.session, 3600, now=lambda: clock[0])
    job.round()
    assert len(inbox.messages) == 1  # already sent today
    clock[0] = FIXED_NOW + timedelta(days=1)
    job.round()
    assert len(inbox.messages) == 2


def test_an_unreachable_mail_server_is_reported_in_plain_words(kith: Kith, network: None) -> None:
    port = free_port()
    with kith.session() as s:
        add_account(s, "smtp", "digest", url=f"smtp://127.0.0.1:{port}", user="", password="", now=FIXED_NOW,
                    options={"to": "me@example.org"})
    with kith.session() as s:
        report = sync_account(s, "digest", now=FIXED_NOW)
    assert report.error.startswith(f"cannot send through 127.0.0.1:{port}")
