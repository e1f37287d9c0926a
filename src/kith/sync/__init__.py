"""Protocol clients for the servers people already use: WebDAV (CardDAV, CalDAV), IMAP, SMTP.

Pure adapters: they speak a protocol and turn what a server says into plain
values (cards, events, message headers); they hold no database code.
:mod:`kith.services.sync` decides what the values mean for Kith, and
:mod:`kith.sync.secrets` keeps the passwords (the system keyring, else a file
only the user can read; never the database).
"""

from __future__ import annotations


class SyncError(Exception):
    """A server could not be used; the message says why in plain words."""


class AuthFailed(SyncError):
    """The server refused the user name or password."""


class Unreachable(SyncError):
    """The server could not be reached (down, wrong address, connection lost)."""
