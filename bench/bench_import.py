"""Benchmark imports: a generated 10,000-contact vCard and a 50,000-message mbox (headers).

Run: ``.venv/bin/python bench/bench_import.py [--contacts N] [--messages N]``.
Everything is generated (fictional names, example.com addresses) in a
temporary folder and imported into a fresh SQLite database.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kith.runtime import open_kith
from kith.services.importing import ImportOptions, import_file

GIVEN = ["Ana", "Bo", "Carla", "Dev", "Evan", "Fatima", "Gil", "Hana", "Ian", "Jo", "Kara", "Lena", "Mika", "Noor"]
FAMILY = ["Diaz", "Li", "Nunes", "Patel", "Walsh", "Haddad", "Amar", "Sato", "Moss", "Reyes", "Voss", "Ortiz"]
NOW = datetime(2026, 6, 15, tzinfo=UTC)


def write_vcards(path: Path, n: int) -> None:
    """``n`` vCard 3.0 cards with names, e-mails, phones, organisations and titles."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            f.write(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{given} {family} {i}\r\nN:{family} {i};{given};;;\r\n"
                    f"EMAIL;TYPE=work:{given}.{family}.{i}@example.com\r\nTEL;TYPE=cell:+1 212 555 {i % 10000:04d}\r\n"
                    f"ORG:Studio {i % 300}\r\nTITLE:Producer\r\nEND:VCARD\r\n")


def write_mbox(path: Path, n: int, people: int = 2000) -> None:
    """``n`` messages between you and ``people`` correspondents, with bodies."""
    rng = random.Random(2)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            who = rng.randrange(people)
            when = start + timedelta(minutes=17 * i)
            sender, to = ("me@example.com", f"p{who}@example.com") if i % 2 else (f"p{who}@example.com", "me@example.com")
            f.write(f"From {sender} {when:%a %b %d %H:%M:%S %Y}\nFrom: P {who} <{sender}>\nTo: <{to}>\n"
                    f"Subject: Thread {i // 3}\nDate: {when:%a, %d %b %Y %H:%M:%S +0000}\n"
                    f"Message-ID: <m{i}@example.com>\n\n{'Body line. ' * 20}\n\n")


def timed(label: str, db: str, fmt: str, path: Path, **opts: object) -> None:
    """Import once, then again (idempotent re-import), printing both timings."""
    kith = open_kith(db, as_of=NOW, init=True)
    try:
        for run in ("first import", "re-import"):
            t0 = time.perf_counter()
            with kith.session() as session:
                summary = import_file(session, fmt, path, now=NOW, options=ImportOptions(**opts))  # type: ignore[arg-type]
            print(f"{label:<28} {run:<13} {time.perf_counter() - t0:7.2f} s   {summary.headline()}")
    finally:
        kith.close()


def main() -> None:
    """Generate the files and time their imports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_vcards(root / "contacts.vcf", args.contacts)
        write_mbox(root / "mail.mbox", args.messages)
        timed(f"vCard, {args.contacts} contacts", f"sqlite:///{root}/a.db", "vcard", root / "contacts.vcf")
        timed(f"mbox, {args.messages} messages", f"sqlite:///{root}/b.db", "mbox", root / "mail.mbox",
              me=["me@example.com"])


if __name__ == "__main__":
    main()
