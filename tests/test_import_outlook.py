"""Outlook CSV (desktop and Outlook.com): the manager and the assistant become relations."""

from __future__ import annotations

from import_helpers import IMPORT, people, relations, run
from kith.runtime import Kith


def test_desktop_export_maps_job_title_not_the_honorific_and_links_the_gatekeeper(kith: Kith) -> None:
    run(kith, "outlook", IMPORT / "outlook-desktop.csv")
    everyone = people(kith)
    grace = everyone["Grace Holt"]
    assert (grace["title"], grace["org"], grace["birthday"]) == ("VP Development", "Silverline Pictures", "1980-03-22")
    assert grace["tags"] == ["film", "vip"]
    assert everyone["Ian Moss"]["birthday"] is None  # 0/0/00 means none
    assert relations(kith) == {("Ian Moss", "assistant-of", "Grace Holt"), ("Grace Holt", "reports-to", "Kara Voss")}


def test_outlook_com_export(kith: Kith) -> None:
    run(kith, "outlook", IMPORT / "outlook-com.csv")
    lena = people(kith)["Lena Ortiz"]
    assert (lena["title"], lena["org"], lena["location"]) == ("Head of Casting", "Brightside Studio", "London, United Kingdom")
    assert lena["emails"] == ["lena.ortiz@example.net", "lena@example.org"]
    assert ("Omar Reed", "assistant-of", "Lena Ortiz") in relations(kith)
