"""A real ``kith serve`` in its own process on a free loopback port, for tests that need the whole server.

Used by the concurrency, shutdown and local-mode tests and by the small load
test; ``bench/load.py`` runs the same server for the figures.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The console script `make install` put beside this interpreter (as tests/conftest.py's KITH_SCRIPT).
KITH_SCRIPT = Path(sys.executable).with_name("kith")




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kith_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a `kith` process with its own XDG directories under ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("KITH_DATABASE_URL", "KITH_NOW")}
    env |= {f"XDG_{n}_HOME": str(home / f"xdg-{n.lower()}") for n in ("DATA", "CONFIG", "CACHE", "STATE")}
    env["KITH_STRICT_TIES"] = "1"
    env |= dict(extra or {})
    return env


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen[bytes]

    def request(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None,
                timeout: float = 30) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"content-type": "application/json"} if data is not None else {}
        hdrs |= dict(headers or {})
        req = urllib.request.Request(self.base + path, data=data, headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return Answer(r.status, r.read(), {k.lower(): v for k, v in r.headers.items()})
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.read(), {k.lower(): v for k, v in e.headers.items()})
        except (urllib.error.URLError, OSError) as e:  # no answer at all (timeout, refused): status 0
            return Answer(0, repr(e).encode())

    def stop(self, sig: int = signal.SIGTERM, wait: float = 15) -> float:
        """Signal the server and wait for it to end; the seconds it took (raises if it did not end)."""
        start = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(wait)
        return time.monotonic() - start


@contextmanager
def live_server(db_url: str, home: Path, *args: str, env: Mapping[str, str] | None = None) -> Iterator[LiveServer]:
    """``kith --db URL serve --port P ARGS`` until the block ends (then SIGTERM, SIGKILL if it hangs)."""
    port = free_port()
    log = open(home / f"serve-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(KITH_SCRIPT), "--db", db_url, "serve", "--port", str(port), *args],
        env=kith_env(home, env), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (home / f"serve-{port}.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
