"""What page routers share: the dependencies and the kinds offered in forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from kith.engine.kinds import KINDS
from kith.services import people as people_svc
from kith.web.auth import Ctx, form_ctx, page_ctx

PageCtx = Annotated[Ctx, Depends(page_ctx, scope="function")]  # commit before the answer leaves
FormCtx = Annotated[Ctx, Depends(form_ctx, scope="function")]
LOG_KINDS = [k for k in KINDS if k != "note"] + ["note"]


def has_people(session: Session) -> bool:
    """Whether the workspace has anyone yet (otherwise the onboarding page shows)."""
    return people_svc.has_people(session)


# The kinds a log form offers, as <option>s: the dashboard repeats the form for every agenda item.
KIND_OPTIONS = Markup("".join(f"<option>{escape(k)}</option>" for k in LOG_KINDS))
