"""/api/v1/people: create, read, list (search, filter, sort, paging), change, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kith.services import people as svc
from kith.web import insight
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import Page, PersonIn, PersonOut, PersonPatch
from kith.web.queries import PeopleFilter, people_page

router = APIRouter(prefix="/people", tags=["people"])


@router.get("", response_model=Page[PersonOut], summary="List people")
def list_people(
    ctx: ApiCtx,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$", description="Search names, e-mails, org, notes.")] = None,
    tag: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    org: Annotated[str | None, Query(max_length=300, pattern=r"^[^\x00]*$")] = None,
    layer: Annotated[Literal["inner", "close", "active", "meaningful", "acquaintance", "dormant"] | None, Query()] = None,
    key: Annotated[bool | None, Query(description="Only key people.")] = None,
    archived: Annotated[bool, Query(description="Include archived people.")] = False,
    sort: Annotated[Literal["name", "recent", "created", "score"], Query()] = "name",
) -> dict[str, object]:
    """People of your workspace, one page at a time."""
    flt = PeopleFilter(q=q, tag=tag, org=org, layer=layer, key=key, archived=archived, sort=sort)
    rows, total = people_page(ctx.session, flt, limit=paging.limit, offset=paging.offset, as_of=ctx.now)
    return {"items": [svc.person_as_dict(p) for p in rows], "total": total, "limit": paging.limit, "offset": paging.offset}


@router.post("", status_code=201, response_model=PersonOut, summary="Add a person")
def create_person(ctx: ApiCtx, body: PersonIn) -> dict[str, object]:
    """Create a person; answers the new person with its ``id``."""
    person = svc.add_person(
        ctx.session,
        svc.NewPerson(
            name=body.name, emails=body.emails, phones=body.phones, urls=body.urls, org=body.org,
            title=body.title, tags=body.tags, location=body.location, notes=body.notes,
            met_on=body.met_on, cadence_days=body.cadence_days, key=body.key, closeness=body.closeness,
        ),
        now=ctx.now,
    )
    ctx.session.flush()
    ctx.session.refresh(person)
    insight.forget(ctx.session)
    return svc.person_as_dict(person)


@router.get("/{person_id}", response_model=PersonOut, summary="One person")
def get_person(ctx: ApiCtx, person_id: IdPath) -> dict[str, object]:
    """A person of your workspace."""
    return svc.person_as_dict(svc.get_person(ctx.session, person_id))


@router.patch("/{person_id}", response_model=PersonOut, summary="Change a person")
def patch_person(ctx: ApiCtx, person_id: IdPath, body: PersonPatch) -> dict[str, object]:
    """Change the fields given; the others stay."""
    person = svc.get_person(ctx.session, person_id)
    fields = body.model_dump(exclude_unset=True)
    archived = fields.pop("archived", None)
    tags = fields.pop("tags", None)
    has_cadence = "cadence_days" in fields
    cadence = fields.pop("cadence_days", None)
    if fields.get("closeness", 0) is None:
        fields["closeness"] = ""
    svc.edit_person(ctx.session, person, fields, now=ctx.now)
    if archived is not None:
        svc.archive_person(person, archived=archived, now=ctx.now)
    if tags is not None:
        svc.untag_person(ctx.session, person, [t.name for t in person.tags])
        svc.tag_person(ctx.session, person, tags)
    if has_cadence:
        svc.set_person_cadence(ctx.session, person, cadence)
    ctx.session.flush()
    ctx.session.refresh(person)
    insight.forget(ctx.session)
    return svc.person_as_dict(person)


@router.delete("/{person_id}", status_code=204, summary="Delete a person")
def delete_person(ctx: ApiCtx, person_id: IdPath) -> Response:
    """Delete a person and what is only theirs (their interactions with others stay)."""
    svc.delete_person(ctx.session, svc.get_person(ctx.session, person_id))
    insight.forget(ctx.session)
    return Response(status_code=204)
