"""CLI commands about tie strength: score (with --explain) and rescore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kith.cli.base import JsonOpt, app
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table
from kith.engine.kinds import LAYERS
from kith.errors import BadInput
from kith.services import people as people_svc
from kith.store.models import Person

if TYPE_CHECKING:
    from kith.services import scores as svc
    from kith.services import tie_states
else:
    svc = lazy_module("kith.services.scores")
    tie_states = lazy_module("kith.services.tie_states")


def person_key(person: Person) -> str:
    """A stable key for tools: the first e-mail, else the first profile URL, else ``person:ID``."""
    for kind in ("email", "linkedin", "url", "facebook", "phone"):
        for ident in person.identifiers:
            if ident.kind == kind:
                return ident.value_key
    return f"person:{person.id}"


def check_layer(layer: str | None) -> str | None:
    """A layer name, validated."""
    if layer is not None and layer not in LAYERS:
        raise BadInput(f"unknown layer '{layer}' (use one of: {', '.join(LAYERS)})")
    return layer


def _row(person: Person, tie: svc.PersonTie) -> dict[str, Any]:
    return {
        "id": person.id, "name": person.display_name, "key": person_key(person),
        "score": round(tie.score, 1), "layer": tie.layer, "readiness": round(tie.readiness, 1),
        "callable": tie.callable, "cooling": tie.cooling,
        "last_contact": tie.last_at.date().isoformat() if tie.last_at else None,
        "learned_gap_days": None if tie.learned_gap_days is None else round(tie.learned_gap_days, 1),
        "components": tie.components,
    }


def scored_people(session: Session, layer: str | None = None) -> list[tuple[Person, svc.PersonTie]]:
    """Everyone with their tie, strongest first, optionally of one layer."""
    ties = svc.tie_scores(session, STATE.now)
    wanted = [pid for pid, t in ties.items() if layer is None or t.layer == layer]
    people = {p.id: p for p in session.scalars(
        select(Person).where(Person.id.in_(wanted)).options(selectinload(Person.identifiers))
    )}
    ranked = sorted(wanted, key=lambda pid: (-ties[pid].score, people[pid].display_name, pid))
    return [(people[pid], ties[pid]) for pid in ranked]


@app.command("score")
def score_cmd(
    person: Annotated[str | None, typer.Argument(help="One person (default: everyone).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each term's contribution.")] = False,
    layer: Annotated[str | None, typer.Option("--layer", help="Only this layer.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tie strength 0-100 with its layer and favour readiness; --explain says why."""
    check_layer(layer)
    with STATE.session() as session:
        if person is not None:
            p = people_svc.resolve_person(session, person)
            ex = svc.explain(session, p, STATE.now)
            data = {**_row(p, ex.tie), **ex.as_dict(), "name": p.display_name, "key": person_key(p)}
            return _show_one(data, explain, as_json)
        rows = [_row(p, t) for p, t in scored_people(session, layer)][:limit]
    if as_json:
        emit_json(rows)
        return
    table(None, ["id", "name", "score", "layer", "readiness", "last contact", ""], [
        (r["id"], r["name"], f"{r['score']:.0f}", r["layer"], f"{r['readiness']:.0f}", r["last_contact"] or "never",
         "cooling" if r["cooling"] else "")
        for r in rows
    ])


def _show_one(data: dict[str, Any], explain: bool, as_json: bool) -> None:
    if as_json:
        emit_json(data)
        return
    say(f"{data['name']}: {data['score']:.0f}/100, {data['layer']}; readiness {data['readiness']:.0f}"
        + (" (callable)" if data["callable"] else ""))
    if explain:
        for reason in data["reasons"]:
            say(f"  {reason}")
        say("  favour readiness:")
        for reason in data["readiness_reasons"]:
            say(f"    {reason}")


@app.command()
def rescore() -> None:
    """Rebuild every stored tie accumulator from the interaction log."""
    with STATE.session() as session:
        n = tie_states.rebuild_tie_states(session)
    say(f"Rebuilt the ties of {n} people.")
