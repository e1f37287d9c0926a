"""The web's pages as a user reads them: reach planner, opportunities chart, the whole agenda, the log control,
search suggestions, the API reference at /docs, the app manifest, the one list envelope, and what server mode
shows to whom."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from tests.conftest import FIXED_NOW
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services import accounts
from kith.services import opportunities as opp_svc
from kith.services.dashboard import agenda_listing, network_ties
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.relations import link
from kith.web.app import create_app
from kith.web.charts import bar_chart, month_label

PASSWORD = "correct horse battery"


@pytest.fixture
def client(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="v" * 40, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


@pytest.fixture
def server(kith: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    app = create_app(kith, server_mode=True, secret_key="s" * 40, now=lambda: FIXED_NOW, secure_cookies=False)
    with TestClient(app, base_url=LOCAL) as c:
        yield c


def csrf_of(client: Any, path: str = "/people") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def seed_assistant(kith: Kith) -> dict[str, int]:
    """Ana (key) with her assistant Bea; I know Bea a little."""
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Diaz", org="Acme Films", title="Head of casting", key=True), now=FIXED_NOW)
        bea = add_person(s, NewPerson(name="Bea Ruiz", org="Acme Films", title="Assistant"), now=FIXED_NOW)
        s.flush()
        link(s, bea, "assistant-of", ana, now=FIXED_NOW)
        log_interaction(s, [bea], "coffee", when=FIXED_NOW - timedelta(days=20), now=FIXED_NOW)
        log_interaction(s, [ana, bea], "meeting", when=FIXED_NOW - timedelta(days=200), now=FIXED_NOW)
        return {"ana": ana.id, "bea": bea.id}


def seed_quiet_key_people(kith: Kith, n: int) -> None:
    """``n`` key people last seen long ago: each one is on today's agenda."""
    with kith.session() as s:
        people = [add_person(s, NewPerson(name=f"Key {i:02d}", key=True, closeness=70), now=FIXED_NOW) for i in range(n)]
        s.flush()
        for i, p in enumerate(people):
            log_interaction(s, [p], "coffee", when=FIXED_NOW - timedelta(days=120 + i), now=FIXED_NOW)
            log_interaction(s, [p], "coffee", when=FIXED_NOW - timedelta(days=160 + i), now=FIXED_NOW)


# --- reach planner ---------------------------------------------------------------------------------------------


def test_the_reach_planner_names_the_gatekeeper_with_links_to_both_people(client: Any, kith: Kith) -> None:
    ids = seed_assistant(kith)
    page = client.get("/network", params={"target": "Ana Diaz"})
    assert page.status_code == 200
    gatekeepers = page.text.split("Gatekeepers on the way", 1)[1]
    assert f'<a href="/people/{ids["bea"]}">Bea Ruiz</a>, assistant of <a href="/people/{ids["ana"]}">Ana Diaz</a>' in gatekeepers
    assert 'href="/people/"' not in page.text  # no link without an id


def test_the_reach_planners_advice_is_said_once(client: Any, kith: Kith) -> None:
    seed_assistant(kith)
    page = client.get("/network", params={"target": "Ana Diaz"}).text
    assert page.count("is Ana Diaz&#39;s assistant") == 1


# --- charts and opportunities ----------------------------------------------------------------------------------


def test_bar_labels_are_never_cut_and_axes_are_labelled() -> None:
    svg = bar_chart([("meaningful", 2), ("acquaintance", 1), ("no referrer", 3)], title="t",
                    x_label="layer", y_label="opportunities")
    for label in ("meaningful", "acquaintance", "no referrer", ">layer<", ">opportunities<"):
        assert label in svg


def test_a_long_month_trend_writes_month_names_and_skips_labels_that_would_collide() -> None:
    months = [(f"{2025 + (m // 12)}-{m % 12 + 1:02d}", float(m)) for m in range(24)]
    svg = bar_chart(months, title="t", width=360, months=True)
    assert month_label("2026-01") == "Jan 2026" and month_label("2026-06") == "Jun"
    assert ">Jan 2025<" in svg  # the first bar carries its year
    ticks = re.findall(r'<text class="tick"[^>]*text-anchor="middle">([^<]*)<', svg)
    assert 1 < len(ticks) < 24  # not every one of 24 labels fits in 360 px
    assert svg.count("<rect") == 24  # but every month has its bar (with its full label as the title)


def test_the_opportunities_chart_counts_by_the_referrers_layer_at_the_time(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        old = add_person(s, NewPerson(name="Olga Old"), now=FIXED_NOW)
        s.flush()
        # met once when she referred the role (at most an acquaintance then), a weekly meal ever since
        for d in [310, *range(294, 0, -7)]:
            log_interaction(s, [old], "meal", when=FIXED_NOW - timedelta(days=d), now=FIXED_NOW)
        opp_svc.add_opportunity(s, "Producer role", now=FIXED_NOW, referred_by=old,
                                found_on=(FIXED_NOW - timedelta(days=300)).date())
        opp_svc.add_opportunity(s, "Found alone", now=FIXED_NOW)
        report = opp_svc.opportunity_report(s, FIXED_NOW)
        then = report.opportunities[0].layer_then
        today = network_ties(s, FIXED_NOW)[0].get(old.id)
    assert then is not None and today is not None and then != today.layer, "the test needs a tie that changed"
    page = client.get("/opportunities").text
    chart = page.split('<svg class="chart narrow"', 1)[1].split("</svg>", 1)[0]
    assert f"<title>{then}: 1</title>" in chart and f">{then}<" in chart
    assert f"<title>{today.layer}: 1</title>" not in chart
    assert "<title>no referrer: 1</title>" in chart
    assert f'<span class="layer layer-{then}">{then}</span>' in page  # the table too: the layer then


def test_an_opportunitys_outcome_is_recorded_from_its_row(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        opp_id = opp_svc.add_opportunity(s, "Deal with Acme", now=FIXED_NOW, kind="deal").id
    answer = client.post(f"/opportunities/{opp_id}/outcome", data={"outcome": "won", "csrf_token": csrf_of(client)})
    assert answer.status_code == 200 and "Deal with Acme: won." in answer.text
    with kith.session() as s:
        assert opp_svc.get_opportunity(s, opp_id).outcome == "won"
    bad = client.post(f"/opportunities/{opp_id}/outcome", data={"outcome": "maybe", "csrf_token": csrf_of(client)})
    assert bad.status_code == 422 and "unknown outcome" in bad.text


# --- agenda ----------------------------------------------------------------------------------------------------


def test_the_dashboard_links_to_the_whole_agenda_when_it_shows_only_part(client: Any, kith: Kith) -> None:
    seed_quiet_key_people(kith, 30)
    with kith.session() as s:
        total = agenda_listing(s, FIXED_NOW).total
    assert total > 12
    page = client.get("/").text
    assert f"See the whole agenda ({total})" in page and 'href="/agenda"' in page


def test_the_agenda_page_shows_every_item_a_page_at_a_time(client: Any, kith: Kith) -> None:
    seed_quiet_key_people(kith, 30)
    with kith.session() as s:
        listing = agenda_listing(s, FIXED_NOW, limit=1000)
    seen: list[str] = []
    for n in range(1, 4):
        page = client.get("/agenda", params={"page": n}).text
        seen += re.findall(r'class="person">([^<]+)<', page)
    assert seen == [i.person for i in listing.items]


def test_the_agenda_is_filtered_by_action(client: Any, kith: Kith) -> None:
    seed_quiet_key_people(kith, 5)
    seed_assistant(kith)
    with kith.session() as s:
        by_action = agenda_listing(s, FIXED_NOW).by_action
    action, count = next(iter(by_action.items()))
    page = client.get("/agenda", params={"action": action}).text
    assert len(re.findall(r'class="person">', page)) == count
    assert set(re.findall(r'<span class="badge">([^<]+)</span>', page)) == {action}
    assert client.get("/agenda", params={"action": "nonsense"}).status_code == 200  # an unknown action: all


def test_the_log_control_offers_a_fitting_kind_a_date_and_how_it_went(client: Any, kith: Kith) -> None:
    seed_quiet_key_people(kith, 3)
    page = client.get("/").text
    form = page.split('class="log-form"', 1)[1].split("</form>", 1)[0]
    selected = re.findall(r'<option value="([^"]+)" selected>', form)
    assert selected and selected[0] != "like"
    assert 'name="on" type="date" value="2026-06-15"' in form
    assert 'name="sentiment"' in form


def test_done_on_the_agenda_page_comes_back_to_the_agenda_page(client: Any, kith: Kith) -> None:
    seed_quiet_key_people(kith, 3)
    page = client.get("/agenda").text
    pid = re.search(r'action="/agenda/(\d+)/done"', page)
    assert pid
    answer = client.post(f"/agenda/{pid.group(1)}/done", data={"action": "*", "back": "/agenda", "csrf_token": csrf_of(client)},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/agenda"
    evil = client.post(f"/agenda/{pid.group(1)}/snooze", data={"back": "//evil.example", "csrf_token": csrf_of(client)},
                       follow_redirects=False)
    assert evil.headers["location"] == "/"


# --- search, docs, manifest, API envelope ---------------------------------------------------------------------


def test_search_suggests_people_organisations_emails_and_tags(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson(name="Ana Diaz", org="Acme Films", emails=["ana@acme.example"], tags=["acme-alumni"]),
                   now=FIXED_NOW)
    items = client.get("/search/suggest", params={"q": "acme"}).json()["items"]
    kinds = {(i["kind"], i["label"]) for i in items}
    assert ("organisation", "Acme Films") in kinds and ("e-mail", "ana@acme.example") in kinds
    assert ("tag", "acme-alumni") in kinds
    people = client.get("/search/suggest", params={"q": "diaz"}).json()["items"]
    assert people[0]["kind"] == "person" and people[0]["url"].startswith("/people/")
    assert client.get("/search/suggest", params={"q": "a"}).json()["items"] == []


def test_every_page_has_the_search_box(client: Any, kith: Kith) -> None:
    seed_assistant(kith)
    for path in ("/", "/people", "/agenda", "/network", "/goals", "/report", "/settings"):
        assert 'id="global-q"' in client.get(path).text, path


def test_the_api_reference_is_served_at_docs_without_any_outside_file(client: Any) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/api/v1/agenda" in page.text and "/api/v1/people" in page.text and "PersonOut" in page.text
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_the_manifest_names_the_app_and_its_icons(client: Any) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == "Kith" and body["display"] == "standalone"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").text


def test_every_api_list_answers_in_one_envelope(client: Any, kith: Kith) -> None:
    seed_assistant(kith)
    spec = client.get("/openapi.json").json()
    lists = []
    for path, item in spec["paths"].items():
        get = item.get("get")
        if get is None or "{" in path:
            continue
        schema = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("type") != "array", f"{path} answers a bare list"
        if schema.get("$ref", "").split("/")[-1].startswith("Page"):
            lists.append(path)
    assert {"/api/v1/agenda", "/api/v1/people", "/api/v1/scores", "/api/v1/duplicates"} <= set(lists)
    for path in lists:
        body = client.get(path, params={"q": "ana", "limit": 2}).json()
        assert set(body) >= {"items", "total", "limit", "offset"}, path
        assert body["limit"] == 2 and isinstance(body["items"], list), path


# --- server mode -----------------------------------------------------------------------------------------------


def login(client: Any, email: str) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1), "next": "/"})


def test_an_anonymous_visitor_sees_only_the_login_form(server: Any) -> None:
    page = server.get("/login").text
    assert 'aria-label="Main"' not in page and 'href="/people"' not in page and 'id="global-q"' not in page
    assert 'action="/login"' in page
    for path in ("/", "/docs", "/agenda", "/search/suggest?q=an"):
        answer = server.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login"), path


def test_in_server_mode_settings_do_not_show_the_database(server: Any, kith: Kith) -> None:
    with kith.factory() as s, s.begin():
        accounts.add_user(s, "alice@example.com", PASSWORD, now=FIXED_NOW)
    login(server, "alice@example.com")
    page = server.get("/settings").text
    assert "Database:" not in page and kith.engine.url.database not in page
    assert 'aria-label="Main"' in page  # logged in: the menu


def test_in_server_mode_an_administrator_sees_the_database_without_its_password(server: Any, kith: Kith) -> None:
    with kith.factory() as s, s.begin():
        accounts.add_user(s, "root@example.com", PASSWORD, now=FIXED_NOW).is_admin = True
    login(server, "root@example.com")
    page = server.get("/settings").text
    assert "Database:" in page and str(kith.engine.url.database) in page
    assert kith.engine.url.password is None or kith.engine.url.password not in page


def test_in_local_mode_settings_show_the_database(client: Any) -> None:
    assert "Database:" in client.get("/settings").text


# --- goals -----------------------------------------------------------------------------------------------------


def test_a_goal_is_edited_closed_and_reopened_from_its_card(client: Any, kith: Kith) -> None:
    from kith.services import goals as goals_svc

    with kith.session() as s:
        gid = goals_svc.add_goal(s, "Find a producer", now=FIXED_NOW, roles=["producer"]).id
    page = client.get("/goals").text
    assert f'id="goal-{gid}"' in page and "went to this goal" in page
    csrf = csrf_of(client, "/goals")
    client.post(f"/goals/{gid}/edit", data={"title": "Find a film producer", "roles": "producer, line producer",
                                            "csrf_token": csrf})
    client.post(f"/goals/{gid}/status", data={"status": "closed", "csrf_token": csrf})
    with kith.session() as s:
        goal = goals_svc.goal_by_id(s, gid)
        assert (goal.title, goal.roles, goal.status) == ("Find a film producer", ["producer", "line producer"], "closed")
    assert "Reopen" in client.get("/goals").text
    client.post(f"/goals/{gid}/status", data={"status": "active", "csrf_token": csrf})
    with kith.session() as s:
        assert goals_svc.goal_by_id(s, gid).status == "active"


def test_an_opportunity_is_edited_from_its_row(client: Any, kith: Kith) -> None:
    with kith.session() as s:
        opp_id = opp_svc.add_opportunity(s, "Deal", now=FIXED_NOW, kind="deal").id
    assert f'action="/opportunities/{opp_id}/edit"' in client.get("/opportunities").text
    client.post(f"/opportunities/{opp_id}/edit", data={"title": "Distribution deal", "kind": "client", "note": "via Berlin",
                                                        "csrf_token": csrf_of(client)})
    with kith.session() as s:
        opp = opp_svc.get_opportunity(s, opp_id)
        assert (opp.title, opp.kind, opp.note) == ("Distribution deal", "client", "via Berlin")


def test_an_unknown_agenda_action_is_refused_by_the_service(kith: Kith) -> None:
    from kith.errors import BadInput

    with kith.session() as s, pytest.raises(BadInput, match="unknown agenda action 'party'"):
        agenda_listing(s, FIXED_NOW, action="party")


def test_the_api_reference_writes_backticked_names_as_code(client: Any) -> None:
    page = client.get("/docs").text
    assert "<code>Authorization: Bearer TOKEN</code>" in page and "`" not in page.split("<main", 1)[1]


def test_a_logged_in_users_error_page_keeps_the_menu(server: Any, kith: Kith) -> None:
    with kith.factory() as s, s.begin():
        accounts.add_user(s, "alice@example.com", PASSWORD, now=FIXED_NOW)
    login(server, "alice@example.com")
    missing = server.get("/people/999999")
    assert missing.status_code == 404 and 'aria-label="Main"' in missing.text
