"""CLI commands about the network: reach, ask, network (brokerage), opportunity, thank."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table
from kith.services.events import resolve_event
from kith.services.people import resolve_person

if TYPE_CHECKING:
    from kith.services import ask as ask_svc
    from kith.services import goals as goals_svc
    from kith.services import network as network_svc
    from kith.services import opportunities as opp_svc
    from kith.services import reach as reach_svc
    from kith.services import thanks as thanks_svc
else:
    ask_svc = lazy_module("kith.services.ask")
    network_svc = lazy_module("kith.services.network")
    opp_svc = lazy_module("kith.services.opportunities")
    reach_svc = lazy_module("kith.services.reach")
    thanks_svc = lazy_module("kith.services.thanks")
    goals_svc = lazy_module("kith.services.goals")


commands = command_group()


@commands.command()
def reach(
    target: Annotated[str, typer.Argument(help="A person, an organisation, a role, or a tag (tag:NAME or #name).")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many paths.")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """The best introduction paths (up to three hops) to a person, organisation, role or tag."""
    with STATE.session() as session:
        plan = reach_svc.plan_reach(session, target, STATE.now, limit=limit)
    if as_json:
        emit_json(plan.as_dict())
        return
    t = plan.target
    say(f"Target: {t.kind} {t.label} ({len(t.people)} people)")
    for i, p in enumerate(plan.paths, 1):
        say(f"{i}. {p.route}  quality {p.quality:.2f}")
        for h in p.hops:
            say(f"     {h.from_name} → {h.to_name}  {h.strength:.2f}  {'; '.join(h.why)}")
    for line in plan.advice:
        say(f"• {line}")


@commands.command()
def ask(
    query: Annotated[str, typer.Argument(help="What you need, e.g. 'advice on seed fundraising'.")],
    limit: Annotated[int, typer.Option("--limit", min=1)] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Who can help with something, ranked by relevance times favour readiness."""
    with STATE.session() as session:
        helpers = ask_svc.who_can_help(session, query, STATE.now, limit=limit)
    if as_json:
        emit_json([h.as_dict() for h in helpers])
        return
    if not helpers:
        say("Nobody in your network matches that.")
    table(None, ["score", "who", "relevance", "readiness", "why"], [
        (f"{h.score:.1f}", h.label, f"{h.relevance:.2f}", f"{h.readiness:.0f}", "; ".join(h.reasons)) for h in helpers
    ])


@commands.command("network")
def network_cmd(as_json: JsonOpt = False) -> None:
    """Brokerage and diversity: constraint, effective size, clusters, strong-tie concentration, bridges."""
    with STATE.session() as session:
        report = network_svc.brokerage(session, STATE.now)
    if as_json:
        emit_json(report.as_dict())
        return
    say(f"Network of {report.size} people: constraint {report.constraint:.2f}, "
        f"effective size {report.effective_size:.1f}")
    say(f"Strong ties: {report.strong_ties}, {report.strong_share_in_one_cluster:.0%} in one cluster")
    table("Clusters", ["#", "size", "strong", "label"], [(c.index, c.size, c.strong, c.label) for c in report.clusters])
    for b in report.bridges:
        say(f"bridge: {b.why}")
    for line in report.advice:
        say(f"• {line}")


opportunity_app = command_group(help="Opportunities (jobs, deals, gigs, clients) and who referred them.",
                                no_args_is_help=True)
commands.add_typer(opportunity_app, name="opportunity")


@opportunity_app.command("add")
def opportunity_add(
    title: Annotated[str, typer.Argument(help="What the opportunity is.")],
    kind: Annotated[str, typer.Option("--kind", help="job, deal, gig, client or other.")] = "job",
    referred_by: Annotated[str | None, typer.Option("--referred-by", help="Who referred it.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation it is at.")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="The goal it serves.")] = None,
    on: Annotated[str | None, typer.Option("--on", help="When it was found (default today).")] = None,
    outcome: Annotated[str, typer.Option("--outcome", help="open, won or lost.")] = "open",
    value: Annotated[float | None, typer.Option("--value")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Record an opportunity and who referred it."""
    now = STATE.now
    with STATE.session() as session:
        ref = resolve_person(session, referred_by) if referred_by else None
        opp = opp_svc.add_opportunity(
            session, title, now=now, kind=kind, referred_by=ref, org=org,
            goal=goals_svc.get_goal(session, goal) if goal else None,
            found_on=clock.parse_when(on, now=now).date() if on else None, outcome=outcome, value=value, note=note,
        )
        data = opp_svc.opportunity_view(session, opp).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Added opportunity #{data['id']} {data['title']}")


@opportunity_app.command("list")
def opportunity_list(as_json: JsonOpt = False) -> None:
    """List opportunities found so far, newest first, each with the tie it came through as it stood then."""
    with STATE.session() as session:
        rows = opp_svc.opportunity_report(session, STATE.now).opportunities[::-1]
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    table(None, ["#", "found", "title", "kind", "outcome", "referred by"],
          [(o.id, o.found_on.isoformat(), o.title, o.kind, o.outcome, o.referred_by or "")
           for o in (r.opportunity for r in rows)])


@opportunity_app.command("report")
def opportunity_report(as_json: JsonOpt = False) -> None:
    """Which ties produced your opportunities (by layer, strength then, organisation); the non-obvious ones."""
    with STATE.session() as session:
        report = opp_svc.opportunity_report(session, STATE.now)
    if as_json:
        emit_json(report.as_dict())
        return
    say(f"{report.total} opportunities, {report.referred} referred")
    for title, groups in (("By layer at the time", report.by_layer), ("By tie strength at the time", report.by_strength),
                          ("By the referrer's organisation", report.by_organization)):
        table(title, ["group", "opportunities", "won"], [(g.group, g.opportunities, g.won) for g in groups])
    for r in report.non_obvious:
        say(f"• {r.opportunity.title} via {r.opportunity.referred_by}: {'; '.join(r.non_obvious)}")


@commands.command()
def thank(
    event: Annotated[str, typer.Argument(help="The project or event (id or name).")],
    as_json: JsonOpt = False,
) -> None:
    """Everyone who worked on or helped with a project or event and was not thanked since."""
    with STATE.session() as session:
        crew = thanks_svc.thank_list(session, resolve_event(session, event), STATE.now)
    if as_json:
        emit_json([t.as_dict() for t in crew])
        return
    if not crew:
        say("Everyone has been thanked.")
    for t in crew:
        say(f"{t.name}: {t.reason}")
