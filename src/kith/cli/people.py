"""CLI commands about people: add, show, list, find, edit, link, tag, archive, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.orm import Session

from kith import clock
from kith.cli.base import JsonOpt, app
from kith.cli.context import STATE
from kith.cli.output import emit_json, say, table
from kith.errors import BadInput
from kith.services import events as events_svc
from kith.services import people as svc
from kith.services import relations as rel_svc
from kith.services.favors import FavorView, favors_of
from kith.services.interactions import interaction_as_dict, interactions_of
from kith.store.models import Person

if TYPE_CHECKING:
    from kith.services.scores import PersonTie


def parse_cadence(text: str | None) -> int | None:
    """``30`` or ``30d``, ``2w``, ``3m`` as a number of days."""
    if text is None:
        return None
    if text.strip().isdigit():
        return int(text)
    return clock.parse_span(text).days


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    from sqlalchemy import select

    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all()
    return {pid: name for pid, name in rows}


@app.command()
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
        data = svc.person_as_dict(person)
    if as_json:
        emit_json(data)
    else:
        say(f"Added #{data['id']} {data['name']}")


@app.command()
def show(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    as_json: JsonOpt = False,
) -> None:
    """Show everything about one person."""
    with STATE.session() as session:
        p = svc.resolve_person(session, person)
        rels = rel_svc.relations_of(session, p)
        inters = interactions_of(session, p, limit=20)
        ids = {r.src_id for r in rels} | {r.dst_id for r in rels}
        ids |= {pp.person_id for i in inters for pp in i.participants}
        names = _names(session, ids)
        data = svc.person_as_dict(p)
        data["cadence_days"] = svc.person_cadence(session, p)
        data["relations"] = [rel_svc.RelationView.of(r, names).as_dict() for r in rels]
        data["interactions"] = [interaction_as_dict(i, names) for i in inters]
        data["favors"] = [FavorView.of(f).as_dict() for f in favors_of(session, p)]
    if as_json:
        emit_json(data)
        return
    say(f"#{data['id']} {data['name']}" + (" ★ key" if data["key"] else ""))
    for label, field in (("org", "org"), ("title", "title"), ("location", "location"), ("notes", "notes")):
        if data[field]:
            say(f"  {label}: {data[field]}")
    for label, field in (("e-mail", "emails"), ("phone", "phones"), ("url", "urls"), ("tags", "tags")):
        if data[field]:
            say(f"  {label}: {', '.join(data[field])}")
    if data["cadence_days"]:
        say(f"  cadence: every {data['cadence_days']} days")
    for r in data["relations"]:
        say(f"  {r['src_name']} {r['kind']} {r['dst_name']}")
    if data["interactions"]:
        table("Recent interactions", ["on", "kind", "by", "sentiment", "with", "note"], [
            (i["on"][:10], i["kind"], i["direction"], i["sentiment"], ", ".join(i["names"]), i["note"])
            for i in data["interactions"]
        ])


@app.command("list")
def list_(
    tag: Annotated[str | None, typer.Option("--tag", help="Only people with this tag.")] = None,
    org: Annotated[str | None, typer.Option("--org", help="Only people at this organisation.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="inner, close, active, meaningful, acquaintance or dormant.")] = None,
    sort: Annotated[str, typer.Option("--sort", help="name, org, recent, created or score.")] = "name",
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Include archived people.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List people, filtered and sorted."""
    from kith.cli.scores import check_layer

    check_layer(layer)
    with STATE.session() as session:
        ties: Mapping[int, PersonTie] = {}
        if layer or sort == "score":  # scoring loads the engine: only when asked for
            from kith.services.scores import tie_scores

            ties = tie_scores(session, STATE.now)
        ids = [pid for pid, t in ties.items() if t.layer == layer] if layer else None
        query = svc.PeopleQuery(tag=tag, org=org, sort="name" if sort == "score" else sort,
                                limit=None if sort == "score" else limit, include_archived=archived, person_ids=ids)
        rows = svc.list_people_dicts(session, query)
        if sort == "score":
            rows = sorted(rows, key=lambda r: -ties[r["id"]].score if r["id"] in ties else 1.0)[:limit]
    _print_people(rows, as_json)


def _print_people(rows: list[dict[str, object]], as_json: bool) -> None:
    if as_json:
        emit_json(rows)
        return
    table(None, ["id", "name", "org", "title", "tags"], [
        (r["id"], r["name"], r["org"] or "", r["title"], ", ".join(r["tags"]))  # type: ignore[arg-type]
        for r in rows
    ])


@app.command()
def find(
    query: Annotated[str, typer.Argument(help="Words to look for in names, e-mails, org, notes.")],
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Find people (accent- and case-insensitive)."""
    with STATE.session() as session:
        rows = [svc.person_as_dict(p) for p in svc.find_people(session, query, limit=limit)]
    _print_people(rows, as_json)


@app.command()
def edit(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    name: Annotated[str | None, typer.Option("--name")] = None,
    email: Annotated[list[str] | None, typer.Option("--email", help="Add an e-mail.")] = None,
    phone: Annotated[list[str] | None, typer.Option("--phone", help="Add a phone.")] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="Add a URL.")] = None,
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
    now = STATE.now
    with STATE.session() as session:
        p = svc.resolve_person(session, person)
        changes = {"name": name, "org": org, "title": title, "location": location, "notes": note,
                   "birthday": _check_birthday(birthday), "key": key, "closeness": closeness}
        changed = svc.edit_person(session, p, changes, now=now)
        for kind, values in (("email", email), ("phone", phone)):
            for v in values or []:
                if svc.add_identifier(session, p, kind, v):
                    changed.append(kind)
        for v in url or []:
            if svc.add_identifier(session, p, svc._url_kind(v), v):
                changed.append("url")
        if cadence is not None:
            svc.set_person_cadence(session, p, None if cadence.lower() == "none" else parse_cadence(cadence))
            changed.append("cadence")
        svc.refresh_search_key(p)
        session.flush()
        data = svc.person_as_dict(p)
    if as_json:
        emit_json(data)
    else:
        say(f"Updated #{data['id']} {data['name']}: {', '.join(changed) or 'nothing changed'}")


def _check_birthday(text: str | None) -> str | None:
    import re

    if text is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}|--\d{2}-\d{2}", text.strip()):
        return text.strip()
    raise BadInput(f"cannot read the birthday '{text}' (use YYYY-MM-DD or --MM-DD)")


@app.command()
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


@app.command()
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


@app.command()
def archive(
    person: Annotated[str, typer.Argument(help="Id, e-mail or part of the name.")],
    undo: Annotated[bool, typer.Option("--undo", help="Restore an archived person.")] = False,
) -> None:
    """Archive a person (kept, but out of lists, scores and the agenda)."""
    with STATE.session() as session:
        p = svc.resolve_person(session, person)  # archived people too, by id or e-mail
        svc.archive_person(p, archived=not undo, now=STATE.now)
        say(f"{'Restored' if undo else 'Archived'} #{p.id} {p.display_name}")


@app.command()
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
