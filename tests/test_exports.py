"""Exports: vCard 4.0 (re-importable by Kith and vobject), CSV, and an .ics of agenda actions."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import icalendar
import vobject

from import_helpers import FIX, IMPORT, people, run
from kith.exporters.csv import export_csv
from kith.exporters.ics import agenda_calendar
from kith.exporters.vcard import export_vcards
from kith.runtime import Kith


def test_vcard_export_is_read_back_by_vobject_and_by_kith(kith: Kith, other_db_url: str, tmp_path: Path) -> None:
    run(kith, "vcard", IMPORT / "vcard-variants.vcf", photos=False)
    run(kith, "outlook", IMPORT / "outlook-desktop.csv")
    with kith.session() as s:
        text = export_vcards(s)
    cards = list(vobject.readComponents(text))
    assert sorted(c.fn.value for c in cards)[:3] == ["Grace Holt", "Ian Moss", "Jürgen Müller"]
    assert all(c.version.value == "4.0" for c in cards)
    (tmp_path / "out.vcf").write_text(text, encoding="utf-8")
    from kith.runtime import open_kith

    other = open_kith(other_db_url, as_of=kith.as_of)
    try:
        summary = run(other, "vcard", tmp_path / "out.vcf")
        assert summary.problems == []
        before, after = people(kith), people(other)
        assert sorted(before) == sorted(after)
        for name, p in before.items():
            q = after[name]
            assert (q["emails"], q["phones"], q["org"], q["title"], q["birthday"], q["tags"]) == (
                p["emails"], p["phones"], p["org"], p["title"], p["birthday"], p["tags"]), name
    finally:
        other.close()


def test_csv_export_has_one_row_per_person(kith: Kith) -> None:
    run(kith, "google", FIX / "google-csv" / "example.csv")
    with kith.session() as s:
        rows = list(csv.DictReader(io.StringIO(export_csv(s))))
    assert [(r["name"], r["birthday"]) for r in rows] == [
        ("John Doe", "1987-09-07"), ("Max Amadeus Mustermann (geb. Musterfrau)", "--12-25")]


@dataclass
class Item:
    person_id: int
    person: str
    action: str
    reason: str
    due: date


def test_agenda_ics_has_one_all_day_event_per_action_with_stable_uids() -> None:
    text = agenda_calendar([Item(3, "Ana Díaz", "follow-up", "met at Cannes 5 days ago", date(2026, 6, 16)),
                            Item(4, "Bo Li", "thank", "referred you", date(2026, 6, 17))])
    events = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert [(str(e["SUMMARY"]), e["DTSTART"].dt, str(e["UID"])) for e in events] == [
        ("follow-up: Ana Díaz", date(2026, 6, 16), "kith-agenda-3-follow-up@kith"),
        ("thank: Bo Li", date(2026, 6, 17), "kith-agenda-4-thank@kith")]
    assert str(events[0]["DESCRIPTION"]) == "met at Cannes 5 days ago"


def test_cli_exports_every_format(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("add", "Ana Díaz", "--email", "ana@example.com")
    for fmt, check in (("vcard", "BEGIN:VCARD"), ("csv", "id,name"), ("ics", "BEGIN:VCALENDAR"), ("backup", "{")):
        result = cli("export", fmt, str(tmp_path / f"out.{fmt}"))
        assert result.code == 0, result.err
        assert (tmp_path / f"out.{fmt}").read_text(encoding="utf-8").startswith(check)


def test_the_web_offers_every_export_as_a_download_identical_to_the_cli_file(
        kith: Kith, kith_process, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from fastapi.testclient import TestClient
    from tests.conftest import FIXED_NOW

    from kith.web.app import create_app
    from web_helpers import LOCAL

    assert kith_process("add", "Ana Díaz", "--email", "ana@example.com", "--org", "Halcyon").code == 0
    assert kith_process("log", "Ana", "coffee", "--on", "2026-01-05").code == 0
    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as client:
        page = client.get("/import").text
        for name, fmt, media in (("contacts.vcf", "vcard", "text/vcard"), ("people.csv", "csv", "text/csv"),
                                 ("agenda.ics", "ics", "text/calendar"), ("backup.json", "backup", "application/json")):
            assert f'href="/export/{name}"' in page
            got = client.get(f"/export/{name}")
            assert got.status_code == 200 and got.headers["content-type"].startswith(media)
            stem, ext = name.rsplit(".", 1)
            assert f'filename="kith-{stem}-{FIXED_NOW.date().isoformat()}.{ext}"' in got.headers["content-disposition"]
            done = kith_process("export", fmt, str(tmp_path / name))
            assert done.code == 0, done.err
            if fmt == "backup":  # the same document (it records when it was made)
                assert json.loads(got.text)["people"] == json.loads((tmp_path / name).read_text("utf-8"))["people"]
            else:
                assert got.text == (tmp_path / name).read_bytes().decode("utf-8"), fmt
        missing = client.get("/export/secrets.txt")
        assert missing.status_code == 404 and "no export named secrets.txt" in missing.text
