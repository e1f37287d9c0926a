"""Every error a user of Kith can cause, in one hierarchy.

::

    KithError                 anything the user can fix; exit code 1, HTTP 4xx
    ├── BadInput              a value that cannot be understood (date, kind, URL, ...)
    ├── NotFound              no such person, goal, event, ... in this workspace
    ├── AmbiguousPerson       a name that matches several people (carries them)
    ├── DatabaseError         a database that cannot be opened or is out of date
    └── ImportFailed          a file that cannot be read at all (which file, why)

Interfaces turn these into one line and exit code 1 (CLI) or a JSON error with
a 4xx status (web). Anything else is a bug and may show a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class KithError(Exception):
    """Base of every user-facing error. ``str(err)`` is the message to show."""

    status_code = 400


class BadInput(KithError):
    """A value the user gave cannot be understood."""

    status_code = 422


class NotFound(KithError):
    """The thing named does not exist in the current workspace."""

    status_code = 404


class AmbiguousPerson(KithError):
    """A name matches several people; ``candidates`` lists them as (id, label)."""

    status_code = 409

    def __init__(self, query: str, candidates: Sequence[tuple[int, str]]) -> None:
        self.query = query
        self.candidates = list(candidates)
        shown = "; ".join(f"#{pid} {label}" for pid, label in self.candidates[:10])
        more = f" (and {len(self.candidates) - 10} more)" if len(self.candidates) > 10 else ""
        super().__init__(f"'{query}' matches {len(self.candidates)} people: {shown}{more}")


class DatabaseError(KithError):
    """The database cannot be opened, reached or is at an unknown schema version."""

    status_code = 503


class ImportFailed(KithError):
    """A file cannot be imported at all; nothing was written.

    The message is one line whatever it quotes (a library's error text may hold the file's own lines).
    """

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.splitlines()))
