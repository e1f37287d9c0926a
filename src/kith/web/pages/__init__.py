"""Server-rendered pages, one router per page family."""

from __future__ import annotations

from fastapi import APIRouter

from kith.web.pages.account import router as account_router
from kith.web.pages.changes import router as changes_router
from kith.web.pages.dashboard import router as dashboard_router
from kith.web.pages.data import router as data_router
from kith.web.pages.goals import router as goals_router
from kith.web.pages.meta import router as meta_router
from kith.web.pages.network import router as network_router
from kith.web.pages.people import router as people_router
from kith.web.pages.person_edit import router as person_edit_router
from kith.web.pages.search import router as search_router
from kith.web.pages.settings import router as settings_router
from kith.web.pages.sync import router as sync_router

router = APIRouter(include_in_schema=False)
for sub in (account_router, dashboard_router, people_router, network_router, goals_router, data_router, settings_router,
            sync_router, search_router, meta_router, person_edit_router, changes_router):
    router.include_router(sub)

__all__ = ["router"]
