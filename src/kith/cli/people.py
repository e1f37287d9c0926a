"""CLI commands about people: add, show, list, find, edit, link, tag, archive, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from kith import clock
from kith.cli.base import JsonOpt, command_group
from kith.cli.context import STATE
from kith.cli.output import emit_json, say, table
from kith.errors import BadInput
from kith.services import events as events_svc
from kith.services import people as svc
from kith.services import people_list as listing
from kith.services import relations as rel_svc
from kith.services.person_detail import person_detail


def parse_cadence(text: str | None) -> int | None:
    """``30`` or ``30d``, ``2w``, ``3m`` as a number of days."""
    if text is None:
        return None
    if text.strip().isdigit():
        return int(text)
    return clock.parse_span(text).days


commands = command_group()


@commands.command()
def add(
    name: Annotated[str, typer.Argument(help="Full name.")],
    email: Annotated[list[str] | None, typer.Option("--email", help="E-mail (repeatable).")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="Phone (repeatable).")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Profile URL (repeatable).")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation.")] = None,
    title: Annotated[str, typer.Option("--title", help="Role or job title.")] = "",
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")] = None,
    met_at: Annotated[str | None, typer.Option("--met-at", help="Event where you met.")] = None,
    met_on: Annotated[str | None, typer.Option("--met-on", help="Date you met.")] = None,
    introduced_by: Annotated[str | None, typer.Option("--introduced-by", help="Who introduced you.")] = None,
    cadence: Annotated[str | None, typer.Option("--cadence", help="Keep in touch every N days (or 2w, 3m).")] = None,
    key: Annotated[bool, typer.Option("--key", help="A key person.")] = False,
    note: Annotated[str, typer.Option("--note", help="Notes.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Add a person."""
    now = STATE.now
    with STATE.session() as session:
        met_day = clock.parse_when(met_on, now=now).date() if met_on else None
        event = events_svc.get_or_create_event(session, met_at, on=met_day) if met_at else None
        intro = svc.resolve_person(session, introduced_by) if introduced_by else None
        person = svc.add_person(
            session,
            svc.NewPerson(
                name=name, emails=email or [], phones=phone or [], urls=url or [], org=org,
                title=title, tags=tag or [], notes=note, met_at=event,
                met_on=met_day or (event.starts_on if event else None), introduced_by=intro,
                cadence_days=parse_cadence(cadence), key=key,
            ),
            now=now,
        )
        if event is not None:
            events_svc.add_member(session, event, person, role="met")
        if intro is not None:
            rel_svc.link(session, person, "introduced-by", intro, now=now)
        session.flush()
        data = listing.summary_of(person).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Added #{data['id']} {data['name']}")


@commands.command()
def show(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    as_json: JsonOpt = False,
) -> None:
    """Show everything about one person."""
    with STATE.session() as session:
        detail = person_detail(session, svc.resolve_person(session, person))
    if as_json:
        emit_json(detail.as_dict())
        return
    p = detail.person
    say(f"#{p.id} {p.name}" + (" ★ key" if p.key else ""))
    for label, text in (("org", p.org), ("title", p.title), ("location", p.location), ("notes", p.notes)):
        if text:
            say(f"  {label}: {text}")
    for label, values in (("e-mail", p.emails), ("phone", p.phones), ("url", p.urls), ("tags", p.tags)):
        if values:
            say(f"  {label}: {', '.join(values)}")
    if detail.cadence_days:
        say(f"  cadence: every {detail.cadence_days} days")
    for r in detail.relations:
        say(f"  {r.src_name} {r.kind} {r.dst_name}")
    if detail.interactions:
        table("Recent interactions", ["on", "kind", "by", "sentiment", "with", "note"], [
            (i.on.date().isoformat(), i.kind, i.direction, i.sentiment, ", ".join(i.names or ()), i.note)
            for i in detail.interactions
        ])


@commands.command("list")
def list_(
    tag: Annotated[str | None, typer.Option("--tag", help="Only people with this tag.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only people at this organisation.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="inner, close, active, meaningful, acquaintance, dormant or new.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="name, org, recent, created or score.")] = "name",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Include archived people.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List people, filtered and sorted."""
    query = listing.PeopleQuery(tag=tag, org=org, layer=layer, archived=archived, sort=sort)
    with STATE.session() as session:
        found = listing.list_people(session, query, as_of=STATE.now, limit=limit)
    _print_people(found.items, as_json)


def _print_people(rows: list[listing.PersonSummary], as_json: bool) -> None:
    if as_json:
        emit_json([r.as_dict() for r in rows])
        return
    table(None, ["id", "name", "org", "title", "tags"], [(r.id, r.name, r.org or "", r.title, ", ".join(r.tags)) for r in rows])


@commands.command()
def find(
    query: Annotated[str, typer.Argument(help="Words to look for in names, e-mails, org, notes.")],
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Find people (accent- and case-insensitive)."""
    if not query.split():
        raise BadInput("give something to search for")
    with STATE.session() as session:
        found = listing.list_people(session, listing.PeopleQuery(q=query), as_of=STATE.now, limit=limit)
    _print_people(found.items, as_json)


@commands.command()
def edit(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="Add an e-mail.")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="Add a phone.")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Add a URL.")] = None,
    remove_email: Annotated[list[str] | None, typer.Option("--remove-email", help="Remove an e-mail.")] = None,
    remove_phone: Annotated[list[str] | None, typer.Option("--remove-phone", help="Remove a phone.")] = None,
    remove_url: Annotated[list[str] | None, typer.Option("--remove-url", help="Remove a URL or profile link.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Organisation ('' to clear).")] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    location: Annotated[str | None, typer.Option("--location")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Replace the notes.")] = None,
    birthday: Annotated[str | None, typer.Option("--birthday", help="YYYY-MM-DD or --MM-DD.")] = None,
    key: Annotated[bool | None, typer.Option("--key/--not-key")] = None,
    closeness: Annotated[int | None, typer.Option("--closeness", help="Manual closeness 0-100 (wins over the score).")] = None,
    cadence: Annotated[str | None, typer.Option("--cadence", help="Keep in touch every N days; 'none' to clear.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a person's details."""
    changes = svc.PersonChanges(
        name=name, org=org, title=title, location=location, notes=note, birthday=birthday, key=key,
        closeness=closeness, add_emails=tuple(email or ()), add_phones=tuple(phone or ()), add_urls=tuple(url or ()),
        cadence_days=None if cadence is None or cadence.lower() == "none" else parse_cadence(cadence),
        clear_cadence=cadence is not None and cadence.lower() == "none",
        remove_identifiers=tuple((kind, v) for kind, values in (("email", remove_email), ("phone", remove_phone),
                                                                ("url", remove_url)) for v in values or ()),
    )
    with STATE.session() as session:
        p = svc.resolve_person(session, person)
        changed = svc.change_person(session, p, changes, now=STATE.now)
        data = listing.summary_of(p).as_dict()
    if as_json:
        emit_json(data)
    else:
        say(f"Updated #{data['id']} {data['name']}: {', '.join(changed) or 'nothing changed'}")


@commands.command()
def link(
    person: Annotated[str, typer.Argument(help="The first person.")],
    relation: Annotated[str, typer.Argument(help="assistant-of, works-with, reports-to, introduced-by, referred-by, knows, partner-of")],
    other: Annotated[str, typer.Argument(help="The second person.")],
    note: Annotated[str, typer.Option("--note")] = "",
    remove: Annotated[bool, typer.Option("--remove", help="Remove this relation instead.")] = False,
) -> None:
    """Record a relation: PERSON RELATION PERSON (e.g. 'Ana assistant-of Bea')."""
    with STATE.session() as session:
        a = svc.resolve_person(session, person)
        b = svc.resolve_person(session, other)
        if remove:
            gone = rel_svc.unlink(session, a, relation, b)
            say(f"Removed: {a.display_name} {relation} {b.display_name}" if gone else "No such relation.")
            return
        rel, new = rel_svc.link(session, a, relation, b, now=STATE.now, note=note)
        say(f"{'Linked' if new else 'Already linked'}: {a.display_name} {rel.kind} {b.display_name}")


@commands.command()
def tag(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    tags: Annotated[list[str], typer.Argument(help="Tags to add (or remove with --remove).")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove these tags.")] = False,
) -> None:
    """Tag a person (or remove tags)."""
    with STATE.session() as session:
        p = svc.resolve_person(session, person)
        if remove:
            done = svc.untag_person(session, p, tags)
            say(f"Removed from {p.display_name}: {', '.join(done) or 'none of those tags'}")
        else:
            done = svc.tag_person(session, p, tags)
            say(f"Tagged {p.display_name}: {', '.join(done) or 'already had those tags'}")


@commands.command()
def archive(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    undo: Annotated[bool, typer.Option("--undo", help="Restore an archived person.")] = False,
) -> None:
    """Archive a person (kept, but out of lists, scores and the agenda)."""
    with STATE.session() as session:
        p = svc.resolve_person(session, person)  # archived people too, by id or e-mail
        svc.archive_person(p, archived=not undo, now=STATE.now)
        say(f"{'Restored' if undo else 'Archived'} #{p.id} {p.display_name}")


@commands.command()
def delete(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Delete a person and their own data for good."""
    with STATE.session() as session:
        p = svc.resolve_person(session, person)
        label = f"#{p.id} {p.display_name}"
        if not yes and not typer.confirm(f"Delete {label} and their history?", default=False):
            say("Nothing deleted.")
            return
        svc.delete_person(session, p)
    say(f"Deleted {label}")
