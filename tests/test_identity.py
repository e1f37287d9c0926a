"""Identity: strong identifiers decide, names only suggest; nobody lost, nobody merged by mistake."""

from __future__ import annotations

import json
from pathlib import Path

from import_helpers import IMPORT, counts, people, run
from kith.engine.identity import REVIEW, Profile, compare, name_key
from kith.runtime import Kith
from kith.services.dedupe import find_duplicates, keep_apart
from kith.services.people import NewPerson, add_person, resolve_person

HEADER_2018 = "First Name,Last Name,Email Address,Company,Position,Connected On\n"
HEADER_2021 = ('Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
               'are missing."\n\nFirst Name,Last Name,Email Address,Company,Position,Connected On\n')


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_namesakes_in_an_older_linkedin_export_stay_two_people(kith: Kith, tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", HEADER_2021
                  + "Quinn,Okafor,quinn-okafor-3@example.com,Soylent Corp,Analyst,01 Feb 2021\n"
                  + "Quinn,Okafor,quinn-okafor-45@example.com,Umbrella Health,Nurse,03 Mar 2020\n")
    summary = run(kith, "linkedin", path)
    assert (summary.added, summary.held) == (2, 0)
    assert counts(kith)[0] == 2


def test_every_row_of_an_older_export_without_e_mails_is_its_own_person_and_re_import_finds_them(
        kith: Kith, tmp_path: Path) -> None:
    rows = ['Sam,Lee,,Acme,Editor,"1/8/18, 6:14 PM"', 'Sam,Lee,,Acme,Editor,"1/8/18, 6:14 PM"',
            'Sam,Lee,,Globex,Producer,"3/2/17, 9:00 AM"', 'Ana,Díaz,,Acme,Publicist,"5/5/16, 1:00 PM"']
    path = _write(tmp_path, "c.csv", HEADER_2018 + "\n".join(rows) + "\n")
    first = run(kith, "linkedin", path)
    assert (first.added, first.rejected_count) == (4, 0)
    again = run(kith, "linkedin", path)
    assert (again.added, again.updated, again.unchanged, again.held, again.interactions_added) == (0, 0, 4, 0, 0)
    assert counts(kith)[0] == 4


def test_rows_of_one_file_sharing_an_e_mail_are_one_person(kith: Kith, tmp_path: Path) -> None:
    path = _write(tmp_path, "g.csv", "First Name,Last Name,E-mail 1 - Value,Phone 1 - Value\n"
                  "Ana,Díaz,ANA@example.com,\nAna,Diaz,ana@example.com,+1 212 555 0101\n")
    summary = run(kith, "google", path)
    assert summary.added == 1
    assert people(kith)["Ana Díaz"]["phones"] == ["+1 212 555 0101"]


def test_a_name_only_match_with_someone_stored_is_added_and_held_for_review(kith: Kith, tmp_path: Path) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Robert Smith", org="Acme"), now=kith.as_of)
    path = _write(tmp_path, "c.csv", HEADER_2018 + 'Bob,Smith,,Acme,Editor,"1/8/18, 6:14 PM"\n')
    summary = run(kith, "linkedin", path)
    assert (summary.added, summary.updated, summary.held) == (1, 0, 1)
    held = summary.held_pairs[0]
    assert (held.name, held.like_name) == ("Bob Smith", "Robert Smith")
    assert held.person_id == people(kith)["Bob Smith"]["id"]
    assert "bob and robert are one name" in held.reasons and held.confidence >= REVIEW
    assert summary.as_dict()["held_for_review"][0]["like"]["name"] == "Robert Smith"
    with kith.session() as s:
        found = find_duplicates(s)
        assert [(c.a.name, c.b.name) for c in found] == [("Robert Smith", "Bob Smith")]
        assert ("organisation", "acme", "acme") in found[0].evidence
        keep_apart(s, resolve_person(s, "Robert Smith"), resolve_person(s, "Bob Smith"))
    with kith.session() as s:
        assert find_duplicates(s) == []


def test_a_record_sharing_an_e_mail_whatever_its_case_updates_the_stored_person(kith: Kith, tmp_path: Path) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Ana Díaz", emails=["ana@example.com"]), now=kith.as_of)
    path = _write(tmp_path, "o.csv", "First Name,Last Name,E-mail Address,Company,Mobile Phone\n"
                  "Ana,Diaz,Ana@Example.COM,Acme,(212) 555-0101\n")
    summary = run(kith, "outlook", path)
    assert (summary.added, summary.updated, summary.held) == (0, 1, 0)
    path2 = _write(tmp_path, "g.csv", "First Name,Last Name,Phone 1 - Value\nA.,Díaz,+12125550101\n")
    assert (run(kith, "google", path2).added, counts(kith)[0]) == (0, 1)  # the phone, in another format


def test_different_e_mails_at_different_organisations_never_merge_nor_are_listed(kith: Kith, tmp_path: Path) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Quinn Okafor", emails=["q1@example.com"], org="Soylent Corp"), now=kith.as_of)
    path = _write(tmp_path, "o.csv", "First Name,Last Name,E-mail Address,Company\n"
                  "Quinn,Okafor,q2@example.org,Umbrella Health\n")
    summary = run(kith, "outlook", path)
    assert (summary.added, summary.held) == (1, 0)
    with kith.session() as s:
        assert find_duplicates(s) == []
        both = find_duplicates(s, include_conflicts=True)
        assert len(both) == 1 and both[0].conflict and both[0].confidence <= 0.2


def test_names_are_compared_without_accents_case_titles_credentials_middle_names_or_nicknames() -> None:
    assert name_key("Dr. Sofía Fernández, Ph.D.") == name_key("sofia fernandez")
    assert name_key("Bob Smith") == name_key("Robert J. Smith") == name_key("Smith, Robert")
    for a, b in [("Ana Díaz", "Ana Diaz"), ("Robert Smith", "Bob Smith"), ("Jane Q. Public", "Jane Public"),
                 ("J. Public", "Jane Public"), ("Kate Miller", "Katherine Miller")]:
        assert compare(Profile(a), Profile(b)).confidence >= REVIEW, (a, b)


def test_a_shared_surname_alone_never_scores_above_one_half() -> None:
    for a, b in [("Sofía Fernández", "Kofi Fernández"), ("Ana Li", "Bo Li"), ("Mark Chen", "Mary Chen")]:
        assert compare(Profile(a, "acme"), Profile(b, "acme")).confidence <= 0.5, (a, b)


def test_shared_strong_identifiers_decide_and_two_linkedin_profiles_are_two_people() -> None:
    a = Profile("Ana Díaz", emails=frozenset({"ana@example.com"}))
    assert compare(a, Profile("Someone Else", emails=frozenset({"ana@example.com"}))).confidence == 0.95
    one = Profile("Bo Li", urls=frozenset({"linkedin.com/in/bo-li-1"}))
    two = Profile("Bo Li", urls=frozenset({"linkedin.com/in/bo-li-2"}))
    assert compare(one, two).conflict


def test_the_2021_shape_after_the_current_one_adds_nobody_it_can_match_by_e_mail(kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    summary = run(kith, "linkedin", IMPORT / "linkedin-2021.csv")
    assert (summary.added, summary.updated, summary.held) == (2, 1, 0)


def test_the_summary_names_each_rejected_row_and_its_reason_and_keeps_a_row_with_only_a_bad_date(
        kith: Kith, tmp_path: Path) -> None:
    path = _write(tmp_path, "c.csv", HEADER_2018 + ',,ghost@example.com,Acme,Editor,"1/8/18, 6:14 PM"\n'
                  + "Ana,Díaz,ana@example.com,Acme,Boss,not a date\n")
    summary = run(kith, "linkedin", path)
    assert (summary.added, summary.rejected_count) == (1, 1)
    assert [(r.ref, r.reason) for r in summary.rejected] == [("row 2", "no name")]
    assert summary.problems == ["c.csv: row 2: no name", "c.csv: row 3: unreadable date 'not a date' (kept the person)"]
    assert summary.as_dict()["rejections"] == [{"ref": "row 2", "reason": "no name"}]


def test_a_pair_held_at_import_is_settled_by_the_command_the_summary_names(kith_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert kith_process("add", "Robert Smith", "--org", "Acme").code == 0
    path = _write(tmp_path, "c.csv", HEADER_2018 + 'Bob,Smith,,Acme,Editor,"1/8/18, 6:14 PM"\n')
    done = kith_process("import", "linkedin", str(path))
    assert done.code == 0, done.err
    listed = {p["name"]: p["id"] for p in json.loads(kith_process("list", "--json").out)}
    bob, robert = listed["Bob Smith"], listed["Robert Smith"]
    assert f"held for review: #{bob} Bob Smith (row 2) is like #{robert} Robert Smith" in done.out
    assert f"kith keep-apart {robert} {bob}" in done.out
    assert [(d["a"]["id"], d["b"]["id"]) for d in json.loads(kith_process("dupes", "--json").out)] == [(robert, bob)]

    kept = kith_process("keep-apart", str(robert), str(bob))

    assert kept.code == 0 and "Kept apart" in kept.out
    assert json.loads(kith_process("dupes", "--json").out) == []
