"""The main journeys in headless Chromium: onboarding, agenda, logging, search, score, import, reach."""

from __future__ import annotations

import importlib.util
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kith.runtime import Kith
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.relations import link

pytestmark = pytest.mark.browser
FIXED_NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)  # as in tests/conftest.py
FIXTURES = Path(__file__).parent.parent / "fixtures"


def seed(kith: Kith) -> dict[str, int]:
    """A small network: key people gone quiet (so the agenda has work), an assistant, an organisation."""
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", org="Acme Films", title="Head of casting", key=True), now=FIXED_NOW)
        bea = add_person(s, NewPerson(name="Bea Ruiz", org="Acme Films", title="Assistant"), now=FIXED_NOW)
        carl = add_person(s, NewPerson(name="Carl Mendes", org="Northwind", key=True), now=FIXED_NOW)
        dana = add_person(s, NewPerson(name="Dana Scully", org="Bureau"), now=FIXED_NOW)
        s.flush()
        link(s, bea, "assistant-of", ana, now=FIXED_NOW)
        # Ana and Carl: real ties (years of meals, a season of coffees) gone quiet; Dana: just met.
        history = [(d, [ana], "meal") for d in range(760, 390, -60)] + [(200, [ana, bea], "meeting")]
        history += [(d, [carl], "coffee") for d in range(330, 110, -30)] + [(90, [carl], "call")]
        for days, people, kind in [*history, (10, [dana], "coffee"), (5, [dana, carl], "meeting")]:
            log_interaction(s, people, kind, when=FIXED_NOW - timedelta(days=days), now=FIXED_NOW)
        return {"ana": ana.id, "bea": bea.id, "carl": carl.id, "dana": dana.id}


@pytest.mark.skipif(importlib.util.find_spec("kith.services.demo") is None, reason="the demo network is not available yet")
def test_onboarding_loads_the_demo_network(live: Any, page: Any) -> None:
    page.set_default_timeout(60_000)  # building the demo takes a while on PostgreSQL
    page.goto(live.url + "/")
    page.get_by_role("heading", name="Welcome to Kith").wait_for()
    page.get_by_role("button", name="Load the demo network").click()
    page.get_by_text("Demo network loaded").wait_for()
    assert page.get_by_text("people in your network").is_visible()


def test_an_agenda_item_can_be_done_and_another_snoozed(live: Any, page: Any, kith: Kith) -> None:
    seed(kith)
    page.goto(live.url + "/")
    items = page.locator("ol.items > li")
    assert items.count() >= 2, "the seeded network should put at least two people on the agenda"
    first = items.nth(0).locator("a.person").inner_text()
    items.nth(0).get_by_role("button", name="Done").click()
    page.get_by_role("status").filter(has_text="Done:").wait_for()
    assert first not in page.locator("ol.items a.person").all_inner_texts()  # in place (htmx): now its confirmation
    waiting = page.locator("ol.items > li:not(.confirmed)")
    second = waiting.nth(0).locator("a.person").inner_text()
    waiting.nth(0).get_by_role("button", name="Snooze").click()
    page.get_by_role("status").filter(has_text=f"Snoozed {second}").wait_for()
    assert second not in page.locator("ol.items a.person").all_inner_texts()
    page.reload()  # and the server agrees
    assert not {first, second} & set(page.locator("ol.items a.person").all_inner_texts())


def test_logging_an_interaction_from_the_person_page(live: Any, page: Any, kith: Kith) -> None:
    ids = seed(kith)
    page.goto(f"{live.url}/people/{ids['bea']}")
    log = page.get_by_role("region", name="Log an interaction")  # the timeline's entries have edit forms too
    log.get_by_label("Kind").select_option("call")
    log.get_by_label("Note").fill("Talked about the autumn slate")
    log.get_by_role("button", name="Log", exact=True).click()
    page.get_by_text("Logged call with Bea Ruiz").wait_for()
    assert page.locator(".timeline").get_by_text("Talked about the autumn slate").is_visible()


def test_correcting_an_interaction_from_the_timeline(live: Any, page: Any, kith: Kith) -> None:
    ids = seed(kith)
    page.goto(f"{live.url}/people/{ids['bea']}")
    log = page.get_by_role("region", name="Log an interaction")
    log.get_by_label("Kind").select_option("call")
    log.get_by_role("button", name="Log", exact=True).click()
    page.get_by_text("Logged call with Bea Ruiz").wait_for()
    entry = page.locator(".timeline li").first
    entry.get_by_role("link", name=re.compile("Edit or delete")).click()  # htmx loads the forms in place
    entry.get_by_label("Kind").select_option("meal")
    entry.get_by_label("Note").fill("Lunch, not a call")
    entry.get_by_role("button", name="Save").click()
    page.get_by_text("Saved the meal of").wait_for()
    assert page.locator(".timeline li").first.get_by_text("Lunch, not a call").is_visible()


def test_searching_a_person_and_reading_the_score_explanation(live: Any, page: Any, kith: Kith) -> None:
    seed(kith)
    page.goto(live.url + "/people")
    page.get_by_label("Search people").fill("dana")
    page.locator("#people-results").get_by_text("1 person", exact=True).wait_for()
    page.get_by_role("link", name="Dana Scully").click()
    page.get_by_role("heading", name="Dana Scully").wait_for()
    explanation = page.locator("details.explain")
    assert explanation.get_attribute("open") is not None
    assert re.search(r"\d", page.locator(".score-row .big").inner_text())
    assert explanation.inner_text().strip() != "Why this score"


def test_importing_a_vcard_file(live: Any, page: Any) -> None:
    page.goto(live.url + "/import")
    vcf = next(Path(FIXTURES / "vcard").glob("*.vcf"))
    page.get_by_label("File").set_input_files(str(vcf))
    page.get_by_label("Format").select_option("vcard")
    page.get_by_role("button", name="Import").click()
    page.locator("#import-summary").wait_for()
    assert "Imported" in page.locator("#import-summary h2").inner_text()
    page.goto(live.url + "/people")
    assert "Nobody matches" not in page.content()


def test_planning_a_reach(live: Any, page: Any, kith: Kith) -> None:
    seed(kith)
    page.goto(live.url + "/network")
    assert page.locator("svg.graph .node").count() >= 3
    page.get_by_label("Whom do you want to reach?").fill("Acme Films")
    page.get_by_role("button", name="Find warm paths").click()
    page.locator("#reach-result").wait_for()
    assert "Acme" in page.locator("#reach-result").inner_text()
