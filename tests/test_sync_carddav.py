"""CardDAV, both ways, against a real Radicale: server edits reach Kith, Kith edits reach the server,
deletions archive, unknown properties survive byte for byte, conflicts are kept for review."""

from __future__ import annotations

import pytest
from tests.conftest import FIXED_NOW
from tests.sync_servers import PASSWORD, USER, Radicale, radicale, secrets_file  # noqa: F401  (fixtures)

from kith.runtime import Kith
from kith.services import sync as sync_service
from kith.services.people import PersonChanges, change_person, find_people, resolve_person
from kith.services.sync_accounts import add_account, list_accounts
from kith.store.models import Person, SyncConflict, SyncItem

ANA = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana Lima\r\nN:Lima;Ana;;;\r\n"
       "EMAIL;TYPE=INTERNET:ana@example.org\r\nTEL;TYPE=CELL:+1 555 0100\r\nORG:Acme\r\nTITLE:Engineer\r\n"
       "X-PHONETIC-FIRST-NAME:Ana\r\nitem1.X-ABLABEL:_$!<Friend>!$_\r\nitem1.X-ABRELATEDNAMES:Bo\r\n"
       "X-CUSTOM;X-PARAM=\"a,b\":keep me exactly\\, with escapes\r\n"
       "NOTE:met at the conference\r\nEND:VCARD\r\n")
BEN = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ben-1\r\nFN:Ben Okafor\r\nN:Okafor;Ben;;;\r\n"
       "EMAIL:ben@example.org\r\nEND:VCARD\r\n")


pytestmark = pytest.mark.usefixtures("secrets_file")


@pytest.fixture
def book(radicale: Radicale, kith: Kith) -> str:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    with kith.session() as s:
        add_account(s, "carddav", "phone", url=url, user=USER, password=PASSWORD, now=FIXED_NOW)
    return url


def sync(kith: Kith) -> sync_service.SyncReport:
    with kith.session() as s:
        return sync_service.sync_account(s, "phone", now=FIXED_NOW)


def person(kith: Kith, name: str) -> Person:
    with kith.session() as s:
        p = resolve_person(s, name)
        p.identifiers  # noqa: B018  (loaded while the session is open)
        _ = p.organization
        return p


def test_contacts_on_the_server_become_people_and_a_second_sync_changes_nothing(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    radicale.put(book, "ben.vcf", BEN)
    first = sync(kith)
    assert first.error == "" and first.added == 2 and first.pushed == 0, first.as_dict()
    ana = person(kith, "Ana Lima")
    assert ana.title == "Engineer" and ana.organization is not None and ana.organization.name == "Acme"
    assert {i.value for i in ana.identifiers if i.kind == "email"} == {"ana@example.org"}
    again = sync(kith)
    assert (again.added, again.updated, again.pushed, again.conflicts) == (0, 0, 0, 0), again.as_dict()
    [view] = [v for v in list_accounts_of(kith) if v.name == "phone"]
    assert view.last_error == "" and view.last_ok_at == FIXED_NOW


def list_accounts_of(kith: Kith) -> list:
    with kith.session() as s:
        return list_accounts(s)


def test_a_contact_matching_someone_known_joins_them_instead_of_duplicating(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    with kith.session() as s:
        from kith.services.people import NewPerson, add_identifier, add_person
        p = add_person(s, NewPerson(name="Ana L."), now=FIXED_NOW)
        add_identifier(s, p, "email", "ANA@example.org")
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    with kith.session() as s:
        assert len(find_people(s, "ana")) == 1


def test_an_edit_on_the_server_reaches_kith(kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    radicale.put(book, "ana.vcf", ANA.replace("TITLE:Engineer", "TITLE:CTO").replace(
        "END:VCARD", "EMAIL:ana@home.example\r\nEND:VCARD"))
    report = sync(kith)
    assert report.updated == 1 and report.pushed == 0, report.as_dict()
    ana = person(kith, "Ana Lima")
    assert ana.title == "CTO"
    assert {i.value for i in ana.identifiers if i.kind == "email"} == {"ana@example.org", "ana@home.example"}


def test_an_edit_in_kith_reaches_the_server_and_unknown_properties_survive_byte_for_byte(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    before = radicale.get(book, "ana.vcf")
    with kith.session() as s:
        change_person(s, resolve_person(s, "Ana Lima"), PersonChanges(title="VP Engineering",
                                                                      add_emails=("ana@work.example",)),
                      now=FIXED_NOW)
    report = sync(kith)
    assert report.pushed == 1 and report.error == "", report.as_dict()
    after = radicale.get(book, "ana.vcf")
    assert "TITLE:VP Engineering" in after and "ana@work.example" in after and "TITLE:Engineer\r\n" not in after
    untouched = [ln for ln in before.split("\r\n") if not ln.startswith(("TITLE", "EMAIL"))]
    for line in untouched:
        assert line in after.split("\r\n"), line
    assert 'X-CUSTOM;X-PARAM="a,b":keep me exactly\\, with escapes' in after
    assert sync(kith).pushed == 0  # nothing left to write


def test_a_card_deleted_on_the_server_archives_the_person_and_keeps_their_history(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ben.vcf", BEN)
    sync(kith)
    radicale.delete(book, "ben.vcf")
    report = sync(kith)
    assert report.archived == 1, report.as_dict()
    with kith.session() as s:
        [ben] = find_people(s, "Ben Okafor", include_archived=True)
        assert ben.archived
        assert s.query(SyncItem).count() == 0


def test_both_sides_changing_one_field_keeps_both_values_for_review(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    radicale.put(book, "ana.vcf", ANA.replace("TITLE:Engineer", "TITLE:Server Title"))
    with kith.session() as s:
        change_person(s, resolve_person(s, "Ana Lima"), PersonChanges(title="Kith Title"), now=FIXED_NOW)
    report = sync(kith)
    assert report.conflicts == 1, report.as_dict()
    assert person(kith, "Ana Lima").title == "Kith Title"
    assert "TITLE:Server Title" in radicale.get(book, "ana.vcf")
    assert sync(kith).conflicts == 0  # the same conflict is not counted twice
    with kith.session() as s:
        [c] = sync_service.open_conflicts(s)
        assert (c.field, c.kith_value, c.server_value, c.person) == ("title", "Kith Title", "Server Title", "Ana Lima")
        sync_service.resolve_conflict(s, c.id, "kith", now=FIXED_NOW)
    assert sync(kith).pushed == 1
    assert "TITLE:Kith Title" in radicale.get(book, "ana.vcf")
    with kith.session() as s:
        assert sync_service.open_conflicts(s) == []
        assert s.query(SyncConflict).count() == 1


def test_keeping_the_server_s_value_of_a_conflict_writes_it_into_kith(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    radicale.put(book, "ana.vcf", ANA.replace("TITLE:Engineer", "TITLE:Server Title"))
    with kith.session() as s:
        change_person(s, resolve_person(s, "Ana Lima"), PersonChanges(title="Kith Title"), now=FIXED_NOW)
    sync(kith)
    with kith.session() as s:
        [c] = sync_service.open_conflicts(s)
        sync_service.resolve_conflict(s, c.id, "server", now=FIXED_NOW)
    assert person(kith, "Ana Lima").title == "Server Title"
    report = sync(kith)
    assert (report.pushed, report.conflicts) == (0, 0)


def test_incremental_sync_fetches_only_what_changed(kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    for i in range(30):
        radicale.put(book, f"p{i}.vcf", f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p{i}\r\nFN:Person {i}\r\n"
                                        f"EMAIL:p{i}@example.org\r\nEND:VCARD\r\n")
    sync(kith)
    with kith.session() as s:
        from kith.services.sync_accounts import get_account
        assert get_account(s, "phone").state.get("sync_token")
    radicale.put(book, "p7.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p7\r\nFN:Person Seven\r\n"
                                 "EMAIL:p7@example.org\r\nEND:VCARD\r\n")
    fetched: list[list[str]] = []

    class Counting(sync_service.DavClient):
        def multiget(self, hrefs: list[str], kind: str) -> list:
            fetched.append(list(hrefs))
            return super().multiget(hrefs, kind)

    with kith.session() as s:
        report = sync_service.sync_account(s, "phone", now=FIXED_NOW, clients=sync_service.Clients(dav=Counting))
    assert report.updated == 1
    assert [[h.rsplit("/", 1)[-1] for h in batch] for batch in fetched] == [["p7.vcf"]]
    assert person(kith, "Person Seven").display_name == "Person Seven"


def test_a_sync_with_nothing_new_is_one_request_for_the_collection_s_ctag(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ana.vcf", ANA)
    sync(kith)
    sync(kith)  # after a sync that wrote nothing, the ctag read before its listing is the current one
    requests: list[str] = []

    class Counting(sync_service.DavClient):
        def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None,
                    **kw: object) -> tuple:  # type: ignore[override]
            requests.append(f"{method} {(headers or {}).get('Depth', '')} {'getctag' in body}")
            return super().request(method, path, body, headers, **kw)  # type: ignore[arg-type]

    def counted() -> sync_service.SyncReport:
        requests.clear()
        with kith.session() as s:
            return sync_service.sync_account(s, "phone", now=FIXED_NOW, clients=sync_service.Clients(dav=Counting))

    assert counted().error == "" and requests == ["PROPFIND 0 True"]
    radicale.put(book, "ben.vcf", BEN)  # a change on the phone: the ctag moves, the changes are listed
    assert counted().added == 1 and requests[:2] == ["PROPFIND 0 True", "REPORT 1 False"]


def test_a_wrong_password_is_a_clear_error_kept_on_the_account(kith: Kith, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    with kith.session() as s:
        add_account(s, "carddav", "phone", url=url, user=USER, password="wrong", now=FIXED_NOW)
    report = sync(kith)
    assert report.error == "127.0.0.1: the server refused the user name or password"
    [view] = list_accounts_of(kith)
    assert view.status() == "failed: 127.0.0.1: the server refused the user name or password"


def test_a_malformed_card_is_reported_and_the_others_are_synced(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "ben.vcf", BEN)
    radicale.put(book, "broken.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:broken\r\nFN: \r\nNOTE:no name at all\r\nEND:VCARD\r\n")
    report = sync(kith)
    assert report.added == 1 and report.error == ""
    assert report.problems == [f"{book.replace(radicale.base, '')}broken.vcf: no name, e-mail or phone"]
    assert sync(kith).problems == []  # reported once, read again only when it changes


def test_a_server_going_down_mid_sync_is_reported_and_the_next_sync_resumes_without_duplicates(
        kith: Kith, radicale: Radicale, book: str, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    for i in range(25):
        radicale.put(book, f"p{i}.vcf", f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p{i}\r\nFN:Person {i}\r\n"
                                        f"EMAIL:p{i}@example.org\r\nEND:VCARD\r\n")
    monkeypatch.setattr(sync_service, "BATCH", 10)
    calls = 0

    class Failing(sync_service.DavClient):
        def multiget(self, hrefs: list[str], kind: str) -> list:
            nonlocal calls
            calls += 1
            if calls == 2:
                radicale.stop()
            return super().multiget(hrefs, kind)

    with kith.session() as s:
        broken = sync_service.sync_account(s, "phone", now=FIXED_NOW, clients=sync_service.Clients(dav=Failing))
    assert broken.error.startswith("cannot reach 127.0.0.1"), broken.as_dict()
    with kith.session() as s:
        assert len(find_people(s, "Person")) == 10
        from kith.services.sync_accounts import get_account
        assert get_account(s, "phone").state.get("sync_token") is None  # kept only when a sync completes
    radicale.start()
    resumed = sync(kith)
    assert resumed.error == "" and resumed.added == 15, resumed.as_dict()
    with kith.session() as s:
        assert len(find_people(s, "Person", limit=100)) == 25


def test_a_server_without_sync_tokens_is_compared_by_etags(kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    for i in range(5):
        radicale.put(book, f"p{i}.vcf", f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p{i}\r\nFN:Person {i}\r\n"
                                        f"EMAIL:p{i}@example.org\r\nEND:VCARD\r\n")
    with kith.session() as s:
        from kith.services.sync_accounts import get_account
        get_account(s, "phone").state = {"no_sync_token": True}
    assert sync(kith).added == 5
    radicale.put(book, "p3.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:p3\r\nFN:Person Three\r\n"
                                 "EMAIL:p3@example.org\r\nEND:VCARD\r\n")
    radicale.delete(book, "p4.vcf")
    fetched: list[str] = []

    class Counting(sync_service.DavClient):
        def multiget(self, hrefs: list[str], kind: str) -> list:
            fetched.extend(h.rsplit("/", 1)[-1] for h in hrefs)
            return super().multiget(hrefs, kind)

    with kith.session() as s:
        report = sync_service.sync_account(s, "phone", now=FIXED_NOW, clients=sync_service.Clients(dav=Counting))
    assert (report.updated, report.archived, fetched) == (1, 1, ["p3.vcf"]), report.as_dict()


def test_two_new_cards_of_one_person_in_one_batch_become_one_person(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    radicale.put(book, "a.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:Dana Ruiz\r\nEMAIL:dana@example.org\r\n"
                                "END:VCARD\r\n")
    radicale.put(book, "b.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:b\r\nFN:Dana R.\r\nEMAIL:DANA@example.org\r\n"
                                "TEL:+1 555 0199\r\nEND:VCARD\r\n")
    report = sync(kith)
    assert report.added == 1 and report.error == "", report.as_dict()
    with kith.session() as s:
        [dana] = find_people(s, "dana")
        assert {"email", "phone"} <= {i.kind for i in dana.identifiers}
        assert {i.person_id for i in s.query(SyncItem)} == {dana.id}


def test_a_new_card_only_named_like_someone_known_is_added_and_held_for_review(
        kith: Kith, radicale: Radicale, book: str) -> None:  # noqa: F811
    from kith.services.dedupe import find_duplicates
    from kith.services.people import NewPerson, add_person

    with kith.session() as s:
        add_person(s, NewPerson(name="Ana Lima"), now=FIXED_NOW)
    radicale.put(book, "ana.vcf", ANA)
    report = sync(kith)
    assert (report.added, report.held, report.error) == (1, 1, ""), report.as_dict()
    assert "1 held for review" in report.headline()
    with kith.session() as s:
        assert len(find_people(s, "Ana Lima")) == 2  # a name alone never merges anyone
        assert [{c.a.name, c.b.name} for c in find_duplicates(s)] == [{"Ana Lima"}]


def test_cards_applied_between_changes_to_known_people_never_reuse_an_id(kith: Kith) -> None:
    """New cards take ids reserved ahead; an organisation made meanwhile by a server edit is not taken twice."""
    from datetime import timedelta

    from kith.importers.records import ContactRecord, Labeled
    from kith.services.importing import Applier, ImportOptions, ImportSummary
    from kith.services.people import NewPerson, add_person, edit_person

    with kith.session() as s:
        known = add_person(s, NewPerson(name="Kim Known"), now=FIXED_NOW)
        applier = Applier(s, "carddav", FIXED_NOW, ImportSummary(format="carddav", file="phone"),
                          ImportOptions(photos=False))
        first = applier.person_for(ContactRecord(ref="a", name="Ann One", org="Org A",
                                                 emails=[Labeled("ann@example.org")]))
        edit_person(s, known, {"org": "Org B"}, now=FIXED_NOW + timedelta(minutes=1), source="carddav")
        s.flush()
        second = applier.person_for(ContactRecord(ref="b", name="Bea Two", org="Org C",
                                                  emails=[Labeled("bea@example.org")]))
        assert first is not None and second is not None
        [a, b] = applier.rows([first, second])
        s.commit()
        assert a.organization is not None and a.organization.name == "Org A"
        assert b.organization is not None and b.organization.name == "Org C"
        assert known.organization is not None and known.organization.name == "Org B"


def test_a_card_matches_by_an_address_a_server_edit_gave_earlier_in_the_same_sync(kith: Kith) -> None:
    from kith.importers.records import ContactRecord, Labeled
    from kith.services.importing import Applier, ImportOptions, ImportSummary
    from kith.services.people import NewPerson, add_identifier, add_person

    with kith.session() as s:
        known = add_person(s, NewPerson(name="Kim Known"), now=FIXED_NOW)
        add_identifier(s, known, "email", "kim@example.org")
        s.flush()
        applier = Applier(s, "carddav", FIXED_NOW, ImportSummary(format="carddav", file="phone"),
                          ImportOptions(photos=False))
        add_identifier(s, known, "email", "kim@home.example")  # what CardSync._write_kith does
        s.flush()
        applier.refresh(known)
        who = applier.person_for(ContactRecord(ref="k", name="K. Known", emails=[Labeled("KIM@home.example")]))
        assert who is not None and who.id == known.id and applier.summary.added == 0
