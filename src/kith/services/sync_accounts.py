"""Sync accounts: the CardDAV, CalDAV and IMAP servers Kith keeps itself current from.

An account is a row (kind, name, URL, user, state) plus a password kept by
:mod:`kith.sync.secrets` under a random key the row names: the password is
never in the database, a backup or any output.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kith.errors import BadInput, NotFound
from kith.store.models import SyncAccount, SyncConflict
from kith.sync import secrets

KINDS = ("carddav", "caldav", "imap", "smtp")  # smtp: the daily digest
SCHEMES = {"carddav": ("http", "https"), "caldav": ("http", "https"), "imap": ("imap", "imaps"),
           "smtp": ("smtp", "smtps", "smtp+starttls")}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class AccountView:
    """One account as `kith account list`, the API and the sync page show it (never its password)."""

    name: str
    kind: str
    url: str
    user: str
    last_sync_at: datetime | None
    last_ok_at: datetime | None
    last_error: str
    last_summary: dict[str, Any]
    open_conflicts: int
    push_new: str = ""  # carddav: which people created in Kith become new cards (all, none, tag:NAME)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"name": self.name, "kind": self.kind, "url": self.url, "user": self.user,
                "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
                "last_ok_at": self.last_ok_at.isoformat() if self.last_ok_at else None,
                "last_error": self.last_error, "last_summary": dict(self.last_summary),
                "open_conflicts": self.open_conflicts, "push_new": self.push_new or None}

    def status(self) -> str:
        """In plain words: never synced, failing, or what the last sync changed."""
        if self.last_sync_at is None:
            return "never synced"
        if self.last_error:
            return f"failed: {self.last_error}"
        return str(self.last_summary.get("headline", "synced"))


def check_url(kind: str, url: str) -> str:
    """The URL, or a clear error when its scheme does not fit the kind."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES[kind] or not parts.hostname:
        wanted = " or ".join(f"{s}://" for s in SCHEMES[kind])
        article = "an" if kind == "imap" else "a"
        raise BadInput(f"{article} {kind} account needs {article} {wanted} address, not '{url}'")
    return url.strip()


#: The sources of people Kith only knows from captured correspondence: mail and meetings read by a sync or an
#: import of mail, calendars or messages. The ``contacts`` rule does not push them to the phone.
CAPTURED_SOURCES = frozenset({"imap", "caldav", "mbox", "ics", "linkedin-messages"})
PUSH_RULES = ("contacts", "all", "none", "tag:NAME")


def check_push_new(rule: str) -> str:
    """The rule for people created in Kith on a CardDAV account: ``contacts`` (the default: everyone but the
    people known only from captured mail and meetings), ``all``, ``none`` or ``tag:NAME`` (only people with
    that tag); a clear error for anything else."""
    rule = rule.strip()
    if rule in ("contacts", "all", "none"):
        return rule
    if rule.startswith("tag:") and rule[4:].strip():
        return "tag:" + rule[4:].strip()
    raise BadInput(f"push new people 'contacts', 'all', 'none' or 'tag:NAME', not '{rule}'")


def push_rule(account: SyncAccount) -> str:
    """Which people created in Kith become new cards on this account (see :func:`check_push_new`)."""
    return str((account.options or {}).get("push_new") or "contacts")


def set_push_new(session: Session, name: str, rule: str) -> SyncAccount:
    """Change which people created in Kith a CardDAV account writes to the server as new cards."""
    account = get_account(session, name)
    if account.kind != "carddav":
        raise BadInput(f"'{name}' is a {account.kind} account: only a carddav account pushes people")
    opts = dict(account.options or {})
    opts["push_new"] = check_push_new(rule)
    account.options = opts
    session.flush()
    return account


def add_account(session: Session, kind: str, name: str, *, url: str, user: str, password: str, now: datetime,
                options: dict[str, Any] | None = None) -> SyncAccount:
    """Add an account; its password goes to the keyring (or the 0600 file), never the database."""
    if kind not in KINDS:
        raise BadInput(f"unknown account kind '{kind}' (known: {', '.join(KINDS)})")
    if not _NAME.match(name):
        raise BadInput(f"'{name}' is not a usable account name (letters, digits, '.', '_' and '-')")
    url = check_url(kind, url)
    if kind == "smtp":
        if not (options or {}).get("to"):
            raise BadInput("the digest needs an address to go to (--to you@example.org)")
        if user.strip() and not password:
            raise BadInput("a user name needs a password (--password-stdin)")
    else:
        if not user.strip():
            raise BadInput("the account needs a user name (--user)")
        if not password:
            raise BadInput("the account needs a password (--password-stdin)")
    if session.scalar(select(SyncAccount.id).where(SyncAccount.name == name)) is not None:
        raise BadInput(f"there is already an account named '{name}'")
    opts = dict(options or {})
    if "push_new" in opts:
        if kind != "carddav":
            raise BadInput("only a carddav account pushes new people (--push-new)")
        opts["push_new"] = check_push_new(str(opts["push_new"]))
    opts["secret"] = f"account-{uuid.uuid4()}"
    if password:
        secrets.store(opts["secret"], password)
    account = SyncAccount(name=name, kind=kind, url=url, username=user.strip(), options=opts, state={},
                          created_at=now, last_summary={}, last_error="")
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, name: str) -> SyncAccount:
    """The account of that name."""
    account = session.scalar(select(SyncAccount).where(SyncAccount.name == name))
    if account is None:
        known = ", ".join(session.scalars(select(SyncAccount.name).order_by(SyncAccount.name))) or "none yet"
        raise NotFound(f"no account named '{name}' (accounts: {known})")
    return account


def all_accounts(session: Session) -> list[SyncAccount]:
    """Every account of the workspace, by name."""
    return list(session.scalars(select(SyncAccount).order_by(SyncAccount.name)))


def password_of(account: SyncAccount) -> str:
    """The account's password, from where it is kept ('' for a mail relay that needs no login)."""
    if account.kind == "smtp" and not account.username:
        return ""
    return secrets.load(str(account.options.get("secret", "")))


def view(session: Session, account: SyncAccount) -> AccountView:
    """The read model of one account."""
    conflicts = session.scalar(select(func.count(SyncConflict.id)).where(
        SyncConflict.account_id == account.id, SyncConflict.resolved_at.is_(None))) or 0
    return AccountView(account.name, account.kind, account.url, account.username, account.last_sync_at,
                       account.last_ok_at, account.last_error, dict(account.last_summary or {}), int(conflicts),
                       push_rule(account) if account.kind == "carddav" else "")


def list_accounts(session: Session) -> list[AccountView]:
    """Every account with its last sync, error and open conflicts."""
    return [view(session, a) for a in all_accounts(session)]


def remove_account(session: Session, name: str) -> None:
    """Forget an account, its state and its password; the people and interactions it brought stay."""
    account = get_account(session, name)
    secret = str(account.options.get("secret", ""))
    session.delete(account)
    session.flush()
    if secret:
        secrets.forget(secret)
