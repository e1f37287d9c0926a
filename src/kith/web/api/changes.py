"""/api/v1/changes: the recent changes and undo (the services of `kith undo` and the /changes page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kith.services import undo as svc
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import ChangeOut, Page, UndoneOut

router = APIRouter(prefix="/changes", tags=["changes"])


@router.get("", response_model=Page[ChangeOut], summary="List the recent changes")
def list_changes(ctx: ApiCtx, paging: PagingDep) -> dict[str, Any]:
    """The workspace's recent changes, newest first (the last 50 are kept), imports included: those are
    undone with `kith import undo` or the import page, not here."""
    views = svc.recent(ctx.session)
    return paging.envelope([v.as_dict() for v in paging.slice(views)], len(views))


@router.post("/undo", response_model=UndoneOut, summary="Undo the latest change")
def undo_latest(ctx: ApiCtx) -> dict[str, Any]:
    """Undo the newest change that can still be undone (422 saying why when none can)."""
    return svc.undo(ctx.session, now=ctx.now).as_dict()


@router.post("/{change_id}/undo", response_model=UndoneOut, summary="Undo one change")
def undo_change(ctx: ApiCtx, change_id: IdPath) -> dict[str, Any]:
    """Undo a change; refused (422, saying which) when a later change touched the same rows or something
    outside the journal (an import, a sync, another program) changed them since."""
    return svc.undo(ctx.session, change_id, now=ctx.now).as_dict()
