"""Parsers of other tools' exports: one pure module per format, no database.

Each module has ``parse(path, options) -> Parsed``; :data:`PARSERS` maps the
CLI's FORMAT names to them. :mod:`kith.services.importing` applies the records.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from kith.importers.checks import checked, checked_stream
from kith.importers.records import Parsed, ParseOptions, Stream

Parser = Callable[[Path, ParseOptions], Parsed]
Streamer = Callable[[Path, ParseOptions], Stream]


def _parser(module: str) -> Parser:
    """The module's ``parse`` through kith.importers.checks, its module imported when first called (an import
    of one format loads no other format's libraries: icalendar, vobject ...)."""
    def parse(path: Path, options: ParseOptions) -> Parsed:
        found: Parser = checked(importlib.import_module(f"kith.importers.{module}").parse)
        return found(path, options)

    return parse


def _streamer(module: str) -> Streamer:
    """The module's ``stream`` through kith.importers.checks, imported when first called."""
    def stream(path: Path, options: ParseOptions) -> Stream:
        found: Streamer = checked_stream(importlib.import_module(f"kith.importers.{module}").stream)
        return found(path, options)

    return stream


# Each parser through kith.importers.checks: clean text, bounded records, the encoding reported.
PARSERS: dict[str, Parser] = {
    "linkedin": _parser("linkedin"),
    "linkedin-messages": _parser("linkedin_messages"),
    "facebook": _parser("facebook"),
    "google": _parser("google_csv"),
    "outlook": _parser("outlook_csv"),
    "vcard": _parser("vcard"),
    "mbox": _parser("mbox"),
    "ics": _parser("ics"),
    "interactions": _parser("interactions_csv"),
}

# Formats read row by row (the others are read whole, then applied as a stream).
STREAMS: dict[str, Streamer] = {
    "linkedin": _streamer("linkedin"),
    "google": _streamer("google_csv"),
    "outlook": _streamer("outlook_csv"),
    "interactions": _streamer("interactions_csv"),
    "vcard": _streamer("vcard"),
}

# Every FORMAT of `kith import` (the CLI's argument, the web's list, what detection answers): the parsers, and
# Kith's own backup, which kith.services.backup restores.
IMPORT_FORMATS = (*PARSERS, "backup")

# The source recorded on what each format creates (provenance, identifiers, interactions).
SOURCES = {"linkedin-messages": "linkedin"}

__all__ = ["IMPORT_FORMATS", "PARSERS", "SOURCES", "STREAMS", "ParseOptions", "Parsed", "Parser", "Stream", "Streamer"]
