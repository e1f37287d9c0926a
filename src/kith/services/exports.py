"""Exports: your data as files other programs read (the one place that says which writer makes which file).

`kith export FORMAT FILE`, the web's download links and the calendar feed all
call :func:`export_file` / :func:`agenda_ics`, so a backup, a vCard file, a
CSV of people or the agenda's calendar is the same whichever of them made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kith.errors import BadInput

#: format -> (media type, file name without the date)
FORMATS: dict[str, tuple[str, str]] = {
    "backup": ("application/json", "kith-backup.json"),
    "vcard": ("text/vcard", "kith-contacts.vcf"),
    "csv": ("text/csv", "kith-people.csv"),
    "ics": ("text/calendar", "kith-agenda.ics"),
}


@dataclass(frozen=True)
class ExportFile:
    """One exported file: its text, media type and a file name carrying the day it was made."""

    text: str
    media_type: str
    filename: str


def check_format(fmt: str) -> str:
    """``fmt`` if it is an export format, else BadInput naming the known ones."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown export format '{fmt}' (known: {', '.join(FORMATS)})")
    return fmt


def export_file(session: Session, fmt: str, *, now: datetime) -> ExportFile:
    """The workspace exported as ``fmt``: backup (JSON, restores losslessly), vcard (4.0, people not archived),
    csv (people not archived) or ics (the agenda, overdue items on today)."""
    media_type, name = FORMATS[check_format(fmt)]
    if fmt == "backup":
        from kith.services.backup import export_backup

        text = json.dumps(export_backup(session, now=now), ensure_ascii=False, indent=1, sort_keys=True,
                          default=str) + "\n"
    elif fmt == "vcard":
        from kith.exporters.vcard import export_vcards

        text = export_vcards(session)
    elif fmt == "csv":
        from kith.exporters.csv import export_csv

        text = export_csv(session, now=now)
    else:
        text = agenda_ics(session, now)
    stem, ext = name.rsplit(".", 1)
    return ExportFile(text, media_type, f"{stem}-{now.date().isoformat()}.{ext}")


def agenda_ics(session: Session, now: datetime, *, limit: int | None = None) -> str:
    """The agenda as iCalendar text: stable UIDs, and an item due before today placed on today."""
    from kith.exporters.ics import agenda_calendar
    from kith.services.agenda import agenda

    return agenda_calendar(agenda(session, now, limit=limit), stamp=now, overdue_on=now.date())
