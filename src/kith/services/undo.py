"""Undo: the recent changes of a workspace, and taking the latest (or a named) one back.

Changes are recorded by the journal (:mod:`kith.store.journal`): every use
case that changes data runs as one labelled change. Undo puts the rows back
as they were before it, in one transaction, then brings the tie states of
everyone whose log it touched up to date explicitly (the restore writes
around the session's hooks). It refuses, saying which, when a later change
touched the same rows (undo that one first) or when something the journal
does not record (an import, a sync, another program) changed them since.

Imports keep their own, larger record (:mod:`kith.services.import_runs`): they
appear in the list of recent changes with the command that undoes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import BadInput, NotFound
from kith.services import import_runs
from kith.store.journal import LAST_KEY, keys_of, restore
from kith.store.models import Change, InteractionParticipant

#: How a table is named when undo says what stands in its way.
_WHAT = {"person": "person", "identifier": "e-mail, phone or link", "interaction": "interaction",
         "interaction_participant": "interaction", "favor": "favour", "relation": "relation", "tag": "tag",
         "person_tag": "tag", "agenda_mark": "agenda mark", "cadence": "cadence", "goal": "goal",
         "opportunity": "opportunity", "event": "event", "event_member": "event", "organization": "organisation",
         "kept_apart": "duplicate decision", "sync_item": "link to a card or event on a server"}


@dataclass(frozen=True)
class ChangeView:
    """One line of the recent changes: a journaled change, or an import (undone with its own command)."""

    id: int
    at: datetime
    label: str
    status: str  # done | undone | opaque
    kind: str = "change"  # change | import
    undo_command: str = ""

    @property
    def undoable(self) -> bool:
        return self.status == "done"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "label": self.label, "status": self.status,
                "kind": self.kind, "undoable": self.undoable, "undo_command": self.undo_command}


@dataclass(frozen=True)
class Undone:
    """What an undo did."""

    id: int
    label: str
    rows: int
    removed_people: tuple[int, ...] = ()  # people the change had added (their pages are gone)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "rows": self.rows, "removed_people": list(self.removed_people)}


def _view(entry: Change) -> ChangeView:
    return ChangeView(entry.id, entry.at, entry.label, entry.status, "change", f"kith undo {entry.id}")


def recent(session: Session, *, limit: int = 50) -> list[ChangeView]:
    """The workspace's recent changes, newest first, imports included (pointing to `kith import undo`)."""
    changes = [_view(c) for c in session.scalars(select(Change).order_by(Change.id.desc()).limit(limit))]
    imports = [ChangeView(r.id, r.started_at, f"Import of {r.file} ({r.format})",
                          r.status if r.undoable or r.status == "undone" else "opaque", "import",
                          f"kith import undo {r.id}" if r.undoable and r.status == "done" else "")
               for r in import_runs.history(session, limit=limit)]
    return sorted(changes + imports, key=lambda v: v.at, reverse=True)[:limit]


def latest(session: Session) -> ChangeView | None:
    """The newest change that can still be undone, if any."""
    entry = session.scalars(select(Change).where(Change.status == "done").order_by(Change.id.desc()).limit(1)).first()
    return _view(entry) if entry is not None else None


def made_here(session: Session) -> ChangeView | None:
    """The change this session's transaction recorded last (what a confirmation offers to undo)."""
    last = session.info.get(LAST_KEY)
    if last is None:
        return None
    entry = session.get(Change, last[0])
    return _view(entry) if entry is not None and entry.status == "done" else None


def _where(keys: set[tuple[str, tuple[Any, ...]]]) -> str:
    kinds = sorted({_WHAT.get(name, name) for name, _pk in keys})
    return ", ".join(kinds)


def undo(session: Session, change_id: int | None = None, *, now: datetime) -> Undone:
    """Undo change ``change_id`` (default: the latest undoable one) or raise BadInput saying why not."""
    if change_id is None:
        view = latest(session)
        if view is None:
            raise BadInput("there is no change to undo (imports are undone with kith import undo)")
        change_id = view.id
    entry = session.get(Change, change_id)
    if entry is None:
        raise NotFound(f"no change #{change_id} in the recent changes (kith undo --list)")
    if entry.status == "undone":
        raise BadInput(f"change #{entry.id} ({entry.label}) is already undone")
    if entry.status != "done":
        raise BadInput(f"change #{entry.id} ({entry.label}) cannot be undone")
    mine = keys_of(entry)
    for later in session.scalars(select(Change).where(Change.id > entry.id, Change.status == "done")
                                 .order_by(Change.id.desc())):
        shared = mine & keys_of(later)
        if shared:
            raise BadInput(f"cannot undo '{entry.label}': the later change #{later.id} '{later.label}' changed the "
                           f"same {_where(shared)}; undo it first")
    result = restore(session, entry)
    if result.used:
        raise BadInput(f"cannot undo '{entry.label}': what it added is used since by another "
                       f"{_where(set(result.used))}; undo that first")
    if result.conflicts:
        raise BadInput(f"cannot undo '{entry.label}': its {_where(set(result.conflicts))} changed since "
                       "(an import, a sync or another program); undoing it would lose that")
    _settle_ties(session, entry)
    entry = session.get(Change, change_id)  # expired by the restore
    assert entry is not None
    entry.status, entry.undone_at = "undone", now
    session.flush()
    gone = tuple(int(after["id"]) for name, before, after in result.rows
                 if name == "person" and before is None and after is not None)
    return Undone(entry.id, entry.label, len(result.rows), gone)


def _settle_ties(session: Session, entry: Change) -> None:
    """Rebuild the tie states of everyone whose interactions the restore changed (explicitly: it bypassed the hooks)."""
    people: set[int] = set()
    interactions: set[int] = set()
    for name, _pk, before, after in entry.rows:
        for image in (before, after):
            if image is None:
                continue
            if name == "interaction_participant":
                people.add(int(image["person_id"]))
                interactions.add(int(image["interaction_id"]))
            elif name == "interaction":
                interactions.add(int(image["id"]))
    if not people and not interactions:
        return
    ids = sorted(interactions)
    for start in range(0, len(ids), 5000):
        people |= set(session.scalars(select(InteractionParticipant.person_id).where(
            InteractionParticipant.interaction_id.in_(ids[start:start + 5000]))).all())
    from kith.services.tie_states import rebuild_tie_states  # numerical: only when the log changed

    rebuild_tie_states(session, people)


__all__ = ["ChangeView", "Undone", "latest", "made_here", "recent", "undo"]
