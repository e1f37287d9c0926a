"""CLI commands about goals: goal add, list, show, close, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table

if TYPE_CHECKING:
    from kith.services import goals as svc
else:
    svc = lazy_module("kith.services.goals")


commands = command_group()


goal_app = command_group(help="Goals: what your networking is for, and where it really goes.", no_args_is_help=True)
commands.add_typer(goal_app, name="goal")

ListOpt = list[str] | None


@goal_app.command("add")
def goal_add(
    title: Annotated[str, typer.Argument(help="The goal, e.g. 'land a role in film publicity'.")],
    org: Annotated[ListOpt, typer.Option("--org", help="Target organisation (repeatable).")] = None,
    industry: Annotated[ListOpt, typer.Option("--industry", help="Target industry (repeatable).")] = None,
    role: Annotated[ListOpt, typer.Option("--role", help="Target role (repeatable).")] = None,
    tag: Annotated[ListOpt, typer.Option("--tag", help="Relevant tag (repeatable).")] = None,
    starts: Annotated[str | None, typer.Option("--starts", help="Start of the window (default today).")] = None,
    ends: Annotated[str | None, typer.Option("--ends", help="End of the window.")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Add a goal with its target organisations, industries, roles, tags and window."""
    now = STATE.now
    with STATE.session() as session:
        goal = svc.add_goal(
            session, title, now=now, target_orgs=org or [], industries=industry or [], roles=role or [],
            tags=tag or [], starts_on=clock.parse_when(starts, now=now).date() if starts else None,
            ends_on=clock.parse_when(ends, now=now).date() if ends else None, note=note,
        )
        data = svc.GoalView.of(goal).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Added goal #{data['id']} {data['title']}")


@goal_app.command("list")
def goal_list(
    all_: Annotated[bool, typer.Option("--all", help="Include closed goals.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List goals, active ones first (only those unless --all)."""
    with STATE.session() as session:
        goals = svc.list_goals(session, include_closed=all_)[0]
    if as_json:
        emit_json([g.as_dict() for g in goals])
        return
    table(None, ["#", "title", "status", "orgs", "industries", "roles", "tags", "window"], [
        (g.id, g.title, g.status, ", ".join(g.target_orgs), ", ".join(g.industries), ", ".join(g.roles),
         ", ".join(g.tags), f"{g.starts_on or ''}..{g.ends_on or ''}")
        for g in goals
    ])


@goal_app.command("show")
def goal_show(goal: Annotated[str, typer.Argument(help="Goal id or title.")], as_json: JsonOpt = False) -> None:
    """Show one goal."""
    with STATE.session() as session:
        data = svc.GoalView.of(svc.get_goal(session, goal)).as_dict()
    if as_json:
        emit_json(data)
        return
    say(f"#{data['id']} {data['title']} ({data['status']})")
    for key in ("target_orgs", "industries", "roles", "tags"):
        if data[key]:
            say(f"  {key.replace('_', ' ')}: {', '.join(data[key])}")
    say(f"  window: {data['starts_on'] or '?'} .. {data['ends_on'] or 'open'}")
    if data["closed_on"]:
        say(f"  closed on: {data['closed_on']}")


@goal_app.command("close")
def goal_close(goal: Annotated[str, typer.Argument(help="Goal id or title.")], as_json: JsonOpt = False) -> None:
    """Close a goal (reached or dropped)."""
    with STATE.session() as session:
        data = svc.GoalView.of(svc.close_goal(session, svc.get_goal(session, goal), STATE.now.date())).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Closed goal #{data['id']} {data['title']}")


@goal_app.command("audit")
def goal_audit(goal: Annotated[str, typer.Argument(help="Goal id or title.")], as_json: JsonOpt = False) -> None:
    """Where the last 90 days of networking went, cooling relevant ties, targets with no path, top actions."""
    with STATE.session() as session:
        audit = svc.audit_goal(session, svc.get_goal(session, goal), STATE.now)
    if as_json:
        emit_json(audit.as_dict())
        return
    say(f"Goal: {audit.goal.title}")
    say(f"Last {svc.AUDIT_DAYS} days: {audit.interactions} interactions, {audit.with_relevant} with "
        f"goal-relevant people ({audit.relevant_share:.0%}), {audit.with_others} with others")
    for o in audit.top_others:
        say(f"  others: {o.label} ({o.interactions})")
    for c in audit.cooling[:10]:
        say(f"cooling: {c.name} ({c.days_since} days; {', '.join(c.why_relevant)})")
    if len(audit.cooling) > 10:
        say(f"cooling: ... and {len(audit.cooling) - 10} more (--json lists them all)")
    for m in audit.no_path:
        say(f"no path: {m.why}")
    for i, a in enumerate(audit.actions, 1):
        say(f"{i}. {a.text}")
