"""Settings: the calendar feed (create, revoke) and, in server mode, API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from kith.services import accounts
from kith.web.api.common import IdPath
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()


def _settings(ctx: PageCtx, **extra: Any) -> Response:
    ws = ctx.principal.workspace_id
    return page(
        ctx, "settings.html", title="Settings",
        feeds=accounts.tokens_of(ctx.session, ws, "feed"),
        api_tokens=accounts.tokens_of(ctx.session, ws, "api") if ctx.cfg.server_mode else [],
        base=str(ctx.request.base_url).rstrip("/"),
        # The database is the administrator's business: in local mode the one user is, in server mode admins only
        # (its password is never shown).
        db_url=ctx.cfg.db_url if not ctx.cfg.server_mode or accounts.is_admin(ctx.session, ctx.principal.user_id)
        else "", **extra,
    )


@router.get("/settings", response_class=HTMLResponse)
def settings_page(ctx: PageCtx) -> Response:
    """Feeds and tokens."""
    return _settings(ctx, new_feed=None, new_token=None)


@router.post("/settings/feed", response_class=HTMLResponse)
def create_feed(ctx: FormCtx, name: Annotated[str, Form(max_length=200)] = "Calendar") -> Response:
    """A new secret calendar-feed URL (shown once)."""
    _row, secret = accounts.create_token(
        ctx.session, workspace_id=ctx.principal.workspace_id, user_id=ctx.principal.user_id, purpose="feed",
        name=name or "Calendar", now=ctx.now,
    )
    url = f"{str(ctx.request.base_url).rstrip('/')}/feed/{secret}.ics"
    return _settings(ctx, new_feed=url, new_token=None)


@router.post("/settings/token", response_class=HTMLResponse)
def create_api_token(ctx: FormCtx, name: Annotated[str, Form(max_length=200)] = "API") -> Response:
    """A new API bearer token (server mode; shown once)."""
    if not ctx.cfg.server_mode:
        return redirect(ctx, "/settings", "Local mode needs no API token.")
    _row, secret = accounts.create_token(
        ctx.session, workspace_id=ctx.principal.workspace_id, user_id=ctx.principal.user_id, purpose="api",
        name=name or "API", now=ctx.now,
    )
    return _settings(ctx, new_feed=None, new_token=secret)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke(ctx: FormCtx, token_id: IdPath) -> Response:
    """Revoke a feed or API token of this workspace."""
    accounts.revoke_token(ctx.session, token_id, now=ctx.now, workspace_id=ctx.principal.workspace_id)
    return redirect(ctx, "/settings", "Revoked.")
