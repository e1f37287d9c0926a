"""/api/v1/accounts: the servers Kith syncs with (the services of `kith account` and the /sync page)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from kith.services import sync as sync_service
from kith.services import sync_accounts as svc
from kith.web.api.common import ApiCtx, PagingDep
from kith.web.api.schemas import AccountIn, AccountOut, AccountPatch, Page, SyncReportOut

router = APIRouter(prefix="/accounts", tags=["accounts"])
NamePath = Annotated[str, Path(min_length=1, max_length=100, description="The account's name.")]


def _out(view: svc.AccountView) -> dict[str, Any]:
    return {**view.as_dict(), "status": view.status()}


@router.get("", response_model=Page[AccountOut], summary="List accounts")
def list_accounts(ctx: ApiCtx, paging: PagingDep) -> dict[str, Any]:
    """Every account of your workspace by name, with its last sync, what it changed and its last error."""
    views = svc.list_accounts(ctx.session)
    return paging.envelope([_out(v) for v in paging.slice(views)], len(views))


@router.post("", status_code=201, response_model=AccountOut, summary="Add an account")
def add_account(ctx: ApiCtx, body: AccountIn) -> dict[str, Any]:
    """Add a CardDAV, CalDAV or IMAP account (or an smtp account: the daily digest). The password goes to
    the system keyring or a file only the server's user can read; it is never stored in the database nor
    returned."""
    options: dict[str, Any] = {}
    for key, value in (("me", body.me), ("folders", body.folders), ("to", body.to), ("from", body.sender),
                       ("push_new", body.push_new)):
        if value:
            options[key] = list(value) if isinstance(value, list) else value
    account = svc.add_account(ctx.session, body.kind, body.name, url=body.url, user=body.user,
                              password=body.password, now=ctx.now, options=options)
    return _out(svc.view(ctx.session, account))


@router.get("/{name}", response_model=AccountOut, summary="One account and its last sync")
def get_account(ctx: ApiCtx, name: NamePath) -> dict[str, Any]:
    """The account's last sync, what it changed, its last error and its open conflicts."""
    return _out(svc.view(ctx.session, svc.get_account(ctx.session, name)))


@router.patch("/{name}", response_model=AccountOut, summary="Change an account")
def patch_account(ctx: ApiCtx, name: NamePath, body: AccountPatch) -> dict[str, Any]:
    """Change a CardDAV account's rule for people created in Kith (``push_new``)."""
    return _out(svc.view(ctx.session, svc.set_push_new(ctx.session, name, body.push_new)))


@router.delete("/{name}", status_code=204, summary="Remove an account")
def remove_account(ctx: ApiCtx, name: NamePath) -> Response:
    """Forget the account, its sync state and its password; the people and interactions it brought stay."""
    svc.remove_account(ctx.session, name)
    return Response(status_code=204)


@router.post("/{name}/sync", response_model=SyncReportOut, summary="Sync an account now")
def sync_now(ctx: ApiCtx, name: NamePath) -> dict[str, Any]:
    """Sync the account with its server now and answer what changed; a sync that failed (wrong password, server
    down) still answers 200, with ``error`` saying why (kept on the account until a sync succeeds)."""
    return sync_service.sync_account(ctx.session, name, now=ctx.now).as_dict()
