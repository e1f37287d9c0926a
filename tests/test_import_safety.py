"""Safety: malformed input never crashes, re-imports change nothing, dry runs and failures write nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from import_helpers import FIX, IMPORT, ME, counts, people, run
from kith.errors import ImportFailed
from kith.importers import PARSERS
from kith.importers.records import Parsed, ParseOptions
from kith.runtime import Kith

SAMPLES = {
    "linkedin": IMPORT / "linkedin-current.csv", "linkedin-messages": IMPORT / "linkedin-messages.csv",
    "facebook": IMPORT / "facebook-friends.json", "google": FIX / "google-csv" / "example.csv",
    "outlook": IMPORT / "outlook-desktop.csv", "vcard": FIX / "vcard" / "ezvcard__John_Doe_GMAIL.vcf",
    "mbox": IMPORT / "mail.mbox", "ics": IMPORT / "calendar.ics", "interactions": IMPORT / "interactions.csv",
}
OPTS = ParseOptions(me=ME)


def parse_or_fail(fmt: str, data: bytes) -> Parsed | None:
    """Parse bytes as ``fmt``: either records or ImportFailed, never anything else."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input"
        path.write_bytes(data)
        try:
            return PARSERS[fmt](path, OPTS)
        except ImportFailed as exc:
            assert str(exc) and "\n" not in str(exc)
            return None


def mutate(data: bytes, cut: int, junk: bytes) -> bytes:
    """A damaged copy of a real file: truncated at ``cut`` with junk spliced in."""
    at = cut % (len(data) + 1)
    return data[:at] + junk + data[at:][: len(data) // 2]


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_an_importer(fmt: str, data: bytes) -> None:
    parse_or_fail(fmt, data)


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=10_000), junk=st.binary(max_size=60)
       | st.sampled_from([b"\x00", b",,,\"", b"=\n=", b"BEGIN:VCARD\n", b"From \n", b"{", b"\xff\xfe"]))
def test_damaged_real_files_never_crash_an_importer(fmt: str, cut: int, junk: bytes) -> None:
    parse_or_fail(fmt, mutate(SAMPLES[fmt].read_bytes(), cut, junk))


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_a_missing_file_is_an_import_failure(fmt: str, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no such file"):
        PARSERS[fmt](tmp_path / "nope", OPTS)


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
def test_importing_the_same_file_twice_changes_nothing(kith: Kith, fmt: str, tmp_path: Path) -> None:
    first = run(kith, fmt, SAMPLES[fmt], me=ME, photos_dir=tmp_path)
    before = (counts(kith), people(kith))
    again = run(kith, fmt, SAMPLES[fmt], me=ME, photos_dir=tmp_path)
    assert (counts(kith), people(kith)) == before
    assert (again.added, again.updated, again.interactions_added, again.relations_added) == (0, 0, 0, 0)
    assert again.interactions_known == first.interactions_added


def test_a_newer_export_updates_changed_fields_with_provenance_and_adds_only_what_is_new(kith: Kith, tmp_path: Path) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-2018.csv")
    newer = tmp_path / "newer.csv"
    newer.write_text((IMPORT / "linkedin-2018.csv").read_text().replace("Line Producer", "Producer")
                     + 'Gus,Ferro,,Delta Docs,Director,"2/2/19, 8:00 AM"\n')
    summary = run(kith, "linkedin", newer)
    assert (summary.added, summary.updated, summary.unchanged, summary.interactions_added) == (1, 1, 1, 1)
    with kith.session() as s:
        from kith.services.people import resolve_person

        evan = resolve_person(s, "Evan Walsh")
        assert evan.title == "Producer"
        assert evan.provenance["title"] == {"source": "linkedin", "at": kith.as_of.isoformat()}


def test_an_import_never_overwrites_what_the_user_typed(kith: Kith) -> None:
    from kith.services.people import NewPerson, add_person

    with kith.session() as s:
        add_person(s, NewPerson("Evan Walsh", emails=["evan.walsh@example.org"], title="Showrunner"), now=kith.as_of)
    run(kith, "linkedin", IMPORT / "linkedin-2018.csv")
    assert people(kith)["Evan Walsh"]["title"] == "Showrunner"


def test_dry_run_reports_what_would_change_and_writes_nothing(kith: Kith, tmp_path: Path) -> None:
    summary = run(kith, "linkedin", IMPORT / "linkedin-current.csv", dry_run=True)
    assert summary.added == 4 and summary.changes[0] == "add Ana Díaz (row 5)"
    assert counts(kith) == (0, 0, 0)
    run(kith, "vcard", FIX / "vcard" / "ezvcard__outlook-2007.vcf", dry_run=True, photos_dir=tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_a_fatal_error_half_way_writes_nothing(kith: Kith, monkeypatch: pytest.MonkeyPatch) -> None:
    from kith.services import importing

    calls = {"n": 0}
    real = importing.Applier.contact

    def failing(self: importing.Applier, rec: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(self, rec)  # type: ignore[arg-type]

    monkeypatch.setattr(importing.Applier, "contact", failing)
    with pytest.raises(RuntimeError):
        run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    assert counts(kith) == (0, 0, 0)


def test_the_cli_reports_an_unreadable_file_in_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", "vcard", str(tmp_path / "missing.vcf"))
    assert result.code == 1
    assert result.err.strip().splitlines() == [f"error: {tmp_path / 'missing.vcf'}: no such file"]


def test_the_cli_dry_run_prints_the_changes(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", "linkedin", str(IMPORT / "linkedin-2018.csv"), "--dry-run")
    assert result.code == 0
    assert "would add Evan Walsh (row 2)" in result.out
    assert "Dry run, nothing written: 2 added" in result.out
    assert cli("list", "--json").out.strip() == "[]"


def test_the_cli_summary_in_json(cli) -> None:  # type: ignore[no-untyped-def]
    import json

    result = cli("import", "mbox", str(IMPORT / "mail.mbox"), "--me", "sam@example.com", "--json")
    data = json.loads(result.out)
    assert (data["added"], data["interactions_added"], data["skipped"]) == (
        2, 2, {"mailing list": 1, "no-reply sender": 1})
