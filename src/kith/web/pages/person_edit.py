"""Changing people from the web, through the same services as the CLI: edit (fields, identifiers, tags, notes,
cadence, closeness), archive, delete with confirmation, relations, favours, events, the interactions of their
timeline (edit, delete), and merging duplicates.

Every form posts, the service does the work, and the browser is sent back (post/redirect/get) with a message.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from kith.errors import BadInput
from kith.services import dedupe
from kith.services import events as events_svc
from kith.services import favors as favors_svc
from kith.services import interactions as interactions_svc
from kith.services import people as svc
from kith.services import relations as relations_svc
from kith.web.api.common import IdPath
from kith.web.pages.common import (
    KIND_LABELS,
    LOG_KINDS,
    FormCtx,
    PageCtx,
    local_target,
    sentiment_of,
)
from kith.web.render import page, redirect

IdForm = Annotated[int, Form(ge=1, le=2_147_483_647)]  # a stored id, from a form

router = APIRouter()
DUPES_SHOWN = 100
EVENTS_PAGE = 30
Text = Annotated[str, Form(max_length=300)]
LongText = Annotated[str, Form(max_length=5000)]


def _clean(text: str) -> str:
    return text.strip()  # control characters: removed where every text is written (kith.store.typed_text)


def _day(text: str, what: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"cannot read the {what} '{text}' (use YYYY-MM-DD)") from None


def _number(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise BadInput(f"the {what} must be a whole number, not '{text}'") from None


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in _clean(text).replace("\n", ",").split(",") if p.strip())


@router.get("/people/{person_id}/edit", response_class=HTMLResponse)
def edit_page(ctx: PageCtx, person_id: IdPath) -> Response:
    """Everything about a person that can be changed, in one form; archive and delete below it."""
    person = svc.get_person(ctx.session, person_id)
    return page(
        ctx, "person_edit.html", title=f"Edit {person.display_name}", p=person,
        org=person.organization.name if person.organization else "",
        identifiers=svc.shown_identifiers(person), tags=", ".join(t.name for t in person.tags),
        cadence=svc.person_cadence(ctx.session, person),
    )


@router.post("/people/{person_id}/edit")
def edit_person(
    ctx: FormCtx,
    person_id: IdPath,
    name: Text,
    org: Text = "",
    title: Text = "",
    location: Text = "",
    birthday: Annotated[str, Form(max_length=10)] = "",
    met_on: Annotated[str, Form(max_length=10)] = "",
    key: Annotated[str, Form(max_length=3)] = "",
    closeness: Annotated[str, Form(max_length=5)] = "",
    cadence: Annotated[str, Form(max_length=6)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    notes: LongText = "",
    add_email: Annotated[str, Form(max_length=320)] = "",
    add_phone: Annotated[str, Form(max_length=50)] = "",
    add_url: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Save the edit form: the fields, the whole set of tags, closeness and cadence (blank: automatic), new identifiers."""
    person = svc.get_person(ctx.session, person_id)
    close = _number(closeness, "closeness")
    days = _number(cadence, "cadence")
    changed = svc.change_person(ctx.session, person, svc.PersonChanges(
        name=_clean(name), org=_clean(org), title=_clean(title), location=_clean(location), notes=_clean(notes),
        birthday=_clean(birthday) or None, key=key == "1", closeness=close, clear_closeness=close is None,
        met_on=_day(met_on, "date you met"), tags=_split(tags), cadence_days=days, clear_cadence=days is None,
        add_emails=_split(add_email), add_phones=_split(add_phone), add_urls=_split(add_url),
    ), now=ctx.now)
    said = ", ".join(dict.fromkeys(changed)) if changed else "nothing changed"
    return redirect(ctx, f"/people/{person.id}", f"Saved {person.display_name}: {said}.")


@router.post("/people/{person_id}/identifiers/remove")
def remove_identifier(
    ctx: FormCtx, person_id: IdPath, kind: Annotated[str, Form(max_length=20)],
    value: Annotated[str, Form(max_length=500)],
) -> Response:
    """Remove one e-mail address, phone number or link of a person."""
    person = svc.get_person(ctx.session, person_id)
    if not svc.remove_identifier(ctx.session, person, kind, value):
        raise BadInput(f"{person.display_name} has no {kind} '{value}'")
    return redirect(ctx, f"/people/{person.id}/edit", f"Removed {value} from {person.display_name}.")


@router.post("/people/{person_id}/archive")
def archive(ctx: FormCtx, person_id: IdPath, archived: Annotated[str, Form(max_length=1)] = "1") -> Response:
    """Archive a person (hidden from lists, agenda and scores) or restore them."""
    person = svc.get_person(ctx.session, person_id)
    svc.change_person(ctx.session, person, svc.PersonChanges(archived=archived == "1"), now=ctx.now)
    return redirect(ctx, f"/people/{person.id}", f"{'Archived' if person.archived else 'Restored'} {person.display_name}.")


@router.get("/people/{person_id}/delete", response_class=HTMLResponse)
def confirm_delete(ctx: PageCtx, person_id: IdPath) -> Response:
    """Ask before deleting: what goes with the person."""
    person = svc.get_person(ctx.session, person_id)
    return page(ctx, "person_delete.html", title=f"Delete {person.display_name}", p=person)


@router.post("/people/{person_id}/delete")
def delete(ctx: FormCtx, person_id: IdPath, confirm: Annotated[str, Form(max_length=3)] = "") -> Response:
    """Delete a person for good (only with the confirmation the delete page sends)."""
    person = svc.get_person(ctx.session, person_id)
    if confirm != "yes":
        return redirect(ctx, f"/people/{person.id}/delete", "Confirm the deletion first.")
    name = person.display_name
    svc.delete_person(ctx.session, person)
    return redirect(ctx, "/people", f"Deleted {name}.")


@router.post("/people/{person_id}/relations")
def add_relation(
    ctx: FormCtx, person_id: IdPath, kind: Annotated[str, Form(max_length=30)], other: Text,
    reverse: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Link this person to another (``this KIND other``; with ``reverse``, ``other KIND this``)."""
    person = svc.get_person(ctx.session, person_id)
    them = svc.resolve_person(ctx.session, _clean(other))
    src, dst = (them, person) if reverse == "1" else (person, them)
    _rel, new = relations_svc.link(ctx.session, src, kind, dst, now=ctx.now)
    said = f"{src.display_name} {relations_svc.check_relation(kind)} {dst.display_name}"
    return redirect(ctx, f"/people/{person.id}", f"Linked: {said}." if new else f"Already known: {said}.")


@router.post("/people/{person_id}/relations/remove")
def remove_relation(
    ctx: FormCtx, person_id: IdPath, src_id: IdForm, kind: Annotated[str, Form(max_length=30)],
    dst_id: IdForm,
) -> Response:
    """Remove a relation shown on this person's page."""
    person = svc.get_person(ctx.session, person_id)
    if person_id not in (src_id, dst_id):
        raise BadInput("that relation is not this person's")
    src, dst = svc.get_person(ctx.session, src_id), svc.get_person(ctx.session, dst_id)
    relations_svc.unlink(ctx.session, src, kind, dst)
    return redirect(ctx, f"/people/{person.id}", f"Removed: {src.display_name} {kind} {dst.display_name}.")


@router.post("/people/{person_id}/favors")
def add_favor(
    ctx: FormCtx, person_id: IdPath, direction: Annotated[str, Form(max_length=10)], what: Text,
    status: Annotated[str, Form(max_length=10)] = "done", on: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Record a favour given to or received from this person."""
    person = svc.get_person(ctx.session, person_id)
    if not _clean(what):
        raise BadInput("say what the favour was")
    day = _day(on, "date")
    favors_svc.record_favor(ctx.session, person, direction, _clean(what), now=ctx.now, status=status,
                            asked_on=day if status == "asked" else None, done_on=None if status == "asked" else day)
    return redirect(ctx, f"/people/{person.id}", f"Favour {direction} recorded with {person.display_name}.")


@router.post("/favors/{favor_id}/returned")
def favor_returned(ctx: FormCtx, favor_id: IdPath, back: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Mark a favour returned today."""
    favor = favors_svc.get_favor(ctx.session, favor_id)
    favors_svc.edit_favor(ctx.session, favor, favors_svc.FavorChanges(status="returned", returned_on=ctx.now.date()),
                          now=ctx.now)
    return redirect(ctx, local_target(back, f"/people/{favor.person_id}"), "Favour marked returned.")


@router.post("/people/{person_id}/events")
def add_to_event(
    ctx: FormCtx, person_id: IdPath, event: Text, on: Annotated[str, Form(max_length=10)] = "",
    role: Annotated[str, Form(max_length=100)] = "attendee",
) -> Response:
    """Put this person on an event or project (created if new) with a role."""
    person = svc.get_person(ctx.session, person_id)
    if not _clean(event):
        raise BadInput("name the event")
    ev = events_svc.get_or_create_event(ctx.session, _clean(event), on=_day(on, "event date"))
    events_svc.add_member(ctx.session, ev, person, role=_clean(role) or "attendee")
    return redirect(ctx, f"/people/{person.id}", f"{person.display_name} was at {ev.name}.")


@router.get("/events", response_class=HTMLResponse)
def events_page(ctx: PageCtx, page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1) -> Response:
    """Events and projects, newest first, with who was there; new events and people added here."""
    items, total = events_svc.events_with_people(ctx.session, limit=EVENTS_PAGE, offset=(page_no - 1) * EVENTS_PAGE)
    pages = max(1, -(-total // EVENTS_PAGE))
    return page(ctx, "events.html", title="Events", items=items, total=total, page_no=page_no, pages=pages,
                kinds=events_svc.EVENT_KINDS)


@router.post("/events")
def add_event(
    ctx: FormCtx, name: Text, kind: Annotated[str, Form(max_length=10)] = "event",
    starts_on: Annotated[str, Form(max_length=10)] = "", ends_on: Annotated[str, Form(max_length=10)] = "",
    location: Text = "",
) -> Response:
    """Create an event or a project."""
    ev = events_svc.add_event(ctx.session, _clean(name), kind=kind, starts_on=_day(starts_on, "start date"),
                              ends_on=_day(ends_on, "end date"), location=_clean(location))
    return redirect(ctx, f"/events#event-{ev.id}", f"Added {ev.name}.")


@router.post("/events/{event_id}/people")
def add_event_person(
    ctx: FormCtx, event_id: IdPath, who: Text, role: Annotated[str, Form(max_length=100)] = "attendee",
    behind_scenes: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Put someone (a name or #id) on an event or project with a role."""
    ev = events_svc.get_event(ctx.session, event_id)
    person = svc.resolve_person(ctx.session, _clean(who))
    events_svc.add_member(ctx.session, ev, person, role=_clean(role) or "attendee", behind_scenes=behind_scenes == "1")
    return redirect(ctx, f"/events#event-{ev.id}", f"{person.display_name} was at {ev.name}.")


@router.get("/dupes", response_class=HTMLResponse)
def dupes(ctx: PageCtx) -> Response:
    """People who are probably one, most likely first; each pair opens a side-by-side comparison."""
    found = dedupe.find_duplicates(ctx.session)
    return page(ctx, "dupes.html", title="Duplicates", pairs=found[:DUPES_SHOWN], total=len(found))


@router.get("/dupes/compare", response_class=HTMLResponse)
def compare(ctx: PageCtx, keep: Annotated[int, Query(ge=1, le=2_147_483_647)],
            drop: Annotated[int, Query(ge=1, le=2_147_483_647)]) -> Response:
    """Both people side by side and what merging would do; nothing changes until the merge is confirmed."""
    result = dedupe.compare_people(ctx.session, svc.get_person(ctx.session, keep), svc.get_person(ctx.session, drop))
    return page(ctx, "dupes_compare.html", title="Compare", c=result)


@router.post("/dupes/merge")
def merge(ctx: FormCtx, keep: IdForm, drop: IdForm) -> Response:
    """Merge ``drop`` into ``keep`` (everything of ``drop`` survives on ``keep``)."""
    kept = svc.get_person(ctx.session, keep)
    gone = svc.get_person(ctx.session, drop).display_name
    dedupe.merge_people(ctx.session, kept, svc.get_person(ctx.session, drop), now=ctx.now)
    return redirect(ctx, f"/people/{kept.id}", f"Merged {gone} into {kept.display_name}.")


@router.post("/dupes/keep-apart")
def keep_apart(ctx: FormCtx, a: IdForm, b: IdForm) -> Response:
    """Record that ``a`` and ``b`` are two people: the pair is not listed again."""
    first, second = svc.get_person(ctx.session, a), svc.get_person(ctx.session, b)
    new = dedupe.keep_apart(ctx.session, first, second)
    said = "kept apart" if new else "already kept apart"
    return redirect(ctx, "/dupes", f"{first.display_name} and {second.display_name}: two people, {said}.")


@router.get("/interactions/{interaction_id}/edit", response_class=HTMLResponse)
def interaction_form(ctx: PageCtx, interaction_id: IdPath, back: Annotated[str, Query(max_length=200)] = "") -> Response:
    """An interaction's edit and delete forms: their own page, or (to htmx) the forms alone, into a timeline."""
    view = interactions_svc.view_of(interactions_svc.get_interaction(ctx.session, interaction_id))
    values: dict[str, Any] = {"i": view, "back": local_target(back, "/"), "kinds": LOG_KINDS, "kind_labels": KIND_LABELS}
    if ctx.request.headers.get("hx-request"):
        return page(ctx, "_interaction_form.html", **values)
    names = svc.names_of(ctx.session, view.people)
    return page(ctx, "interaction_edit.html", title="Edit an interaction",
                names=[names[pid] for pid in view.people if pid in names], **values)


@router.post("/interactions/{interaction_id}/edit")
def edit_interaction(
    ctx: FormCtx, interaction_id: IdPath,
    kind: Annotated[str, Form(max_length=30)], on: Annotated[str, Form(max_length=10)] = "",
    by: Annotated[str, Form(max_length=10)] = "", sentiment: Annotated[str, Form(max_length=3)] = "",
    note: Annotated[str | None, Form(max_length=5000)] = None, back: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change an interaction of a timeline: kind, day (its time of day kept), who reached out, how it went, note.

    A field the post leaves out (or blank, but for the note) stays as it is."""
    inter = interactions_svc.get_interaction(ctx.session, interaction_id)
    day = _day(on, "date")
    moved = None
    if day is not None and day != inter.occurred_at.date():  # the time of day stays
        moved = inter.occurred_at.replace(year=day.year, month=day.month, day=day.day)
    view = interactions_svc.edit_interaction(ctx.session, inter, interactions_svc.InteractionChanges(
        kind=kind, on=moved, direction=by or None, sentiment=sentiment_of(sentiment),
        note=_clean(note) if note is not None else None))
    return redirect(ctx, local_target(back, "/"), f"Saved the {view.kind} of {inter.occurred_at:%-d %b %Y}.")


@router.post("/interactions/{interaction_id}/delete")
def delete_interaction(ctx: FormCtx, interaction_id: IdPath, back: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Delete an interaction of a timeline (for everyone who took part; undo takes it back)."""
    inter = interactions_svc.get_interaction(ctx.session, interaction_id)
    said = f"Deleted the {inter.kind} of {inter.occurred_at:%-d %b %Y}."
    interactions_svc.delete_interaction(ctx.session, inter)
    return redirect(ctx, local_target(back, "/"), said)
