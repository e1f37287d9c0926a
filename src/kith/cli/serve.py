"""``kith serve``: the web app and the API (local mode by default, ``--server`` for accounts)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import command_group
from kith.cli.context import STATE
from kith.config import env_int, load_settings

if TYPE_CHECKING:
    from kith.services.sync import BackgroundSync


def serve_url(host: str, port: int) -> str:
    """The address to print for a bind address."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/"


GRACEFUL_SECONDS = 5  # on SIGTERM or Ctrl+C, requests in flight get this long to finish
SERVER_SQLITE_MMAP = 1 << 30  # bytes of a SQLite database the web workers map (KITH_SQLITE_MMAP overrides; 0: off)


commands = command_group()


@commands.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8765; KITH_PORT overrides the config).")] = None,
    server: Annotated[bool, typer.Option("--server", help="Server mode: user accounts, logins, API tokens.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    sync_every: Annotated[float | None, typer.Option(
        "--sync-every", min=0, help="Minutes between syncs of every account (default 15, KITH_SYNC_MINUTES; 0: never).")] = None,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A host name the app answers to besides localhost/127.0.0.1/[::1] (repeatable).",
    )] = None,
    proxy_headers: Annotated[bool, typer.Option(
        "--proxy-headers", help="Trust X-Forwarded-For/-Proto from 127.0.0.1 (only behind a reverse proxy).",
    )] = False,
) -> None:
    """Run the web app (dashboard, people, network, API under /api/v1) until interrupted."""
    import uvicorn

    settings = load_settings()
    server_mode = server or settings.mode == "server"
    host = host or settings.host
    env_port = os.environ.get("KITH_PORT")
    port = port or (int(env_port) if env_port and env_port.isdigit() else settings.port)
    kith = STATE.kith(init=True)  # create or upgrade once, before any worker starts
    url = kith.engine.url.render_as_string(hide_password=False)
    STATE.close()
    os.environ["KITH_DATABASE_URL"] = url
    os.environ["KITH_SERVER_MODE"] = "1" if server_mode else "0"
    # The web workers read a SQLite database through a memory map (see docs/web.md).
    os.environ.setdefault("KITH_SQLITE_MMAP", str(SERVER_SQLITE_MMAP))
    from kith.web.app import allowed_hosts_from_env, handler_threads

    env_int("KITH_SQLITE_MMAP", 0)  # bad tuning values are refused here, before any worker starts
    handler_threads()
    names = [*allowed_hosts_from_env(), *(allow_host or [])]
    # The address it was asked to bind is one of its names (server mode checks Host only when given names).
    if (names or not server_mode) and host not in ("0.0.0.0", "::", ""):
        names.append(host)
    os.environ["KITH_ALLOWED_HOSTS"] = ",".join(names)
    if STATE.as_of_text:
        os.environ["KITH_NOW"] = STATE.as_of_text
    if server_mode:
        from kith.web.app import secret_from

        if not secret_from(settings, create=True):
            raise typer.BadParameter("server mode needs a secret (KITH_SECRET_KEY or secret_key in the config)")
        if host not in ("127.0.0.1", "localhost", "::1"):
            print("note: serve over HTTPS (a reverse proxy); session cookies are marked Secure", file=sys.stderr)
    minutes = sync_every if sync_every is not None else _sync_minutes()
    background = _background_sync(url, minutes, settings.me) if minutes > 0 else None
    mode = "server mode" if server_mode else "local mode"
    print(f"Kith ({mode}) is running at {serve_url(host, port)}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(
        "kith.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
        log_level="warning", proxy_headers=proxy_headers,
        # SIGTERM: stop taking requests, give those in flight a few seconds, then stop (well within 10 s).
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    if background is not None:
        background.stop()


def _sync_minutes() -> float:
    raw = os.environ.get("KITH_SYNC_MINUTES", "").strip()
    if not raw:
        return 15.0
    try:
        value = float(raw)
    except ValueError:
        raise typer.BadParameter(f"KITH_SYNC_MINUTES must be a number of minutes, not '{raw}'") from None
    if value < 0:
        raise typer.BadParameter("KITH_SYNC_MINUTES cannot be negative")
    return value


def _background_sync(url: str, minutes: float, me: list[str]) -> BackgroundSync:
    """The schedule that syncs every account, on its own thread of this process (never in a request)."""
    from kith import clock
    from kith.runtime import open_kith
    from kith.services.sync import BackgroundSync

    kith = open_kith(url)
    fixed = STATE.now if STATE.as_of_text else None  # --as-of: every round syncs as of that moment
    now = (lambda: fixed) if fixed is not None else clock.now
    return BackgroundSync(kith.factory, kith.session, minutes * 60, now=now, me=me,
                          log=lambda m: print(f"sync: {m}", file=sys.stderr, flush=True)).start()
