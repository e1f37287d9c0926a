"""Local mode refuses other sites (DNS rebinding, cross-site writes); every error, a 500 included, is JSON in the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.web.app import create_app
from live_server import live_server
from web_helpers import LOCAL


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW, allowed_hosts=["kith.home.arpa"])

    @app.get("/api/v1/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/boom", include_in_schema=False)
    def boom_page() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


def test_a_rebinding_host_is_refused_on_the_backup(client: Any) -> None:
    answer = client.get("/export/backup.json", headers={"Host": "rebind.attacker.example"})
    assert answer.status_code == 400
    assert "rebind.attacker.example" in answer.json()["error"]
    assert "people" not in answer.text


@pytest.mark.parametrize("host", ["localhost", "localhost:8765", "127.0.0.1:8765", "[::1]:8765", "kith.home.arpa"])
def test_loopback_names_and_configured_names_are_answered(client: Any, host: str) -> None:
    assert client.get("/api/v1/people", headers={"Host": host}).status_code == 200


def test_a_write_from_another_site_is_refused(client: Any) -> None:
    body = {"name": "Mallory"}
    assert client.post("/api/v1/people", json=body, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post("/api/v1/people", json=body, headers={"Origin": "http://localhost:3000"}).status_code == 403
    assert client.post("/api/v1/people", json=body, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    hidden = {"Origin": "null", "Sec-Fetch-Site": "same-site"}  # another port of localhost, origin hidden
    assert client.post("/api/v1/people", json=body, headers=hidden).status_code == 403
    assert client.get("/api/v1/people").json()["total"] == 0


def test_a_write_from_our_own_pages_or_a_script_is_accepted(client: Any) -> None:
    assert client.post("/api/v1/people", json={"name": "Ana"}, headers={"Origin": "http://localhost"}).status_code == 201
    assert client.post("/api/v1/people", json={"name": "Bo"}).status_code == 201
    # Our pages send "Origin: null" (Referrer-Policy: no-referrer); the browser vouches with Sec-Fetch-Site.
    own = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/v1/people", json={"name": "Cy"}, headers=own).status_code == 201


def test_a_500_in_the_api_answers_the_json_error_shape(client: Any) -> None:
    answer = client.get("/api/v1/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/json")
    assert set(answer.json()) == {"error"} and "Traceback" not in answer.text


def test_a_500_on_a_page_is_the_error_page(client: Any) -> None:
    answer = client.get("/boom")
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html") and "Traceback" not in answer.text


def test_the_real_server_refuses_a_rebinding_host(
    db_url: str, tmp_path: Path, kith_process: Callable[..., Any],
) -> None:
    assert kith_process("add", "Ana Lima").code == 0
    with live_server(db_url, tmp_path) as server:
        assert server.request("GET", "/export/backup.json").status == 200
        refused = server.request("GET", "/export/backup.json", headers={"Host": "rebind.attacker.example"})
        assert refused.status == 400 and b"Ana" not in refused.body
