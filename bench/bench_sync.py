"""Benchmark sync against real servers: a first CardDAV sync of N contacts (Radicale), a first IMAP capture
of M messages (Dovecot), and a sync with nothing new of each (the issue's budgets: 5,000 contacts < 30 s,
100,000 messages < 120 s, nothing new < 1 s per account).

Run: ``.venv/bin/python bench/bench_sync.py [--contacts N] [--messages M]``. The address book and the
mailbox are generated (fictional names, example.com addresses) straight into each server's storage in a
temporary folder; each server runs on 127.0.0.1 on a free port and is stopped at the end. Dovecot missing:
the IMAP part is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import pytest  # noqa: E402  (sync_servers skips through pytest when Dovecot is missing)

from kith.runtime import open_kith  # noqa: E402
from kith.services.sync import Clients, sync_account  # noqa: E402
from kith.services.sync_accounts import add_account  # noqa: E402
from kith.sync.dav import DavClient  # noqa: E402
from sync_servers import PASSWORD, USER, Dovecot, Radicale  # noqa: E402

GIVEN = ["Ana", "Bo", "Carla", "Dev", "Evan", "Fatima", "Gil", "Hana", "Ian", "Jo", "Kara", "Lena", "Mika", "Noor"]
FAMILY = ["Diaz", "Li", "Nunes", "Patel", "Walsh", "Haddad", "Amar", "Sato", "Moss", "Reyes", "Voss", "Ortiz"]
NOW = datetime(2026, 6, 15, tzinfo=UTC)
ME = "me@example.com"


def fill_address_book(server: Radicale, n: int) -> str:
    """``n`` vCard 3.0 files written into Radicale's storage of a new address book; its URL."""
    url = server.make_collection("contacts", "card")
    folder = server.root / "collections" / "collection-root" / USER / "contacts"
    rng = random.Random(1)
    names = [f"{g} {m} {f} {f2}" for g in GIVEN for m in GIVEN for f in FAMILY for f2 in FAMILY if m != g and f2 != f]
    rng.shuffle(names)
    for i in range(n):
        given, middle, family, family2 = names[i].split()
        (folder / f"c{i}.vcf").write_text(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c{i}\r\nFN:{given} {middle} {family} {family2}\r\n"
            f"N:{family} {family2};{given} {middle};;;\r\n"
            f"EMAIL;TYPE=work:{given}.{family}.{i}@example.com\r\nTEL;TYPE=cell:+1 212 555 {i % 10000:04d}\r\n"
            f"ORG:Studio {i % 300}\r\nTITLE:Producer\r\nX-PHONETIC-LAST-NAME:{family}\r\nEND:VCARD\r\n",
            encoding="utf-8")
    # A server that has served its address book before has its items cached: list them once, untimed.
    status, _, _ = server.request("PROPFIND", url.replace(server.base, ""),
                                  '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>', {"Depth": "1"},
                                  timeout=1200)
    assert status == 207, status
    return url


def fill_mailbox(server: Dovecot, m: int, people: int = 2000) -> None:
    """``m`` messages in the inbox's Maildir, a third of them newsletters."""
    cur = server.root / "mail" / USER / "cur"
    for sub in ("cur", "new", "tmp"):
        (server.root / "mail" / USER / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(2)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for i in range(m):
        who = rng.randrange(people)
        when = start + timedelta(minutes=7 * i)
        sender, to = (ME, f"p{who}@example.com") if i % 2 else (f"p{who}@example.com", ME)
        extra = "List-Unsubscribe: <mailto:u@news.example>\r\n" if i % 3 == 0 else ""
        (cur / f"{1700000000 + i}.M{i}P1.bench:2,S").write_bytes(
            (f"From: P {who} <{sender}>\r\nTo: <{to}>\r\nSubject: Thread {i // 3}\r\n"
             f"Date: {when:%a, %d %b %Y %H:%M:%S +0000}\r\nMessage-ID: <m{i}@example.com>\r\n{extra}\r\n"
             f"{'Body line. ' * 20}\r\n").encode())
    if os.getuid() == 0:
        import pwd

        pw = pwd.getpwnam("nobody")
        for base, dirs, files in os.walk(server.root / "mail"):
            for name in dirs + files:
                os.chown(os.path.join(base, name), pw.pw_uid, pw.pw_gid)


class TimedDav(DavClient):
    """Counts the seconds spent waiting for the server (its share of a sync)."""

    waited = 0.0

    def request(self, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return super().request(*args, **kwargs)
        finally:
            TimedDav.waited += time.perf_counter() - t0


def server_floor(url: str, token: str) -> None:
    """What the server alone takes to answer the two requests a sync with nothing new could make: the
    collection's ctag (PROPFIND, depth 0: what Kith sends) and a sync-collection with the last token."""
    client = DavClient(url, USER, PASSWORD, timeout=600)
    try:
        for _ in range(2):
            t0 = time.perf_counter()
            client.ctag()
            ctag = time.perf_counter() - t0
            t0 = time.perf_counter()
            client.changes(token)
            report = time.perf_counter() - t0
            print(f"{'':<8} {'floor':<12} ctag PROPFIND {ctag:.2f} s, sync-collection REPORT {report:.2f} s "
                  "(the server alone)", flush=True)
    finally:
        client.close()


def timed(db: str, name: str, url: str = "") -> None:
    kith = open_kith(db, as_of=NOW)
    clients = Clients(dav=lambda url, user, pw: TimedDav(url, user, pw, timeout=600))
    try:
        for run in ("first sync", "nothing new", "nothing new"):
            t0, TimedDav.waited = time.perf_counter(), 0.0
            with kith.session() as session:
                report = sync_account(session, name, now=NOW, clients=clients)
            took = time.perf_counter() - t0
            server = f" (waiting for the server {TimedDav.waited:.2f} s)" if TimedDav.waited else ""
            print(f"{name:<8} {run:<12} {took:8.2f} s{server}   {report.headline()}"
                  f"{'  ERROR ' + report.error if report.error else ''}", flush=True)
        if url:
            from kith.services.sync_accounts import get_account

            with kith.session() as session:
                token = str(get_account(session, name).state.get("sync_token", ""))
            server_floor(url, token)
    finally:
        kith.close()


def main() -> None:
    """Fill the servers, then time the syncs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["KITH_SECRETS"] = "file"
        os.environ["KITH_SECRETS_FILE"] = str(root / "secrets.json")
        db = f"sqlite:///{root}/kith.db"
        kith = open_kith(db, as_of=NOW, init=True)
        (root / "radicale").mkdir()
        radicale = Radicale(root / "radicale")
        radicale.start()
        try:
            url = fill_address_book(radicale, args.contacts)
            with kith.session() as s:
                add_account(s, "carddav", "contacts", url=url, user=USER, password=PASSWORD, now=NOW)
            timed(db, "contacts", url)
        finally:
            radicale.stop()
        try:
            dovecot = Dovecot()
        except pytest.skip.Exception as exc:
            print(f"IMAP skipped: {exc}")
            return
        try:
            fill_mailbox(dovecot, args.messages)
            dovecot.start()
            with kith.session() as s:
                add_account(s, "imap", "mail", url=dovecot.url, user=USER, password=PASSWORD, now=NOW,
                            options={"me": [ME], "folders": ["INBOX"]})
            timed(db, "mail")
        finally:
            dovecot.cleanup()
        kith.close()
        print(json.dumps({"contacts": args.contacts, "messages": args.messages}))
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}", flush=True)


if __name__ == "__main__":
    main()
