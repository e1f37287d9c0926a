"""Rendering pages: the Jinja2 environment, the context every page gets, flash messages."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from kith.clock import ago_words
from kith.engine.kinds import relation_words
from kith.services import undo as undo_svc
from kith.services.interactions import BY_TO_DIRECTION
from kith.web.auth import Ctx, config, web_session

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.auto_reload = False  # templates ship with the package: no stat of every file on every page
NAV = (
    ("/", "Dashboard"),
    ("/agenda", "Agenda"),
    ("/people", "People"),
    ("/network", "Network"),
    ("/goals", "Goals"),
    ("/opportunities", "Opportunities"),
    ("/report", "Report"),
    ("/import", "Import & export"),
    ("/settings", "Settings"),
)


def ago(value: datetime | date | None, now: datetime | None = None) -> str:
    if value is None:
        return "never"
    ref = (now or datetime.now()).date() if isinstance(now, datetime) or now is None else now
    day = value.date() if isinstance(value, datetime) else value
    return ago_words((ref - day).days)


def _day(value: datetime | date | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %b %Y")


def inline_code(text: str) -> Markup:
    """Text with its `backticked` parts as <code> (everything escaped): the API's descriptions on /docs."""
    parts = str(text).split("`")
    return Markup("".join(f"<code>{escape(part)}</code>" if i % 2 else str(escape(part))
                          for i, part in enumerate(parts)))


TEMPLATES.env.filters["ago"] = ago
TEMPLATES.env.filters["relation_words"] = relation_words
TEMPLATES.env.filters["days_ago"] = ago_words
TEMPLATES.env.filters["code"] = inline_code
TEMPLATES.env.filters["day"] = _day
TEMPLATES.env.globals["NAV"] = NAV
TEMPLATES.env.globals["REACHED_OUT"] = {"out": "you reached out", "in": "they reached out", "mutual": ""}
TEMPLATES.env.globals["BY_OF"] = {d.value: by for by, d in BY_TO_DIRECTION.items()}  # as the log forms name it


def page(ctx: Ctx, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a page template for the current user."""
    request = ctx.request
    flash = web_session(request).pop("flash", None)
    flash_undo = web_session(request).pop("flash_undo", None)
    if flash is not None or flash_undo is not None:
        request.state.session_dirty = True
    values.setdefault("title", "")
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "csrf": ctx.csrf,
            "now": ctx.now,
            "server_mode": ctx.cfg.server_mode,
            "user_email": ctx.principal.email,
            "path": request.url.path,
            "flash": flash,
            # [change id, label]: the confirmation of a change offers to take it back (redirect() sets it)
            "flash_undo": flash_undo if isinstance(flash_undo, list) and len(flash_undo) == 2 else None,
            **values,
        },
        status_code=status,
    )


def bare(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render a page that needs no workspace (login, errors)."""
    cfg = config(request)
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "csrf": web_session(request)["csrf"],
            "now": cfg.now(),
            "server_mode": cfg.server_mode,
            "user_email": None,
            # A logged-in user's error pages keep the menu; an anonymous visitor's never show it.
            "signed_in": isinstance(web_session(request).get("sid"), str),
            "path": request.url.path,
            "flash": None,
            "flash_undo": None,
            "title": "",
            **values,
        },
        status_code=status,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A friendly error page with the status, what to do, and the way back to the page the user came from."""
    return bare(request, "error.html", status, code=status, message=message, title="Problem",
                back=came_from(request))


def came_from(request: Request) -> str:
    """The page of this site the request came from (its Referer, path and query), or ''."""
    parts = urlsplit(request.headers.get("referer", ""))
    if parts.netloc != request.url.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


def confirm(ctx: Ctx, url: str, flash: str) -> Response:
    """Post/redirect/get; to an htmx request (an agenda item's Done or Snooze), the confirmation itself, with its
    undo, in place of the element that asked: no page reload. Without JavaScript the form posts and redirects."""
    if not ctx.request.headers.get("hx-request"):
        return redirect(ctx, url, flash)
    made = undo_svc.made_here(ctx.session)
    return TEMPLATES.TemplateResponse(ctx.request, "_confirmation.html", {
        "flash": flash, "flash_undo": [made.id, made.label] if made is not None else None, "csrf": ctx.csrf,
        "next": url})


def redirect(ctx: Ctx, url: str, flash: str | None = None) -> RedirectResponse:
    """Post/redirect/get with an optional one-time message on the next page.

    When the request made a change (the journal says which), the message
    offers to undo it: every confirmation of every form, from this one place.
    """
    if flash:
        web_session(ctx.request)["flash"] = flash
        made = undo_svc.made_here(ctx.session)
        if made is not None:
            web_session(ctx.request)["flash_undo"] = [made.id, made.label]
        ctx.request.state.session_dirty = True
    return RedirectResponse(url, status_code=303)
