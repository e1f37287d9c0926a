"""CLI commands about tie strength: score (with --explain) and rescore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table
from kith.engine.kinds import LAYERS
from kith.errors import BadInput
from kith.services import people as people_svc

if TYPE_CHECKING:
    from kith.services import favors as favors_svc
    from kith.services import likelihood_model as model_svc
    from kith.services import score_views as views
    from kith.services import tie_states
else:
    favors_svc = lazy_module("kith.services.favors")
    model_svc = lazy_module("kith.services.likelihood_model")
    views = lazy_module("kith.services.score_views")
    tie_states = lazy_module("kith.services.tie_states")


def check_layer(layer: str | None) -> str | None:
    """A layer name, validated."""
    if layer is not None and layer not in LAYERS:
        raise BadInput(f"unknown layer '{layer}' (use one of: {', '.join(LAYERS)})")
    return layer


commands = command_group()


@commands.command("score")
def score_cmd(
    person: Annotated[str | None, typer.Argument(help="One person (default: everyone).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each term's contribution.")] = False,
    layer: Annotated[str | None, typer.Option("--layer", help="Only this layer.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Relationship strength and contact likelihood 0-100, layer and favour readiness; --explain says why."""
    check_layer(layer)
    with STATE.session() as session:
        if person is not None:
            detail = views.score_detail(session, people_svc.resolve_person(session, person), STATE.now)
            return _show_one(detail, explain, as_json)
        listing = views.score_listing(session, STATE.now, layer=layer, limit=limit)
    if as_json:
        emit_json(listing.as_dicts())
        return
    lines = listing.lines()
    table(None, ["id", "name", "strength", "likelihood", "layer", "readiness", "last contact", ""], [
        (r.id, r.name, f"{r.score:.0f}", f"{r.likelihood:.0f}", r.layer, f"{r.readiness:.0f}",
         r.last_contact.isoformat() if r.last_contact else "never", "cooling" if r.cooling else "")
        for r in lines
    ])


def _show_one(detail: views.ScoreDetail, explain: bool, as_json: bool) -> None:
    if as_json:
        emit_json(detail.as_dict())
        return
    line = detail.line
    say(f"{line.name}: strength {line.score:.0f}/100, {line.layer}; likelihood of contact {line.likelihood:.0f}; "
        f"readiness {line.readiness:.0f}" + (" (callable)" if line.callable else " (not callable)"))
    if explain:
        say("  strength:")
        for reason in detail.reasons:
            say(f"    {reason}")
        say("  likelihood of contact:")
        for reason in detail.likelihood_reasons:
            say(f"    {reason}")
        say("  favour readiness:")
        for reason in detail.readiness_reasons:
            say(f"    {reason}")


@commands.command()
def rescore() -> None:
    """Rebuild every stored tie accumulator from the interaction log."""
    with STATE.session() as session:
        n = tie_states.rebuild_tie_states(session)
    say(f"Rebuilt the ties of {n} people.")


@commands.command("favour")
def favour_cmd(
    person: Annotated[str, typer.Argument(help="Who did you the favour, or whom you did one.")],
    direction: Annotated[str, typer.Argument(help="received (they did me one) or given (I did them one).")],
    what: Annotated[str, typer.Argument(help="What the favour was.")],
    on: Annotated[str | None, typer.Option("--on", help="When it was done (default today).")] = None,
    status: Annotated[str, typer.Option("--status", help="asked, done, returned or declined.")] = "done",
    as_json: JsonOpt = False,
) -> None:
    """Record a favour in the ledger: open favours move favour readiness and the agenda."""
    now = STATE.now
    done_on = clock.parse_when(on, now=now).date() if on else None
    with STATE.session() as session:
        who = people_svc.resolve_person(session, person)
        view = favors_svc.view_of(
            session, favors_svc.record_favor(session, who, direction, what, now=now, status=status, done_on=done_on))
        data = view.as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Recorded favour #{data['id']} {direction} ({what}), {status}")


@commands.command("model")
def model_cmd(
    refit: Annotated[bool, typer.Option("--refit", help="Fit again now, whatever the log's growth.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The personal model of contact likelihood: defaults or a fit on your own log, its weights and held-out AUCs.

    Fits when there is no fit yet or the log has grown by a tenth since the last one (or with --refit).
    """
    with STATE.session() as session:
        status = model_svc.model_status(session, STATE.now, refit=refit)
    if as_json:
        emit_json(status.as_dict())
        return
    fit = status.fit
    say("Contact likelihood uses " + ("your personal fit." if fit.in_use else "the default weights."))
    when = status.fitted_at.date().isoformat() if status.fitted_at else "never"
    say(f"Last fit: {when}, on {status.log_at_fit} logged contacts ({status.log_now} now)"
        + ("; fitted just now." if status.refitted else "."))
    say(f"  {fit.reason}")
    if fit.heldout_auc_fit == fit.heldout_auc_fit:  # not nan: a fit was made
        say(f"Held-out AUC ({fit.heldout_rows} ties, the last 28 days): defaults {fit.heldout_auc_default:.3f}, "
            f"fit {fit.heldout_auc_fit:.3f}")
    fitted = fit.heldout_auc_fit == fit.heldout_auc_fit  # a fit was made (nan: not enough history)
    table(None, ["term", "default", "fitted"], [
        (name, f"{fit.default_weights[name]:+.3f}", f"{fit.weights[name]:+.3f}" if fitted else "-")
        for name in fit.default_weights
    ])
