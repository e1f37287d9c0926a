"""Every page, on a desktop (1400 px) and a phone (390 px): nothing scrolls sideways, no serious or critical
accessibility violation (axe-core), the menu collapses on the phone, the search box works from the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select
from tests.browser.conftest import FIXED_NOW, LiveServer

from kith.runtime import Kith
from kith.services.demo import build_demo
from kith.store.models import Person
from kith.web.app import create_app

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1400, "phone": 390}
PAGES = ["/", "/agenda", "/people", "/people/{person}", "/network", "/network?target=Acme", "/goals",
         "/opportunities", "/report", "/import", "/settings", "/docs", "/dupes",
         "/people/{person}/edit", "/people/{person}/delete", "/network?focus={person}", "/events", "/changes"]
AXE = Axe()


@pytest.fixture
def demo(kith: Kith, live: LiveServer) -> Iterator[dict[str, Any]]:
    """The demo network behind the live server; the id of its best-connected person."""
    with kith.session() as s:
        build_demo(s, now=FIXED_NOW, seed=7)
        first = s.scalars(select(Person.id).where(Person.is_key.is_(True)).order_by(Person.id)).first()
    yield {"url": live.url, "person": first}


def open_at(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def serious(page: Any) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_no_page_scrolls_sideways_and_none_has_a_serious_accessibility_violation(
    browser: Any, demo: dict[str, Any], device: str,
) -> None:
    page = open_at(browser, WIDTHS[device])
    problems: list[str] = []
    try:
        for path in PAGES:
            page.goto(demo["url"] + path.format(person=demo["person"]))
            assert page.title(), path
            wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if wide[0] > wide[1]:
                problems.append(f"{path}: {wide[0]} px wide in a {wide[1]} px window")
            problems += [f"{path}: {v}" for v in serious(page)]
    finally:
        page.context.close()
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_menu_collapses_behind_a_button(browser: Any, demo: dict[str, Any]) -> None:
    page = open_at(browser, 390)
    try:
        page.goto(demo["url"] + "/")
        nav = page.get_by_role("navigation", name="Main")
        assert not nav.is_visible()
        header = page.locator("header.top").bounding_box()
        assert header and header["height"] < 80  # one line, not three
        page.get_by_role("button", name="Menu").click()
        nav.get_by_role("link", name="People").click()
        page.get_by_role("heading", name="People", exact=True).wait_for()
    finally:
        page.context.close()


def test_on_a_desktop_the_menu_shows_without_a_button(browser: Any, demo: dict[str, Any]) -> None:
    page = open_at(browser, 1400)
    try:
        page.goto(demo["url"] + "/")
        assert page.get_by_role("navigation", name="Main").is_visible()
        assert not page.get_by_role("button", name="Menu").is_visible()
    finally:
        page.context.close()


def test_on_a_phone_the_contact_card_comes_first_on_a_person_page(browser: Any, demo: dict[str, Any]) -> None:
    page = open_at(browser, 390)
    try:
        page.goto(f"{demo['url']}/people/{demo['person']}")
        contact = page.locator("#contact-card").bounding_box()
        timeline = page.get_by_role("heading", name="Timeline").bounding_box()
        score = page.get_by_role("heading", name="Tie score").bounding_box()
        assert contact and timeline and score
        assert contact["y"] < score["y"] < timeline["y"]
    finally:
        page.context.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_slash_focuses_the_search_box_and_a_suggestion_opens_the_person(
    browser: Any, demo: dict[str, Any], kith: Kith, device: str,
) -> None:
    with kith.session() as s:
        name = s.scalars(select(Person.display_name).where(Person.id == demo["person"])).one()
    page = open_at(browser, WIDTHS[device])
    try:
        page.goto(demo["url"] + "/report")
        page.keyboard.press("/")
        box = page.get_by_label("Find a person, organisation, e-mail or tag (press /)")
        assert box.evaluate("el => el === document.activeElement")
        page.keyboard.type(name[:5])
        page.locator(f'#global-suggestions option[value="{name}"]').wait_for(state="attached")
        box.fill(name)  # choosing the suggestion puts its value in the box
        page.wait_for_url(f"**/people/{demo['person']}")
        page.get_by_role("heading", name=name).first.wait_for()
    finally:
        page.context.close()


def test_the_network_graph_zooms_pans_and_names_a_person_on_focus(browser: Any, demo: dict[str, Any]) -> None:
    page = open_at(browser, 1400)
    try:
        page.goto(demo["url"] + "/network")
        graph = page.locator("svg.graph")
        start = graph.get_attribute("viewBox")
        page.get_by_role("button", name="Zoom in").click()
        zoomed = graph.get_attribute("viewBox")
        assert zoomed != start and float(zoomed.split()[2]) < float(start.split()[2])
        page.get_by_role("button", name="Zoom in").press("ArrowRight")
        assert graph.get_attribute("viewBox") != zoomed  # the arrow keys pan
        page.get_by_role("button", name="Reset").click()
        assert [float(v) for v in graph.get_attribute("viewBox").split()] == [float(v) for v in start.split()]
        hidden = page.locator(".node:has(text.hover-only)").first
        name = hidden.locator("text").text_content() or ""
        hidden.focus()
        assert hidden.locator("text").is_visible() and len(name.split()) >= 2  # the full name, on focus
    finally:
        page.context.close()


@pytest.mark.parametrize("device", list(WIDTHS))
def test_in_server_mode_a_visitor_sees_only_a_clean_login_page(browser: Any, kith: Kith, device: str) -> None:
    app = create_app(kith, server_mode=True, secret_key="s" * 40, now=lambda: FIXED_NOW, secure_cookies=False)
    with LiveServer(app) as server:
        page = open_at(browser, WIDTHS[device])
        try:
            page.goto(server.url + "/people")
            page.get_by_role("heading", name="Log in to Kith").wait_for()
            assert page.get_by_role("navigation", name="Main").count() == 0
            assert page.get_by_role("button", name="Menu").count() == 0
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert not serious(page)
        finally:
            page.context.close()


def test_the_keyboard_alone_reaches_the_content_the_search_and_the_phone_menu(browser: Any, demo: dict[str, Any]) -> None:
    page = open_at(browser, 390)
    try:
        page.goto(demo["url"] + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        seen = []
        for _ in range(6):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
            if seen[-1] == "Menu":
                break
        assert "global-q" in seen and seen[-1] == "Menu", seen
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('nav') && document.activeElement.textContent") == "Dashboard"
    finally:
        page.context.close()
