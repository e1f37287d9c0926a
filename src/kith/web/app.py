"""The web app factory: pages, the REST API under /api/v1, the calendar feed.

``create_app`` builds one app over one database. Tests call it directly;
``uvicorn --factory kith.web.app:app_from_env --workers N`` calls
:func:`app_from_env` in every worker, which reads the same configuration from
the environment, so all workers agree (the secret included).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from pathlib import Path

import anyio
import anyio.to_thread
from fastapi import FastAPI, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kith import clock
from kith.config import Settings, data_dir, env_int, load_settings
from kith.errors import BadInput
from kith.runtime import Kith, ensure_statistics, open_kith
from kith.services.memo import Memo
from kith.web import audit, errors, retry, security
from kith.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, WebConfig, load_session, new_session

STATIC = Path(__file__).parent / "static"
# Requests a worker process handles at once (KITH_HANDLER_THREADS overrides).
# Handlers are CPU bound under the GIL: more at once only make requests wait
# for each other's GIL turns (a third of a worker's throughput lost at 10
# concurrent requests, measured), while a few keep a slow request from holding
# up the rest. The bound is on whole requests (:class:`Admission`), never on
# threads: a request is admitted once and then never waits for a thread, so
# one that holds a database lock always gets to its commit (a bound on threads
# deadlocked: a writer finished its handler, gave back its thread, and waited
# for one to check its answer and commit, while the other requests held every
# thread waiting for its lock).
HANDLER_THREADS = 2
# Threads available to the admitted requests: each uses at most one at a time,
# so this only has to exceed the admitted count (static files and commits use
# threads too).
THREAD_POOL = 40


def handler_threads() -> int:
    """The requests handled at once per worker: ``KITH_HANDLER_THREADS``, else :data:`HANDLER_THREADS`."""
    return min(env_int("KITH_HANDLER_THREADS", HANDLER_THREADS, minimum=1), THREAD_POOL // 2)
API_DESCRIPTION = """\
Kith's REST API. Every object belongs to the caller's workspace; another
workspace's objects are 404. In server mode send `Authorization: Bearer TOKEN`
(`kith token create EMAIL`); local mode needs no token. Lists take `limit` and
`offset` and answer `{"items": [...], "total": N, "limit": L, "offset": O}`.
Errors are JSON: `{"error": "message"}`.
"""


def secret_from(settings: Settings, *, create: bool) -> str | None:
    """The signing secret: ``KITH_SECRET_KEY``, the config file, or one kept in the data dir.

    With ``create`` a missing secret is generated and written (once, atomically,
    so concurrent workers agree) to ``$XDG_DATA_HOME/kith/secret_key``.
    """
    key = os.environ.get("KITH_SECRET_KEY") or settings.secret_key
    if key:
        return key
    path = data_dir() / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip() or None
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def create_app(
    kith: Kith | None = None,
    *,
    server_mode: bool = False,
    db_url: str | None = None,
    secret_key: str | None = None,
    now: Callable[[], datetime] | None = None,
    secure_cookies: bool | None = None,
    allowed_hosts: Iterable[str] = (),
) -> FastAPI:
    """Build the web app over ``kith`` (or the database ``db_url`` names).

    Requests must name a loopback host or one of ``allowed_hosts``
    (:class:`kith.web.security.HostGuard`); in server mode with no
    ``allowed_hosts`` any name is accepted (the reverse proxy chooses).
    """
    if kith is None:
        kith = open_kith(db_url, init=True)
    secret = secret_key or secret_from(kith.settings, create=True)
    if not secret:
        raise BadInput("server mode needs a secret: set KITH_SECRET_KEY or secret_key in the config file")
    cfg = WebConfig(
        factory=kith.factory,
        open_workspace=kith.session,
        local_workspace_id=kith.workspace_id,
        server_mode=server_mode,
        secret_key=secret,
        now=now or clock.now,
        secure_cookies=server_mode if secure_cookies is None else secure_cookies,
        db_url=kith.engine.url.render_as_string(hide_password=True),
    )
    app = FastAPI(
        lifespan=_lifespan,
        title="Kith",
        version="1",
        description=API_DESCRIPTION,
        docs_url=None,  # Swagger UI needs inline scripts, which the CSP forbids
        redoc_url=None,
    )
    app.state.web = cfg
    app.state.kith = kith
    # A long-lived process: memoized views are kept out of the cyclic garbage collector's sight.
    kith.owner.cache("memo", Memo).settle_gc = True
    ensure_statistics(kith.engine)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    app.add_middleware(SessionCookies, cfg=cfg)
    app.add_middleware(retry.RetryBusy)
    if server_mode:
        app.add_middleware(audit.AuditWrites, cfg=cfg)
    app.add_middleware(Admission)
    names = frozenset(allowed_hosts)
    app.add_middleware(security.HostGuard, allowed=None if server_mode and not names else names)
    app.add_middleware(security.SecurityHeaders)  # added last: the outermost

    from kith.web.api import router as api_router
    from kith.web.feed import router as feed_router
    from kith.web.pages import router as pages_router

    # Pages first: they are most of the traffic, and every request is matched
    # against the routes in order (no page path starts with /api or /feed).
    app.include_router(pages_router)
    app.include_router(api_router)
    app.include_router(feed_router)
    return app


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """Enough threads for every admitted request (see :data:`HANDLER_THREADS`)."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREAD_POOL
    yield


class Admission:
    """ASGI middleware: at most :func:`handler_threads` requests of a worker run at once, start to finish.

    A request waits here, before it has touched the database; once admitted
    it runs through its handler, answer and commit without waiting for a
    thread (there are more threads than admitted requests). Static files pass
    straight through.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.slots = handler_threads()
        self._sem: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self._sem is None:
            self._sem = anyio.Semaphore(self.slots)
        async with self._sem:
            await self.app(scope, receive, send)


class SessionCookies:
    """ASGI middleware: every request gets a signed session (a CSRF token, and the user id once logged in).

    The session is read from its cookie into ``request.state.session``; a new
    or changed session (``request.state.session_dirty``) is written back as a
    cookie on pages (the API, static files and feeds never set one).
    """

    def __init__(self, app: ASGIApp, cfg: WebConfig) -> None:
        self.app = app
        self.cfg = cfg

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cfg = self.cfg
        sess = load_session(cfg, HTTPConnection(scope).cookies.get(SESSION_COOKIE))
        state = scope.setdefault("state", {})
        state["session"] = sess or new_session()
        state["session_dirty"] = sess is None
        quiet = scope["path"].startswith(("/api/", "/static/", "/feed/"))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("session_dirty") and not quiet:
                cookie = Response()
                cookie.set_cookie(
                    SESSION_COOKIE, cfg.serializer.dumps(state["session"]), max_age=SESSION_MAX_AGE,
                    httponly=True, samesite="lax", secure=cfg.secure_cookies, path="/",
                )
                MutableHeaders(scope=message).append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def app_from_env() -> FastAPI:
    """The app as ``kith serve`` configures it through the environment (one per worker)."""
    settings = load_settings()
    server = os.environ.get("KITH_SERVER_MODE", "") == "1" or settings.mode == "server"
    secure = os.environ.get("KITH_COOKIE_SECURE")
    now_text = os.environ.get("KITH_NOW")
    fixed: Callable[[], datetime] | None = None
    if now_text:
        at = clock.parse_when(now_text, now=clock.now(), end_of_day=True)
        fixed = lambda: at  # noqa: E731
    # `kith serve` has created or upgraded the database before starting the workers.
    kith = open_kith(os.environ.get("KITH_DATABASE_URL"), settings=settings)
    return create_app(
        kith,
        server_mode=server,
        secure_cookies=None if secure is None else secure == "1",
        now=fixed,
        allowed_hosts=allowed_hosts_from_env(),
    )


ALLOWED_HOSTS_ENV = "KITH_ALLOWED_HOSTS"


def allowed_hosts_from_env() -> list[str]:
    """The names besides the loopback ones the app answers to: ``KITH_ALLOWED_HOSTS`` (comma-separated)."""
    return [h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
