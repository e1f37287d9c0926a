"""The web pages in local mode: onboarding, dashboard, people, person, quick log, CSRF, headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, add_workspace

from kith.runtime import Kith
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.web.app import create_app
from web_helpers import LOCAL


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, secret_key="test-secret-" + "x" * 20, now=lambda: FIXED_NOW)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def csrf_of(client: Any, path: str = "/people") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def add_people(kith: Kith, n: int) -> list[int]:
    with kith.session() as s:
        people = [add_person(s, NewPerson(name=f"Person {i:05d}", org="Acme" if i % 2 else "Globex"), now=FIXED_NOW) for i in range(n)]
        s.flush()
        return [p.id for p in people]


def test_an_empty_database_shows_the_onboarding_page(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Welcome to Kith" in page.text
    assert 'action="/demo"' in page.text and 'action="/import"' in page.text


def test_the_dashboard_shows_the_headline_once_there_are_people(client: Any, kith: Kith) -> None:
    add_people(kith, 3)
    page = client.get("/")
    assert page.status_code == 200
    assert "people in your network" in page.text
    assert "<svg" in page.text  # server-side charts


def test_the_people_list_is_paginated_on_the_server(client: Any, kith: Kith) -> None:
    add_people(kith, 120)
    first = client.get("/people")
    assert "120 people" in first.text and "page 1 of 3" in first.text
    assert first.text.count('<a href="/people/') == 50
    last = client.get("/people?page=3")
    assert last.text.count('<a href="/people/') == 20
    assert "Person 00119" in last.text


def test_searching_people_narrows_the_list(client: Any, kith: Kith) -> None:
    add_people(kith, 30)
    with kith.session() as s:
        add_person(s, NewPerson(name="Zoë Ángel", emails=["zoe@studio.example"]), now=FIXED_NOW)
    page = client.get("/people", params={"q": "zoe"})
    assert "1 person" in page.text and "Zoë Ángel" in page.text
    by_org = client.get("/people", params={"org": "globex"})
    assert "15 people" in by_org.text


def test_a_list_line_without_an_organisation_shows_the_title_alone(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson(name="Amara Duarte", title="screenwriter"), now=FIXED_NOW)
        add_person(s, NewPerson(name="Ana Lopez", org="Acme", title="producer"), now=FIXED_NOW)
    text = client.get("/people").text
    assert '<td><span class="muted">screenwriter</span></td>' in text
    assert 'Acme<span class="muted"> · producer</span>' in text


def test_a_page_of_the_list_shows_only_the_workspaces_own_people_with_their_tags(kith: Kith) -> None:
    from kith.services.people_list import summaries

    other = add_workspace(kith)
    with kith.session(other) as s:
        eve = add_person(s, NewPerson(name="Eve Other", tags=["film"]), now=FIXED_NOW)
        s.flush()
        eve_id = eve.id
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", org="Acme", title="Producer", tags=["film", "berlin"]),
                         now=FIXED_NOW)
        s.flush()
        rows = summaries(s, [eve_id, ana.id])
    assert [(r.name, r.org, r.title, r.tags) for r in rows] == [("Ana Lopez", "Acme", "Producer", ("berlin", "film"))]


def test_the_person_page_shows_score_explanation_and_timeline(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", org="Acme"), now=FIXED_NOW)
        s.flush()
        log_interaction(s, [ana], "coffee", when=FIXED_NOW.replace(day=1), now=FIXED_NOW, note="talked about films")
        pid = ana.id
    page = client.get(f"/people/{pid}")
    assert page.status_code == 200
    assert "Tie score" in page.text and "Why this score" in page.text
    assert "talked about films" in page.text


def test_the_person_page_shows_contacts_tags_group_sizes_and_the_cadence_that_applies(client: Any, kith: Kith) -> None:
    from datetime import timedelta

    from kith.services.cadences import set_cadence

    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", emails=["ana@example.com"], tags=["film"]), now=FIXED_NOW)
        bo = add_person(s, NewPerson(name="Bo Li"), now=FIXED_NOW)
        cy = add_person(s, NewPerson(name="Cy Ray"), now=FIXED_NOW)
        s.flush()
        log_interaction(s, [ana, bo, cy], "meeting", when=FIXED_NOW - timedelta(days=3), now=FIXED_NOW, note="pitch")
        log_interaction(s, [ana], "call", when=FIXED_NOW - timedelta(days=1), now=FIXED_NOW, note="follow-up")
        set_cadence(s, "tag", "film", 21)
        pid = ana.id
    text = client.get(f"/people/{pid}").text
    assert "ana@example.com" in text and 'href="/people?tag=film"' in text
    assert text.index("follow-up") < text.index("pitch")  # newest first
    assert "with 2 others" in text
    assert "Cadence: every 21 days (tag film)" in text


def test_quick_log_records_an_interaction(client: Any, kith: Kith) -> None:
    pid = add_people(kith, 1)[0]
    answer = client.post(
        f"/people/{pid}/log", data={"kind": "call", "note": "caught up", "csrf_token": csrf_of(client)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/people/{pid}"
    page = client.get(f"/people/{pid}")
    assert "caught up" in page.text and "Logged call" in page.text


def test_a_form_post_without_the_csrf_token_is_refused(client: Any, kith: Kith) -> None:
    pid = add_people(kith, 1)[0]
    client.get("/people")
    for path, data in [(f"/people/{pid}/log", {"kind": "call"}), ("/people", {"name": "Eve"}), ("/goals", {"title": "x"}),
                       ("/settings/feed", {}), ("/demo", {})]:
        assert client.post(path, data=data, follow_redirects=False).status_code == 403, path
        forged = {**data, "csrf_token": "forged"}
        assert client.post(path, data=forged, follow_redirects=False).status_code == 403, path


def test_a_bad_log_is_a_readable_error_not_a_crash(client: Any, kith: Kith) -> None:
    pid = add_people(kith, 1)[0]
    answer = client.post(f"/people/{pid}/log", data={"kind": "teleport", "csrf_token": csrf_of(client)})
    assert answer.status_code == 422
    assert "unknown interaction kind" in answer.text


def test_an_unknown_person_is_a_404_page(client: Any) -> None:
    assert client.get("/people/999").status_code == 404


def test_pages_carry_security_headers_and_no_inline_script(client: Any, kith: Kith) -> None:
    add_people(kith, 2)
    for path in ("/", "/people", "/people/1", "/network", "/goals", "/opportunities", "/report", "/import", "/settings"):
        page = client.get(path)
        assert page.status_code == 200, path
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), path
        assert " style=" not in page.text and "<style" not in page.text, path


def test_the_session_cookie_is_httponly_and_samesite(client: Any) -> None:
    answer = client.get("/")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_the_calendar_feed_is_secret_and_revocable(client: Any, kith: Kith) -> None:
    add_people(kith, 1)
    page = client.post("/settings/feed", data={"csrf_token": csrf_of(client, "/settings")})
    match = re.search(r"/feed/([A-Za-z0-9_\-]+)\.ics", page.text)
    assert match
    feed = client.get(f"/feed/{match.group(1)}.ics")
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    assert client.get("/feed/not-a-token.ics").status_code == 404
    token_id = re.search(r'/settings/tokens/(\d+)/revoke', client.get("/settings").text)
    assert token_id
    client.post(f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf_of(client, "/settings")})
    assert client.get(f"/feed/{match.group(1)}.ics").status_code == 404


def test_static_files_are_served(client: Any) -> None:
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/kith.css").status_code == 200


def test_an_id_out_of_range_in_a_page_address_is_a_clear_error_not_a_crash(client: Any) -> None:
    huge = "99999999999999999999"
    page = client.get(f"/people/{huge}")
    assert page.status_code == 422 and "person_id" in page.text
    csrf = csrf_of(client, "/settings")
    for path in (f"/people/{huge}/log", f"/agenda/{huge}/done", f"/agenda/{huge}/snooze",
                 f"/settings/tokens/{huge}/revoke"):
        assert client.post(path, data={"csrf_token": csrf, "kind": "call"}).status_code == 422, path


def test_the_report_counts_people_still_in_their_follow_up_window_apart_from_those_missed(
        client: Any, kith: Kith) -> None:
    from datetime import timedelta

    today = FIXED_NOW.date()
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Met", met_on=today - timedelta(days=90)), now=FIXED_NOW)
        add_person(s, NewPerson(name="Ben Missed", met_on=today - timedelta(days=90)), now=FIXED_NOW)
        add_person(s, NewPerson(name="Cy Waiting", met_on=today - timedelta(days=3)), now=FIXED_NOW)
        log_interaction(s, [ana], "coffee", when=FIXED_NOW - timedelta(days=85), now=FIXED_NOW)
    page = client.get("/report").text
    assert "Of 3 people you met, you followed up with 1 and missed 1; 1 is still waiting, their window open." in page


def test_settings_set_and_clear_the_cadences_of_layers_and_tags(client: Any, kith: Kith) -> None:
    from kith.services.cadences import list_cadences

    csrf = csrf_of(client, "/settings")
    assert "None set yet." in client.get("/settings").text
    done = client.post("/settings/cadence", data={"scope": "layer", "layer": "acquaintance", "days": "3m",
                                                  "csrf_token": csrf})
    assert done.status_code == 200 and "Keep in touch with layer acquaintance every 90 days." in done.text
    client.post("/settings/cadence", data={"scope": "tag", "tag": "Seed Investor", "days": "2w", "csrf_token": csrf})
    with kith.session() as s:
        assert [(r.scope, r.target, r.days) for r in list_cadences(s)] == [
            ("layer", "acquaintance", 90), ("tag", "seed-investor", 14)]
    page = client.get("/settings").text
    assert "layer <strong>acquaintance</strong>: every 90 days" in page and "every 14 days" in page
    bad = client.post("/settings/cadence", data={"scope": "layer", "layer": "friends", "days": "30",
                                                 "csrf_token": csrf})
    assert bad.status_code == 422 and "unknown layer" in bad.text
    assert client.post("/settings/cadence", data={"scope": "tag", "tag": "x", "days": "-3",
                                                  "csrf_token": csrf}).status_code == 422
    cleared = client.post("/settings/cadence/clear", data={"scope": "tag", "target": "seed-investor",
                                                           "csrf_token": csrf})
    assert "Cleared the tag cadence of seed-investor." in cleared.text
    with kith.session() as s:
        assert [r.target for r in list_cadences(s)] == ["acquaintance"]
    assert "Cleared the tag cadence" in client.get("/changes").text  # each is a change, with its undo
