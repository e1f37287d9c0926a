"""Organisations: found by folded name, created on first mention."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.errors import BadInput
from kith.normalize import fold
from kith.store.models import Organization


def get_or_create_org(
    session: Session, name: str, *, industry: str | None = None, domain: str | None = None
) -> Organization:
    """The organisation called ``name`` (accent/case-insensitive), created if new."""
    clean = " ".join(name.split())
    if not clean:
        raise BadInput("an organisation needs a name")
    key = fold(clean)
    org = session.scalars(select(Organization).where(Organization.name_key == key)).first()
    if org is None:
        org = Organization(name=clean, name_key=key, industry=industry, domain=domain, note="")
        session.add(org)
        session.flush()
    else:
        if industry and not org.industry:
            org.industry = industry
        if domain and not org.domain:
            org.domain = domain
    return org


def find_org(session: Session, name: str) -> Organization | None:
    """The organisation called ``name``, or None."""
    return session.scalars(select(Organization).where(Organization.name_key == fold(name))).first()


def org_as_dict(org: Organization) -> dict[str, object]:
    """JSON form of an organisation."""
    return {"id": org.id, "name": org.name, "domain": org.domain, "industry": org.industry}
