"""Dates outside 1900-2100 and spans over 100 years are refused with a clear message, everywhere:
typed options, snoozes, the API, backups and imports; a future interaction needs --planned."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, CliResult
from tests.web_helpers import LOCAL

from import_helpers import interactions, people, run
from kith import clock
from kith.errors import BadInput, ImportFailed
from kith.runtime import Kith
from kith.services.backup import export_backup, import_backup


def _one_line_error(result: CliResult, *words: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.err and result.err.count("\n") == 1, result.err
    assert result.err.startswith("error: ")
    for word in words:
        assert word in result.err, result.err


@pytest.fixture
def ana(cli: Callable[..., CliResult]) -> Callable[..., CliResult]:
    assert cli("add", "Ana Diaz").code == 0
    return cli


@pytest.mark.parametrize("on", ["0001-01-01T00:00:00+14:00", "9999-12-31", "1899-12-31", "2101-01-01T00:00:00Z",
                                "99999999999"])
def test_logging_on_a_date_outside_1900_2100_is_one_line_of_error(ana: Callable[..., CliResult], on: str) -> None:
    _one_line_error(ana("log", "Ana", "coffee", "--on", on), "outside the years 1900-2100")


def test_logging_further_back_than_100_years_is_one_line_of_error(ana: Callable[..., CliResult]) -> None:
    _one_line_error(ana("log", "Ana", "coffee", "--on", "999999d ago"),
                    "'999999d ago' is 999,999 days, longer than the 100 years Kith accepts")


def test_snoozing_for_more_than_100_years_is_refused(ana: Callable[..., CliResult]) -> None:
    _one_line_error(ana("snooze", "Ana", "99999999d"), "longer than the 100 years Kith accepts")
    _one_line_error(ana("snooze", "Ana", "200y"), "longer than the 100 years")


def test_snoozing_past_2100_is_refused(ana: Callable[..., CliResult]) -> None:
    _one_line_error(ana("snooze", "Ana", "2101-01-01"), "outside the years 1900-2100")
    assert ana("snooze", "Ana", "2w").code == 0


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "1850-06-01T12:00:00+00:00"])
def test_as_of_outside_1900_2100_is_one_line_of_error(ana: Callable[..., CliResult], as_of: str) -> None:
    _one_line_error(ana("agenda", as_of=as_of), "outside the years 1900-2100")


def test_a_future_interaction_needs_planned(ana: Callable[..., CliResult]) -> None:
    _one_line_error(ana("log", "Ana", "coffee", "--on", "2026-09-01"), "in the future", "--planned")
    assert ana("log", "Ana", "coffee", "--on", "2026-09-01", "--planned").code == 0
    assert ana("log", "Ana", "coffee", "--on", "2026-06-15T20:00:00Z").code == 0  # later today: a clock a few hours off


def test_clock_refuses_what_it_cannot_represent() -> None:
    now = FIXED_NOW
    for text in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "99999999999999999d ago"):
        with pytest.raises(BadInput, match=r"outside the years|longer than"):
            clock.parse_when(text, now=now)
    with pytest.raises(BadInput, match="longer than the 100 years"):
        clock.parse_span("36600d")
    assert clock.parse_span("100y") == timedelta(days=36500)
    assert clock.parse_when("1900-01-01", now=now) == datetime(1900, 1, 1, tzinfo=UTC)


@pytest.fixture
def api(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from kith.web.app import create_app

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def test_the_api_refuses_out_of_range_and_unplanned_future_interactions(api: Any) -> None:
    pid = api.post("/api/v1/people", json={"name": "Ana"}).json()["id"]
    far = api.post("/api/v1/interactions", json={"people": [pid], "kind": "coffee", "on": "9999-12-31T00:00:00Z"})
    assert far.status_code == 422 and "error" in far.json()
    future = api.post("/api/v1/interactions", json={"people": [pid], "kind": "coffee", "on": "2027-01-01T10:00:00Z"})
    assert future.status_code == 422
    assert "in the future" in future.json()["error"]
    planned = api.post("/api/v1/interactions",
                       json={"people": [pid], "kind": "coffee", "on": "2027-01-01T10:00:00Z", "planned": True})
    assert planned.status_code == 201


def test_a_backup_with_a_date_outside_1900_2100_is_refused_naming_the_field(kith: Kith, other_db_url: str) -> None:
    from kith.runtime import open_kith
    from kith.services.interactions import log_interaction
    from kith.services.people import NewPerson, add_person

    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana"), now=FIXED_NOW)
        log_interaction(s, [ana], "coffee", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW)
        s.commit()
        data = export_backup(s, now=FIXED_NOW)
    data["interactions"][0]["occurred_at"] = "9999-12-31T00:00:00+00:00"
    other = open_kith(other_db_url, as_of=FIXED_NOW)
    with other.session() as s, pytest.raises(ImportFailed) as caught:
        import_backup(s, json.loads(json.dumps(data)))
    assert "$.interactions[0].occurred_at: '9999-12-31T00:00:00+00:00' is outside the years 1900-2100" in str(caught.value)
    other.close()


def test_interaction_rows_dated_outside_1900_2100_or_in_the_future_are_problems(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("timestamp,contact,direction,kind,note\n"
                    "9999-12-31T00:00:00Z,Ana,out,email,far\n"
                    "0001-01-01T00:00:00Z,Ana,out,email,old\n"
                    "2030-01-01T00:00:00Z,Ana,out,email,future\n"
                    "2026-01-05T10:00:00Z,Ana,out,email,kept\n")
    summary = run(kith, "interactions", path)
    assert summary.problems == [
        "log.csv: row 2: dated 9999-12-31, outside the years 1900-2100; not imported",
        "log.csv: row 3: dated 0001-01-01, outside the years 1900-2100; not imported",
        "log.csv: row 4: dated 2030-01-01, in the future; not imported",
    ]
    assert [i["note"] for i in interactions(kith)] == ["kept"]


def test_a_contact_keeps_everything_but_a_date_outside_1900_2100(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "old.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ana Diaz\nBDAY:0001-05-03\nTITLE:Producer\nEND:VCARD\n")
    summary = run(kith, "vcard", path)
    assert summary.problems == ["old.vcf: card 1: birthday 0001-05-03 is outside the years 1900-2100; "
                                "left out (kept the person)"]
    assert people(kith)["Ana Diaz"]["title"] == "Producer" and not people(kith)["Ana Diaz"].get("birthday")


def test_a_connection_dated_9999_gives_no_known_for_thousands_of_years(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                    "Ana,Diaz,,,Acme,Producer,31 Dec 9999\n"
                    "Bo,Li,,,Acme,Editor,01 Jan 0001\n")
    summary = run(kith, "linkedin", path)
    assert sorted(p for p in summary.problems if "outside" in p) == [
        "Connections.csv: row 2: connection date 9999-12-31 is outside the years 1900-2100; left out (kept the person)",
        "Connections.csv: row 3: connection date 0001-01-01 is outside the years 1900-2100; left out (kept the person)",
    ]
    assert summary.added == 2 and interactions(kith) == []
