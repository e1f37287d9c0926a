"""Settings: keep-in-touch cadences per layer and tag, the calendar feed (create, revoke) and, in server mode,
API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from kith.engine.kinds import LAYERS
from kith.services import accounts
from kith.services import cadences as cadence_svc
from kith.web.api.common import IdPath
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()


def _settings(ctx: PageCtx, **extra: Any) -> Response:
    ws = ctx.principal.workspace_id
    return page(
        ctx, "settings.html", title="Settings",
        feeds=accounts.tokens_of(ctx.session, ws, "feed"),
        cadences=cadence_svc.list_cadences(ctx.session), layers=LAYERS,
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


@router.post("/settings/cadence")
def set_cadence(
    ctx: FormCtx, scope: Annotated[str, Form(max_length=10)], days: Annotated[str, Form(max_length=10)],
    layer: Annotated[str, Form(max_length=30)] = "", tag: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Set the cadence of a layer or a tag (a person's is on their edit page)."""
    if scope not in ("layer", "tag"):
        return redirect(ctx, "/settings", "A cadence here is per layer or per tag; a person's is on their page.")
    rule = cadence_svc.set_cadence(ctx.session, scope, layer if scope == "layer" else tag,
                                   cadence_svc.parse_days(days))
    return redirect(ctx, "/settings", f"Keep in touch with {rule.scope} {rule.label} every {rule.days} days.")


@router.post("/settings/cadence/clear")
def clear_cadence(
    ctx: FormCtx, scope: Annotated[str, Form(max_length=10)], target: Annotated[str, Form(max_length=100)],
) -> Response:
    """Remove a layer or tag cadence."""
    if scope not in ("layer", "tag"):
        return redirect(ctx, "/settings", "A person's cadence is cleared on their edit page.")
    gone = cadence_svc.clear_cadence(ctx.session, scope, target)
    return redirect(ctx, "/settings", f"Cleared the {scope} cadence of {target}." if gone else "There was no such cadence.")
