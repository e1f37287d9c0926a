"""Facebook friends from "Download your information" (``friends.json``, ``your_friends.json``).

Facebook writes UTF-8 names as if each byte were a Latin-1 character
(``"Zo\\u00c3\\u00ab"`` for "Zoë"); :func:`fix_mojibake` undoes that.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kith.errors import ImportFailed
from kith.importers.reading import json_document, read_decoded
from kith.importers.records import ContactRecord, Parsed, ParseOptions, Problem, display

LIST_KEYS = ("friends_v2", "friends", "received_requests_v2", "sent_requests_v2")


def parse(path: Path, opts: ParseOptions) -> Parsed:
    """Read the friends list of a Facebook export."""
    data = json_document(read_decoded(path, opts), str(path))
    friends = friend_list(data)
    if friends is None:
        raise ImportFailed(f"{path}: no friends list (expected a 'friends_v2' list of names and timestamps)")
    out = Parsed()
    for i, item in enumerate(friends, start=1):
        ref = f"friend {i}"
        rec = friend(item, ref)
        if isinstance(rec, str):
            out.problems.append(Problem(display(path), ref, rec))
        else:
            out.contacts.append(rec)
    return out


def friend_list(data: Any) -> list[Any] | None:
    """The list of friends in any of the shapes Facebook has used."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in LIST_KEYS:
            if isinstance(data.get(key), list):
                return list(data[key])
    return None


def friend(item: Any, ref: str) -> ContactRecord | str:
    """A friend entry as a contact record, or the reason it cannot be read."""
    if not isinstance(item, dict):
        return "not a friend entry"
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return "no name"
    rec = ContactRecord(ref=ref, name=" ".join(fix_mojibake(name).split()))
    stamp = item.get("timestamp")
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and 0 < stamp < 2**33:
        rec.connected_on = datetime.fromtimestamp(stamp, UTC)
    return rec


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 bytes read as Latin-1; text that was right stays as it is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
