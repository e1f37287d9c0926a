"""Server-mode accounts: ``kith user add EMAIL``, ``kith token create EMAIL``, ``kith token revoke ID``."""

from __future__ import annotations

import dataclasses
import getpass
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import JsonOpt, app
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table, warn
from kith.errors import BadInput

if TYPE_CHECKING:
    from kith.services import accounts
else:
    accounts = lazy_module("kith.services.accounts")

user_app = typer.Typer(help="User accounts (server mode).", no_args_is_help=True)
token_app = typer.Typer(help="API bearer tokens (server mode).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


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
        table(None, ["id", "email", "workspace", "active"], [(r["id"], r["email"], r["workspace_id"], r["active"]) for r in rows])


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="The user the token acts for.")],
    name: Annotated[str, typer.Option("--name", help="A label to recognise the token by.")] = "cli",
) -> None:
    """Create an API token; prints the token alone on stdout (it is shown only once)."""
    with STATE.kith().factory() as session, session.begin():
        user = accounts.find_user(session, email)
        row, secret = accounts.create_token(
            session, workspace_id=user.workspace_id, user_id=user.id, purpose="api", name=name, now=STATE.now
        )
        token_id = row.id
    warn(f"token id {token_id} for {email} (revoke with: kith token revoke {token_id})")
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
    """List a user's live tokens (ids and names, never the secrets)."""
    with STATE.kith().factory() as session:
        user = accounts.find_user(session, email)
        rows = [
            {"id": t.id, "name": t.name, "purpose": t.purpose, "created_at": t.created_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None}
            for purpose in ("api", "feed") for t in accounts.tokens_of(session, user.workspace_id, purpose)
        ]
    if as_json:
        emit_json(rows)
    else:
        table(None, ["id", "name", "purpose", "created", "last used"], [tuple(r.values()) for r in rows])
