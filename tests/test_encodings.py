"""Never silent damage: each file's encoding is detected and reported (--encoding overrides); a bad
byte does not garble a UTF-8 file; control characters are removed on import, the same on SQLite and
PostgreSQL; the terminal never receives an escape sequence or a bidi override from the data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import FIXED_NOW, CliResult

from import_helpers import people, run
from kith.errors import ImportFailed
from kith.importers.reading import decode_bytes
from kith.normalize import typed
from kith.runtime import Kith, open_kith
from kith.services.backup import export_backup, import_backup

NAMES = "First Name,Last Name,E-mail Address\nZoë,Ünal,zoe@example.com\nRenée,Müller,renee@example.com\nJosé,Peña,jose@example.com\n"


def test_one_bad_byte_leaves_every_accented_name_of_a_utf8_file_right_and_is_reported(kith: Kith, tmp_path: Path) -> None:
    data = NAMES.encode()
    at = data.index(b"Ren")
    path = tmp_path / "contacts.csv"
    path.write_bytes(data[:at] + b"\xe9" + data[at:])  # one Latin-1 byte in a UTF-8 file
    summary = run(kith, "outlook", path)
    assert set(people(kith)) == {"Zoë Ünal", "\ufffdRenée Müller", "José Peña"}
    assert summary.encoding == "utf-8 (UTF-8 with damaged bytes)"
    assert summary.problems == ["contacts.csv: file: a byte not valid UTF-8 (first on line 3) replaced by \ufffd; "
                                "if the file is in another encoding, import it again with --encoding (e.g. --encoding cp1252)"]


def test_a_windows_1252_file_is_detected_and_reported(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(NAMES.encode("cp1252"))
    summary = run(kith, "outlook", path)
    assert set(people(kith)) == {"Zoë Ünal", "Renée Müller", "José Peña"}
    assert summary.encoding == "cp1252 (detected)" and summary.problems == []


@pytest.mark.parametrize(("codec", "text"), [
    ("cp1251", "Name\nЖанна Иванова\nПётр Сидоров\n"),
    ("utf-16", "Name\nZoë Ünal\n"),
    ("utf-8-sig", "Name\nZoë Ünal\n"),
    ("cp1252", "Name\nJosé\n"),
])
def test_encodings_are_detected_per_file(codec: str, text: str) -> None:
    assert decode_bytes(text.encode(codec)).text == text


def test_encoding_overrides_detection_and_is_reported(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(NAMES.encode("latin-1"))
    result = cli("import", "outlook", str(path), "--encoding", "latin-1", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["encoding"] == "latin-1 (given with --encoding)"
    assert "Renée Müller" in cli("list").out


def test_a_wrong_or_unknown_encoding_is_one_line_of_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(NAMES.encode("cp1252"))
    wrong = cli("import", "outlook", str(path), "--encoding", "utf-8")
    assert wrong.code == 1 and wrong.err == "error: the file is not utf-8: byte 0xeb on line 2 cannot be read as utf-8\n"
    unknown = cli("import", "outlook", str(path), "--encoding", "klingon")
    assert unknown.code == 1 and unknown.err.startswith("error: unknown encoding 'klingon'")


def test_the_human_summary_says_how_a_file_not_in_utf8_was_read(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(NAMES.encode("cp1252"))
    result = cli("import", "outlook", str(path))
    assert "read as cp1252 (detected)" in result.err


CONTROL_CARD = ("BEGIN:VCARD\nVERSION:3.0\nFN:Ana\x00 Di\x1b[2Jaz\x07\nTITLE:Pro\x9bducer\x7f\n"
                "NOTE:line one\\nline\ttwo\x0bend\nEND:VCARD\n")


def test_nul_and_control_characters_are_removed_on_import_on_either_database(kith: Kith, tmp_path: Path) -> None:
    # Before: stored as they came on SQLite (whose backup then would not restore), the whole import failed on PostgreSQL.
    path = tmp_path / "control.vcf"
    path.write_text(CONTROL_CARD, encoding="utf-8")
    summary = run(kith, "vcard", path)
    person = people(kith)["Ana Di[2Jaz"]
    assert person["title"] == "Producer" and person["notes"] == "line one\nline\ttwoend"
    assert summary.problems == ["control.vcf: file: 6 control characters (NUL, escape or similar) removed"]


def test_control_characters_in_json_and_surrogates_are_removed_too(kith: Kith, tmp_path: Path) -> None:
    path = tmp_path / "friends.json"
    path.write_text(json.dumps({"friends_v2": [{"name": "Bo\u0000 Li\ud800", "timestamp": 1500000000}]}))
    summary = run(kith, "facebook", path)
    assert set(people(kith)) == {"Bo Li"}
    assert summary.problems == ["friends.json: file: 2 control characters (NUL, escape or similar) removed"]


def test_what_was_imported_backs_up_and_restores_on_the_same_or_the_other_database(
        kith: Kith, other_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "control.vcf"
    path.write_text(CONTROL_CARD, encoding="utf-8")
    run(kith, "vcard", path)
    with kith.session() as s:
        data = json.loads(json.dumps(export_backup(s, now=FIXED_NOW)))
    other = open_kith(other_db_url, as_of=FIXED_NOW)
    with other.session() as s:
        import_backup(s, data)
        s.commit()
    assert set(people(other)) == {"Ana Di[2Jaz"}
    other.close()


def test_a_backup_holding_control_characters_restores_without_them(kith: Kith) -> None:
    # A backup written by an older Kith, which stored them: it restores, on PostgreSQL too.
    with kith.session() as s:
        data = json.loads(json.dumps(export_backup(s, now=FIXED_NOW)))
    data["tags"] = ["film\x00"]
    with kith.session() as s:
        import_backup(s, data)
        s.commit()
        from sqlalchemy import select

        from kith.store.models import Tag

        assert s.scalars(select(Tag.name)).all() == ["film"]


def test_a_backup_that_is_not_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    from kith.services.backup import read_backup

    path = tmp_path / "backup.json"
    path.write_bytes(b'{\n"format": "kith-backup",\n"x": "\xff"}')
    with pytest.raises(ImportFailed, match=r"byte 0xff on line 3 is not UTF-8"):
        read_backup(path)


HOSTILE = "Eve\x1b[2J\x1b]0;pwned\x07 \u202eevil\u202c \x9b31m"


def test_the_terminal_never_receives_escape_sequences_or_bidi_overrides_from_names(
        kith_process: Callable[..., CliResult]) -> None:
    # Through the CLI's own add: control characters go where every typed text is written (kith.store.typed_text);
    # what is left (bidi overrides are not control characters) must still reach the terminal escaped.
    added = kith_process("add", HOSTILE)
    assert added.code == 0, added.err
    for args in (["list"], ["show", "1"], ["find", "Eve"], ["agenda"], ["list", "--json"]):
        result = kith_process(*args)
        assert result.code == 0, (args, result.err)
        for raw in ("\x1b", "\u202e", "\u202c", "\x9b", "\x07"):
            assert raw not in result.out + result.err, (args, raw)
    shown = kith_process("list").out
    assert "\\x1b" not in shown and "[2J" in shown and "\\u202e" in shown
    listed = json.loads(kith_process("list", "--json").out)
    assert listed[0]["name"] == typed(HOSTILE)  # stored without control characters; JSON escapes the rest
