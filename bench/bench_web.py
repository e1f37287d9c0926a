"""Web benchmark: dashboard, people list and person page on a big SQLite network.

Takes the big network of :mod:`bigdb` (30,000 people, 1,000,000
interactions; built once under bench/out/, shared with ``bench_process.py``
so that the two are about the same data), starts ``kith serve`` on a copy of
it (``--workers``, default 2: one per core of the benchmark machine), times
the first (cold-cache) request of each page, warms every worker, then keeps
20 concurrent connections busy on each page and prints the median and p95
latency as a Markdown table for ``docs/benchmarks.md`` ("Web").

The load comes from ``wrk`` (Debian package ``wrk``: C, so the load generator
takes little of the CPU it shares with the server) when it is installed, for
``--seconds`` per page, cycling through the page's paths; otherwise from 20
httpx client threads in this process (``--requests`` per page), which cost
the server a good part of a core. The table says which tool measured.

    .venv/bin/python bench/bench_web.py [--people 30000] [--interactions 1000000] [--workers 2]
        [--tool auto|wrk|httpx] [--seconds 15] [--requests 400]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

import bigdb  # beside this script, which Python puts first on sys.path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
NOW = bigdb.NOW
CLIENTS = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(base: str, paths: list[str], requests: int) -> list[float]:
    """Latencies (ms) of ``requests`` GETs spread over CLIENTS concurrent clients."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // CLIENTS)

    def client(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            for i in range(per_client):
                path = paths[(k * per_client + i) % len(paths)]
                t0 = time.perf_counter()
                r = c.get(path)
                dt = (time.perf_counter() - t0) * 1000
                if r.status_code != 200:
                    raise RuntimeError(f"{path}: {r.status_code}")
                with lock:
                    latencies.append(dt)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%f %%f %%d %%d\\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def measure_wrk(base: str, paths: list[str], seconds: int) -> tuple[float, float, int]:
    """Median and p95 (ms) and the request count of ``wrk`` with CLIENTS connections on ``paths``."""
    script = OUT / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    run = subprocess.run(["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script), base],
                         capture_output=True, text=True, check=True)
    found = re.search(r"RESULT (\S+) (\S+) (\d+) (\d+)", run.stdout)
    if found is None:
        raise RuntimeError(f"wrk said: {run.stdout}{run.stderr}")
    if int(found.group(4)):
        raise RuntimeError(f"{found.group(4)} failed requests: {run.stdout}")
    return float(found.group(1)), float(found.group(2)), int(found.group(3))


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=30_000)
    ap.add_argument("--interactions", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=400, help="requests per page kind (httpx)")
    ap.add_argument("--seconds", type=int, default=15, help="seconds of load per page kind (wrk)")
    ap.add_argument("--tool", choices=("auto", "wrk", "httpx"), default="auto")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = ap.parse_args()
    if args.tool == "auto":
        args.tool = "wrk" if shutil.which("wrk") else "httpx"
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(prefix="kith-bench-web-")
    db = Path(tmp.name) / "big.db"  # a copy: the server writes (tie states, the planner's statistics)
    shutil.copyfile(bigdb.ensure_apart(args.people, args.interactions), db)
    # Untimed, as in bench_process.py: the schema upgrade and the tie states a user's first command makes.
    subprocess.run([sys.executable, "-m", "kith.cli.app", "--db", str(db), "--as-of", NOW.isoformat(), "score", "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    env = {**os.environ, "KITH_NOW": NOW.isoformat(), "KITH_PORT": str(port), "KITH_SECRET_KEY": "bench" * 10,
           "XDG_DATA_HOME": str(OUT / "xdg")}
    server = subprocess.Popen([sys.executable, "-m", "kith.cli.app", "--db", str(db), "serve", "--port", str(port),
                               "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/static/kith.css", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        rng = random.Random(1)
        pages = {
            "dashboard": ["/"],
            "people list": [f"/people?page={rng.randrange(1, 500)}" for _ in range(50)] + ["/people?q=example12", "/people?sort=score"],
            "person page": [f"/people/{rng.randrange(1, args.people + 1)}" for _ in range(200)],
        }
        cold: dict[str, float] = {}
        for name, paths in pages.items():  # the first request of each page: one worker's cold cache
            t0 = time.perf_counter()
            httpx.get(base + paths[0], timeout=600).raise_for_status()
            cold[name] = time.perf_counter() - t0
            print(f"{name:12s} first request {cold[name] * 1000:9.1f} ms (cold cache)", flush=True)
        for paths in pages.values():  # warm every worker: CLIENTS concurrent requests per page, not measured
            measure(base, paths, CLIENTS * 2)
        results = {}
        for name, paths in pages.items():
            if args.tool == "wrk":
                results[name] = measure_wrk(base, paths, args.seconds)
            else:
                lat = measure(base, paths, args.requests)
                results[name] = (statistics.median(lat), p95(lat), len(lat))
            print(f"{name:12s} median {results[name][0]:7.1f} ms   p95 {results[name][1]:7.1f} ms   n={results[name][2]}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
        tmp.cleanup()
    table(results, cold, args)
    return 0


def table(results: dict[str, tuple[float, float, int]], cold: dict[str, float], args: argparse.Namespace) -> None:
    """The results as the Markdown table of docs/benchmarks.md."""
    print(f"\n{args.people:,} people, {args.interactions:,} interactions, SQLite; {args.workers} uvicorn workers; "
          f"{CLIENTS} concurrent clients ({args.tool}); {platform.machine()}, {os.cpu_count()} CPUs\n")
    print("| page | first request (cold cache) | median (warm) | p95 (warm) | requests |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (m, p, n) in results.items():
        print(f"| {name} | {cold[name] * 1000:.0f} ms | {m:.1f} ms | {p:.1f} ms | {n} |")


if __name__ == "__main__":
    sys.exit(main())
