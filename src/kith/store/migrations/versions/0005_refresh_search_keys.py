"""Recompute every person's folded name and search text

Before this version, people created by an import kept the search text of
their name alone: the e-mail addresses, profile URLs and nickname the import
added afterwards were not searchable (``kith find``, the web's search).
Identifiers now refresh it whenever they are added; this recomputes it for
the people already stored. The rule is copied here as it was when this
migration was written (a migration never imports Kith's live code: its
meaning must not change when the service does).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from alembic import op
from unidecode import unidecode

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SEARCHED_IDENTIFIERS = ("email", "linkedin", "url")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Accent- and case-free text with single spaces (kith.normalize.fold as of this migration)."""
    return _SPACES.sub(" ", unidecode(text or "").lower()).strip()


def folded_keys(
    display_name: str, nickname: str, title: str, location: str, notes: str,
    identifiers: Iterable[tuple[str, str]], org_name: str | None,
) -> tuple[str, str]:
    """The folded name and search text (kith.services.people.folded_keys as of this migration)."""
    parts = [display_name, nickname, title, location, notes]
    parts += [value for kind, value in identifiers if kind in SEARCHED_IDENTIFIERS]
    if org_name:
        parts.append(org_name)
    return fold(f"{display_name} {nickname}"), fold(" | ".join(p for p in parts if p))


person = sa.table("person", sa.column("id"), sa.column("display_name"), sa.column("nickname"), sa.column("title"),
                  sa.column("location"), sa.column("notes"), sa.column("organization_id"), sa.column("name_key"),
                  sa.column("search_key"))
organization = sa.table("organization", sa.column("id"), sa.column("name"))
identifier = sa.table("identifier", sa.column("id"), sa.column("person_id"), sa.column("kind"), sa.column("value"))


def upgrade() -> None:
    bind = op.get_bind()
    orgs = dict(bind.execute(sa.select(organization.c.id, organization.c.name)).all())
    idents: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pid, kind, value in bind.execute(
        sa.select(identifier.c.person_id, identifier.c.kind, identifier.c.value)
        .where(identifier.c.kind.in_(SEARCHED_IDENTIFIERS)).order_by(identifier.c.id)
    ):
        idents[pid].append((kind, value))
    changed = []
    for row in bind.execute(sa.select(person)):
        keys = folded_keys(row.display_name, row.nickname, row.title, row.location, row.notes, idents.get(row.id, ()),
                           orgs.get(row.organization_id))
        if keys != (row.name_key, row.search_key):
            changed.append({"pid": row.id, "name_key": keys[0], "search_key": keys[1]})
    if changed:
        bind.execute(person.update().where(person.c.id == sa.bindparam("pid"))
                     .values(name_key=sa.bindparam("name_key"), search_key=sa.bindparam("search_key")), changed)


def downgrade() -> None:
    pass  # derived text: the older search text is not worth restoring
