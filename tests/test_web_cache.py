"""The web's cached views (kith.web.insight): a data change shows on the next page, never a stale one."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete

from conftest import FIXED_NOW
from kith.runtime import Kith
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.store.models import Person
from kith.web import insight
from kith.web.app import create_app


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="test-secret-" + "x" * 20, now=lambda: FIXED_NOW)
    with TestClient(app) as c:
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
    assert network_size(client.get("/").text) == 1  # served from the cache
    assert insight.STATS["hit"] > 0

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


def test_a_change_made_elsewhere_is_seen_through_the_data_version(
    client: Any, kith: Kith, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker or the CLI deletes a person: no write generation of ours moves, the counts do."""
    with kith.session() as s:
        added = [add_person(s, NewPerson(name=f"P{i}"), now=FIXED_NOW) for i in range(3)]
        s.flush()
        ids = [p.id for p in added]
    assert network_size(client.get("/").text) == 3
    generations = dict(insight._GENERATION)
    with kith.session() as s:
        s.execute(delete(Person).where(Person.id == ids[0]))
    monkeypatch.setattr(insight, "_GENERATION", generations)  # as if another process had written
    monkeypatch.setattr(insight, "REVALIDATE", 0.0)
    assert network_size(client.get("/").text) == 2


def test_concurrent_requests_on_a_cold_cache_compute_once(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        people = [add_person(s, NewPerson(name=f"Q{i}"), now=FIXED_NOW) for i in range(5)]
        s.flush()
        log_interaction(s, people[:2], "call", when=FIXED_NOW.replace(day=1), now=FIXED_NOW)
    insight.clear()
    calls = []
    real = insight.tie_scores

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    insight.tie_scores = counting  # type: ignore[assignment]
    try:
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(client.get("/people?sort=score").status_code))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        insight.tie_scores = real  # type: ignore[assignment]
    assert answers == [200] * 6
    assert len(calls) == 1
