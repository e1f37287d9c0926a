"""IMAP capture against a real Dovecot: who wrote to whom (headers only), direction, bulk and no-reply
skipped, incremental by UIDVALIDITY and UID, resumable after a failure, never duplicating."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Dovecot, dovecot, mail, secrets_file  # noqa: F401  (fixtures)

from kith.runtime import Kith
from kith.services import sync as sync_service
from kith.services.interactions import InteractionQuery, list_interactions
from kith.services.people import find_people
from kith.services.sync_accounts import add_account, get_account
from kith.store.models import Interaction

ME = "alice@example.org"


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def account(kith: Kith, dovecot: Dovecot) -> str:  # noqa: F811
    with kith.session() as s:
        add_account(s, "imap", "mail", url=dovecot.url, user=USER, password=PASSWORD, now=FIXED_NOW,
                    options={"me": [ME]})
    return "mail"


def sync(kith: Kith, clients: sync_service.Clients | None = None) -> sync_service.SyncReport:
    with kith.session() as s:
        return sync_service.sync_account(s, "mail", now=FIXED_NOW, clients=clients)


def count(kith: Kith) -> int:
    with kith.session() as s:
        return s.query(Interaction).count()


def test_messages_to_and_from_me_become_email_interactions_with_their_direction(
        kith: Kith, dovecot: Dovecot, account: str) -> None:  # noqa: F811
    dovecot.append([mail(1, frm="Bo Chen <bo@example.net>", to=ME, subject="lunch?", day=2)])
    dovecot.append([mail(2, frm=ME, to="Cara Diaz <cara@example.com>", cc="dan@example.com", subject="plan",
                         day=3)], folder="Sent")
    report = sync(kith)
    assert report.error == "" and report.interactions_added == 2, report.as_dict()
    with kith.session() as s:
        [bo] = find_people(s, "Bo Chen")
        [from_bo], _ = list_interactions(s, InteractionQuery(person_id=bo.id))
        assert (from_bo.kind, from_bo.direction) == ("email", "in")
        [cara] = find_people(s, "Cara Diaz")
        [to_cara], _ = list_interactions(s, InteractionQuery(person_id=cara.id))
        assert to_cara.direction == "out" and len(find_people(s, "dan")) == 1
        assert all("body" not in (i.note or "").lower() for i in s.query(Interaction))


def test_newsletters_no_reply_and_bulk_senders_are_skipped(
        kith: Kith, dovecot: Dovecot, account: str) -> None:  # noqa: F811
    dovecot.append([
        mail(1, frm="news@shop.example", to=ME, extra="List-Unsubscribe: <mailto:u@shop.example>"),
        mail(2, frm="no-reply@service.example", to=ME),
        mail(3, frm="promo@bulk.example", to=ME, extra="Precedence: bulk"),
        mail(4, frm="robot@ops.example", to=ME, extra="Auto-Submitted: auto-generated"),
        mail(5, frm="Real Person <real@example.com>", to=ME),
    ])
    report = sync(kith)
    assert report.interactions_added == 1
    assert report.skipped == {"mailing list": 1, "no-reply sender": 1, "bulk mail": 1, "automatic message": 1}


def test_a_second_sync_reads_only_new_messages_and_never_duplicates(
        kith: Kith, dovecot: Dovecot, account: str) -> None:  # noqa: F811
    dovecot.append([mail(i, frm=f"p{i}@example.com", to=ME, msgid=f"a{i}@x") for i in range(5)])
    assert sync(kith).interactions_added == 5
    again = sync(kith)
    assert (again.interactions_added, again.interactions_known) == (0, 0), again.as_dict()
    dovecot.append([mail(9, frm="new@example.com", to=ME, msgid="new@x")])
    assert sync(kith).interactions_added == 1
    assert count(kith) == 6
    with kith.session() as s:
        marks = get_account(s, "mail").state["folders"]
        assert marks["INBOX"]["last_uid"] == 6 and marks["INBOX"]["uidvalidity"] > 0


def test_a_new_uidvalidity_rereads_the_folder_without_duplicating(
        kith: Kith, dovecot: Dovecot, account: str) -> None:  # noqa: F811
    dovecot.append([mail(i, frm=f"p{i}@example.com", to=ME, msgid=f"b{i}@x") for i in range(3)])
    sync(kith)
    with kith.session() as s:
        old = get_account(s, "mail").state["folders"]["INBOX"]["uidvalidity"]
    dovecot.new_uidvalidity()
    report = sync(kith)
    with kith.session() as s:
        assert get_account(s, "mail").state["folders"]["INBOX"]["uidvalidity"] != old
    assert (report.interactions_added, report.interactions_known) == (0, 3)
    assert count(kith) == 3


def test_a_server_going_down_mid_sync_is_reported_and_the_next_sync_resumes(
        kith: Kith, dovecot: Dovecot, account: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    dovecot.append([mail(i, frm=f"p{i}@example.com", to=ME, msgid=f"c{i}@x") for i in range(12)])
    monkeypatch.setattr(sync_service, "MAIL_BATCH", 5)
    batches = 0

    class Failing(sync_service.MailClient):
        def headers(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
            nonlocal batches
            batches += 1
            if batches == 2:
                dovecot.stop()
            yield from super().headers(uids)

    broken = sync(kith, sync_service.Clients(mail=Failing))
    assert "lost" in broken.error or "cannot reach" in broken.error, broken.as_dict()
    assert count(kith) == 5  # the first batch is kept
    with kith.session() as s:
        account_row = get_account(s, "mail")
        assert account_row.last_error == broken.error and account_row.state["folders"]["INBOX"]["last_uid"] == 5
    dovecot.start()
    resumed = sync(kith)
    assert resumed.error == "" and resumed.interactions_added == 7 and resumed.interactions_known == 0
    assert count(kith) == 12
    with kith.session() as s:
        assert get_account(s, "mail").last_error == ""


def test_a_wrong_password_is_a_clear_error_and_changes_nothing(
        kith: Kith, dovecot: Dovecot) -> None:  # noqa: F811
    with kith.session() as s:
        add_account(s, "imap", "mail", url=dovecot.url, user=USER, password="wrong", now=FIXED_NOW,
                    options={"me": [ME]})
    dovecot.append([mail(1, frm="p@example.com", to=ME)])
    report = sync(kith)
    assert report.error == "127.0.0.1: the server refused the user name or password"
    assert count(kith) == 0


def test_a_malformed_message_is_reported_and_the_others_are_captured(
        kith: Kith, dovecot: Dovecot, account: str) -> None:  # noqa: F811
    dovecot.append([b"From: x@example.com\r\nTo: " + ME.encode() + b"\r\nDate: not a date\r\nSubject: ?\r\n\r\nbody\r\n",
                    mail(2, frm="ok@example.com", to=ME)])
    report = sync(kith)
    assert report.interactions_added == 1 and report.error == ""
    assert len(report.problems) == 1 and "INBOX UID 1" in report.problems[0] and "Date" in report.problems[0]
    assert sync(kith).problems == []  # a reported message is not read again
