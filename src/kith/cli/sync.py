"""Sync accounts and syncing: ``kith account add|list|remove|conflicts|resolve``, ``kith sync NAME|--all``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table, warn
from kith.errors import BadInput, KithError

if TYPE_CHECKING:
    from kith.services import sync as sync_service
    from kith.services import sync_accounts
else:
    sync_accounts = lazy_module("kith.services.sync_accounts")
    sync_service = lazy_module("kith.services.sync")


commands = command_group()


account_app = command_group(help="Accounts on CardDAV, CalDAV and IMAP servers that Kith syncs with.",
                            no_args_is_help=True)
commands.add_typer(account_app, name="account")


class SyncFailed(KithError):
    """At least one account could not be synced (each said why)."""


@account_app.command("add")
def account_add(
    kind: Annotated[str, typer.Argument(help="carddav, caldav or imap.")],
    name: Annotated[str, typer.Argument(help="A short name for the account (used by `kith sync NAME`).")],
    url: Annotated[str, typer.Option("--url", help="The address book or calendar URL, imap(s)://host:port, "
                                     "or smtp://, smtp+starttls://, smtps://host:port for the digest.")],
    user: Annotated[str, typer.Option("--user", help="The user name on the server (a mail relay may need none).")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    me: Annotated[list[str] | None, typer.Option("--me", help="Your own address on this account (repeatable).")] = None,
    folder: Annotated[list[str] | None, typer.Option("--folder", help="IMAP folder to read (repeatable; "
                                                     "default: the inbox and the sent folder).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="smtp: where the daily digest goes.")] = None,
    sender: Annotated[str | None, typer.Option("--from", help="smtp: the digest's sender address.")] = None,
    push_new: Annotated[str | None, typer.Option("--push-new", help="carddav: people created in Kith written to "
                                                 "the server as new cards: contacts (default: all but people known only "
                                                 "from captured mail and meetings), all, none, or tag:NAME.")] = None,
) -> None:
    """Add an account (smtp: opt in to the daily digest); the password goes to the system keyring (or a file
    only you can read)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif kind == "smtp" and not user:
        password = ""
    else:
        raise BadInput("give the password on stdin: --password-stdin (it is never taken from the command line)")
    options: dict[str, object] = {}
    if to:
        options["to"] = to
    if sender:
        options["from"] = sender
    if me:
        options["me"] = list(me)
    if folder:
        options["folders"] = list(folder)
    if push_new is not None:
        options["push_new"] = push_new
    with STATE.session() as session:
        sync_accounts.add_account(session, kind, name, url=url, user=user, password=password, now=STATE.now,
                                  options=options)
    from kith.sync import secrets

    say(f"Account {name} ({kind}) added; its password is kept in {secrets.where()}. Sync it: kith sync {name}")


@account_app.command("list")
def account_list(as_json: JsonOpt = False) -> None:
    """The accounts, their last sync, what it changed and their last error."""
    with STATE.session() as session:
        views = sync_accounts.list_accounts(session)
    if as_json:
        emit_json([v.as_dict() for v in views])
        return
    table(None, ["name", "kind", "url", "user", "last sync", "status", "conflicts"],
          [(v.name, v.kind, v.url, v.user, v.last_sync_at.strftime("%Y-%m-%d %H:%M") if v.last_sync_at else "-",
            v.status(), v.open_conflicts or "") for v in views])


@account_app.command("set")
def account_set(
    name: Annotated[str, typer.Argument(help="The account's name.")],
    push_new: Annotated[str, typer.Option("--push-new", help="People created in Kith written to the server as "
                                          "new cards: contacts, all, none, or tag:NAME.")],
) -> None:
    """Change a CardDAV account's rule for people created in Kith."""
    with STATE.session() as session:
        rule = sync_accounts.push_rule(sync_accounts.set_push_new(session, name, push_new))
    say(f"Account {name}: new people pushed: {rule}.")


@account_app.command("remove")
def account_remove(name: Annotated[str, typer.Argument(help="The account's name.")]) -> None:
    """Forget an account and its password; the people and interactions it brought stay."""
    with STATE.session() as session:
        sync_accounts.remove_account(session, name)
    say(f"Account {name} removed.")


@account_app.command("conflicts")
def account_conflicts(as_json: JsonOpt = False) -> None:
    """Fields changed both in Kith and on the server, waiting for review."""
    with STATE.session() as session:
        views = sync_service.open_conflicts(session)
    if as_json:
        emit_json([v.as_dict() for v in views])
        return
    if not views:
        say("No conflicts to review.")
        return
    table(None, ["id", "account", "person", "field", "in Kith", "on the server"],
          [(v.id, v.account, v.person, v.field, v.kith_value, v.server_value) for v in views])
    say("Keep one side: kith account resolve ID --keep kith|server")


@account_app.command("resolve")
def account_resolve(
    conflict_id: Annotated[int, typer.Argument(help="The conflict's id (kith account conflicts).")],
    keep: Annotated[str, typer.Option("--keep", help="kith (written to the server at the next sync) or server.")],
) -> None:
    """Settle a conflict."""
    with STATE.session() as session:
        view = sync_service.resolve_conflict(session, conflict_id, keep, now=STATE.now)
    say(f"Conflict {view.id} ({view.person}, {view.field}): kept the value {'in Kith' if keep == 'kith' else 'of the server'}.")


@commands.command("sync")
def sync(
    name: Annotated[str | None, typer.Argument(help="The account to sync.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Sync every account once.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Sync an account (or all of them) with its server now."""
    if bool(name) == all_:
        raise BadInput("name one account (kith sync NAME) or use --all")
    kith = STATE.kith()
    with STATE.session() as session:
        names = [a.name for a in sync_accounts.all_accounts(session)] if all_ else [name or ""]
        if not names:
            say("No accounts yet: kith account add carddav|caldav|imap NAME --url URL --user USER --password-stdin")
            return
        reports = [sync_service.sync_account(session, n, now=STATE.now, me=kith.settings.me) for n in names]
    if as_json:
        emit_json([r.as_dict() for r in reports])
    else:
        for r in reports:
            if r.error:
                warn(f"{r.account}: sync failed: {r.error}")
            else:
                say(f"{r.account}: {r.headline()}")
            for reason, n in sorted(r.skipped.items()):
                warn(f"  skipped {n}: {reason}")
            for problem in r.problems[:20]:
                warn(f"  problem: {problem}")
            if len(r.problems) > 20:
                warn(f"  ... and {len(r.problems) - 20} more problems")
    failed = [r.account for r in reports if r.error]
    if failed:
        raise SyncFailed(f"could not sync {', '.join(failed)} (see above; the work done before the failure is kept)")


@commands.command("digest")
def digest(as_json: JsonOpt = False) -> None:
    """Print today's digest (the e-mail an smtp account sends once a day)."""
    from kith.services.digest import daily_digest

    with STATE.session() as session:
        result = daily_digest(session, STATE.now)
    if as_json:
        emit_json(result.as_dict())
    else:
        sys.stdout.write(result.text())
