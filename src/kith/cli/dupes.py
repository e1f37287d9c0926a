"""CLI: likely duplicates, and merging two people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import JsonOpt, app
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table
from kith.errors import BadInput
from kith.services.people import resolve_person
from kith.services.people_list import summary_of

if TYPE_CHECKING:
    from kith.services import dedupe
else:
    dedupe = lazy_module("kith.services.dedupe")


@app.command()
def dupes(as_json: JsonOpt = False) -> None:
    """List people who are probably the same person, with a confidence and why."""
    with STATE.session() as session:
        found = dedupe.find_duplicates(session)
        rows = [c.as_dict() for c in found]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("No likely duplicates.")
        return
    table("Likely duplicates", ["#A", "A", "#B", "B", "confidence", "why"],
          [(r["a"]["id"], r["a"]["name"], r["b"]["id"], r["b"]["name"], f"{r['confidence']:.0%}",
            "; ".join(r["reasons"])) for r in rows])


@app.command()
def merge(
    keep: Annotated[str, typer.Argument(help="The person to keep (id, e-mail or name).")],
    other: Annotated[str, typer.Argument(help="The person merged into it and removed.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Merge B into A, keeping every field, interaction, relation and provenance."""
    with STATE.session() as session:
        a, b = resolve_person(session, keep), resolve_person(session, other)
        if a.id == b.id:
            raise BadInput("both name the same person")
        if not yes and not typer.confirm(f"Merge #{b.id} {b.display_name} into #{a.id} {a.display_name}?"):
            raise BadInput("not merged")
        b_label = f"#{b.id} {b.display_name}"
        merged = dedupe.merge_people(session, a, b, now=STATE.now)
        data = summary_of(merged).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Merged {b_label} into #{data['id']} {data['name']}")
