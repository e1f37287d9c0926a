"""Errors as users see them: JSON ``{"error": message}`` for the API, a page for browsers.

``KithError`` carries its HTTP status (the hierarchy is drawn in ``kith/errors.py``).
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from kith.errors import KithError
from kith.runtime import database_failure
from kith.services.retrying import is_transient
from kith.web.auth import CsrfFailed, LoginRequired, NotAuthenticated


def is_api(request: Request) -> bool:
    """Whether the request is for the JSON API (errors as JSON)."""
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, message: str) -> Response:
    from kith.web.render import error_page

    return error_page(request, status, message)


def _answer(request: Request, status: int, message: str, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    if is_api(request) or request.url.path.startswith("/feed/"):
        return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)
    response = _page(request, status, message)
    response.headers.update(headers or {})
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into answers."""

    @app.exception_handler(KithError)
    async def kith_error(request: Request, exc: KithError) -> Response:
        return _answer(request, exc.status_code, str(exc))

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + quote(request.url.path)
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _answer(request, 403, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
        message = "invalid request: " + "; ".join(problems[:5])
        return _answer(request, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "not found"
        response = _answer(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, exc: IntegrityError) -> Response:
        return _answer(request, 409, "that conflicts with data already there (a duplicate or a missing reference)")

    @app.exception_handler(DataError)
    async def bad_data(request: Request, exc: DataError) -> Response:
        return _answer(request, 422, "a value is out of range or malformed for the database")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Anything else is a fault of Kith's (or a lost database race retried in vain): the same
        # answer shape as every other error, never a plain-text 500 or a traceback. The traceback goes
        # to the server's log (Starlette's ServerErrorMiddleware re-raises after this answer).
        if is_transient(exc):
            return _answer(request, 503, "the database is busy; try again in a moment",
                           headers={"Retry-After": "1"})
        return _answer(request, 500, "internal error: Kith could not answer this request (see the server log)")

    # A damaged or unreachable database: one line (503), never a traceback; the drivers' own errors
    # too, which the door's raw-cursor reads raise unwrapped (kith.store.db.database_failure).
    async def database_down(request: Request, exc: Exception) -> Response:
        failure = None if is_transient(exc) else database_failure(exc)
        if failure is None:  # a lost race goes on to the retry middleware (kith.web.retry), then to unexpected()
            raise exc
        return _answer(request, failure.status_code, str(failure))

    for kind in (OperationalError, SADatabaseError, sqlite3.DatabaseError):
        app.add_exception_handler(kind, database_down)
