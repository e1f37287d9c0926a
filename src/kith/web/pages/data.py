"""Import (upload with progress; works without JavaScript too) and export.

The import page renders the importer's :class:`~kith.services.importing.ImportSummary`
(the object `kith import --json` prints), or a backup restore's counts.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import HTMLResponse, Response

from kith.errors import BadInput
from kith.services import backup
from kith.services.importing import ImportOptions, ImportSummary, import_file
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page

router = APIRouter()
FORMATS = {
    "auto": "Detect from the file name",
    "linkedin": "LinkedIn Connections.csv",
    "linkedin-messages": "LinkedIn messages.csv",
    "facebook": "Facebook friends (JSON)",
    "google": "Google Contacts CSV",
    "outlook": "Outlook CSV",
    "vcard": "vCard (.vcf)",
    "mbox": "E-mail (mbox, metadata only)",
    "ics": "Calendar (.ics)",
    "interactions": "Interactions CSV",
    "backup": "Kith backup (JSON)",
}
BY_SUFFIX = {".vcf": "vcard", ".vcard": "vcard", ".ics": "ics", ".mbox": "mbox", ".json": "backup"}
MAX_UPLOAD = 512 * 1024 * 1024


def guess_format(fmt: str, filename: str) -> str:
    """The chosen format, or for ``auto`` the one the file name suggests."""
    if fmt != "auto":
        if fmt not in FORMATS:
            raise BadInput(f"unknown import format '{fmt}'")
        return fmt
    name = filename.lower()
    if name.endswith("connections.csv"):
        return "linkedin"
    if name.endswith("messages.csv"):
        return "linkedin-messages"
    for suffix, guessed in BY_SUFFIX.items():
        if name.endswith(suffix):
            return guessed
    raise BadInput("cannot tell the format from the file name; choose it in the list")


@router.get("/import", response_class=HTMLResponse)
def import_page(ctx: PageCtx) -> Response:
    """The import wizard and the export links."""
    return page(ctx, "import.html", title="Import & export", formats=FORMATS, summary=None, restored=None,
                dry_run=False)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(
    ctx: FormCtx,
    file: UploadFile,
    fmt: Annotated[str, Form(max_length=30)] = "auto",
    dry_run: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Import an uploaded file; shows what it added, updated and skipped."""
    chosen = guess_format(fmt, file.filename or "")
    suffix = Path(file.filename or "upload").suffix[:10]
    with tempfile.TemporaryDirectory(prefix="kith-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        size = 0
        with path.open("wb") as out:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise BadInput("the file is larger than 512 MB")
                out.write(chunk)
        if chosen == "backup":
            summary, restored = None, _restore(ctx, path, dry_run=bool(dry_run))
        else:
            summary, restored = _import(ctx, chosen, path, dry_run=bool(dry_run)), None
    return page(ctx, "import.html", title="Import & export", formats=FORMATS, summary=summary, restored=restored,
                fmt=chosen, filename=file.filename, dry_run=bool(dry_run))


def _import(ctx: FormCtx, fmt: str, path: Path, *, dry_run: bool) -> ImportSummary:
    return import_file(ctx.session, fmt, path, now=ctx.now, options=ImportOptions(dry_run=dry_run, photos=False))


def _restore(ctx: FormCtx, path: Path, *, dry_run: bool) -> dict[str, int]:
    """A backup restored into the (empty) workspace: rows per section."""
    data = backup.read_backup(path)
    counts = backup.import_backup(ctx.session, data)
    if dry_run:
        ctx.session.rollback()
    return counts


@router.get("/export/backup.json")
def export_backup(ctx: PageCtx) -> Response:
    """Download everything as a JSON backup that restores losslessly."""
    data = backup.export_backup(ctx.session, now=ctx.now)
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str)
    return Response(
        body, media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="kith-backup-{ctx.now.date().isoformat()}.json"'},
    )
