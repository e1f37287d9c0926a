"""Parsers of other tools' exports: one pure module per format, no database.

Each module has ``parse(path, options) -> Parsed``; :data:`PARSERS` maps the
CLI's FORMAT names to them. :mod:`kith.services.importing` applies the records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kith.importers import (
    facebook,
    google_csv,
    ics,
    interactions_csv,
    linkedin,
    linkedin_messages,
    mbox,
    outlook_csv,
    vcard,
)
from kith.importers.checks import checked, checked_stream
from kith.importers.records import Parsed, ParseOptions, Stream

Parser = Callable[[Path, ParseOptions], Parsed]
Streamer = Callable[[Path, ParseOptions], Stream]

# Each parser through kith.importers.checks: clean text, bounded records, the encoding reported.
PARSERS: dict[str, Parser] = {
    "linkedin": checked(linkedin.parse),
    "linkedin-messages": checked(linkedin_messages.parse),
    "facebook": checked(facebook.parse),
    "google": checked(google_csv.parse),
    "outlook": checked(outlook_csv.parse),
    "vcard": checked(vcard.parse),
    "mbox": checked(mbox.parse),
    "ics": checked(ics.parse),
    "interactions": checked(interactions_csv.parse),
}

# Formats read row by row (the others are read whole, then applied as a stream).
STREAMS: dict[str, Streamer] = {
    "linkedin": checked_stream(linkedin.stream),
    "google": checked_stream(google_csv.stream),
    "outlook": checked_stream(outlook_csv.stream),
    "interactions": checked_stream(interactions_csv.stream),
}

# The source recorded on what each format creates (provenance, identifiers, interactions).
SOURCES = {"linkedin-messages": "linkedin"}

__all__ = ["PARSERS", "SOURCES", "STREAMS", "ParseOptions", "Parsed", "Parser", "Stream", "Streamer"]
