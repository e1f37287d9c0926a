"""What page routers share: the dependencies and the kinds offered in forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.store.models import Person
from kith.web.auth import Ctx, form_ctx, page_ctx

PageCtx = Annotated[Ctx, Depends(page_ctx, scope="function")]  # commit before the answer leaves
FormCtx = Annotated[Ctx, Depends(form_ctx, scope="function")]
LOG_KINDS = [k for k in KINDS if k != "note"] + ["note"]


def has_people(session: Session) -> bool:
    """Whether the workspace has anyone yet (otherwise the onboarding page shows)."""
    return session.scalar(select(Person.id).limit(1)) is not None
