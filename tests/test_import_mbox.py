"""E-mail (mbox and Maildir): headers only, direction, lists and no-reply skipped."""

from __future__ import annotations

import pytest

from import_helpers import IMPORT, ME, interactions, run
from kith.errors import ImportFailed
from kith.runtime import Kith
from kith.store.models import Interaction


def test_a_thread_counts_once_per_day_per_people_with_direction(kith: Kith) -> None:
    summary = run(kith, "mbox", IMPORT / "mail.mbox", me=ME)
    assert summary.skipped == {"mailing list": 1, "no-reply sender": 1}
    assert summary.problems == ["mail.mbox: message 6: no readable Date header ('not a real date')"]
    assert [(i["when"].date().isoformat(), i["kind"], i["direction"], i["people"]) for i in interactions(kith)] == [
        ("2024-03-12", "email", "mutual", ["Ana Diaz", "Bo Li"]),
        ("2024-03-13", "email", "in", ["Ana Diaz"]),
    ]


def test_bodies_are_never_stored(kith: Kith) -> None:
    run(kith, "mbox", IMPORT / "mail.mbox", me=ME)
    notes = " ".join(i["note"] for i in interactions(kith))
    assert "Body text" not in notes and "Screening on Friday" in notes


def test_a_maildir_folder_is_read_like_an_mbox(kith: Kith) -> None:
    run(kith, "mbox", IMPORT / "maildir", me=ME)
    assert [(i["direction"], i["people"]) for i in interactions(kith)] == [("out", ["Carla Nunes"]), ("in", ["Carla Nunes"])]


def test_without_your_own_address_the_import_fails_clearly(kith: Kith) -> None:
    with pytest.raises(ImportFailed, match="--me"):
        run(kith, "mbox", IMPORT / "mail.mbox")


def test_your_addresses_can_come_from_the_workspace(kith: Kith) -> None:
    from kith.store.models import Workspace

    with kith.session() as s:
        s.get(Workspace, kith.workspace_id).owner_emails = ["SAM@example.com"]  # type: ignore[union-attr]
    run(kith, "mbox", IMPORT / "maildir")
    with kith.session() as s:
        assert s.query(Interaction).count() == 2


def test_a_name_in_an_unknown_charset_keeps_its_raw_text(kith: Kith, tmp_path: object) -> None:
    from pathlib import Path

    box = Path(str(tmp_path)) / "odd.mbox"
    box.write_bytes(
        b"From ana@example.com Tue Mar 12 10:00:00 2024\n"
        b"From: =?\xef\xbf\xbdutf-8?q?Ana?= <ana@example.com>\nTo: sam@example.com\n"
        b"Date: Tue, 12 Mar 2024 10:00:00 +0000\nSubject: hi\n\nbody\n"
    )
    summary = run(kith, "mbox", box, me=ME)
    assert summary.problems == []
    assert [(i["direction"], i["people"][0].endswith("?=")) for i in interactions(kith)] == [("in", True)]
