"""ASGI middleware: a request that lost a database race before answering is run again.

When a handler fails with a transient database error
(:func:`kith.services.retrying.is_transient`) and no byte of the answer has
left yet, its transaction has rolled back: the request is replayed (its body
kept from the first run, up to 8 MB) after a short pause, up to
:data:`~kith.services.retrying.ATTEMPTS` times. Afterwards the error reaches the
JSON 500 handler like any other.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kith.services.retrying import ATTEMPTS, is_transient, pause

REPLAY_LIMIT = 8 << 20  # bytes of request body kept for a replay; a larger upload is not replayed


class RetryBusy:
    """Replays a request whose transaction lost a race (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        replay: list[Message] = []
        started = False
        kept = 0

        async def recv() -> Message:
            nonlocal kept
            if replay:
                return replay.pop(0)
            message = await receive()
            if kept <= REPLAY_LIMIT:
                kept += len(message.get("body", b""))
                received.append(message)
            return message

        async def snd(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        for attempt in range(ATTEMPTS):
            try:
                await self.app(scope, recv, snd)
                return
            except Exception as exc:
                if started or kept > REPLAY_LIMIT or attempt == ATTEMPTS - 1 or not is_transient(exc):
                    raise
            replay = list(received)
            await anyio.sleep(pause(attempt))
