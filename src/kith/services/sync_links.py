"""Which server card stands for a person after a merge: the sync links (``sync_item``) a merge re-points.

A merge (:func:`kith.services.dedupe.merge_people`) calls :func:`relink_merged`
explicitly before it deletes the merged-away person, so that the phone keeps
one card for the one person:

- the merged-away person's card is taken over by the kept person when the
  kept one has no card on that account (so it stays in step from then on);
- when the kept person's only card there is one Kith wrote and the merged-away
  person's is the phone's own, the phone's card is kept (it is the user's)
  and Kith's is let go: the next sync deletes it on the server (a card Kith
  wrote, unless changed there since);
- otherwise the merged-away person's card is let go as a deleted person's
  would be (Kith deletes the cards it wrote; the phone's own stay, unlinked).

The links are journaled, so undoing the merge before the next sync restores
them; after a sync changed them, undo refuses and says so.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.store.models import SyncItem


def _kith_card(item: SyncItem) -> bool:
    return bool((item.base or {}).get("kith_card"))


def relink_merged(session: Session, keep_id: int, drop_id: int) -> int:
    """Re-point the sync links of ``drop_id`` (about to be merged into ``keep_id``); how many cards changed hands."""
    items = session.scalars(select(SyncItem).where(SyncItem.person_id.in_((keep_id, drop_id)))
                            .order_by(SyncItem.id)).all()
    by_account: dict[int, tuple[list[SyncItem], list[SyncItem]]] = defaultdict(lambda: ([], []))
    for item in items:
        by_account[item.account_id][0 if item.person_id == keep_id else 1].append(item)
    moved = 0
    for kept, dropped in by_account.values():
        if not dropped:
            continue
        phone = [i for i in dropped if not _kith_card(i)]
        if not kept:
            (phone or dropped)[0].person_id = keep_id
            moved += 1
        elif phone and all(_kith_card(i) for i in kept):
            for item in kept:
                item.person_id = None  # a card Kith wrote, no longer anyone's: deleted at the next sync
            phone[0].person_id = keep_id
            moved += 1
    session.flush()
    return moved
