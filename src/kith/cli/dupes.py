"""CLI: likely duplicates, and merging two people."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.lazy import lazy_module
from kith.cli.output import emit_json, say, table, warn
from kith.errors import BadInput
from kith.services.people import resolve_person
from kith.services.people_list import summary_of

if TYPE_CHECKING:
    from kith.services import dedupe
else:
    dedupe = lazy_module("kith.services.dedupe")


commands = command_group()


@commands.command()
def dupes(
    all_pairs: Annotated[bool, typer.Option("--all", help="Also list namesakes the evidence says are two people.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List people who are probably the same person, with a confidence, why, and what each is known by.

    Settle a pair with `kith merge A B` (one person) or `kith keep-apart A B` (two people).
    """
    with STATE.session() as session:
        found = dedupe.find_duplicates(session, include_conflicts=all_pairs)
    if as_json:
        emit_json([c.as_dict() for c in found])
        return
    if not found:
        say("No likely duplicates.")
        return
    table("Likely duplicates", ["#A", "A", "#B", "B", "confidence", "why"],
          [(c.a.id, _known_by(c.a.name, c, 1), c.b.id, _known_by(c.b.name, c, 2),
            f"{c.confidence:.0%}" + (" (two people)" if c.conflict else ""), "; ".join(c.reasons)) for c in found])
    say("Merge a pair: kith merge A B. Keep two people apart: kith keep-apart A B.")


def _known_by(name: str, c: dedupe.Candidate, side: int) -> str:
    return "\n".join([name, *(f"{row[0]}: {row[side]}" for row in c.evidence if row[side])])


@commands.command(name="keep-apart")
def keep_apart(
    a: Annotated[str, typer.Argument(help="One person (id, e-mail or name).")],
    b: Annotated[str, typer.Argument(help="The other.")],
) -> None:
    """Say that two people listed by `kith dupes` are two people: they are not listed again."""
    with STATE.session() as session:
        first, second = resolve_person(session, a), resolve_person(session, b)
        new = dedupe.keep_apart(session, first, second)
        label = f"#{first.id} {first.display_name} and #{second.id} {second.display_name}"
    say(f"Kept apart: {label}" if new else f"Already kept apart: {label}")


@commands.command()
def merge(
    keep: Annotated[str, typer.Argument(help="The person to keep (id, e-mail or name).")],
    other: Annotated[str, typer.Argument(help="The person merged into it and removed.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what the merge would do; change nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Merge B into A, keeping every field, interaction, relation and provenance."""
    with STATE.session() as session:
        a, b = resolve_person(session, keep), resolve_person(session, other)
        if a.id == b.id:
            raise BadInput("both name the same person")
        if dry_run or not yes:
            preview = dedupe.preview_merge(session, a, b)
            if dry_run and as_json:
                emit_json(preview.as_dict())
                return
            _print_preview(preview, say if dry_run else warn)  # stdout stays for the answer
            if dry_run:
                return
            if not typer.confirm(f"Merge #{b.id} {b.display_name} into #{a.id} {a.display_name}?"):
                raise BadInput("not merged")
        b_label = f"#{b.id} {b.display_name}"
        merged = dedupe.merge_people(session, a, b, now=STATE.now)
        data = summary_of(merged).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Merged {b_label} into #{data['id']} {data['name']}")


def _print_preview(p: dedupe.MergePreview, say: Callable[[str], None]) -> None:
    say(f"Merging #{p.drop.id} {p.drop.name} into #{p.keep.id} {p.keep.name} would:")
    for line in p.taken:
        say(f"  take {line}")
    if p.noted:
        say(f"  note {'; '.join(p.noted)}")
    for value in p.identifiers:
        say(f"  add {value}")
    if p.tags:
        say(f"  tag {', '.join(p.tags)}")
    say(f"  move {p.interactions} interactions, {p.relations} relations, {p.favors} favours")
