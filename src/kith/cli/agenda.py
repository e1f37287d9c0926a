"""CLI commands of daily maintenance: agenda, done, snooze, report, cadence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, out, say, table
from kith.engine.kinds import AGENDA_ACTIONS as ACTIONS
from kith.errors import BadInput
from kith.services import people as people_svc

if TYPE_CHECKING:
    from kith.services import agenda as agenda_svc
    from kith.services import cadences as cadence_svc
    from kith.services import report as report_svc
else:
    agenda_svc = lazy_module("kith.services.agenda")
    cadence_svc = lazy_module("kith.services.cadences")
    report_svc = lazy_module("kith.services.report")


commands = command_group()


SPARKS = "▁▂▃▄▅▆▇█"

cadence_app = command_group(help="Keep-in-touch cadences per person, tag or layer.", no_args_is_help=True)
commands.add_typer(cadence_app, name="cadence")


@commands.command("agenda")
def agenda_cmd(
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many items.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Today's actions, most important first, each with its reason and due date."""
    with STATE.session() as session:
        items = agenda_svc.agenda(session, STATE.now, limit=limit)
    if as_json:
        emit_json([i.as_dict() for i in items])
        return
    if not items:
        say("Nothing to do today.")
        return
    table(f"Agenda for {STATE.now.date().isoformat()}", ["due", "action", "person", "why", "priority"],
          [(i.due.isoformat(), i.action, i.person, i.reason, f"{i.priority:.1f}") for i in items])


@commands.command()
def done(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    action: Annotated[str | None, typer.Argument(help="Action (default: the one on the agenda): " + ", ".join(ACTIONS))] = None,
) -> None:
    """Mark a person's agenda action done: it stays hidden for that action's natural period."""
    now = STATE.now
    with STATE.session() as session:
        p = people_svc.resolve_person(session, person)
        mark = agenda_svc.mark_done(session, p, now, action)
        name, what, until = p.display_name, mark.action, mark.until
    say(f"Done: {what} for {name} (hidden until {until.date().isoformat()} unless something new happens)")


@commands.command()
def snooze(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    until: Annotated[str, typer.Argument(help="For how long (10d, 2w, 3m) or until a date.")],
) -> None:
    """Hide every agenda item of a person for a while."""
    now = STATE.now
    with STATE.session() as session:
        p = people_svc.resolve_person(session, person)
        mark = agenda_svc.snooze(session, p, now, agenda_svc.parse_until(until, now))
        name, end = p.display_name, mark.until
    say(f"Snoozed {name} until {end.date().isoformat()}")


@commands.command("report")
def report_cmd(as_json: JsonOpt = False) -> None:
    """The quality report: network vs callable size, layers, hellos, follow-ups, favours, gatekeepers, trend."""
    with STATE.session() as session:
        data = report_svc.report(session, STATE.now).as_dict()
    if as_json:
        emit_json(data)
        return
    _print_report(data)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def sparkline(values: Sequence[float | None]) -> str:
    """A one-line chart: ``▁▂▅█``; a missing value is a space."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def _print_report(data: dict[str, Any]) -> None:
    sizes, hellos, fu, fav = data["sizes"], data["hellos"], data["follow_up"], data["favours"]
    rows: list[tuple[str, Any]] = [("network", sizes["network"]), ("callable", sizes["callable"])]
    rows += [(f"layer {k}", v) for k, v in sizes["layers"].items()]
    rows += [("only hellos or no contact", f"{hellos['hello_only'] + hellos['no_contact']} ({_pct(hellos['share'])})"),
             ("follow-up rate", f"{fu['overall']['followed_up']}/{fu['overall']['met']} ({_pct(fu['overall']['rate'])})")]
    rows += [(f"favours {k.replace('_', ' ')}", v) for k, v in fav.items()]
    table(f"Network quality as of {data['as_of'][:10]}", ["figure", "value"], rows)
    if fu["events"]:
        table("Follow-up per event", ["event", "on", "met", "followed up", "missed", "rate"],
              [(e["event"], e["on"], e["met"], e["followed_up"], e["missed"], _pct(e["rate"])) for e in fu["events"]])
    if data["gatekeepers"]:
        table("Gatekeepers of key people", ["gatekeeper", "of", "score", "layer", "last sentiment", "days since", "state"],
              [(g["gatekeeper"], g["key_person"], g["score"], g["layer"], g["last_sentiment"],
                g["days_since_contact"], g["state"]) for g in data["gatekeepers"]])
    _print_trend(data["trend"])


def _print_trend(trend: list[dict[str, Any]]) -> None:
    if not trend:
        return
    first, last = trend[0]["month_end"], trend[-1]["month_end"]
    rows = []
    for key in ("network", "callable", "hello_share", "follow_up_rate", "favours_given", "favours_received"):
        values = [m[key] for m in trend]
        rows.append((key.replace("_", " "), sparkline(values), values[0], values[-1]))
    table(f"Trend {first} to {last} (month ends)", ["figure", "trend", first, last], rows)
    out.print()


@cadence_app.command("set")
def cadence_set(
    days: Annotated[str, typer.Argument(help="Every N days, or 2w, 3m, 1y.")],
    person: Annotated[str | None, typer.Option("--person", help="One person.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Everyone with this tag.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="Everyone in this layer.")] = None,
) -> None:
    """Set a keep-in-touch cadence (person beats tag beats layer beats the learned rhythm)."""
    with STATE.session() as session:
        scope, target = _scope(session, person, tag, layer)
        rule = cadence_svc.set_cadence(session, scope, target, cadence_svc.parse_days(days))
    say(f"Cadence for {rule.scope} {rule.label}: every {rule.days} days")


@cadence_app.command("list")
def cadence_list(as_json: JsonOpt = False) -> None:
    """List the explicit cadences."""
    with STATE.session() as session:
        rules = [r.as_dict() for r in cadence_svc.list_cadences(session)]
    if as_json:
        emit_json(rules)
        return
    table(None, ["scope", "target", "days"], [(r["scope"], r["label"], r["days"]) for r in rules])


@cadence_app.command("clear")
def cadence_clear(
    person: Annotated[str | None, typer.Option("--person", help="One person.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="A tag.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="A layer.")] = None,
) -> None:
    """Remove a cadence."""
    with STATE.session() as session:
        scope, target = _scope(session, person, tag, layer)
        gone = cadence_svc.clear_cadence(session, scope, target)
    say("Cadence cleared" if gone else "There was no such cadence")


def _scope(session: Any, person: str | None, tag: str | None, layer: str | None) -> tuple[str, Any]:
    given = [(s, v) for s, v in (("person", person), ("tag", tag), ("layer", layer)) if v is not None]
    if len(given) != 1:
        raise BadInput("give exactly one of --person, --tag or --layer")
    scope, value = given[0]
    return scope, people_svc.resolve_person(session, value) if scope == "person" else value
