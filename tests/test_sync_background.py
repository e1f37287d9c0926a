"""Background sync: `kith serve` syncs every account on a schedule on its own thread, requests never wait
for it, and a failing account neither stops the schedule nor the others."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import FIXED_NOW, KITH_SCRIPT
from tests.sync_servers import PASSWORD, USER, Radicale, free_port, radicale, secrets_file  # noqa: F401  (fixtures)

from kith.runtime import Kith
from kith.services.people import find_people
from kith.services.sync import BackgroundSync
from kith.services.sync_accounts import add_account, list_accounts

CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ana-1\r\nFN:Ana Lima\r\nEMAIL:ana@example.org\r\nEND:VCARD\r\n"


pytestmark = pytest.mark.usefixtures("secrets_file")


def _wait(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("waited in vain")


def test_a_round_syncs_every_account_and_a_failing_one_does_not_stop_the_others(
        kith: Kith, radicale: Radicale) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    radicale.put(url, "ana.vcf", CARD)
    with kith.session() as s:
        add_account(s, "carddav", "a-broken", url=url, user=USER, password="wrong", now=FIXED_NOW)
        add_account(s, "carddav", "phone", url=url, user=USER, password=PASSWORD, now=FIXED_NOW)
    job = BackgroundSync(kith.factory, kith.session, 3600, now=lambda: FIXED_NOW)
    reports = job.round()
    assert [(r.account, bool(r.error)) for r in reports] == [("a-broken", True), ("phone", False)]
    with kith.session() as s:
        assert len(find_people(s, "Ana Lima")) == 1
        assert {v.name: v.last_error != "" for v in list_accounts(s)} == {"a-broken": True, "phone": False}


def test_kith_serve_syncs_in_the_background_while_it_answers_requests(
        kith: Kith, db_url: str, radicale: Radicale, tmp_path: Path) -> None:  # noqa: F811
    url = radicale.make_collection("contacts", "card")
    radicale.put(url, "ana.vcf", CARD)
    with kith.session() as s:
        add_account(s, "carddav", "phone", url=url, user=USER, password=PASSWORD, now=FIXED_NOW)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("KITH_DATABASE_URL", "KITH_NOW")}
    env |= {f"XDG_{n}_HOME": str(tmp_path / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    env |= {"KITH_STRICT_TIES": "1"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([str(KITH_SCRIPT), "--db", db_url, "--as-of", FIXED_NOW.isoformat(), "serve",
                             "--port", str(port), "--sync-every", "0.02"], env=env, stdout=log, stderr=log)
    try:
        def answered() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sync", timeout=5) as resp:
                    return bool(resp.status == 200)
            except OSError:
                return False

        _wait(answered)

        def synced_twice() -> bool:
            with kith.session() as s:
                [view] = list_accounts(s)
                return view.last_ok_at is not None and len(find_people(s, "Ana Lima")) == 1
        _wait(synced_twice)
        radicale.put(url, "ben.vcf", CARD.replace("ana", "ben").replace("Ana Lima", "Ben Okafor"))

        def next_round() -> bool:
            with kith.session() as s:
                return len(find_people(s, "Ben Okafor")) == 1
        _wait(next_round)
        assert answered()
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
