"""The calendar feed: ``/feed/{token}.ics``, the agenda for any calendar app.

The token in the URL is the only credential (calendar apps cannot log in), so
it is long, random, stored hashed (ApiToken purpose ``feed``) and revocable
from the settings page.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from kith.errors import NotFound
from kith.services import accounts
from kith.services.exports import agenda_ics
from kith.web.auth import config

router = APIRouter(include_in_schema=False)
FEED_SIZE = 200  # agenda items in the feed


@router.get("/feed/{token}.ics")
def feed(request: Request, token: str = Path(max_length=200)) -> Response:
    """The agenda of the token's workspace as iCalendar (the exporter's writer: stable UIDs, overdue today)."""
    cfg = config(request)
    now = cfg.now()
    with cfg.factory() as s, s.begin():
        row = accounts.lookup_token(s, token, purpose="feed", now=now)
        if row is None:
            raise NotFound("no such calendar feed (it may have been revoked)")
        ws = row.workspace_id
    with cfg.open_workspace(ws) as session:
        text = agenda_ics(session, now, limit=FEED_SIZE)
    return Response(text, media_type="text/calendar; charset=utf-8")
