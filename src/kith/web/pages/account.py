"""Login and logout (server mode). Local mode has no login: these pages say so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kith.services import accounts
from kith.web.auth import config, csrf_protect, new_session, replace_session, web_session
from kith.web.render import bare

router = APIRouter()


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
    _csrf: None = Depends(csrf_protect),
) -> Response:
    """Check the password (rate-limited per e-mail and client) and start a session."""
    cfg = config(request)
    client = request.client.host if request.client else "unknown"
    try:
        with cfg.factory() as s, s.begin():
            user = accounts.authenticate(s, email, password, client=client, now=cfg.now())
            uid = user.id if user else None
    except accounts.TooManyAttempts as exc:
        return bare(request, "login.html", 429, next=_safe_next(next), error=str(exc), email=email, title="Log in")
    if uid is None:
        return bare(request, "login.html", 401, next=_safe_next(next), error="wrong e-mail or password", email=email, title="Log in")
    replace_session(request, new_session(uid))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, _csrf: None = Depends(csrf_protect)) -> Response:
    """End the session (and rotate the CSRF token)."""
    if web_session(request).get("uid") is not None:
        replace_session(request, new_session())
    return RedirectResponse("/login" if config(request).server_mode else "/", status_code=303)
