"""A request whose transaction lost a database race is run again (body and all) before anything is answered."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from kith.services.retrying import is_transient
from kith.web.retry import RetryBusy
from web_helpers import LOCAL


def locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def app_failing(times: int, exc: Exception) -> tuple[FastAPI, list[bytes]]:
    app = FastAPI()
    bodies: list[bytes] = []

    @app.post("/write")
    async def write(request: Request) -> dict[str, Any]:
        bodies.append(await request.body())
        if len(bodies) <= times:
            raise exc
        return {"ok": True}

    app.add_middleware(RetryBusy)
    return app, bodies


def test_a_lost_race_is_replayed_with_the_same_body_until_it_wins() -> None:
    app, bodies = app_failing(2, locked())
    with TestClient(app, base_url=LOCAL) as client:
        answer = client.post("/write", json={"note": "x"})
    assert answer.status_code == 200
    assert bodies == [b'{"note":"x"}'] * 3


def test_other_errors_are_not_replayed() -> None:
    app, bodies = app_failing(1, ValueError("a bug"))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as client:
        assert client.post("/write", json={}).status_code == 500
    assert len(bodies) == 1


def test_what_counts_as_a_lost_race() -> None:
    assert is_transient(locked())
    assert not is_transient(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))
    assert not is_transient(ValueError("database is locked"))
