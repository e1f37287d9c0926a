"""Changing things in the browser, keyboard and pointer, at 1400 and 390 px: edit a person, add a relation and a
favour, archive and restore, delete with confirmation, merge duplicates, log from the agenda, close a goal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.browser.conftest import FIXED_NOW, LiveServer

from kith.runtime import Kith
from kith.services import goals as goals_svc
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.store.models import Interaction, Person

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": 1400, "phone": 390}


@pytest.fixture(params=list(WIDTHS))
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    request.node._kith_page = page
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def seed(kith: Kith) -> dict[str, int]:
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Diaz", org="Acme Films", emails=["ana@acme.example"], key=True,
                                      closeness=70), now=FIXED_NOW)
        bea = add_person(s, NewPerson(name="Bea Ruiz", org="Acme Films"), now=FIXED_NOW)
        dup = add_person(s, NewPerson(name="Ana Díaz", emails=["ana@acme.example"]), now=FIXED_NOW)
        s.flush()
        for days in (150, 190):
            log_interaction(s, [ana], "coffee", when=FIXED_NOW - timedelta(days=days), now=FIXED_NOW)
        goal = goals_svc.add_goal(s, "Work at Acme", now=FIXED_NOW, target_orgs=["Acme Films"])
        return {"ana": ana.id, "bea": bea.id, "dup": dup.id, "goal": goal.id}


def test_editing_a_person_with_the_keyboard(live: LiveServer, screen: Any, kith: Kith) -> None:
    ids = seed(kith)
    page = screen
    page.goto(f"{live.url}/people/{ids['bea']}")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title").fill("Assistant to the head of casting")
    page.get_by_label("Tags (comma separated; the whole set)").fill("film, acme")
    page.get_by_label("Key person").check()
    page.get_by_label("Add an e-mail").fill("bea@acme.example")
    page.get_by_label("Add an e-mail").press("Enter")  # the keyboard submits the form
    page.get_by_role("status").filter(has_text="Saved Bea Ruiz").wait_for()
    assert page.get_by_text("bea@acme.example").is_visible()
    assert page.get_by_role("link", name="acme", exact=True).is_visible()


def test_relations_and_favours_from_the_person_page(live: LiveServer, screen: Any, kith: Kith) -> None:
    ids = seed(kith)
    page = screen
    page.goto(f"{live.url}/people/{ids['ana']}")
    page.get_by_text("Add a relation").click()
    page.get_by_label("Who is it?").select_option("1")
    page.get_by_label("Relation", exact=True).select_option("assistant-of")
    page.get_by_label("Other person (name or #id)").fill("Bea Ruiz")
    page.get_by_role("button", name="Add relation").click()
    page.get_by_role("status").filter(has_text="Linked: Bea Ruiz assistant-of Ana Diaz").wait_for()
    page.get_by_text("Record a favour").click()
    page.get_by_label("What", exact=True).fill("an intro to a distributor")
    page.get_by_role("button", name="Record favour").click()
    page.get_by_role("status").filter(has_text="Favour received recorded").wait_for()
    page.get_by_role("button", name="Mark returned: an intro to a distributor").click()
    page.get_by_role("status").filter(has_text="Favour marked returned").wait_for()


def test_archive_restore_and_delete_with_confirmation(live: LiveServer, screen: Any, kith: Kith) -> None:
    ids = seed(kith)
    page = screen
    page.goto(f"{live.url}/people/{ids['bea']}/edit")
    page.get_by_role("button", name="Archive").click()
    page.get_by_role("status").filter(has_text="Archived Bea Ruiz").wait_for()
    page.goto(f"{live.url}/people/{ids['bea']}/edit")
    page.get_by_role("button", name="Restore from the archive").click()
    page.get_by_role("status").filter(has_text="Restored Bea Ruiz").wait_for()
    page.goto(f"{live.url}/people/{ids['bea']}/edit")
    page.get_by_role("link", name="Delete…").click()
    page.get_by_role("heading", name="Delete Bea Ruiz?").wait_for()
    page.get_by_role("button", name="Delete Bea Ruiz").click()
    page.get_by_role("status").filter(has_text="Deleted Bea Ruiz").wait_for()
    with kith.session() as s:
        assert s.get(Person, ids["bea"]) is None


def test_merging_duplicates_after_comparing_them(live: LiveServer, screen: Any, kith: Kith) -> None:
    ids = seed(kith)
    page = screen
    page.goto(f"{live.url}/people")
    page.get_by_role("link", name="Duplicates").click()
    page.get_by_role("link", name="Compare Ana Diaz and Ana Díaz").click()
    page.get_by_role("heading", name="Merge Ana Díaz into Ana Diaz?").wait_for()
    assert page.get_by_role("table").is_visible()
    page.get_by_role("button", name="Merge").click()
    page.get_by_role("status").filter(has_text="Merged Ana Díaz into Ana Diaz").wait_for()
    with kith.session() as s:
        assert s.get(Person, ids["dup"]) is None


def test_a_pair_held_at_import_is_compared_and_kept_apart_without_scrolling_sideways(
        live: LiveServer, screen: Any, kith: Kith, tmp_path: Path) -> None:
    with kith.session() as s:
        add_person(s, NewPerson(name="Robert Smith", org="Acme"), now=FIXED_NOW)
    export = tmp_path / "c.csv"
    export.write_text("First Name,Last Name,Email Address,Company,Position,Connected On\n"
                      'Bob,Smith,,Acme,Editor,"1/8/18, 6:14 PM"\n', encoding="utf-8")
    page = screen
    page.goto(f"{live.url}/import")
    page.set_input_files("input[type=file]", str(export))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("heading", name="Held for review").wait_for()
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the import result scrolls sideways: {wide}"
    page.get_by_role("link", name="Compare Bob Smith and Robert Smith").click()
    page.get_by_role("heading", name="Merge Bob Smith into Robert Smith?").wait_for()
    page.get_by_role("button", name="Not the same person: keep apart").click()
    page.get_by_role("status").filter(has_text="Robert Smith and Bob Smith: two people, kept apart.").wait_for()
    assert page.get_by_text("No likely duplicates.").is_visible()
    with kith.session() as s:
        assert len(s.scalars(select(Person)).all()) == 2


def test_logging_from_the_agenda_with_a_date_and_a_mood(live: LiveServer, screen: Any, kith: Kith) -> None:
    seed(kith)
    page = screen
    page.goto(f"{live.url}/agenda")
    item = page.locator("ol.items > li").filter(has_text="Ana Diaz")
    item.locator("summary").click()
    item.get_by_label("Kind").select_option("call")
    item.get_by_label("When").fill("2026-06-14")
    item.get_by_label("How it went").select_option("1")
    item.get_by_role("button", name="Log", exact=True).click()
    page.get_by_role("status").filter(has_text="Logged call with Ana Diaz").wait_for()
    assert page.url.endswith("/agenda")
    with kith.session() as s:
        latest = s.scalars(select(Interaction).order_by(Interaction.id.desc())).first()
        assert latest is not None and latest.kind == "call" and latest.sentiment == 1
        assert latest.occurred_at.date().isoformat() == "2026-06-14"


def test_closing_a_goal_from_its_card(live: LiveServer, screen: Any, kith: Kith) -> None:
    ids = seed(kith)
    page = screen
    page.goto(f"{live.url}/goals")
    card = page.locator(f"#goal-{ids['goal']}")
    card.get_by_role("button", name="Close goal").click()
    page.get_by_role("status").filter(has_text="Closed: Work at Acme").wait_for()
    page.locator(f"#goal-{ids['goal']}").get_by_role("button", name="Reopen").wait_for()
