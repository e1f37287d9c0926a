"""Recent changes and undo: the list (journaled changes and imports) and the one form every confirmation offers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from kith.services import undo as undo_svc
from kith.web.pages.common import FormCtx, PageCtx, local_target
from kith.web.render import page, redirect

router = APIRouter()


@router.get("/changes", response_class=HTMLResponse)
def changes_page(ctx: PageCtx) -> Response:
    """The workspace's recent changes, newest first, each with its undo (imports: on the import page)."""
    return page(ctx, "changes.html", title="Recent changes", changes=undo_svc.recent(ctx.session))


@router.post("/undo")
def undo(ctx: FormCtx, change: Annotated[int, Form()], next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Undo one change (the service refuses, saying why, when later changes stand in the way)."""
    done = undo_svc.undo(ctx.session, change, now=ctx.now)
    back = local_target(next, "/changes")
    if done.removed_people and any(back.startswith(f"/people/{pid}") for pid in done.removed_people):
        back = "/people"
    return redirect(ctx, back, f"Undone: {done.label}.")
