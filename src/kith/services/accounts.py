"""Accounts of server mode: users, their workspaces, bearer and feed tokens, login limits.

Users and tokens are looked up before any workspace is known, so these
functions take a plain (unscoped) session; everything they create is stamped
with the right workspace explicitly. Passwords are hashed with argon2id;
tokens are random and only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from kith.errors import BadInput, KithError, NotFound
from kith.normalize import email_key
from kith.store.models import (
    ApiToken,
    AuditEntry,
    LoginAttempt,
    Membership,
    User,
    WebSession,
    Workspace,
)

_HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
TOKEN_PREFIX = {"api": "kith_", "feed": "kfeed_"}
MIN_PASSWORD = 8
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES = 5


class TooManyAttempts(KithError):
    """Too many failed logins for this address or client; try again later."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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
    admin: bool = False
    two_factor: bool = False


def list_users(session: Session) -> list[UserView]:
    """Every user, oldest first."""
    return [UserView(u.id, u.email, u.workspace_id, u.is_active, u.is_admin, u.totp_secret is not None)
            for u in session.scalars(select(User).order_by(User.id)).all()]


def get_user(session: Session, user_id: int) -> User | None:
    """The active user with this id, or None."""
    user = session.scalars(select(User).where(User.id == user_id)).first()
    return user if user is not None and user.is_active else None


@dataclass(frozen=True)
class Throttle:
    """Growing delays after failed logins for one kind of key: none below ``after`` failures,
    then 1, 2, 4 ... seconds (at most ``cap``) between attempts."""

    after: int
    cap: float

    def delay(self, failures: int) -> float:
        """Seconds an attempt must wait after the last failure, given the recent failures."""
        return 0.0 if failures < self.after else min(self.cap, 2.0 ** (failures - self.after))


# Per client (whatever account it tries) and per account from one client: an attacker there is
# slowed to one guess per quarter of an hour. Per account from everywhere: a few seconds at most, so
# that many clients guessing one account are slowed too but the owner, from another client, is
# never locked out (they wait seconds, not the attacker's quarter of an hour).
THROTTLES = {"client": Throttle(after=5, cap=900.0), "account_client": Throttle(after=3, cap=900.0),
             "account": Throttle(after=10, cap=10.0)}


def _failures(session: Session, key: str, now: datetime) -> tuple[int, datetime | None]:
    since = now - LOGIN_WINDOW
    count, last = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at))
        .where(LoginAttempt.key == key, LoginAttempt.at >= since)
    ).one()
    return int(count or 0), last


def _login_keys(email: str, client: str) -> dict[str, str]:
    account = (email_key(email) or email.strip().lower())[:200]
    return {"client": f"client:{client}"[:320], "account_client": f"acct:{account}|{client}"[:320],
            "account": f"acct:{account}"[:320]}


def login_wait(session: Session, email: str, *, client: str, now: datetime) -> float:
    """Seconds before ``client`` may try logging in as ``email`` again (0: now)."""
    wait = 0.0
    for kind, key in _login_keys(email, client).items():
        count, last = _failures(session, key, now)
        if last is not None:
            wait = max(wait, THROTTLES[kind].delay(count) - (now - last).total_seconds())
    return max(0.0, wait)


def authenticate(
    session: Session, email: str, password: str, *, client: str, now: datetime, code: str | None = None,
) -> User | None:
    """The user if e-mail, password (and, when two-factor login is on, the current code) match.

    Failures are counted in the database (every worker sees them) per client,
    per account from that client, and per account: each count sets a growing
    delay (:data:`THROTTLES`); an attempt within it raises
    :class:`TooManyAttempts` without checking anything. A success clears its
    account's failures from that client only.
    """
    wait = login_wait(session, email, client=client, now=now)
    if wait > 0:
        raise TooManyAttempts(f"too many failed logins; try again in {math.ceil(wait)} s", retry_after=wait)
    keys = _login_keys(email, client)
    key = (email_key(email) or email.strip().lower())[:300]
    user = session.scalars(select(User).where(User.email == key)).first()
    if user is not None and user.is_active and check_password(user.password_hash, password) and (
        user.totp_secret is None or verify_totp(user.totp_secret, code or "", now)
    ):
        session.execute(delete(LoginAttempt).where(LoginAttempt.key == keys["account_client"]))
        return user
    if user is None:
        hash_password(password)  # spend the same time whether or not the user exists
    for k in keys.values():
        session.add(LoginAttempt(key=k, at=now))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - 4 * LOGIN_WINDOW))
    return None


# Two-factor login (TOTP, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps do it.
TOTP_STEP = 30
TOTP_DIGITS = 6


def totp_code(secret: str, at: datetime, *, step_offset: int = 0) -> str:
    """The code an authenticator app shows for ``secret`` (base32) at ``at``."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // TOTP_STEP + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10 ** TOTP_DIGITS).zfill(TOTP_DIGITS)


def verify_totp(secret: str, code: str, now: datetime) -> bool:
    """Whether ``code`` is the current code, or the one just before or after (clock drift)."""
    code = code.strip().replace(" ", "")
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return False
    return any(hmac.compare_digest(totp_code(secret, now, step_offset=d), code) for d in (-1, 0, 1))


def enable_totp(session: Session, email: str) -> tuple[str, str]:
    """Turn two-factor login on for a user: the new secret and its ``otpauth://`` URI (for a QR code)."""
    user = find_user(session, email)
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")
    user.totp_secret = secret
    uri = f"otpauth://totp/Kith:{quote(user.email)}?secret={secret}&issuer=Kith&digits={TOTP_DIGITS}&period={TOTP_STEP}"
    return secret, uri


def disable_totp(session: Session, email: str) -> None:
    """Turn two-factor login off for a user."""
    find_user(session, email).totp_secret = None


# Server-side sessions: the cookie carries a random key; the row decides whether it still works.
SESSION_LIFETIME = timedelta(days=14)


def start_session(session: Session, user: User, *, client: str, now: datetime) -> str:
    """A new login session for ``user``; returns its key (for the signed cookie; only its hash is kept)."""
    key = secrets.token_urlsafe(32)
    session.add(WebSession(key_hash=token_hash(key), user_id=user.id, client=client[:100], created_at=now,
                           last_seen_at=now, expires_at=now + SESSION_LIFETIME, revoked_at=None))
    session.flush()
    return key


def session_user(session: Session, key: str, *, now: datetime) -> User | None:
    """The active user of a live session key, or None (unknown, ended, expired, or the user deactivated)."""
    if not key or len(key) > 200:
        return None
    row = session.scalars(select(WebSession).where(WebSession.key_hash == token_hash(key))).first()
    if row is None or row.revoked_at is not None or now >= row.expires_at:
        return None
    user = get_user(session, row.user_id)
    if user is not None and now - row.last_seen_at > timedelta(minutes=5):
        row.last_seen_at = now  # coarse, so page views do not write on every request
    return user


def end_session(session: Session, key: str, *, now: datetime) -> None:
    """Revoke a session (logout): its cookie no longer opens anything, even if copied."""
    if key:
        row = session.scalars(select(WebSession).where(WebSession.key_hash == token_hash(key))).first()
        if row is not None and row.revoked_at is None:
            row.revoked_at = now


def deactivate_user(session: Session, email: str, *, now: datetime) -> User:
    """Deactivate a user: logins refused, and every token and session of theirs revoked."""
    user = find_user(session, email)
    user.is_active = False
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.execute(update(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                    .values(revoked_at=now))
    return user


def set_admin(session: Session, email: str, admin: bool = True) -> User:
    """Make a user an administrator (may read the audit log), or not."""
    user = find_user(session, email)
    user.is_admin = admin
    return user


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, workspace_id: int, user_id: int | None, purpose: str = "api", name: str = "", now: datetime,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token; returns the stored row and the secret (shown once, never stored)."""
    if purpose not in TOKEN_PREFIX:
        raise BadInput(f"unknown token purpose '{purpose}'")
    secret = TOKEN_PREFIX[purpose] + secrets.token_urlsafe(32)
    row = ApiToken(
        workspace_id=workspace_id, user_id=user_id, purpose=purpose, token_hash=token_hash(secret),
        name=name, created_at=now, last_used_at=None, revoked_at=None, expires_at=expires_at,
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
    if row.expires_at is not None and now >= row.expires_at:
        return None
    if row.user_id is not None and get_user(session, row.user_id) is None:
        return None  # a deactivated user's token (revoked at deactivation; checked again here)
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


def tokens_of(session: Session, workspace_id: int, purpose: str, *, now: datetime | None = None) -> list[ApiToken]:
    """The live tokens of a workspace for one purpose, newest first (expired ones left out when ``now`` is given)."""
    stmt = (select(ApiToken)
            .where(ApiToken.workspace_id == workspace_id, ApiToken.purpose == purpose, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc()))
    if now is not None:
        stmt = stmt.where((ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now))
    return list(session.scalars(stmt).all())


# The audit log of server mode.
@dataclass(frozen=True)
class AuditView:
    """One line of the audit log as administrators see it."""

    at: datetime
    actor: str
    action: str
    target: str
    status: int | None
    client: str
    workspace_id: int | None

    def as_dict(self) -> dict[str, object]:
        """The JSON form."""
        return {"at": self.at.isoformat(), "actor": self.actor, "action": self.action, "target": self.target,
                "status": self.status, "client": self.client, "workspace_id": self.workspace_id}


def record(
    session: Session, action: str, *, now: datetime, principal: Principal | None = None, actor: str = "",
    target: str = "", status: int | None = None, client: str = "",
) -> None:
    """Add a line to the audit log (logins, logouts, writes)."""
    session.add(AuditEntry(
        at=now, user_id=principal.user_id if principal else None,
        workspace_id=principal.workspace_id if principal else None,
        actor=(actor or (principal.email if principal and principal.email else "")
               or (f"user {principal.user_id}" if principal and principal.user_id else ""))[:320],
        action=action[:40], target=target[:500], status=status, client=client[:100],
    ))


def audit_log(session: Session, *, limit: int = 200, offset: int = 0) -> tuple[list[AuditView], int]:
    """The newest lines of the audit log first, and how many there are."""
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
    total = int(session.scalar(select(func.count(AuditEntry.id))) or 0)
    return [AuditView(r.at, r.actor, r.action, r.target, r.status, r.client, r.workspace_id) for r in rows], total


def is_admin(session: Session, user_id: int | None) -> bool:
    """Whether the user is an active administrator."""
    user = get_user(session, user_id) if user_id is not None else None
    return bool(user is not None and user.is_admin)
