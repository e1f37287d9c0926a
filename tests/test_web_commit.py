"""A change is committed before its answer leaves: the next request (a redirect's GET) sees it.

Runs a real uvicorn server on a free loopback port (TestClient would wait for
the whole request cycle and hide the race).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.web.app import create_app


@pytest.fixture
def base_url(kith: Kith) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    app = create_app(kith, secret_key="c" * 40, now=lambda: FIXED_NOW)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _csrf(client: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found
    return found.group(1)


def test_the_page_after_loading_the_demo_shows_the_demo(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        answer = client.post("/demo", data={"csrf_token": _csrf(client)}, follow_redirects=False)
        assert answer.status_code == 303
        # At once and on another connection, as a browser may follow the redirect.
        with httpx.Client(base_url=base_url, timeout=120, cookies=client.cookies) as other:
            after = other.get(answer.headers["location"])
        assert "Welcome to Kith" not in after.text and "people in your network" in after.text


def test_a_person_created_through_the_api_can_be_read_at_once(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as writer, httpx.Client(base_url=base_url, timeout=30) as reader:
        for i in range(20):
            made = writer.post("/api/v1/people", json={"name": f"Quick Reader {i}"})
            assert made.status_code == 201, made.text
            assert reader.get(f"/api/v1/people/{made.json()['id']}").status_code == 200
