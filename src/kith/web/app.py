"""The web app factory: pages, the REST API under /api/v1, the calendar feed.

``create_app`` builds one app over one database. Tests call it directly;
``uvicorn --factory kith.web.app:app_from_env --workers N`` calls
:func:`app_from_env` in every worker, which reads the same configuration from
the environment, so all workers agree (the secret included).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from kith import clock
from kith.config import Settings, data_dir, load_settings
from kith.errors import BadInput
from kith.runtime import Kith, open_kith
from kith.web import errors, insight, security
from kith.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, WebConfig, load_session, new_session

STATIC = Path(__file__).parent / "static"
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


def planner_statistics(kith: Kith) -> None:
    """Give SQLite's query planner statistics once (``ANALYZE``; about 0.5 s at a million interactions).

    Without them SQLite guesses that ``workspace_id = ?`` (on every query)
    is as selective as ``person_id = ?`` and scans the whole
    ``interaction_participant`` index for one person's interactions (160 ms
    instead of 0.1 ms at a million rows). The statistics keep their shape as
    the data grows (one workspace value, many people), so once is enough.
    """
    if kith.engine.dialect.name != "sqlite":
        return
    with kith.engine.begin() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None:
            conn.exec_driver_sql("ANALYZE")


def create_app(
    kith: Kith | None = None,
    *,
    server_mode: bool = False,
    db_url: str | None = None,
    secret_key: str | None = None,
    now: Callable[[], datetime] | None = None,
    secure_cookies: bool | None = None,
) -> FastAPI:
    """Build the web app over ``kith`` (or the database ``db_url`` names)."""
    if kith is None:
        kith = open_kith(db_url, init=True)
    secret = secret_key or secret_from(kith.settings, create=True)
    if not secret:
        raise BadInput("server mode needs a secret: set KITH_SECRET_KEY or secret_key in the config file")
    cfg = WebConfig(
        factory=kith.factory,
        local_workspace_id=kith.workspace_id,
        server_mode=server_mode,
        secret_key=secret,
        now=now or clock.now,
        secure_cookies=server_mode if secure_cookies is None else secure_cookies,
        db_url=kith.engine.url.render_as_string(hide_password=True),
    )
    app = FastAPI(
        title="Kith",
        version="1",
        description=API_DESCRIPTION,
        docs_url=None,  # Swagger UI needs inline scripts, which the CSP forbids
        redoc_url=None,
    )
    app.state.web = cfg
    app.state.kith = kith
    planner_statistics(kith)
    insight.clear()  # a new app may be over another database with the same workspace ids (tests)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    _install_session(app, cfg)
    app.middleware("http")(security.headers)

    from kith.web.api import router as api_router
    from kith.web.feed import router as feed_router
    from kith.web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(feed_router)
    app.include_router(pages_router)
    return app


def _install_session(app: FastAPI, cfg: WebConfig) -> None:
    """Every request gets a signed session (a CSRF token, and the user id once logged in)."""

    async def session_middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        sess = load_session(cfg, request.cookies.get(SESSION_COOKIE))
        request.state.session = sess or new_session()
        request.state.session_dirty = sess is None
        response = await call_next(request)
        if request.state.session_dirty and not request.url.path.startswith(("/api/", "/static/", "/feed/")):
            response.set_cookie(
                SESSION_COOKIE,
                cfg.serializer.dumps(request.state.session),
                max_age=SESSION_MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=cfg.secure_cookies,
                path="/",
            )
        return response

    app.middleware("http")(session_middleware)


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
    )
