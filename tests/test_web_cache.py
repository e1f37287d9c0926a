"""Memoized views (kith.services.memo): a data change shows on the next page, never a stale one."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services import memo
from kith.services import scores as scores_svc
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.store.models import Person
from kith.web.app import create_app
from web_helpers import LOCAL


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="test-secret-" + "x" * 20, now=lambda: FIXED_NOW)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def network_size(html: str) -> int:
    match = re.search(r'<span class="num">(\d+)</span><span class="label">people in your network', html)
    assert match, "no headline on the dashboard"
    return int(match.group(1))


def tie_score(html: str) -> int:
    match = re.search(r'<span class="big">(\d+)</span>', html)
    assert match, "no score on the person page"
    return int(match.group(1))


def test_logging_through_the_api_shows_on_the_next_dashboard_and_person_page(client: Any) -> None:
    ana = client.post("/api/v1/people", json={"name": "Ana Lopez"}).json()["id"]
    assert network_size(client.get("/").text) == 1
    before = tie_score(client.get(f"/people/{ana}").text)
    hits = memo.memo_of_kith(client.app.state.kith).stats["hit"]
    assert network_size(client.get("/").text) == 1  # served from the memo
    assert memo.memo_of_kith(client.app.state.kith).stats["hit"] > hits

    bea = client.post("/api/v1/people", json={"name": "Bea Ruiz"}).json()["id"]
    made = client.post("/api/v1/interactions", json={"people": [ana, bea], "kind": "coffee", "on": "2026-06-01T09:00:00Z"})
    assert made.status_code == 201
    assert network_size(client.get("/").text) == 2
    after = client.get(f"/people/{ana}").text
    assert tie_score(after) > before
    assert "Why this score" in after and "<td>" in after  # the terms of the score, from the stored state


def test_the_quick_log_form_updates_the_cached_score(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        carla = add_person(s, NewPerson(name="Carla Diaz"), now=FIXED_NOW)
        s.flush()
        pid = carla.id
    before = tie_score(client.get(f"/people/{pid}").text)
    page = client.get("/people")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(f"/people/{pid}/log", data={"kind": "coffee", "csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 303
    assert tie_score(client.get(f"/people/{pid}").text) > before


def test_a_change_made_elsewhere_is_seen_through_the_data_version(client: Any, kith: Kith) -> None:
    """A tool deletes a person straight in the database: no Kith code ran, the triggers' version moved."""
    with kith.session() as s:
        added = [add_person(s, NewPerson(name=f"P{i}"), now=FIXED_NOW) for i in range(3)]
        s.flush()
        ids = [p.id for p in added]
    assert network_size(client.get("/").text) == 3
    with kith.engine.begin() as conn:  # around Kith: a plain connection, no session, no hooks
        conn.execute(delete(Person).where(Person.id == ids[0]))
    assert network_size(client.get("/").text) == 2


def test_a_write_that_rolls_back_leaves_no_value_behind(client: Any, kith: Kith) -> None:
    """A view computed inside a transaction that changed data is not kept: that data may never commit."""
    with kith.session() as s:
        add_person(s, NewPerson(name="Stays"), now=FIXED_NOW)
    assert network_size(client.get("/").text) == 1
    from kith.services.dashboard import dashboard

    with pytest.raises(RuntimeError), kith.session() as s:
        add_person(s, NewPerson(name="Rolled back"), now=FIXED_NOW)
        assert dashboard(s, FIXED_NOW).headline.size == 2  # its own transaction sees it
        raise RuntimeError("the transaction fails")
    assert network_size(client.get("/").text) == 1


def test_concurrent_requests_on_a_cold_cache_compute_once(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        people = [add_person(s, NewPerson(name=f"Q{i}"), now=FIXED_NOW) for i in range(5)]
        s.flush()
        log_interaction(s, people[:2], "call", when=FIXED_NOW.replace(day=1), now=FIXED_NOW)
    memo.memo_of_kith(kith).entries.clear()
    calls = []
    real = scores_svc.tie_scores

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    import kith.services.dashboard as dashboard_module

    dashboard_module.tie_scores = counting  # type: ignore[assignment]
    try:
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(client.get("/people?sort=score").status_code))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        dashboard_module.tie_scores = real  # type: ignore[assignment]
    assert answers == [200] * 6
    assert len(calls) == 1
