"""Accounts and sync: the servers Kith syncs with, each one's last sync, what it changed, its last error,
and the conflicts waiting for review. Linked from the settings page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path
from fastapi.responses import HTMLResponse, Response

from kith.errors import KithError
from kith.services import sync as sync_service
from kith.services import sync_accounts
from kith.web.api.common import IdPath
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page, redirect

router = APIRouter()
NamePath = Annotated[str, Path(max_length=100)]


def _page(ctx: PageCtx, status: int = 200, **extra: Any) -> Response:
    return page(ctx, "sync.html", status, title="Accounts and sync",
                accounts=sync_accounts.list_accounts(ctx.session),
                conflicts=sync_service.open_conflicts(ctx.session), kinds=sync_accounts.KINDS, **extra)


@router.get("/sync", response_class=HTMLResponse)
def sync_page(ctx: PageCtx) -> Response:
    """Every account's state and the conflicts to review."""
    return _page(ctx, form={}, error=None)


@router.post("/sync/accounts", response_class=HTMLResponse)
def add(ctx: FormCtx, kind: Annotated[str, Form(max_length=20)], name: Annotated[str, Form(max_length=100)],
        url: Annotated[str, Form(max_length=1000)], user: Annotated[str, Form(max_length=300)],
        password: Annotated[str, Form(max_length=1000)], me: Annotated[str, Form(max_length=1000)] = "",
        push_new: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Add an account (the password goes to the keyring or the private file, never the database)."""
    options: dict[str, Any] = {"me": [m.strip() for m in me.split(",") if m.strip()]} if me.strip() else {}
    if push_new.strip() and kind == "carddav":
        options["push_new"] = push_new.strip()
    try:
        sync_accounts.add_account(ctx.session, kind, name.strip(), url=url, user=user, password=password,
                                  now=ctx.now, options=options)
    except KithError as exc:
        ctx.session.rollback()
        return _page(ctx, 400, form={"kind": kind, "name": name, "url": url, "user": user, "me": me,
                                     "push_new": push_new}, error=str(exc))
    return redirect(ctx, "/sync", f"Account {name.strip()} added. Sync it now or wait for the next round.")


@router.post("/sync/accounts/{name}/run")
def run(ctx: FormCtx, name: NamePath) -> Response:
    """Sync one account now."""
    report = sync_service.sync_account(ctx.session, name, now=ctx.now)
    if report.error:
        return redirect(ctx, "/sync", f"{name}: sync failed: {report.error}")
    return redirect(ctx, "/sync", f"{name}: {report.headline()}")


@router.post("/sync/accounts/{name}/remove")
def remove(ctx: FormCtx, name: NamePath) -> Response:
    """Forget an account and its password (what it brought stays)."""
    sync_accounts.remove_account(ctx.session, name)
    return redirect(ctx, "/sync", f"Account {name} removed.")


@router.post("/sync/conflicts/{conflict_id}/resolve")
def resolve(ctx: FormCtx, conflict_id: IdPath, keep: Annotated[str, Form(max_length=10)]) -> Response:
    """Keep Kith's or the server's value."""
    view = sync_service.resolve_conflict(ctx.session, conflict_id, keep, now=ctx.now)
    side = "Kith's value (written to the server at the next sync)" if keep == "kith" else "the server's value"
    return redirect(ctx, "/sync", f"{view.person}, {view.field}: kept {side}.")
