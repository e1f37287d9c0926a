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
from kith.importers.records import Parsed, ParseOptions, Stream

Parser = Callable[[Path, ParseOptions], Parsed]
Streamer = Callable[[Path, ParseOptions], Stream]

PARSERS: dict[str, Parser] = {
    "linkedin": linkedin.parse,
    "linkedin-messages": linkedin_messages.parse,
    "facebook": facebook.parse,
    "google": google_csv.parse,
    "outlook": outlook_csv.parse,
    "vcard": vcard.parse,
    "mbox": mbox.parse,
    "ics": ics.parse,
    "interactions": interactions_csv.parse,
}

# Formats read row by row (the others are read whole, then applied as a stream).
STREAMS: dict[str, Streamer] = {
    "linkedin": linkedin.stream,
    "google": google_csv.stream,
    "outlook": outlook_csv.stream,
    "interactions": interactions_csv.stream,
}

# The source recorded on what each format creates (provenance, identifiers, interactions).
SOURCES = {"linkedin-messages": "linkedin"}

__all__ = ["PARSERS", "SOURCES", "STREAMS", "ParseOptions", "Parsed", "Parser", "Stream", "Streamer"]
