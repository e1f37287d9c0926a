"""Telling an export's format from its name, else from its first lines: `kith import auto` and the web's *Detect*.

Every export is tried under a name that says nothing (``download``, or
``contacts.csv``, which Google and Outlook both use), so that only its content
can tell.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXTURES
from tests.web_helpers import LOCAL

from import_helpers import IMPORT, people
from kith.cli.data import IMPORT_FORMATS
from kith.errors import BadInput
from kith.runtime import Kith
from kith.services.backup import export_backup
from kith.services.import_formats import FORMATS, detect_format
from kith.web.app import create_app
from kith.web.pages.data import FORMATS as WEB_FORMATS

EXPORTS = {
    "linkedin-2018.csv": "linkedin", "linkedin-2021.csv": "linkedin", "linkedin-current.csv": "linkedin",
    "linkedin-messages.csv": "linkedin-messages", "linkedin-messages-13col.csv": "linkedin-messages",
    "google-legacy.csv": "google", "outlook-com.csv": "outlook", "outlook-desktop.csv": "outlook",
    "interactions.csv": "interactions", "calendar.ics": "ics", "mail.mbox": "mbox", "vcard-variants.vcf": "vcard",
    "facebook-friends.json": "facebook",
}
OTHERS = {  # real exports kept with their attribution (see each folder's README)
    FIXTURES / "google-csv" / "example.csv": "google",
    FIXTURES / "matching" / "google.csv": "google",
    FIXTURES / "matching" / "outlook.csv": "outlook",
    FIXTURES / "matching" / "linkedin.csv": "linkedin",
    FIXTURES / "matching" / "mail.mbox": "mbox",
    **{path: "vcard" for path in sorted((FIXTURES / "vcard").glob("*.vcf"))},
}


def _renamed(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(source, target)
    return target


@pytest.mark.parametrize(("fixture", "fmt"), sorted(EXPORTS.items()))
def test_each_export_is_known_by_its_first_lines_under_a_name_that_says_nothing(
        fixture: str, fmt: str, tmp_path: Path) -> None:
    source = IMPORT / fixture
    assert detect_format(_renamed(source, tmp_path, "download")) == fmt
    assert detect_format(_renamed(source, tmp_path, "contacts.csv")) == fmt


@pytest.mark.parametrize("source", sorted(OTHERS, key=str), ids=lambda p: p.name)
def test_real_exports_from_other_programs_are_known_by_their_content(source: Path, tmp_path: Path) -> None:
    assert detect_format(_renamed(source, tmp_path, "export.txt")) == OTHERS[source]


def test_a_name_that_says_decides_before_the_content(tmp_path: Path) -> None:
    google = IMPORT / "google-legacy.csv"
    assert detect_format(_renamed(google, tmp_path, "Connections.csv")) == "linkedin"
    assert detect_format(IMPORT / "maildir") == "mbox"
    assert detect_format(tmp_path / "upload", name="friends.vcf") == "vcard"  # an upload saved under another name


def test_a_kith_backup_and_a_utf16_outlook_export_are_known(kith: Kith, tmp_path: Path) -> None:
    with kith.session() as s:
        (tmp_path / "backup").write_text(json.dumps(export_backup(s)), encoding="utf-8")
    assert detect_format(tmp_path / "backup") == "backup"
    text = (IMPORT / "outlook-desktop.csv").read_text(encoding="utf-8")
    (tmp_path / "wide").write_text(text, encoding="utf-16")  # with its byte-order mark, as Excel saves it
    assert detect_format(tmp_path / "wide") == "outlook"


@pytest.mark.parametrize("content", [b"", b"a,b,c\n1,2,3\n", b"\x00\x01\x02\xff" * 100, b"{\"x\": 1}",
                                     b"Name;Phone\nAna;1\n", "\ufeffnothing at all\n".encode(),
                                     b"[" * 60_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000])
def test_a_file_nothing_tells_is_a_clear_error_naming_the_formats(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(BadInput, match=r"export.csv: cannot tell its format .*\(one of linkedin, linkedin-messages"):
        detect_format(path)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"nowhere\.csv: cannot be read"):
        detect_format(tmp_path / "nowhere.csv")


def test_the_cli_the_web_and_the_detection_know_the_same_formats() -> None:
    assert set(IMPORT_FORMATS) == set(FORMATS) == set(WEB_FORMATS) - {"auto"}


def test_kith_import_auto_detects_and_says_what_it_read_the_file_as(kith_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _renamed(IMPORT / "outlook-com.csv", tmp_path, "contacts.csv")
    done = kith_process("import", "auto", str(path))
    assert done.code == 0, done.err
    assert "contacts.csv: read as outlook" in done.err and "Imported (#1)" in done.out
    as_json = kith_process("import", "auto", str(path), "--json")
    assert json.loads(as_json.out)["format"] == "outlook" and "read as" not in as_json.err
    alone = kith_process("import", str(path), "--json")  # `kith import FILE`: the format left out
    assert alone.code == 0 and json.loads(alone.out)["format"] == "outlook"
    missing = kith_process("import", str(tmp_path / "gone.csv"))
    assert missing.code != 0 and "gone.csv: no such file" in missing.err
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just some notes\n", encoding="utf-8")
    refused = kith_process("import", "auto", str(unknown))
    assert refused.code != 0 and "notes.txt: cannot tell its format" in refused.err
    assert "Traceback" not in refused.err
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 60_000)
    too_deep = kith_process("import", str(deep))
    assert too_deep.code == 1 and "deep.json: cannot tell its format" in too_deep.err
    assert "Traceback" not in too_deep.err


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith), base_url=LOCAL) as c:
        yield c


def _upload(client: Any, name: str, content: bytes, **fields: str) -> Any:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/import").text)
    assert match is not None
    return client.post("/import", data={"fmt": "auto", "csrf_token": match.group(1), **fields},
                       files={"file": (name, content, "text/csv")})


def test_the_web_detects_a_google_export_called_contacts_csv(client: Any, kith: Kith) -> None:
    page = _upload(client, "contacts.csv", (IMPORT / "google-legacy.csv").read_bytes())
    assert page.status_code == 200 and "contacts.csv (google)" in page.text
    assert people(kith)


def test_the_webs_dry_run_of_a_detected_file_then_imports_it_without_a_second_upload(client: Any, kith: Kith) -> None:
    page = _upload(client, "contacts.csv", (IMPORT / "outlook-desktop.csv").read_bytes(), dry_run="1")
    assert page.status_code == 200 and "Dry run of contacts.csv (outlook)" in page.text and not people(kith)
    staged = re.search(r'name="staged" value="([^"]+)"', page.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert staged is not None and csrf is not None
    done = client.post("/import/staged", data={"staged": staged.group(1), "csrf_token": csrf.group(1)})
    assert done.status_code == 200 and "Imported contacts.csv (outlook)" in done.text
    assert people(kith)


def test_the_web_says_what_it_cannot_tell_and_imports_nothing(client: Any, kith: Kith) -> None:
    page = _upload(client, "contacts.csv", b"a,b\n1,2\n")
    assert page.status_code == 422 and "contacts.csv: cannot tell its format" in page.text
    deep = _upload(client, "export", b"[" * 60_000)  # JSON nested past the parser's depth: told, not a 500
    assert deep.status_code == 422 and "export: cannot tell its format" in deep.text
    assert not people(kith)


def test_a_refused_upload_offers_the_way_back_to_the_import_page(client: Any) -> None:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/import").text)
    assert match is not None
    page = client.post("/import", data={"fmt": "auto", "csrf_token": match.group(1)},
                       files={"file": ("notes.txt", b"hello\n", "text/plain")}, headers={"referer": f"{LOCAL}/import"})
    assert page.status_code == 422 and '<a href="/import">Back</a>' in page.text
    elsewhere = client.post("/import", data={"fmt": "auto", "csrf_token": match.group(1)},
                            files={"file": ("notes.txt", b"hello\n", "text/plain")},
                            headers={"referer": "https://elsewhere.example/import"})
    assert elsewhere.status_code == 422 and ">Back</a>" not in elsewhere.text
