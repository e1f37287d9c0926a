"""Undo in the browser, at 1400 and 390 px: the confirmation of a change offers "Undo: <what was done>", the
recent changes page undoes an older one, a single e-mail is removed from the edit page; none of these pages
scrolls sideways or has a serious accessibility violation. Screenshots of the person page with the undo banner
go to tests/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from tests.browser.conftest import FIXED_NOW, SCREENSHOTS, LiveServer

from kith.runtime import Kith
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person, get_person

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1400, "phone": 390}
AXE = Axe()


@pytest.fixture(params=list(WIDTHS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    request.node._kith_page = page
    yield request.param, page
    context.close()


def fits_and_is_accessible(page: Any) -> None:
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"{page.url}: {wide[0]} px wide in a {wide[1]} px window"
    bad = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in AXE.run(page).response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, bad


def seed(kith: Kith) -> int:
    with kith.session() as s:
        return add_person(s, NewPerson(name="Ana Diaz", org="Acme Films", emails=["ana@acme.example",
                                       "ana.diaz@home.example"], phones=["+34 600 000 005"]), now=FIXED_NOW).id


def test_saving_offers_undo_and_undo_puts_the_title_back(live: LiveServer, screen: tuple[str, Any], kith: Kith) -> None:
    device, page = screen
    pid = seed(kith)
    page.goto(f"{live.url}/people/{pid}/edit")
    page.get_by_label("Title").fill("Head of casting")
    page.get_by_role("button", name="Save", exact=True).click()
    undo = page.get_by_role("button", name="Undo: Edited Ana Diaz: title")
    undo.wait_for()
    fits_and_is_accessible(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"undo-banner-{device}.png"), full_page=False)
    undo.focus()
    page.keyboard.press("Enter")  # the keyboard alone undoes
    page.get_by_role("status").filter(has_text="Undone: Edited Ana Diaz: title.").wait_for()
    with kith.session() as s:
        assert get_person(s, pid).title == ""


def test_the_recent_changes_page_undoes_an_older_change(live: LiveServer, screen: tuple[str, Any], kith: Kith) -> None:
    _device, page = screen
    pid = seed(kith)
    page.goto(f"{live.url}/people/{pid}/edit")
    page.get_by_role("button", name="Archive", exact=True).click()
    page.get_by_role("status").filter(has_text="Archived Ana Diaz").wait_for()
    page.goto(f"{live.url}/settings")
    page.get_by_role("link", name="Recent changes").click()
    page.get_by_role("heading", name="Recent changes").wait_for()
    fits_and_is_accessible(page)
    page.get_by_role("button", name="Undo: Archived Ana Diaz").click()
    page.get_by_role("status").filter(has_text="Undone: Archived Ana Diaz.").wait_for()
    with kith.session() as s:
        assert not get_person(s, pid).archived


def test_one_e_mail_is_removed_from_the_edit_page(live: LiveServer, screen: tuple[str, Any], kith: Kith) -> None:
    _device, page = screen
    pid = seed(kith)
    page.goto(f"{live.url}/people/{pid}/edit")
    fits_and_is_accessible(page)
    page.get_by_role("button", name="Remove email ana.diaz@home.example").click()
    page.get_by_role("status").filter(has_text="Removed ana.diaz@home.example from Ana Diaz.").wait_for()
    assert page.get_by_role("button", name="Remove email ana@acme.example").is_visible()
    assert page.get_by_role("button", name="Remove email ana.diaz@home.example").count() == 0
    with kith.session() as s:
        assert sorted(i.value for i in get_person(s, pid).identifiers) == ["+34 600 000 005", "ana@acme.example"]


def test_done_on_an_agenda_item_answers_in_place_and_undo_brings_it_back(
        live: LiveServer, screen: tuple[str, Any], kith: Kith) -> None:
    _device, page = screen
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Diaz", key=True, closeness=70), now=FIXED_NOW)
        s.flush()
        for days in (150, 190):
            log_interaction(s, [ana], "coffee", when=FIXED_NOW - timedelta(days=days), now=FIXED_NOW)
    page.goto(f"{live.url}/agenda")
    page.evaluate("window.kithNoReload = true")
    item = page.locator("ol.items > li").filter(has_text="Ana Diaz").first
    item.get_by_role("button", name="Snooze Ana Diaz for a week").click()
    page.get_by_role("status").filter(has_text="Snoozed Ana Diaz for 1w.").wait_for()
    assert page.evaluate("window.kithNoReload === true")  # answered in place: no page load
    fits_and_is_accessible(page)
    page.get_by_role("button", name="Undo: Snoozed Ana Diaz until").click()
    page.get_by_role("status").filter(has_text="Undone: Snoozed Ana Diaz until").wait_for()
    assert page.url.endswith("/agenda")
    assert page.locator("ol.items > li").filter(has_text="Ana Diaz").count() >= 1
