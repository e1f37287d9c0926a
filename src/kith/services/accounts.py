"""Accounts of server mode: users, their workspaces, bearer and feed tokens, login limits.

Users and tokens are looked up before any workspace is known, so these
functions take a plain (unscoped) session; everything they create is stamped
with the right workspace explicitly. Passwords are hashed with argon2id;
tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kith.errors import BadInput, KithError, NotFound
from kith.normalize import email_key
from kith.store.models import ApiToken, LoginAttempt, Membership, User, Workspace

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
TOKEN_PREFIX = {"api": "kith_", "feed": "kfeed_"}
MIN_PASSWORD = 8
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


class TooManyAttempts(KithError):
    """Too many failed logins for this address or client; try again later."""

    status_code = 429


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user (server mode) and the workspace they act in."""

    workspace_id: int
    user_id: int | None
    email: str | None = None


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash (never raises on a bad hash)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _clean_email(email: str) -> str:
    key = email_key(email)
    if key is None:
        raise BadInput(f"'{email}' is not an e-mail address")
    return key


def add_user(session: Session, email: str, password: str, *, now: datetime) -> User:
    """Create a user with their own new workspace (an owner membership)."""
    key = _clean_email(email)
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"a password needs at least {MIN_PASSWORD} characters")
    if session.scalars(select(User).where(User.email == key)).first() is not None:
        raise BadInput(f"there is already a user {key}")
    ws = Workspace(name=key, created_at=now, owner_emails=[key])
    session.add(ws)
    session.flush()
    user = User(workspace_id=ws.id, email=key, password_hash=hash_password(password), created_at=now, is_active=True)
    session.add(user)
    session.flush()
    session.add(Membership(workspace_id=ws.id, user_id=user.id, role="owner"))
    session.flush()
    return user


def find_user(session: Session, email: str) -> User:
    """The user with this e-mail address."""
    key = email_key(email) or email.strip().lower()
    user = session.scalars(select(User).where(User.email == key)).first()
    if user is None:
        raise NotFound(f"no user {email}")
    return user


@dataclass(frozen=True)
class UserView:
    """A login as `kith user list` shows it."""

    id: int
    email: str
    workspace_id: int
    active: bool


def list_users(session: Session) -> list[UserView]:
    """Every user, oldest first."""
    return [UserView(u.id, u.email, u.workspace_id, u.is_active)
            for u in session.scalars(select(User).order_by(User.id)).all()]


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with this id, or None."""
    user = session.scalars(select(User).where(User.id == user_id)).first()
    return user if user is not None and user.is_active else None


def _failures(session: Session, key: str, now: datetime) -> int:
    since = now - LOGIN_WINDOW
    return int(
        session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.key == key, LoginAttempt.at >= since))
        or 0
    )


def authenticate(session: Session, email: str, password: str, *, client: str, now: datetime) -> User | None:
    """The user if e-mail and password match; failures are counted per e-mail and client.

    Raises :class:`TooManyAttempts` once either key has too many recent
    failures. The count lives in the database so every worker sees it.
    """
    key = (email_key(email) or email.strip().lower())[:300]
    keys = [f"email:{key}", f"client:{client}"[:320]]
    if any(_failures(session, k, now) >= LOGIN_MAX_FAILURES for k in keys):
        raise TooManyAttempts("too many failed logins; wait a few minutes and try again")
    user = session.scalars(select(User).where(User.email == key)).first()
    if user is not None and user.is_active and check_password(user.password_hash, password):
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys[0]))
        return user
    if user is None:
        hash_password(password)  # spend the same time whether or not the user exists
    for k in keys:
        session.add(LoginAttempt(key=k, at=now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * LOGIN_WINDOW))
    return None


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, workspace_id: int, user_id: int | None, purpose: str = "api", name: str = "", now: datetime
) -> tuple[ApiToken, str]:
    """A new token; returns the stored row and the secret (shown once, never stored)."""
    if purpose not in TOKEN_PREFIX:
        raise BadInput(f"unknown token purpose '{purpose}'")
    secret = TOKEN_PREFIX[purpose] + secrets.token_urlsafe(32)
    row = ApiToken(
        workspace_id=workspace_id, user_id=user_id, purpose=purpose, token_hash=token_hash(secret),
        name=name, created_at=now, last_used_at=None, revoked_at=None,
    )
    session.add(row)
    session.flush()
    return row, secret


def lookup_token(session: Session, secret: str, *, purpose: str, now: datetime) -> ApiToken | None:
    """The live token with this secret and purpose, or None (revoked ones are dead)."""
    if not secret or len(secret) > 200:
        return None
    row = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(secret), ApiToken.purpose == purpose)
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now  # coarse, so reads do not write on every request
    return row


def revoke_token(session: Session, token_id: int, *, now: datetime, workspace_id: int | None = None) -> ApiToken:
    """Revoke a token by id (only within ``workspace_id`` when given)."""
    stmt = select(ApiToken).where(ApiToken.id == token_id)
    if workspace_id is not None:
        stmt = stmt.where(ApiToken.workspace_id == workspace_id)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return row


def tokens_of(session: Session, workspace_id: int, purpose: str) -> list[ApiToken]:
    """The live tokens of a workspace for one purpose, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.workspace_id == workspace_id, ApiToken.purpose == purpose, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        ).all()
    )
