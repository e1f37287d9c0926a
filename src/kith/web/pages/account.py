"""Login and logout (server mode). Local mode has no login: these pages say so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kith.errors import NotFound
from kith.services import accounts
from kith.web.auth import config, csrf_protect, new_session, replace_session, web_session
from kith.web.pages.common import PageCtx
from kith.web.render import bare, page

router = APIRouter()
AUDIT_PAGE = 200


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    if not config(request).server_mode:
        return RedirectResponse("/", status_code=303)
    return bare(request, "login.html", next=_safe_next(next), error=None, email="", title="Log in")


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "/",
    code: Annotated[str, Form(max_length=20)] = "",
    _csrf: None = Depends(csrf_protect),
) -> Response:
    """Check the password and two-factor code (throttled per client and account) and start a session."""
    cfg = config(request)
    client = request.client.host if request.client else "unknown"
    now = cfg.now()
    try:
        with cfg.factory() as s, s.begin():
            user = accounts.authenticate(s, email, password, client=client, now=now, code=code or None)
            sid = accounts.start_session(s, user, client=client, now=now) if user else None
            who = accounts.Principal(user.workspace_id, user.id, user.email) if user else None
            accounts.record(s, "login" if user else "login failed", now=now, principal=who, actor=email,
                            client=client, status=303 if user else 401)
    except accounts.TooManyAttempts as exc:
        with cfg.factory() as s, s.begin():
            accounts.record(s, "login throttled", now=now, actor=email, client=client, status=429)
        page = bare(request, "login.html", 429, next=_safe_next(next), error=str(exc), email=email, title="Log in")
        page.headers["Retry-After"] = str(max(1, int(exc.retry_after)))
        return page
    if sid is None:
        return bare(request, "login.html", 401, next=_safe_next(next), error="wrong e-mail, password or code",
                    email=email, title="Log in")
    replace_session(request, new_session(sid))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, _csrf: None = Depends(csrf_protect)) -> Response:
    """End the session on the server (its cookie opens nothing any more) and rotate the CSRF token."""
    sid = web_session(request).get("sid")
    cfg = config(request)
    if isinstance(sid, str):
        with cfg.factory() as s, s.begin():
            user = accounts.session_user(s, sid, now=cfg.now())
            accounts.end_session(s, sid, now=cfg.now())
            if user is not None:
                who = accounts.Principal(user.workspace_id, user.id, user.email)
                client = request.client.host if request.client else ""
                accounts.record(s, "logout", now=cfg.now(), principal=who, client=client, status=303)
        replace_session(request, new_session())
    return RedirectResponse("/login" if cfg.server_mode else "/", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(ctx: PageCtx, offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0) -> Response:
    """The audit log of server mode (logins, logouts, writes), newest first: administrators only."""
    if not ctx.cfg.server_mode:
        raise NotFound("local mode keeps no audit log")
    with ctx.cfg.factory() as s:
        if not accounts.is_admin(s, ctx.principal.user_id):
            return page(ctx, "error.html", 403, code=403, message="only administrators may read the audit log",
                        title="Problem")
        entries, total = accounts.audit_log(s, limit=AUDIT_PAGE, offset=offset)
    return page(ctx, "audit.html", title="Audit log", entries=entries, total=total, offset=offset, size=AUDIT_PAGE)
