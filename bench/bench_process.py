"""Whole-process budgets: each command a new ``kith`` process, as a user runs it.

Earlier benchmarks timed the services inside one Python process; a user runs
``kith log``, then ``kith agenda``, each in its own. This script runs the
venv's ``kith`` console script as a subprocess on the big network of
:mod:`bigdb` (30,000 people, 1,000,000 interactions, SQLite), on a copy of it
(commands write: a log, a rebuilt state, the planner's statistics).

For each command: the median wall time of ``--repeat`` runs, the peak RSS of
each run (``os.wait4``), and the median of the SAME command on a one-person
network, run alternately with it; *work* = whole - that start-up. The
children cache bytecode (this sandbox sets ``PYTHONDONTWRITEBYTECODE``, which
the script removes, as a user's machine would not have it) and run with
``KITH_STRICT_TIES=1``: a command that would silently rebuild every tie state
fails instead, so a slow figure is never a hidden rebuild. Each database gets
one warm-up command first (not strict, not timed), which also fills the OS
page cache.

Prints a Markdown table with the machine beside the figures and writes the
same as JSON to ``bench/out/process.json``.

    .venv/bin/python bench/bench_process.py [--repeat 3] [--people 30000] [--interactions 1000000] [--only NAME]

NAME: score, agenda, agenda-after-log, network, network-demo, report, explain, startup, web (repeatable).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import bigdb  # beside this script, which Python puts first on sys.path

OUT = bigdb.OUT
KITH = Path(sys.executable).with_name("kith")
PYTHON = Path(sys.executable)
AS_OF = bigdb.NOW.isoformat()
MEMORY_MB = 500.0
TIMEOUT_S = 900.0  # a setup command, or the web server's answers
STOP_FACTOR = 20  # a timed command is stopped after 20 x its budget (at least STOP_MIN_S): "not met" either way
STOP_MIN_S = 60.0
NAMES = ("score", "agenda", "agenda-after-log", "network", "network-demo", "report", "explain", "startup", "web")


@dataclass
class Run:
    """One process: wall time, peak resident memory, exit code, the end of stderr."""

    seconds: float
    peak_mb: float
    code: int
    err: str
    stopped: bool = False  # killed after its time limit


@dataclass
class Row:
    """One budget: the command's figures and whether they meet it."""

    name: str
    command: str
    measure: str  # "work" (whole - one-person start-up) or "whole"
    limit_s: float | None  # None: measured for information, no budget
    whole_s: list[float] = field(default_factory=list)
    startup_s: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    error: str | None = None
    stopped_after_s: float | None = None  # a run was stopped: the figure is more than this
    note: str = ""

    @property
    def time_limit(self) -> float:
        """How long one run may take before it is stopped."""
        return max(STOP_MIN_S, STOP_FACTOR * (self.limit_s or STOP_MIN_S))

    @property
    def whole(self) -> float | None:
        return statistics.median(self.whole_s) if self.whole_s else None

    @property
    def startup(self) -> float | None:
        return statistics.median(self.startup_s) if self.startup_s else None

    @property
    def work(self) -> float | None:
        return None if self.whole is None or self.startup is None else self.whole - self.startup

    @property
    def measured(self) -> float | None:
        return self.work if self.measure == "work" else self.whole

    @property
    def met(self) -> bool | None:
        if self.stopped_after_s is not None:
            return False
        if self.error or self.measured is None or self.limit_s is None:
            return None
        return self.measured < self.limit_s

    @property
    def memory_met(self) -> bool | None:
        return None if not self.peak_mb else max(self.peak_mb) < MEMORY_MB

    def as_json(self) -> dict[str, Any]:
        """The row with its medians and verdicts, for process.json."""
        return {**asdict(self), "whole_median_s": self.whole, "startup_median_s": self.startup,
                "work_s": self.work, "met": self.met, "peak_rss_max_mb": max(self.peak_mb, default=None),
                "memory_met": self.memory_met}


# ---------------------------------------------------------------- running processes


def child_env(home: Path, *, strict: bool = True) -> dict[str, str]:
    """The environment of a user's shell: bytecode cached, XDG directories of our own, no Kith overrides."""
    drop = {"PYTHONDONTWRITEBYTECODE", "KITH_DATABASE_URL", "KITH_NOW", "KITH_PORT", "KITH_STRICT_TIES"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env |= {f"XDG_{n}_HOME": str(home / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    if strict:
        env["KITH_STRICT_TIES"] = "1"
    return env


def run_process(argv: list[str], env: dict[str, str], limit_s: float = TIMEOUT_S) -> Run:
    """Run ``argv`` to its end (or kill it after ``limit_s``): wall time and its own peak RSS.

    ``os.wait4`` gives the child's own rusage; RUSAGE_CHILDREN would be the
    maximum over every child so far. A child's ``ru_maxrss`` is at least this process's own high-water mark
    (Linux carries it across fork and exec), so this process stays small: the network is built apart.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        fired = threading.Event()
        killer = threading.Timer(limit_s, lambda: (fired.set(), proc.kill()))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        if proc.returncode == 0 and "--json" in argv:
            out.seek(0)
            json.load(out)  # a command that printed no JSON did not do the work timed
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, " | ".join(tail), fired.is_set())


class Sandbox:
    """The databases of one benchmark run (copies, in a temporary directory) and how to run kith on them."""

    def __init__(self, home: Path, big: Path) -> None:
        self.home = home
        self.big = home / "big.db"
        shutil.copyfile(big, self.big)
        self.tiny = home / "tiny.db"
        self.demo = home / "demo.db"
        self.env = child_env(home)

    def argv(self, db: Path, *args: str) -> list[str]:
        """The command line of ``kith --db DB --as-of AS_OF ARGS``."""
        return [str(KITH), "--db", f"sqlite:///{db}", "--as-of", AS_OF, *args]

    def kith(self, db: Path, *args: str, strict: bool = True, limit_s: float = TIMEOUT_S) -> Run:
        """Run one kith command on ``db`` (killed after ``limit_s``)."""
        env = self.env if strict else child_env(self.home, strict=False)
        return run_process(self.argv(db, *args), env, limit_s)

    def python(self, code: str) -> Run:
        """Run ``python -c CODE`` in the venv, in the same environment as kith."""
        return run_process([str(PYTHON), "-c", code], self.env)

    def must(self, db: Path, *args: str, strict: bool = True) -> None:
        """Run a setup command; stop the benchmark if it fails."""
        run = self.kith(db, *args, strict=strict)
        if run.code != 0:
            raise SystemExit(f"setup `kith {' '.join(args)}` on {db.name} failed: {run.err}")

    def prepare(self, demo: bool) -> None:
        """The one-person network, the demo network if asked, and one untimed warm-up command on each."""
        self.must(self.tiny, "init")
        self.must(self.tiny, "add", "Solo Example", "--email", "solo@example.com")
        self.must(self.tiny, "log", "1", "call", "--on", "2026-06-01")
        if demo:
            self.must(self.demo, "init")
            self.must(self.demo, "demo", strict=False)
        for db in (self.big, self.tiny, *((self.demo,) if demo else ())):
            self.must(db, "score", "--json", strict=False)


def most_contacted(db: Path) -> int:
    """The person with the most interactions: the heaviest explanation and log."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT person_id FROM interaction_participant GROUP BY person_id "
                           "ORDER BY count(*) DESC LIMIT 1").fetchone()
    return int(row[0])


# ---------------------------------------------------------------- the budgets

Command = tuple[Path, list[str]]  # a database and the arguments after --db/--as-of


def measure(box: Sandbox, row: Row, repeat: int, command: Command, start_up: Command | None = None) -> Row:
    """Run ``command`` (and its twin on the one-person network, alternately) ``repeat`` times into ``row``."""
    runs = [(command, row.whole_s)] + ([(start_up, row.startup_s)] if start_up else [])
    for _ in range(repeat):
        for (db, args), series in runs:
            run = box.kith(db, *args, limit_s=row.time_limit)
            if series is row.whole_s:
                row.peak_mb.append(run.peak_mb)
            if not record(row, run, series, f"`kith {' '.join(args)}` on {db.name}"):
                return row
    return row


def record(row: Row, run: Run, series: list[float], what: str) -> bool:
    """Add one run's time to ``series``; False (and the row says why) if it failed or was stopped."""
    if run.stopped:
        row.stopped_after_s = run.seconds
        return False
    if run.code != 0:
        row.error = f"{what} exited {run.code}: {run.err}"
        return False
    series.append(run.seconds)
    return True


def process_rows(box: Sandbox, only: set[str], repeat: int, heavy: int) -> list[Row]:
    """Every command budget asked for, in the order of the issue."""
    big, tiny, demo = box.big, box.tiny, box.demo
    rows: list[Row] = []
    if "score" in only:
        rows.append(measure(box, Row("score", "kith score --json", "work", 1.0), repeat,
                            (big, ["score", "--json"]), (tiny, ["score", "--json"])))
    if "agenda" in only:
        rows.append(measure(box, Row("agenda", "kith agenda --json", "work", 0.5), repeat,
                            (big, ["agenda", "--json"]), (tiny, ["agenda", "--json"])))
    if "agenda-after-log" in only:
        rows.extend(agenda_after_log(box, repeat, heavy))
    if "network" in only:
        rows.append(measure(box, Row("network", "kith network --json", "whole", 3.0), repeat,
                            (big, ["network", "--json"])))
    if "network-demo" in only:
        rows.append(measure(box, Row("network-demo", "kith network --json (demo network)", "whole", 1.0), repeat,
                            (demo, ["network", "--json"])))
    if "report" in only:
        rows.append(measure(box, Row("report", "kith report --json", "whole", 2.0), repeat,
                            (big, ["report", "--json"])))
    if "explain" in only:
        rows.append(measure(box, Row("explain", f"kith score {heavy} --explain (most contacted)", "work", 0.3),
                            repeat, (big, ["score", str(heavy), "--explain"]), (tiny, ["score", "1", "--explain"])))
    if "startup" in only:
        for args in (["agenda", "--json"], ["list", "--json"]):
            row = Row(f"startup-{args[0]}", f"kith {' '.join(args)} (one-person network)", "whole", 0.5)
            rows.append(measure(box, row, repeat, (tiny, args)))
        rows.append(floor(box, repeat))
    return rows


FLOOR = "import sqlalchemy.orm, typer"


def floor(box: Sandbox, repeat: int) -> Row:
    """What any command pays before Kith's own code: Python, SQLAlchemy's ORM and Typer (no budget)."""
    row = Row("floor", f"python -c '{FLOOR}' (the libraries every command needs; no budget)", "whole", None)
    for _ in range(repeat):
        run = box.python(FLOOR)
        row.peak_mb.append(run.peak_mb)
        if not record(row, run, row.whole_s, "the libraries' import"):
            break
    return row


def agenda_after_log(box: Sandbox, repeat: int, heavy: int) -> list[Row]:
    """`kith log PERSON call` in one process, then `kith agenda --json` in the next: a row for each."""
    logged = Row("log", f"kith log {heavy} call (most contacted; no budget)", "work", None)
    shown = Row("agenda-after-log", "kith agenda --json right after a kith log in another process", "work", 0.5)
    for _ in range(repeat):
        for db, person, on_big in ((box.big, heavy, True), (box.tiny, 1, False)):
            for row, args in ((logged, ["log", str(person), "call"]), (shown, ["agenda", "--json"])):
                run = box.kith(db, *args, limit_s=row.time_limit)
                if on_big:
                    row.peak_mb.append(run.peak_mb)
                if not record(row, run, row.whole_s if on_big else row.startup_s, f"`kith {' '.join(args)}`"):
                    return [logged, shown]
    return [logged, shown]


# ---------------------------------------------------------------- the web app


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_rows(box: Sandbox, repeat: int, person: int) -> list[Row]:
    """`kith serve` on the big network: the first dashboard, and the first one after a write."""
    first = Row("web-first", "kith serve: first GET / once the server answers", "whole", 2.0)
    after = Row("web-after-write", "kith serve: first GET / after POST /api/v1/interactions", "whole", 0.3)
    answers: list[float] = []
    for _ in range(repeat):
        try:
            answered, cold, warm, peak = serve_once(box, person)
        except RuntimeError as exc:
            first.error = after.error = str(exc)
            break
        answers.append(answered)
        first.whole_s.append(cold)
        after.whole_s.append(warm)
        first.peak_mb.append(peak)
        after.peak_mb.append(peak)
    if answers:
        first.note = f"server answered {statistics.median(answers):.1f} s after its start (median)"
    return [first, after]


def serve_once(box: Sandbox, person: int) -> tuple[float, float, float, float]:
    """Start the server, time GET /, POST an interaction, time GET /, stop it; its peak RSS."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(box.argv(box.big, "serve", "--port", str(port)), env=box.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            with httpx.Client(base_url=base, timeout=TIMEOUT_S) as client:
                answered = wait_until_answering(client, proc, start)
                cold = timed_get(client, "/")
                posted = client.post("/api/v1/interactions", json={"people": [person], "kind": "call"})
                if posted.status_code != 201:
                    raise RuntimeError(f"POST /api/v1/interactions: {posted.status_code} {posted.text[:200]}")
                warm = timed_get(client, "/")
        except (RuntimeError, httpx.HTTPError) as exc:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-2:]
            raise RuntimeError(f"{exc} {' | '.join(tail)}".strip()) from None
        finally:
            proc.terminate()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
    return answered, cold, warm, usage.ru_maxrss / 1024


def wait_until_answering(client: httpx.Client, proc: subprocess.Popen[bytes], start: float) -> float:
    """Seconds from the start until a static file is served."""
    while time.perf_counter() - start < TIMEOUT_S:
        if proc.poll() is not None:
            raise RuntimeError(f"kith serve exited {proc.returncode}")
        try:
            if client.get("/static/kith.css", timeout=2).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("kith serve did not answer")


def timed_get(client: httpx.Client, path: str) -> float:
    """Seconds for one GET that must succeed."""
    t0 = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - t0
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")
    return seconds


# ---------------------------------------------------------------- what start-up pays for


# What `kith agenda` imports: the runner (libraries, models), the command's module, the services it calls.
# (The entry point kith.cli.app imports none of them itself, and the root group imports a command's
# module with importlib, which -X importtime does not report.)
AGENDA_IMPORTS = "import kith.cli.runner, kith.cli.agenda, kith.services.agenda"


def import_times(env: dict[str, str], top: int = 15) -> list[tuple[float, float, str]]:
    """(cumulative ms, self ms, module) of what `kith agenda` imports, heaviest first (second run: bytecode cached)."""
    argv = [str(PYTHON), "-X", "importtime", "-c", AGENDA_IMPORTS]
    for _ in range(2):
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    heaviest: dict[str, tuple[float, float, str]] = {}
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            name = parts[2].strip()  # listed again, nearly free, when a circular import comes back to it
            entry = (int(parts[1]) / 1000, int(parts[0]) / 1000, name)
            heaviest[name] = max(heaviest.get(name, entry), entry)
    return sorted(heaviest.values(), reverse=True)[:top]


# ---------------------------------------------------------------- the report


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown")
    return {
        "date": subprocess.run(["date", "-u"], capture_output=True, text=True, check=False).stdout.strip(),
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
        "cpu": model, "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def seconds(value: float | None) -> str:
    return "-" if value is None else (f"{value * 1000:.0f} ms" if abs(value) < 1 else f"{value:.2f} s")


def verdict(met: bool | None) -> str:
    return "-" if met is None else ("**met**" if met else "**not met**")


def markdown(info: dict[str, Any], rows: list[Row], imports: list[tuple[float, float, str]]) -> str:
    """The table, the machine beside it, and the heaviest imports."""
    lines = [
        f"Measured {info['date']}; {info['nproc']} CPUs ({info['cpu']}); Python {info['python']}; "
        f"SQLite {info['sqlite']}; load average {info['load_average_at_start']} at the start, "
        f"{info.get('load_average_at_end')} at the end.",
        f"{info['people']:,} people, {info['interactions']:,} interactions (SQLite, a copy of {info['database']}); "
        f"--as-of {AS_OF}; median of {info['repeat']} runs; bytecode cached; KITH_STRICT_TIES=1.",
        "",
        "| command | whole process | same on a one-person network | work | budget | met | peak RSS | < 500 MB |",
        "| --- | ---: | ---: | ---: | --- | --- | ---: | --- |",
    ]
    for r in rows:
        budget = "-" if r.limit_s is None else f"{r.measure} < {seconds(r.limit_s)}"
        status = f"failed: {r.error}" if r.error else verdict(r.met)
        whole = seconds(r.whole)
        if r.stopped_after_s is not None:
            whole = f"> {r.stopped_after_s:.0f} s (stopped)"
        peak = f"{max(r.peak_mb):.0f} MB" if r.peak_mb else "-"
        note = f" ({r.note})" if r.note else ""
        lines.append(f"| `{r.command}`{note} | {whole} | {seconds(r.startup)} | "
                     f"{seconds(r.work) if r.startup_s else '-'} | {budget} | {status} | {peak} | "
                     f"{verdict(r.memory_met)} |")
    if imports:
        lines += ["", f"`python -X importtime -c '{AGENDA_IMPORTS}'` (bytecode cached), heaviest 15 by cumulative time:",
                  "", "| module | cumulative | self |", "| --- | ---: | ---: |"]
        lines += [f"| `{name}` | {cum:.0f} ms | {own:.0f} ms |" for cum, own, name in imports]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each command (median).")
    parser.add_argument("--people", type=int, default=30_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--only", action="append", choices=NAMES, help="Only this budget (repeatable).")
    parser.add_argument("--json", type=Path, default=OUT / "process.json", help="Where to write the results.")
    args = parser.parse_args(argv)
    only = set(args.only or NAMES)
    big = bigdb.ensure_apart(args.people, args.interactions)
    info = machine() | {"people": args.people, "interactions": args.interactions, "repeat": args.repeat,
                        "database": str(big.relative_to(bigdb.ROOT) if big.is_relative_to(bigdb.ROOT) else big),
                        "as_of": AS_OF}
    with tempfile.TemporaryDirectory(prefix="kith-bench-process-") as tmp:
        box = Sandbox(Path(tmp), big)
        box.prepare(demo="network-demo" in only)
        heavy = most_contacted(box.big)
        rows = process_rows(box, only, args.repeat, heavy)
        if "web" in only:
            rows += web_rows(box, args.repeat, heavy)
        imports = import_times(box.env) if "startup" in only else []
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(markdown(info, rows, imports))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        **info, "measured_at": datetime.now(UTC).isoformat(), "memory_budget_mb": MEMORY_MB,
        "rows": [r.as_json() for r in rows],
        "imports": [{"module": n, "cumulative_ms": c, "self_ms": s} for c, s, n in imports],
    }, indent=1) + "\n")
    print(f"\nwrote {args.json}", file=sys.stderr)
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
