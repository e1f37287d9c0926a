"""Google Contacts CSV: current and legacy headers."""

from __future__ import annotations

from import_helpers import FIX, IMPORT, people, relations, run
from kith.importers import google_csv
from kith.importers.records import ParseOptions
from kith.runtime import Kith


def test_the_real_current_export_reads_names_and_birthdays() -> None:
    parsed = google_csv.parse(FIX / "google-csv" / "example.csv", ParseOptions())
    assert [(c.display_name(), c.birthday) for c in parsed.contacts] == [
        ("John Doe", "1987-09-07"), ("Max Amadeus Mustermann (geb. Musterfrau)", "--12-25")]


def test_legacy_export_splits_multi_values_and_turns_labels_into_tags(kith: Kith) -> None:
    summary = run(kith, "google", IMPORT / "google-legacy.csv")
    noor = people(kith)["Noor Aziz"]
    assert noor["emails"] == ["noor@example.com", "noor.aziz@example.org", "noor@work.example.com"]
    assert noor["phones"] == ["+1 212 555 0143", "+1 212 555 0144"]
    assert (noor["org"], noor["title"], noor["birthday"]) == ("Cinelab", "Colorist", "1990-07-04")
    assert noor["tags"] == ["film-crew", "starred"]
    assert ("Pia Lund", "assistant-of", "Noor Aziz") in relations(kith)
    assert summary.added == 2
