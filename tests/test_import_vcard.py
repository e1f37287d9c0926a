"""vCard 2.1/3.0/4.0: every real export in fixtures/vcard imports with the right fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from import_helpers import FIX, IMPORT, people, relations, run
from kith.importers import vcard
from kith.importers.records import ParseOptions
from kith.runtime import Kith

VCARDS = FIX / "vcard"


def cards(name: str) -> list[dict[str, object]]:
    parsed = vcard.parse(VCARDS / name, ParseOptions())
    return [{"name": c.display_name(), "emails": [e.value for e in c.emails], "phones": [p.value for p in c.phones],
             "org": c.org, "title": c.title} for c in parsed.contacts]


@pytest.mark.parametrize(("file", "expected"), [
    ("ezvcard__John_Doe_BLACK_BERRY.vcf", [{"name": "John Doe", "emails": [], "phones": ["+96123456789"], "org": "Acme Solutions", "title": ""}]),
    ("ezvcard__John_Doe_EVOLUTION.vcf", [{"name": "Mr. John Richter, James Doe Sr.", "emails": ["john.doe@ibm.com"], "phones": ["905-666-1234", "905-555-1234"], "org": "IBM", "title": "Money Counter"}]),
    ("ezvcard__John_Doe_GMAIL.vcf", [{"name": "Mr. John Richter, James Doe Sr.", "emails": ["john.doe@ibm.com"], "phones": ["905-555-1234", "905-666-1234"], "org": "IBM", "title": "Money Counter"}]),
    ("ezvcard__John_Doe_IPHONE.vcf", [{"name": "Mr. John Richter James Doe Sr.", "emails": ["john.doe@ibm.com"], "phones": ["905-555-1234", "905-666-1234", "905-777-1234", "905-888-1234", "905-999-1234", "905-111-1234", "905-222-1234"], "org": "IBM", "title": "Money Counter"}]),
    ("ezvcard__John_Doe_LOTUS_NOTES.vcf", [{"name": "Mr. Doe John I Johny", "emails": ["john.doe@ibm.com", "billy_bob@gmail.com"], "phones": ["+1 (212) 204-34456", "00-1-212-555-7777"], "org": "IBM", "title": "Generic Accountant"}]),
    ("ezvcard__John_Doe_MAC_ADDRESS_BOOK.vcf", [{"name": "Mr. John Richter,James Doe Sr.", "emails": ["john.doe@ibm.com"], "phones": ["905-777-1234", "905-666-1234", "905-555-1234", "905-888-1234", "905-999-1234", "905-111-1234", "905-222-1234"], "org": "IBM", "title": "Money Counter"}]),
    ("ezvcard__John_Doe_MS_OUTLOOK.vcf", [{"name": "Mr. John Richter James Doe Sr.", "emails": ["john.doe@ibm.cm"], "phones": ["(905) 555-1234", "(905) 666-1234"], "org": "IBM", "title": "Money Counter"}]),
    ("ezvcard__gmail-list.vcf", [{"name": "Arnold Smith", "emails": ["asmithk@gmail.com"], "phones": [], "org": "", "title": ""},
                                 {"name": "Chris Beatle", "emails": ["chrisy55d@yahoo.com"], "phones": [], "org": "", "title": ""},
                                 {"name": "Doug White", "emails": ["dwhite@gmail.com"], "phones": [], "org": "", "title": ""}]),
    ("ezvcard__gmail-single.vcf", [{"name": "Greg Dartmouth", "emails": ["gdartmouth@hotmail.com"], "phones": ["555 555 1111", "555 555 2222"], "org": "TheCompany", "title": "TheJobTitle"}]),
    ("ezvcard__issue114.vcf", [{"name": "Dummy, Dummy", "emails": ["dummy.dummy@dummy.com"], "phones": ["+49 1234 56789", "+49 9876 54321"], "org": "Dummy GmbH", "title": ""}]),
    ("ezvcard__outlook-2003.vcf", [{"name": "John Doe III", "emails": ["jdoe@hotmail.com"], "phones": ["BusinessPhone", "HomePhone", "MobilePhone", "BusinessFaxPhone"], "org": "Company, The", "title": "The Job Title"}]),
    ("ezvcard__outlook-2007.vcf", [{"name": "Mr. Michael Angstadt Jr.", "emails": ["mike.angstadt@gmail.com"], "phones": ["(111) 555-1111", "(111) 555-2222", "(111) 555-4444", "(111) 555-3333"], "org": "TheCompany", "title": "TheJobTitle"}]),
    ("ezvcard__rfc2426-example.vcf", [{"name": "Frank Dawson", "emails": ["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"], "phones": ["+1-919-676-9515", "+1-919-676-9564"], "org": "Lotus Development Corporation", "title": ""},
                                      {"name": "Tim Howes", "emails": ["howes@netscape.com"], "phones": ["+1-415-937-3419", "+1-415-528-4164"], "org": "Netscape Communications Corp.", "title": ""}]),
    ("ezvcard__rfc6350-example.vcf", [{"name": "Simon Perreault", "emails": ["simon.perreault@viagenie.ca"], "phones": ["+1-418-656-9254", "+1-418-262-6501"], "org": "Viagenie", "title": ""}]),
    ("vobject__radicale-1587.vcf", [{"name": "Given Family", "emails": [], "phones": [], "org": "", "title": ""}]),
])
def test_real_address_book_exports_give_the_right_names_emails_phones_orgs_and_titles(file: str, expected: list[dict[str, object]]) -> None:
    assert cards(file) == expected


def test_android_quoted_printable_with_soft_breaks_decodes_utf8_names() -> None:
    parsed = vcard.parse(VCARDS / "ezvcard__John_Doe_ANDROID.vcf", ParseOptions())
    names = [c.display_name() for c in parsed.contacts]
    assert names == ["john.doe", "jane.doe", "Ñ Ñ Ñ Ñ Ñ", "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ", "Ñ Ñ Ñ Ñ", "ÑÑÑÑ"]
    assert parsed.contacts[5].org == "Ñ" * 44
    assert parsed.problems == []


def test_fullcontact_multiple_typed_emails_and_altid_birthday() -> None:
    [card] = vcard.parse(VCARDS / "ezvcard__fullcontact.vcf", ParseOptions()).contacts
    assert [(e.value, e.label) for e in card.emails] == [
        ("home@example.com", "home"), ("work@example.com", "work"), ("school@example.com", "school"),
        ("other@example.com", "other"), ("custom@example.com", "customtype")]
    assert card.org == "Organization1" and card.title == "Title1"
    assert card.birthday == "2016-08-01"


def test_itemN_groups_take_their_x_ablabel_and_related_names_become_relations() -> None:
    [card] = vcard.parse(VCARDS / "ezvcard__gmail-single2.vcf", ParseOptions()).contacts
    assert ("customcategory@example.com", "customemailcategory") in [(e.value, e.label) for e in card.emails]
    assert ("assistant", "Name12") in card.relations and ("manager", "Name11") in card.relations


def test_every_shared_vcard_file_imports_without_problems(kith: Kith, tmp_path: Path) -> None:
    for file in sorted(VCARDS.glob("*.vcf")):
        summary = run(kith, "vcard", file, photos_dir=tmp_path)
        assert summary.problems == [], file.name
    everyone = people(kith)
    assert everyone["Simon Perreault"]["birthday"] == "--02-03"
    assert everyone["Simon Perreault"]["phones"] == ["+1-418-656-9254", "+1-418-262-6501"]
    assert everyone["Frank Dawson"]["org"] == "Lotus Development Corporation"
    assert everyone["Mr. Michael Angstadt Jr."]["title"] == "TheJobTitle"
    assert ("TheAssistantName", "assistant-of", "Mr. Michael Angstadt Jr.") in relations(kith)
    assert ("Mr. Michael Angstadt Jr.", "reports-to", "TheManagerName") in relations(kith)


def test_photos_are_kept_as_files_or_dropped_by_flag(kith: Kith, tmp_path: Path) -> None:
    run(kith, "vcard", VCARDS / "ezvcard__outlook-2007.vcf", photos_dir=tmp_path / "kept")
    assert [p.suffix for p in (tmp_path / "kept").iterdir()] == [".jpg"]
    run(kith, "vcard", VCARDS / "ezvcard__John_Doe_BLACK_BERRY.vcf", photos=False, photos_dir=tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_a_broken_card_is_reported_and_the_good_cards_of_the_file_are_imported(kith: Kith, tmp_path: Path) -> None:
    summary = run(kith, "vcard", IMPORT / "vcard-variants.vcf", photos_dir=tmp_path)
    assert sorted(summary.problems) == [
        "vcard-variants.vcf: card 3: no name, e-mail or phone",
        "vcard-variants.vcf: card 5: the card never ends (no END:VCARD)",
    ]
    assert summary.added == 4  # three cards and the assistant their RELATED names
    everyone = people(kith)
    olga = everyone["Olga Petrova"]
    assert olga["birthday"] == "--04-15"  # BDAY without year, ALTID alternative ignored
    assert olga["emails"] == ["olga@work.example.com", "olga@example.org"]
    assert olga["urls"] == ["https://www.linkedin.com/in/olga-petrova-fict9"]
    assert (olga["org"], olga["title"], olga["tags"]) == ("Tallgrass Media", "Managing Editor", ["news", "press"])
    assert ("Pavel Ilyin", "assistant-of", "Olga Petrova") in relations(kith)
    assert [p.suffix for p in tmp_path.iterdir()] == [".png"]
    jurgen = everyone["Jürgen Müller"]  # 2.1, ISO-8859-1 quoted-printable with a soft break
    assert jurgen["notes"] == "Line one\nLine two"
    assert jurgen["phones"] == ["+49 30 5550100"]


def test_lf_only_and_crlf_files_read_the_same(tmp_path: Path) -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Tove\n  Lind\nEMAIL:tove@example.com\nEND:VCARD\n"
    (tmp_path / "lf.vcf").write_text(text)
    (tmp_path / "crlf.vcf").write_bytes(text.replace("\n", "\r\n").encode())
    for name in ("lf.vcf", "crlf.vcf"):
        [card] = vcard.parse(tmp_path / name, ParseOptions()).contacts
        assert (card.name, card.emails[0].value) == ("Tove Lind", "tove@example.com")


def test_an_imported_contact_is_found_by_their_addresses_and_profile(kith: Kith, tmp_path: Path) -> None:
    from kith.services.people import find_people

    run(kith, "vcard", IMPORT / "vcard-variants.vcf", photos_dir=tmp_path)
    with kith.session() as s:
        for query in ("olga@example.org", "work.example", "olga-petrova-fict9", "tallgrass"):
            assert [p.display_name for p in find_people(s, query)] == ["Olga Petrova"], query
