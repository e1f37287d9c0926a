"""Import (upload with progress; works without JavaScript too) and export.

The import page renders the importer's :class:`~kith.services.importing.ImportSummary`
(the object `kith import --json` prints), or a backup restore's counts.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from kith.errors import BadInput, NotFound
from kith.services import backup, exports, import_runs
from kith.services.import_formats import detect_format
from kith.services.importing import ImportOptions, ImportSummary, import_file
from kith.web.pages.common import FormCtx, PageCtx
from kith.web.render import page

router = APIRouter()
FORMATS = {
    "auto": "Detect from the file",
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
MAX_UPLOAD = 512 * 1024 * 1024


def chosen_format(fmt: str, path: Path, filename: str) -> str:
    """The format chosen in the list, or for ``auto`` the one the file's name or first lines show."""
    if fmt == "auto":
        return detect_format(path, filename)
    if fmt not in FORMATS:
        raise BadInput(f"unknown import format '{fmt}'")
    return fmt


@router.get("/import", response_class=HTMLResponse)
def import_page(ctx: PageCtx) -> Response:
    """The import wizard, the history of imports (with undo) and the export links."""
    return _page(ctx)


def _page(ctx: PageCtx | FormCtx, **values: Any) -> Response:
    shown: dict[str, Any] = {"summary": None, "restored": None, "dry_run": False, "staged": "", "undone": None}
    shown.update(values)
    return page(ctx, "import.html", title="Import & export", formats=FORMATS, runs=import_runs.history(ctx.session),
                **shown)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(
    ctx: FormCtx,
    file: UploadFile,
    fmt: Annotated[str, Form(max_length=30)] = "auto",
    dry_run: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Import an uploaded file; shows what it added, updated, held and rejected.

    A dry run keeps the upload on the server (under the data folder, for this
    workspace) so that the real import then runs without choosing the file again.
    """
    filename = Path(file.filename or "upload").name[:200] or "upload"
    suffix = Path(filename).suffix[:10]
    with tempfile.TemporaryDirectory(prefix="kith-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        await _save(file, path)
        chosen = chosen_format(fmt, path, filename)
        if dry_run and chosen != "backup":
            token = secrets.token_urlsafe(16)
            folder = _staging(ctx) / token
            folder.mkdir(parents=True)
            kept = folder / path.name
            shutil.move(path, kept)
            (folder / "name").write_text(f"{chosen}\n{filename}", encoding="utf-8")
            summary = _import(ctx, chosen, kept, filename, dry_run=True)
            return _page(ctx, summary=summary, fmt=chosen, filename=filename, dry_run=True, staged=token)
        if chosen == "backup":
            return _page(ctx, restored=_restore(ctx, path, dry_run=bool(dry_run)), fmt=chosen, filename=filename,
                         dry_run=bool(dry_run))
        summary = _import(ctx, chosen, path, filename, dry_run=False)
    return _page(ctx, summary=summary, fmt=chosen, filename=filename)


@router.post("/import/staged", response_class=HTMLResponse)
def import_staged(ctx: FormCtx, staged: Annotated[str, Form(max_length=60)]) -> Response:
    """Import, for real, the file a dry run kept (its own format and name)."""
    if not STAGED.fullmatch(staged):
        raise BadInput("that upload is no longer kept: choose the file again")
    folder = _staging(ctx) / staged
    if not (folder / "name").is_file():
        raise BadInput("that upload is no longer kept: choose the file again")
    chosen, filename = (folder / "name").read_text(encoding="utf-8").split("\n", 1)
    path = next(p for p in folder.iterdir() if p.name.startswith("upload"))
    try:
        summary = _import(ctx, chosen, path, filename, dry_run=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _page(ctx, summary=summary, fmt=chosen, filename=filename)


@router.post("/import/undo", response_class=HTMLResponse)
def import_undo(ctx: FormCtx, run: Annotated[int, Form()]) -> Response:
    """Undo one import of the history (refused, saying why, when later edits depend on it)."""
    result = import_runs.undo_run(ctx.session, run, now=ctx.now)
    return _page(ctx, undone=result)


STAGED = re.compile(r"[A-Za-z0-9_-]{16,40}")
STAGE_DAYS = 1  # a dry run's upload is kept this long for its real import


def _staging(ctx: PageCtx | FormCtx) -> Path:
    """This workspace's folder of uploads kept by dry runs (older ones removed)."""
    from kith.config import data_dir

    folder = data_dir() / "uploads" / f"ws{ctx.principal.workspace_id}"
    if folder.is_dir():
        cutoff = time.time() - STAGE_DAYS * 86400
        for old in folder.iterdir():
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
    return folder


async def _save(file: UploadFile, path: Path) -> None:
    size = 0
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                raise BadInput("the file is larger than 512 MB")
            out.write(chunk)


def _import(ctx: FormCtx, fmt: str, path: Path, filename: str, *, dry_run: bool) -> ImportSummary:
    return import_file(ctx.session, fmt, path, now=ctx.now,
                       options=ImportOptions(dry_run=dry_run, photos=False, filename=filename))


def _restore(ctx: FormCtx, path: Path, *, dry_run: bool) -> dict[str, int]:
    """A backup restored into the (empty) workspace: rows per section."""
    data = backup.read_backup(path)
    counts = backup.import_backup(ctx.session, data)
    if dry_run:
        ctx.session.rollback()
    return counts


#: The download links of the import page: file name -> export format (services.exports).
DOWNLOADS = {"backup.json": "backup", "contacts.vcf": "vcard", "people.csv": "csv", "agenda.ics": "ics"}


@router.get("/export/{name}")
def export_download(ctx: PageCtx, name: Annotated[str, PathParam(max_length=40)]) -> Response:
    """Download an export: a JSON backup that restores losslessly, vCard 4.0, CSV of people, the agenda as .ics."""
    fmt = DOWNLOADS.get(name)
    if fmt is None:
        raise NotFound(f"no export named {name} (there are {', '.join(DOWNLOADS)})")
    made = exports.export_file(ctx.session, fmt, now=ctx.now)
    return Response(made.text, media_type=f"{made.media_type}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})
