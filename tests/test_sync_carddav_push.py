"""People created in Kith reach the phone: a CardDAV account writes them to a real Radicale as new cards
(by the account's rule), keeps them current, never pulls them back as new people or duplicates them,
leaves an archived person's card alone and deletes the card Kith wrote for a person deleted in Kith."""

from __future__ import annotations

import re

import pytest
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Radicale, radicale, secrets_file  # noqa: F401  (fixtures)

from kith.errors import BadInput
from kith.runtime import Kith, open_kith
from kith.services import sync as sync_service
from kith.services.people import (
    NewPerson,
    PersonChanges,
    add_person,
    archive_person,
    change_person,
    delete_person,
    find_people,
    resolve_person,
    tag_person,
)
from kith.services.sync_accounts import add_account, list_accounts, set_push_new
from kith.sync.dav import DavClient

BEN = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ben-1\r\nFN:Ben Okafor\r\nN:Okafor;Ben;;;\r\n"
       "EMAIL:ben@example.org\r\nEND:VCARD\r\n")


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def book(radicale: Radicale) -> str:  # noqa: F811
    return radicale.make_collection("contacts", "card")


def connect(kith: Kith, url: str, **options: str) -> None:
    with kith.session() as s:
        add_account(s, "carddav", "phone", url=url, user=USER, password=PASSWORD, now=FIXED_NOW,
                    options=dict(options))


def sync(kith: Kith) -> sync_service.SyncReport:
    with kith.session() as s:
        report = sync_service.sync_account(s, "phone", now=FIXED_NOW)
    assert report.error == "", report.as_dict()
    return report


def add(kith: Kith, name: str, email: str = "", **fields: str) -> int:
    with kith.session() as s:
        p = add_person(s, NewPerson(name=name, emails=(email,) if email else (), **fields), now=FIXED_NOW)
        s.flush()
        return int(p.id)


def cards(url: str) -> dict[str, str]:
    """Every card on the server (href -> text), as a phone would read them."""
    client = DavClient(url, USER, PASSWORD)
    try:
        hrefs = list(client.members().members)
        return {r.href: r.data for r in client.multiget(hrefs, "card")}
    finally:
        client.close()


def named(url: str, name: str) -> list[str]:
    return [text for text in cards(url).values() if re.search(rf"^FN:{re.escape(name)}\r?$", text, re.M)]


def people_named(kith: Kith, name: str) -> int:
    with kith.session() as s:
        return len([p for p in find_people(s, name) if p.display_name == name])


def test_a_person_created_in_kith_becomes_a_new_card_on_the_server(kith: Kith, book: str) -> None:
    add(kith, "Cleo Park", "cleo@example.org", title="Designer", notes="met at the meetup")
    connect(kith, book)
    report = sync(kith)
    assert report.created == 1 and report.added == 0, report.as_dict()
    [card] = named(book, "Cleo Park")
    assert "cleo@example.org" in card and "TITLE:Designer" in card and "met at the meetup" in card
    assert "UID:urn:uuid:" in card


def test_an_edit_in_kith_of_a_pushed_person_changes_their_card(kith: Kith, book: str) -> None:
    pid = add(kith, "Cleo Park", "cleo@example.org")
    connect(kith, book)
    sync(kith)
    with kith.session() as s:
        change_person(s, resolve_person(s, str(pid)), PersonChanges(title="Head of design"), now=FIXED_NOW)
    report = sync(kith)
    assert (report.pushed, report.created, report.added) == (1, 0, 0), report.as_dict()
    [card] = named(book, "Cleo Park")
    assert "TITLE:Head of design" in card


def test_several_syncs_never_pull_a_pushed_card_back_or_duplicate_it(kith: Kith, radicale: Radicale,  # noqa: F811
                                                                     book: str) -> None:
    add(kith, "Cleo Park", "cleo@example.org")
    add(kith, "Dan Moreau")  # no identifier at all: only the link to the card keeps him single
    radicale.put(book, "ben.vcf", BEN)
    connect(kith, book)
    first = sync(kith)
    assert (first.added, first.created) == (1, 2), first.as_dict()
    for _ in range(3):
        again = sync(kith)
        assert (again.added, again.created, again.pushed, again.updated) == (0, 0, 0, 0), again.as_dict()
    assert len(cards(book)) == 3
    assert (people_named(kith, "Cleo Park"), people_named(kith, "Dan Moreau"), people_named(kith, "Ben Okafor")) \
        == (1, 1, 1)


def test_a_second_kith_database_on_the_same_book_duplicates_nothing(kith: Kith, other_db_url: str,
                                                                    book: str) -> None:
    add(kith, "Cleo Park", "cleo@example.org")
    add(kith, "Dan Moreau")
    connect(kith, book)
    sync(kith)
    other = open_kith(other_db_url, as_of=FIXED_NOW)
    try:
        add(other, "Eva Stein", "eva@example.org")
        add(other, "Cleo Park", "cleo@example.org")  # typed there too: joins the card, no second card
        connect(other, book)
        report = sync(other)
        assert (report.added, report.created) == (1, 1), report.as_dict()  # Dan pulled; Eva pushed
        for _ in range(2):
            assert (sync(other).created, sync(kith).created) == (0, 0)
        first_back = sync(kith)
        assert first_back.added == 0
        assert people_named(other, "Cleo Park") == 1 and people_named(other, "Dan Moreau") == 1
    finally:
        other.close()
    assert people_named(kith, "Eva Stein") == 1 and people_named(kith, "Cleo Park") == 1
    assert len(cards(book)) == 3
    assert len(named(book, "Cleo Park")) == 1


def test_the_rule_can_push_only_people_with_a_tag_or_nobody(kith: Kith, book: str) -> None:
    cleo = add(kith, "Cleo Park")
    add(kith, "Dan Moreau")
    with kith.session() as s:
        tag_person(s, resolve_person(s, str(cleo)), ["phone"])
    connect(kith, book, push_new="tag:phone")
    assert sync(kith).created == 1
    assert named(book, "Cleo Park") and not named(book, "Dan Moreau")
    with kith.session() as s:
        set_push_new(s, "phone", "none")
    add(kith, "Eva Stein")
    with kith.session() as s:
        tag_person(s, resolve_person(s, "Eva Stein"), ["phone"])
    assert sync(kith).created == 0
    with kith.session() as s:
        assert [v.push_new for v in list_accounts(s)] == ["none"]


def test_an_unknown_rule_is_a_clear_error(kith: Kith, book: str) -> None:
    with kith.session() as s, pytest.raises(BadInput, match="'all', 'none' or 'tag:NAME'"):
        add_account(s, "carddav", "phone", url=book, user=USER, password=PASSWORD, now=FIXED_NOW,
                    options={"push_new": "some"})


def test_archived_people_are_not_pushed_and_keep_a_card_they_have(kith: Kith, book: str) -> None:
    cleo = add(kith, "Cleo Park")
    quiet = add(kith, "Old Friend")
    with kith.session() as s:
        archive_person(resolve_person(s, str(quiet)), now=FIXED_NOW)
    connect(kith, book)
    sync(kith)
    assert not named(book, "Old Friend")
    with kith.session() as s:
        archive_person(resolve_person(s, str(cleo)), now=FIXED_NOW)
    report = sync(kith)
    assert (report.deleted, report.created) == (0, 0)
    assert named(book, "Cleo Park")


def test_deleting_a_person_in_kith_deletes_the_card_kith_wrote_but_not_a_card_from_the_phone(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    add(kith, "Cleo Park", "cleo@example.org")
    radicale.put(book, "ben.vcf", BEN)
    connect(kith, book)
    sync(kith)
    with kith.session() as s:
        delete_person(s, resolve_person(s, "Cleo Park"))
        delete_person(s, resolve_person(s, "Ben Okafor"))
    report = sync(kith)
    assert report.deleted == 1, report.as_dict()
    assert not named(book, "Cleo Park") and named(book, "Ben Okafor")
    again = sync(kith)
    assert (again.added, again.created, again.deleted) == (0, 0, 0), again.as_dict()


def test_a_sync_stopped_between_recording_and_writing_a_card_writes_it_next_time(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    add(kith, "Cleo Park", "cleo@example.org")
    connect(kith, book)

    class ServerStopsBeforeTheFirstPut(DavClient):
        def put(self, href: str, data: str, *, etag: str | None, content_type: str) -> str:
            radicale.stop()
            return super().put(href, data, etag=etag, content_type=content_type)

    with kith.session() as s:
        failed = sync_service.sync_account(s, "phone", now=FIXED_NOW,
                                           clients=sync_service.Clients(dav=ServerStopsBeforeTheFirstPut))
    assert failed.error and not failed.created
    radicale.start()
    sync(kith)
    sync(kith)
    assert len(named(book, "Cleo Park")) == 1 and people_named(kith, "Cleo Park") == 1


def merge(kith: Kith, keep: str, drop: str) -> None:
    from kith.services.dedupe import merge_people

    with kith.session() as s:
        merge_people(s, resolve_person(s, keep), resolve_person(s, drop), now=FIXED_NOW)


def test_merging_a_kith_person_into_the_phones_card_leaves_the_phone_one_card(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    """The kept person had only the card Kith wrote; the merged-away one was the phone's own card."""
    add(kith, "Ben O.", "ben.o@work.example", title="Producer")
    connect(kith, book)
    sync(kith)  # Ben O. becomes a card Kith wrote
    radicale.put(book, "ben.vcf", BEN)
    sync(kith)  # the phone's own Ben Okafor comes in as another person
    assert len(cards(book)) == 2
    merge(kith, "Ben O.", "Ben Okafor")
    report = sync(kith)
    assert report.deleted == 1, report.as_dict()
    [(href, card)] = cards(book).items()
    assert href.endswith("ben.vcf")  # the phone's card stays, Kith's own is gone
    assert "ben@example.org" in card and "ben.o@work.example" in card and "TITLE:Producer" in card
    again = sync(kith)
    assert (again.added, again.created, again.deleted, again.pushed) == (0, 0, 0, 0), again.as_dict()


def test_a_merged_away_card_is_taken_over_by_a_kept_person_who_had_none(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ben.vcf", BEN)
    connect(kith, book, push_new="none")
    sync(kith)
    add(kith, "Benjamin Okafor", "benji@home.example")  # no card: this account pushes nobody new
    merge(kith, "Benjamin Okafor", "Ben Okafor")
    report = sync(kith)
    assert report.pushed == 1 and report.deleted == 0, report.as_dict()
    [card] = cards(book).values()
    assert "benji@home.example" in card and "ben@example.org" in card
    with kith.session() as s:  # an edit in Kith keeps reaching it
        change_person(s, resolve_person(s, "Benjamin Okafor"), PersonChanges(title="Director"), now=FIXED_NOW)
    sync(kith)
    assert "TITLE:Director" in next(iter(cards(book).values()))


def test_undoing_a_merge_before_the_next_sync_gives_each_person_their_card_back(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    from kith.services import undo

    add(kith, "Ben O.", "ben.o@work.example")
    connect(kith, book)
    sync(kith)
    radicale.put(book, "ben.vcf", BEN)
    sync(kith)
    merge(kith, "Ben O.", "Ben Okafor")
    with kith.session() as s:
        undo.undo(s, now=FIXED_NOW)
    report = sync(kith)
    assert (report.deleted, report.created, report.added) == (0, 0, 0), report.as_dict()
    assert len(named(book, "Ben O.")) == 1 and len(named(book, "Ben Okafor")) == 1
    assert people_named(kith, "Ben O.") == 1 and people_named(kith, "Ben Okafor") == 1


def test_a_person_deleted_by_mistake_comes_back_with_undo_even_after_a_sync_deleted_their_card(
        kith: Kith, book: str) -> None:
    from kith.services import undo

    add(kith, "Cleo Park", "cleo@example.org")
    connect(kith, book)
    sync(kith)
    with kith.session() as s:
        delete_person(s, resolve_person(s, "Cleo Park"))
    assert sync(kith).deleted == 1 and not named(book, "Cleo Park")
    with kith.session() as s:  # the sync changed the link since: it is left as the sync made it, not a refusal
        undo.undo(s, now=FIXED_NOW)
    assert people_named(kith, "Cleo Park") == 1
    report = sync(kith)
    assert report.created == 1, report.as_dict()  # a new card for the person who came back
    assert len(named(book, "Cleo Park")) == 1


def test_by_default_people_known_only_from_captured_mail_do_not_fill_the_phone(kith: Kith, book: str) -> None:
    from tests.conftest import FIXTURES

    from kith.services.importing import ImportOptions, import_file

    with kith.session() as s:  # Ana Diaz and Bo Li come from mail alone
        import_file(s, "mbox", FIXTURES / "import" / "mail.mbox", now=FIXED_NOW,
                    options=ImportOptions(me=["sam@example.com"]))
    add(kith, "Cleo Park", "cleo@example.org")  # added by hand
    connect(kith, book)
    assert sync(kith).created == 1
    assert named(book, "Cleo Park") and not named(book, "Ana Diaz") and not named(book, "Bo Li")
    with kith.session() as s:  # once the user adds a phone number of their own, Ana is a contact
        from kith.services.people import add_identifier

        add_identifier(s, resolve_person(s, "Ana Diaz"), "phone", "+34 600 000 001")
    assert sync(kith).created == 1 and named(book, "Ana Diaz")
    with kith.session() as s:
        set_push_new(s, "phone", "all")
    assert sync(kith).created == 1 and named(book, "Bo Li")
