"""The calendar feed: ``/feed/{token}.ics``, the agenda for any calendar app.

The token in the URL is the only credential (calendar apps cannot log in), so
it is long, random, stored hashed (ApiToken purpose ``feed``) and revocable
from the settings page.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from icalendar import Calendar, Event

from kith.errors import NotFound
from kith.services import accounts
from kith.web.api.views import agenda_item_as_dict
from kith.web.auth import config
from kith.web.errors import service

router = APIRouter(include_in_schema=False)


def agenda_calendar(items: list[dict[str, Any]], now: datetime) -> bytes:
    """An iCalendar document with one all-day event per agenda item."""
    cal = Calendar()
    cal.add("prodid", "-//Kith//agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Kith agenda")
    for i, item in enumerate(items):
        ev = Event()
        day = now.date()
        if item.get("due"):
            with contextlib.suppress(ValueError):
                day = datetime.fromisoformat(str(item["due"])).date()
        day = max(day, now.date())
        ev.add("uid", f"kith-{item['person_id']}-{item['action']}-{i}@kith")
        ev.add("summary", f"{item['action']}: {item['person']}")
        ev.add("description", item["reason"])
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("dtstamp", now)
        cal.add_component(ev)
    return bytes(cal.to_ical())


@router.get("/feed/{token}.ics")
def feed(request: Request, token: str = Path(max_length=200)) -> Response:
    """The agenda of the token's workspace as iCalendar."""
    cfg = config(request)
    now = cfg.now()
    with cfg.factory() as s, s.begin():
        row = accounts.lookup_token(s, token, purpose="feed", now=now)
        if row is None:
            raise NotFound("no such calendar feed (it may have been revoked)")
        ws = row.workspace_id
    mod = service("agenda")
    with cfg.open_workspace(ws) as session:
        from kith.web.api.common import call_with_now

        items = [agenda_item_as_dict(i) for i in call_with_now(mod.agenda, session, now=now, limit=200)]
    return Response(agenda_calendar(items, now), media_type="text/calendar; charset=utf-8")
