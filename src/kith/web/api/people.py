"""/api/v1/people: create, read, list (search, filter, sort, paging), change, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from kith.services import people as svc
from kith.services import people_list as listing
from kith.services.person_detail import person_detail
from kith.web.api.common import ApiCtx, IdPath, PagingDep
from kith.web.api.schemas import Page, PersonDetailOut, PersonIn, PersonOut, PersonPatch

router = APIRouter(prefix="/people", tags=["people"])


@router.get("", response_model=Page[PersonOut], summary="List people")
def list_people(
    ctx: ApiCtx,
    paging: PagingDep,
    q: Annotated[str | None, Query(max_length=200, description="Search names, e-mails, org, notes.")] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    org: Annotated[str | None, Query(max_length=300)] = None,
    layer: Annotated[Literal["inner", "close", "active", "meaningful", "acquaintance", "dormant", "new"] | None, Query()] = None,
    key: Annotated[bool | None, Query(description="Only key people.")] = None,
    archived: Annotated[bool, Query(description="Include archived people.")] = False,
    sort: Annotated[Literal["name", "recent", "created", "score"], Query()] = "name",
) -> dict[str, object]:
    """People of your workspace, one page at a time."""
    query = listing.PeopleQuery(q=q, tag=tag, org=org, layer=layer, key=key, archived=archived, sort=sort)
    found = listing.list_people(ctx.session, query, as_of=ctx.now, limit=paging.limit, offset=paging.offset)
    return paging.envelope([p.as_dict() for p in found.items], found.total)


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
    return listing.summary_of(person).as_dict()


@router.get("/{person_id}", response_model=PersonOut, summary="One person")
def get_person(ctx: ApiCtx, person_id: IdPath) -> dict[str, object]:
    """A person of your workspace."""
    return listing.summary_of(svc.get_person(ctx.session, person_id)).as_dict()


@router.get("/{person_id}/detail", response_model=PersonDetailOut, summary="Everything about one person")
def get_person_detail(ctx: ApiCtx, person_id: IdPath) -> dict[str, object]:
    """The person with their cadence, relations, newest interactions and favours (`kith show --json`)."""
    return person_detail(ctx.session, svc.get_person(ctx.session, person_id)).as_dict()


@router.patch("/{person_id}", response_model=PersonOut, summary="Change a person")
def patch_person(ctx: ApiCtx, person_id: IdPath, body: PersonPatch) -> dict[str, object]:
    """Change the fields given; the others stay."""
    person = svc.get_person(ctx.session, person_id)
    fields = body.model_dump(exclude_unset=True)
    changes = svc.PersonChanges(
        name=fields.get("name"), org=fields.get("org"), title=fields.get("title"), location=fields.get("location"),
        notes=fields.get("notes"), birthday=fields.get("birthday"), key=fields.get("key"),
        closeness=fields.get("closeness"), clear_closeness="closeness" in fields and fields["closeness"] is None,
        met_on=fields.get("met_on"), tags=None if fields.get("tags") is None else tuple(fields["tags"]),
        cadence_days=fields.get("cadence_days"),
        clear_cadence="cadence_days" in fields and fields["cadence_days"] is None, archived=fields.get("archived"),
    )
    svc.change_person(ctx.session, person, changes, now=ctx.now)
    ctx.session.refresh(person)
    return listing.summary_of(person).as_dict()


@router.delete("/{person_id}", status_code=204, summary="Delete a person")
def delete_person(ctx: ApiCtx, person_id: IdPath) -> Response:
    """Delete a person and what is only theirs (their interactions with others stay)."""
    svc.delete_person(ctx.session, svc.get_person(ctx.session, person_id))
    return Response(status_code=204)

