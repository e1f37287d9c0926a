"""The REST API under /api/v1, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from kith.web.api import (
    accounts,
    changes,
    events,
    favors,
    goals,
    interactions,
    people,
    relations,
    views,
)
from kith.web.api.schemas import ERRORS

router = APIRouter(prefix="/api/v1", responses=ERRORS)
for module in (people, interactions, relations, favors, events, goals, views, accounts, changes):
    router.include_router(module.router)

__all__ = ["router"]
