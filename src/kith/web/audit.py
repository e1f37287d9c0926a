"""The audit log of server mode: every write through the pages or the API, after its answer.

Logins and logouts are recorded by the login page itself (in the same
transaction as the login); this middleware records every other POST, PUT,
PATCH and DELETE: who (the token's or session's user), in which workspace,
what (method and path, never the body), from which client, and the answer's
status. It writes in its own short transaction once the answer has been
sent, so a slow or failed audit write never delays or changes an answer (a
failure is logged). Administrators read the log at ``/admin/audit``.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kith.services import accounts
from kith.web.auth import WebConfig
from kith.web.security import UNSAFE_METHODS

LOG = logging.getLogger("kith.web.audit")
SELF_RECORDED = ("/login", "/logout")


class AuditWrites:
    """ASGI middleware: record each write of server mode in the audit log (see the module docstring)."""

    def __init__(self, app: ASGIApp, cfg: WebConfig) -> None:
        self.app = app
        self.cfg = cfg

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS or scope["path"] in SELF_RECORDED:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def snd(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, snd)
        finally:
            state = scope.get("state") or {}
            principal = state.get("principal")
            client = scope.get("client")
            await anyio.to_thread.run_sync(
                self._record, principal if isinstance(principal, accounts.Principal) else None,
                f"{scope['method']} {scope['path']}", status[0] if status else 500, client[0] if client else "",
            )

    def _record(self, principal: accounts.Principal | None, target: str, status: int, client: str) -> None:
        try:
            with self.cfg.factory() as s, s.begin():
                accounts.record(s, "write", now=self.cfg.now(), principal=principal, target=target, status=status,
                                client=client)
        except Exception:  # the answer has gone; a lost audit line is logged, never a failed request
            LOG.exception("could not record %s in the audit log", target)
