"""What page routers share: the dependencies and the kinds offered in forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from kith.engine.kinds import DEFAULT_LOG_KIND, KINDS, LOG_KIND_FOR_ACTION
from kith.errors import BadInput
from kith.services import people as people_svc
from kith.web.auth import Ctx, form_ctx, page_ctx

PageCtx = Annotated[Ctx, Depends(page_ctx, scope="function")]  # commit before the answer leaves
FormCtx = Annotated[Ctx, Depends(form_ctx, scope="function")]
LOG_KINDS = [k for k in KINDS if k != "note"] + ["note"]
KIND_LABELS = {k: v.label for k, v in KINDS.items()}


def has_people(session: Session) -> bool:
    """Whether the workspace has anyone yet (otherwise the onboarding page shows)."""
    return people_svc.has_people(session)




def kind_options(selected: str) -> Markup:
    """The kinds a log form offers, as ``<option>``s with ``selected`` chosen, each labelled in words."""
    return Markup("".join(
        f'<option value="{escape(k)}"{" selected" if k == selected else ""}>{escape(KINDS[k].label)} ({escape(k)})</option>'
        for k in LOG_KINDS
    ))


# The log form of an agenda item, repeated for every item: its options made once per action.
KIND_OPTIONS = {action: kind_options(kind) for action, kind in LOG_KIND_FOR_ACTION.items()}
DEFAULT_KIND_OPTIONS = kind_options(DEFAULT_LOG_KIND)


def local_target(back: str, default: str) -> str:
    """Where a form sends the user back to: a path on this site, never another host."""
    return back if back.startswith("/") and not back.startswith("//") and "\\" not in back else default


def sentiment_of(text: str) -> int | None:
    """How it went, as a log or edit form sends it (-2 to 2; blank: None)."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise BadInput(f"sentiment must be a number from -2 to 2, not '{text}'") from None
