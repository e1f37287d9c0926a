"""Benchmark every importer at the sizes of issue 12, each next to the floor measured in the same run.

Run: ``.venv/bin/python bench/bench_imports.py [--scale 1.0] [--only linkedin,...] [--db postgresql://...]``.

For each format it generates a file (fictional names, example.com
addresses, a fixed seed), then, each in a fresh process so that peak memory
is its own:

- **floor**: ``csv.reader`` over the same rows and SQLite ``executemany`` of
  them into one table, in one transaction (what the libraries cost at least);
- **first import**: ``kith import`` into an empty database (``import_file``
  and commit; "process s" is the whole child process: interpreter start,
  ``open_kith`` creating the database, the import, exit);
- **re-import** (contacts): the same file again, which must change nothing;
- **as the user meets it** (the contact formats, unless ``--no-cli``): the
  ``kith`` console script, ``kith import FORMAT FILE`` as its own process on a
  database ``kith init`` made first (not timed), then again (the re-import),
  then ``kith import undo 1`` (the first import taken back), each next to its
  **start-up**: the same command on a one-record file of the same format,
  measured in the same run; *work* = whole - start-up.

Peak memory is the process's maximum resident set size. Sizes (``--scale 1``):
LinkedIn 30,000 connections, Google CSV and Outlook CSV 30,000 contacts,
vCard 30,000 cards, mbox 100,000 messages, interactions CSV 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

GIVEN = ["Ana", "Bo", "Carla", "Dev", "Evan", "Fatima", "Gil", "Hana", "Ian", "Jo", "Kara", "Lena", "Mika", "Noor",
         "Omar", "Pia", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Vik", "Wen", "Xia", "Yara", "Zed"]
FAMILY = ["Diaz", "Li", "Nunes", "Patel", "Walsh", "Haddad", "Amar", "Sato", "Moss", "Reyes", "Voss", "Ortiz",
          "Okafor", "Berg", "Costa", "Dube", "Egan", "Fox", "Gallo", "Huang", "Ivanov", "Jansen", "Kaur", "Lund"]
NOW = datetime(2026, 6, 15, tzinfo=UTC)
SIZES = {"linkedin": 30_000, "google": 30_000, "outlook": 30_000, "vcard": 30_000, "mbox": 100_000,
         "interactions": 1_000_000}
BUDGET = {"linkedin": (5.0, 2.0), "google": (5.0, None), "outlook": (5.0, None), "vcard": (10.0, None),
          "mbox": (60.0, None), "interactions": (60.0, None)}


def _person(rng: random.Random, i: int) -> tuple[str, str, str, str, str]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    return given, f"{family}{i}", f"{given.lower()}.{family.lower()}.{i}@example.com", f"Studio {i % 700}", "Producer"


def write_linkedin(path: Path, n: int) -> list[tuple[str, ...]]:
    """A current-shape Connections.csv; returns the rows."""
    rng = random.Random(1)
    rows = []
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write('Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
                'are missing."\n\n')
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        for i in range(n):
            given, family, email, org, title = _person(rng, i)
            day = (datetime(2015, 1, 1) + timedelta(days=i % 3000)).strftime("%d %b %Y")
            row = (given, family, f"https://www.linkedin.com/in/{given.lower()}-{family.lower()}",
                   email if i % 3 == 0 else "", org, title, day)
            w.writerow(row)
            rows.append(row)
    return rows


def write_google(path: Path, n: int) -> list[tuple[str, ...]]:
    rng = random.Random(2)
    rows = []
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Middle Name", "Last Name", "Nickname", "Organization Name", "Organization Title",
                    "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value"])
        for i in range(n):
            given, family, email, org, title = _person(rng, i)
            row = (given, "", family, "", org, title, "* myContacts ::: Film", "* Work", email, "Mobile",
                   f"+1 {212 + i // 10000} 555 {i % 10000:04d}")
            w.writerow(row)
            rows.append(row)
    return rows


def write_outlook(path: Path, n: int) -> list[tuple[str, ...]]:
    rng = random.Random(3)
    rows = []
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Middle Name", "Last Name", "Company", "Job Title", "E-mail Address",
                    "Mobile Phone", "Business City", "Categories"])
        for i in range(n):
            given, family, email, org, title = _person(rng, i)
            row = (given, "", family, org, title, email, f"({212 + i // 10000}) 555-{i % 10000:04d}", "Lisbon", "Film")
            w.writerow(row)
            rows.append(row)
    return rows


def write_vcard(path: Path, n: int) -> list[tuple[str, ...]]:
    rng = random.Random(4)
    rows = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            given, family, email, org, title = _person(rng, i)
            f.write(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{given} {family}\r\nN:{family};{given};;;\r\n"
                    f"EMAIL;TYPE=work:{email}\r\nTEL;TYPE=cell:+1 {212 + i // 10000} 555 {i % 10000:04d}\r\n"
                    f"ORG:{org}\r\nTITLE:{title}\r\nEND:VCARD\r\n")
            rows.append((given, family, email, org, title))
    return rows


def write_mbox(path: Path, n: int, people: int = 3000) -> list[tuple[str, ...]]:
    rng = random.Random(5)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    rows = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            who = rng.randrange(people)
            when = start + timedelta(minutes=11 * i)
            me, them = "me@example.com", f"p{who}@example.com"
            sender, to = (me, them) if i % 2 else (them, me)
            f.write(f"From {sender} {when:%a %b %d %H:%M:%S %Y}\nFrom: P {who} <{sender}>\nTo: <{to}>\n"
                    f"Subject: Thread {i // 3}\nDate: {when:%a, %d %b %Y %H:%M:%S +0000}\n"
                    f"Message-ID: <m{i}@example.com>\n\n{'Body line. ' * 20}\n\n")
            rows.append((sender, to, when.isoformat(), f"Thread {i // 3}"))
    return rows


def write_interactions(path: Path, n: int, people: int = 5000) -> list[tuple[str, ...]]:
    rng = random.Random(6)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    kinds = ["email", "message", "call", "coffee", "meeting"]
    rows = []
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "contact", "direction", "kind", "note"])
        for i in range(n):
            row = ((start + timedelta(minutes=5 * i)).isoformat(), f"p{rng.randrange(people)}@example.com",
                   rng.choice(["out", "in", "mutual"]), rng.choice(kinds), "")
            w.writerow(row)
            rows.append(row)
    return rows


WRITERS = {"linkedin": (write_linkedin, "csv"), "google": (write_google, "csv"), "outlook": (write_outlook, "csv"),
           "vcard": (write_vcard, "vcf"), "mbox": (write_mbox, "mbox"), "interactions": (write_interactions, "csv")}


def floor(rows_csv: Path, db: Path) -> float:
    """csv.reader over the same rows + SQLite executemany of them, one transaction."""
    t0 = time.perf_counter()
    with rows_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    width = len(rows[0])
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE t ({', '.join(f'c{i} TEXT' for i in range(width))})")
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - t0


def one(fmt: str, path: Path, url: str, init: bool) -> dict[str, object]:
    """Import once in this process (the child): seconds, the summary's headline, peak memory."""
    from kith.runtime import open_kith
    from kith.services.importing import ImportOptions, import_file

    kith = open_kith(url, as_of=NOW, init=init)
    try:
        t0 = time.perf_counter()
        with kith.session() as session:
            summary = import_file(session, fmt, path, now=NOW,
                                  options=ImportOptions(me=["me@example.com"], photos=False))
        seconds = time.perf_counter() - t0
    finally:
        kith.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": seconds, "headline": summary.headline(), "peak_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime}


def _env() -> dict[str, str]:
    """The children's environment: strict tie states (a hidden rebuild fails instead of costing time), and bytecode
    cached as on a user's machine (this sandbox sets PYTHONDONTWRITEBYTECODE: every process would compile Kith)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "KITH_STRICT_TIES": os.environ.get("KITH_STRICT_TIES", "1")}


def write_files(fmt: str, path: Path, n: int) -> None:
    """The file of ``n`` records at ``path``, and beside it (``FORMAT-rows.csv``) its rows for the floor."""
    write, _ = WRITERS[fmt]
    rows = write(path, n)
    with (path.parent / f"{fmt}-rows.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _run_child(*args: str) -> dict[str, object]:
    """This script in a child process with ``args``; its last line of JSON (or {})."""
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False, env=_env())
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def child(*args: str) -> dict[str, object]:
    """One import in a fresh process: what it reports, and ``process``, the whole process's wall time (start-up,
    imports of Kith's modules, opening the database, the import, commit, exit)."""
    t0 = time.perf_counter()
    report = _run_child("--child", *args)
    return {**report, "process": time.perf_counter() - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default=",".join(SIZES))
    parser.add_argument("--db", default="", help="a PostgreSQL admin URL: import into fresh databases there")
    parser.add_argument("--no-cli", action="store_true", help="skip the runs of the kith console script")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()  # bench/run_all.py passes every script the same arguments
    if args.child:
        fmt, path, url, init = args.child
        print(json.dumps(one(fmt, Path(path), url, init == "1")))
        return
    if args.write:
        fmt, path, n = args.write
        write_files(fmt, Path(path), int(n))
        return
    if args.floor:
        print(json.dumps({"seconds": floor(Path(args.floor[0]), Path(args.floor[1]))}))
        return
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, scale {args.scale}, "
          f"{'PostgreSQL' if args.db else 'SQLite'}")
    print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; first/again: the import itself "
          "(open to commit); process: the whole `python` process around it (wall / CPU seconds: on a loaded "
          "machine the CPU time is what the process needed)")
    print(f"{'format':<13} {'rows':>9} {'floor s':>8} {'first s':>8} {'process':>12} {'budget':>7} {'again s':>8} "
          f"{'process':>12} {'budget':>7} {'peak MB':>8}  summary")
    cli_rows: list[tuple[str, float, float, float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for fmt in args.only.split(","):
            n = int(SIZES[fmt] * args.scale)
            path = root / f"{fmt}.{WRITERS[fmt][1]}"
            # Written, and the floor measured, by child processes: a process inherits its parent's peak memory as
            # its own (Linux carries ru_maxrss across fork and exec), so this one never holds a file's rows.
            _run_child("--write", fmt, str(path), str(n))
            base = float(str(_run_child("--floor", str(root / f"{fmt}-rows.csv"), str(root / f"{fmt}-floor.db"))
                             ["seconds"]))
            url = _database(args.db, fmt) if args.db else f"sqlite:///{root}/{fmt}.db"
            first = child(fmt, str(path), url, "1")
            again = child(fmt, str(path), url, "0") if fmt in ("linkedin", "google", "outlook", "vcard") else None
            budget, budget_again = BUDGET[fmt]
            peak = max(float(str(first["peak_mb"])), float(str(again["peak_mb"])) if again else 0.0)
            print(f"{fmt:<13} {n:>9,} {base:>8.2f} {float(str(first['seconds'])):>8.2f} "
                  f"{_process(first):>12} {'< ' + str(budget):>7} "
                  f"{(format(float(str(again['seconds'])), '8.2f') if again else '       -'):>8} "
                  f"{(_process(again) if again else '-'):>12} "
                  f"{('< ' + str(budget_again)) if budget_again else '':>7} {peak:>8.0f}  {first['headline']}",
                  flush=True)
            if fmt in CLI_FORMATS and not args.no_cli:
                cli_rows.append((fmt, *cli(fmt, path, root, args.db)))
    if cli_rows:
        print("# as the user meets it: `kith import FORMAT FILE` as its own process (wall s; start-up: the same "
              "command on a one-record file; work = whole - start-up)")
        print(f"{'format':<13} {'whole':>7} {'start-up':>9} {'work':>6} {'budget':>7} {'again':>7} {'work':>6} "
              f"{'budget':>7} {'undo':>7} {'start-up':>9} {'work':>6}")
        for fmt, whole, startup, again, undo, undo_startup in cli_rows:
            budget, budget_again = BUDGET[fmt]
            print(f"{fmt:<13} {whole:>7.2f} {startup:>9.2f} {whole - startup:>6.2f} {'< ' + str(budget):>7} "
                  f"{again:>7.2f} {again - startup:>6.2f} {('< ' + str(budget_again)) if budget_again else '':>7} "
                  f"{undo:>7.2f} {undo_startup:>9.2f} {undo - undo_startup:>6.2f}", flush=True)
    print(f"# load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    _drop_databases()


CLI_FORMATS = ("linkedin", "google", "outlook", "vcard")
KITH = Path(sys.executable).with_name("kith")


def _kith(url: str, *args: str) -> float:
    """One ``kith`` command as its own process on ``url``: its wall seconds (a failure stops the benchmark)."""
    env = {**_env(), "KITH_DATABASE_URL": url}
    t0 = time.perf_counter()
    out = subprocess.run([str(KITH), *args], capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"kith {' '.join(args)}: {out.stderr[-3000:]}")
    return seconds


def cli(fmt: str, path: Path, root: Path, admin: str) -> tuple[float, float, float, float, float]:
    """The file imported by the console script into a new database, then again, then the first import undone;
    and the start-ups: the same commands on a one-record file in another new database."""
    one = root / f"{fmt}-one{path.suffix}"
    WRITERS[fmt][0](one, 1)
    times = []
    for name, file, twice in ((f"{fmt}_cli", path, True), (f"{fmt}_one", one, False)):
        url = _database(admin, name) if admin else f"sqlite:///{root}/{name}.db"
        _kith(url, "init")
        times.append(_kith(url, "import", fmt, str(file)))
        if twice:
            times.append(_kith(url, "import", fmt, str(file)))
        times.append(_kith(url, "import", "undo", "1"))
    whole, again, undo, startup, undo_startup = times
    return whole, startup, again, undo, undo_startup


def _process(run: dict[str, object]) -> str:
    return f"{float(str(run['process'])):.2f}/{float(str(run['cpu'])):.2f}"


def _database(admin: str, fmt: str) -> str:
    import sqlalchemy as sa

    name = f"kith_bench_{fmt}_{os.getpid()}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    CREATED.append((admin, name))
    return admin.rsplit("/", 1)[0] + f"/{name}"


CREATED: list[tuple[str, str]] = []


def _drop_databases() -> None:
    """Drop the PostgreSQL databases this run made."""
    import sqlalchemy as sa

    for admin, name in CREATED:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        engine.dispose()


if __name__ == "__main__":
    main()
