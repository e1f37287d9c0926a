"""Security headers on every response: a strict CSP (no inline scripts or styles) and friends."""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Feed URLs carry a secret: never leak them in a Referer.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: the security headers; pages and API answers are never cached.

    Plain ASGI rather than ``@app.middleware("http")``: that wrapper runs each
    request through extra tasks and streams, a millisecond a request here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Cache-Control", "public, max-age=3600" if static else "no-store")
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)


LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(value: str) -> str:
    """The name of a ``Host`` header or an origin's authority, without port or brackets, lower case."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8765
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        return value.partition(":")[0]
    return value


class HostGuard:
    """ASGI middleware: only our own names reach the app, and writes only from our own pages.

    DNS rebinding: a page the user visits points its own name at 127.0.0.1
    and reads Kith as if it were that site. Its requests then carry the
    attacker's name in ``Host``, so every request whose ``Host`` is not a
    loopback name or a configured one (``kith serve --allow-host``) is refused
    with 400. ``allowed`` None switches the check off (server mode without
    configured names: a reverse proxy decides which names reach it).

    Cross-site writes: a POST, PUT, PATCH or DELETE sent by a browser from
    another site carries its ``Origin``, or (when the origin is hidden as
    ``null``, as for our own pages under ``Referrer-Policy: no-referrer``)
    ``Sec-Fetch-Site``; those are refused with 403 unless the origin is
    exactly the address asked or a configured name, or the browser says
    ``same-origin``. Clients that send neither (curl, scripts) are not
    browsers and pass.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.configured = frozenset(host_name(h) for h in allowed or ())
        self.allowed = None if allowed is None else LOOPBACK_HOSTS | self.configured

    def _ours(self, authority: str, host: str) -> bool:
        """An origin is ours when it is exactly the address asked (name and port) or a configured name."""
        return authority == host or host_name(authority) in self.configured

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k in (b"host", b"origin", b"sec-fetch-site")}
        host = headers.get("host", "").strip().lower()
        own = host_name(host)
        if self.allowed is not None and own not in self.allowed:
            await _refuse(send, 400, f"this Kith answers only to {', '.join(sorted(self.allowed))}, not '{own}' "
                                     "(add a name with kith serve --allow-host NAME)")
            return
        if scope["method"] in UNSAFE_METHODS:
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site")
            if origin is not None and origin != "null":
                authority = origin.partition("://")[2].partition("/")[0]
                cross = site == "cross-site" or not self._ours(authority.lower(), host)
            else:
                # Our own pages send "Origin: null" (their Referrer-Policy is no-referrer); the browser's
                # Sec-Fetch-Site then says where the request came from.
                cross = site is not None and site not in ("same-origin", "none")
            if cross:
                await _refuse(send, 403, "a change sent from another site was refused")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
