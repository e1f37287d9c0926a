"""Who is asking, in which workspace, and whether a form post is genuine.

Local mode: everyone on the loopback interface is the one local user of the
local workspace; no login. Server mode: pages need a login (a signed session
cookie carrying the key of a server-side session, which logout, expiry or the
user's deactivation revokes), the API needs ``Authorization: Bearer TOKEN``.

Every request gets a signed session cookie holding a random CSRF token; every
form post must echo it (hidden field ``csrf_token`` or header
``X-CSRF-Token``). Nothing here lives in process memory: the cookie is signed
with the configured secret and users and tokens are read from the database, so
any number of workers can serve the same user.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session, sessionmaker

from kith.services import accounts
from kith.services.accounts import Principal

SESSION_COOKIE = "kith_session"
SESSION_MAX_AGE = 14 * 24 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class WebConfig:
    """What one app instance needs; identical in every worker."""

    factory: sessionmaker[Session]  # unscoped sessions: logins and tokens, which name their workspace
    open_workspace: Callable[[int], AbstractContextManager[Session]]  # a transaction confined to a workspace
    local_workspace_id: int
    server_mode: bool
    secret_key: str
    now: Callable[[], datetime]
    secure_cookies: bool
    db_url: str = ""
    serializer: URLSafeTimedSerializer = field(init=False)

    def __post_init__(self) -> None:
        self.serializer = URLSafeTimedSerializer(self.secret_key, salt="kith-session")


class LoginRequired(Exception):
    """A page needs a logged-in user (server mode): redirect to the login page."""


class NotAuthenticated(Exception):
    """An API call without a valid bearer token (server mode): 401."""


class CsrfFailed(Exception):
    """A form post without the session's CSRF token: 403."""


def config(request: Request) -> WebConfig:
    """The app's configuration."""
    cfg: WebConfig = request.app.state.web
    return cfg


def load_session(cfg: WebConfig, cookie: str | None) -> dict[str, Any] | None:
    """The session a cookie carries, or None when it is missing, forged or expired."""
    if not cookie:
        return None
    try:
        data = cfg.serializer.loads(cookie, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("csrf"), str) else None


def new_session(sid: str | None = None) -> dict[str, Any]:
    """A fresh cookie session: a new CSRF token (rotated at login and logout) and the server-side session's key."""
    return {"csrf": secrets.token_urlsafe(24), "sid": sid}


def web_session(request: Request) -> dict[str, Any]:
    """The request's session dict (set up by the session middleware)."""
    sess: dict[str, Any] = request.state.session
    return sess


def replace_session(request: Request, sess: dict[str, Any]) -> None:
    """Swap the session (login, logout); the middleware writes the cookie."""
    request.state.session = sess
    request.state.session_dirty = True


@dataclass
class Ctx:
    """One request's view of Kith: a workspace-confined session and "now"."""

    session: Session
    principal: Principal
    now: datetime
    request: Request
    cfg: WebConfig

    @property
    def csrf(self) -> str:
        """The CSRF token forms must echo."""
        return str(web_session(self.request)["csrf"])


def _page_principal(request: Request, cfg: WebConfig) -> Principal:
    if not cfg.server_mode:
        return Principal(cfg.local_workspace_id, None)
    sid = web_session(request).get("sid")
    if not isinstance(sid, str):
        raise LoginRequired()
    with cfg.factory() as s, s.begin():
        user = accounts.session_user(s, sid, now=cfg.now())
        if user is None:
            raise LoginRequired()
        return Principal(user.workspace_id, user.id, user.email)


def _api_principal(request: Request, cfg: WebConfig) -> Principal:
    if not cfg.server_mode:
        return Principal(cfg.local_workspace_id, None)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send Authorization: Bearer TOKEN (create one with `kith token create EMAIL`)")
    with cfg.factory() as s, s.begin():
        row = accounts.lookup_token(s, token.strip(), purpose="api", now=cfg.now())
        if row is None:
            raise NotAuthenticated("the bearer token is unknown or revoked")
        return Principal(row.workspace_id, row.user_id)


def _ctx(request: Request, principal: Principal) -> Iterator[Ctx]:
    cfg = config(request)
    request.state.principal = principal  # for the audit log (kith.web.audit)
    with cfg.open_workspace(principal.workspace_id) as session:
        yield Ctx(session, principal, cfg.now(), request, cfg)


def page_ctx(request: Request) -> Iterator[Ctx]:
    """Dependency of pages: the logged-in (or local) user's workspace."""
    yield from _ctx(request, _page_principal(request, config(request)))


def api_ctx(request: Request) -> Iterator[Ctx]:
    """Dependency of the API: the bearer token's (or local) workspace."""
    yield from _ctx(request, _api_principal(request, config(request)))


async def csrf_protect(request: Request) -> None:
    """Dependency of every form post: the CSRF token must match the session's."""
    expected = str(web_session(request).get("csrf", ""))
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed("the form has expired or did not come from Kith; reload the page and try again")


def form_ctx(request: Request, _csrf: None = Depends(csrf_protect)) -> Iterator[Ctx]:
    """Dependency of pages that change things: CSRF-checked, then the workspace."""
    yield from page_ctx(request)
