"""The search box on every page: suggestions as you type, and where each one leads."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from kith.services import search as search_svc
from kith.web.pages.common import PageCtx

router = APIRouter()


def _url(s: search_svc.Suggestion) -> str:
    if s.person_id is not None:
        return f"/people/{s.person_id}"
    if s.kind == "organisation":
        return "/people?" + urlencode({"org": s.label})
    if s.kind == "tag":
        return "/people?" + urlencode({"tag": s.label})
    return "/people?" + urlencode({"q": s.label})


@router.get("/search/suggest")
def suggest(ctx: PageCtx, q: Annotated[str, Query(max_length=200)] = "") -> JSONResponse:
    """Up to five people, organisations, e-mail addresses and tags matching ``q``, each with the page it opens."""
    found = search_svc.suggest(ctx.session, q)
    return JSONResponse({"items": [{**s.as_dict(), "url": _url(s)} for s in found], "total": len(found)})
