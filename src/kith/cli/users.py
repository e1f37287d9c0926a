"""Server-mode accounts: users (add, list, deactivate, admin, 2fa) and API tokens (create, list, revoke)."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table, warn
from kith.errors import BadInput

if TYPE_CHECKING:
    from kith.services import accounts
else:
    accounts = lazy_module("kith.services.accounts")


commands = command_group()


user_app = command_group(help="User accounts (server mode).", no_args_is_help=True)
token_app = command_group(help="API bearer tokens (server mode).", no_args_is_help=True)
commands.add_typer(user_app, name="user")
commands.add_typer(token_app, name="token")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadInput("no terminal to ask for the password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise BadInput("the passwords differ")
    return first


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (their login).")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create a user with their own, isolated workspace."""
    password = _read_password(password_stdin)
    kith = STATE.kith(init=True)
    with kith.factory() as session, session.begin():
        user = accounts.add_user(session, email, password, now=STATE.now)
        say(f"User {user.email} created (id {user.id}, workspace {user.workspace_id}).")


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """List the users."""
    with STATE.kith().factory() as session:
        rows = [dataclasses.asdict(u) for u in accounts.list_users(session)]
    if as_json:
        emit_json(rows)
    else:
        table(None, ["id", "email", "workspace", "active", "admin", "2fa"],
              [(r["id"], r["email"], r["workspace_id"], r["active"], r["admin"], r["two_factor"]) for r in rows])


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token acts for.")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise the token by.")] = "cli",
    days: Annotated[int | None, typer.Option("--days", min=1, max=3650,
                                             help="The token stops working after this many days.")] = None,
) -> None:
    """Create an API token; prints the token alone on stdout (it is shown only once)."""
    now = STATE.now
    expires = now + timedelta(days=days) if days else None
    with STATE.kith().factory() as session, session.begin():
        user = accounts.find_user(session, email)
        row, secret = accounts.create_token(
            session, workspace_id=user.workspace_id, user_id=user.id, purpose="api", name=name, now=now,
            expires_at=expires,
        )
        token_id = row.id
    until = f", expires {expires.isoformat(timespec='minutes')}" if expires else ""
    warn(f"token id {token_id} for {email}{until} (revoke with: kith token revoke {token_id})")
    sys.stdout.write(secret + "\n")
    sys.stdout.flush()


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token; requests with it are refused from now on."""
    with STATE.kith().factory() as session, session.begin():
        accounts.revoke_token(session, token_id, now=STATE.now)
    say(f"Token {token_id} revoked.")


@token_app.command("list")
def token_list(email: Annotated[str, typer.Argument(help="Whose tokens.")], as_json: JsonOpt = False) -> None:
    """List a user's live tokens (ids, names, when last used and when they expire; never the secrets)."""
    with STATE.kith().factory() as session:
        user = accounts.find_user(session, email)
        rows: list[dict[str, Any]] = [
            {"id": t.id, "name": t.name, "purpose": t.purpose, "created_at": t.created_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
             "expires_at": t.expires_at.isoformat() if t.expires_at else None}
            for purpose in ("api", "feed")
            for t in accounts.tokens_of(session, user.workspace_id, purpose, now=STATE.now)
        ]
    if as_json:
        emit_json(rows)
    else:
        table(None, ["id", "name", "purpose", "created", "last used", "expires"],
              [(r["id"], r["name"], r["purpose"], r["created_at"][:16], (r["last_used_at"] or "never")[:16],
                (r["expires_at"] or "never")[:16]) for r in rows])


@user_app.command("deactivate")
def user_deactivate(email: Annotated[str, typer.Argument(help="The user to shut out.")]) -> None:
    """Deactivate a user: logins refused, every API token, feed and login session of theirs revoked."""
    with STATE.kith().factory() as session, session.begin():
        user = accounts.deactivate_user(session, email, now=STATE.now)
        accounts.record(session, "deactivate user", now=STATE.now, actor="cli", target=user.email)
    say(f"User {email} deactivated; their tokens and sessions are revoked.")


@user_app.command("admin")
def user_admin(
    email: Annotated[str, typer.Argument(help="The user.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the right away instead.")] = False,
) -> None:
    """Let a user read the audit log (/admin/audit), or with --revoke no longer."""
    with STATE.kith().factory() as session, session.begin():
        accounts.set_admin(session, email, not revoke)
    say(f"{email} is {'no longer' if revoke else 'now'} an administrator.")


@user_app.command("2fa")
def user_two_factor(
    email: Annotated[str, typer.Argument(help="The user.")],
    off: Annotated[bool, typer.Option("--off", help="Turn two-factor login off.")] = False,
) -> None:
    """Turn two-factor login (an authenticator app's 6-digit code) on, printing the secret to enter in the app."""
    with STATE.kith().factory() as session, session.begin():
        if off:
            accounts.disable_totp(session, email)
        else:
            secret, uri = accounts.enable_totp(session, email)
    if off:
        say(f"Two-factor login is off for {email}.")
        return
    warn(f"two-factor login is on for {email}: add this secret to an authenticator app (shown only once)")
    sys.stdout.write(f"{secret}\n{uri}\n")
    sys.stdout.flush()
