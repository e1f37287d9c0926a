"""every foreign key's column leads an index: deleting a row no longer scans the tables that point at it

A database checks, for each row deleted, the rows of other tables that point
at it (to refuse, cascade or set them to NULL). Where the pointing column leads
no index, that check reads the whole table, once per deleted row: undoing a
40,000-person import on PostgreSQL read the person table 40,000 times (for
``person.introduced_by_id``) and ran for minutes; deleting interactions read
``sync_item`` once each.

The columns are mostly empty (who introduced someone, the event a meeting
belonged to), so most of the indexes are partial, over the rows that hold a
value: they cost an insert nothing when the value is NULL, and a lookup by
value (``col = ?``, what the checks run) implies ``col IS NOT NULL`` on both
PostgreSQL and SQLite, so they serve it.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# (table, column): indexed where the column holds a value.
SPARSE = (
    ("person", "introduced_by_id"),
    ("person", "met_at_event_id"),
    ("interaction", "event_id"),
    ("favor", "event_id"),
    ("opportunity", "goal_id"),
    ("opportunity", "organization_id"),
    ("sync_item", "interaction_id"),
    ("sync_conflict", "person_id"),
    ("api_token", "user_id"),
)
# (table, column): never NULL.
WHOLE = (
    ("sync_conflict", "account_id"),
    ("membership", "user_id"),
)


def upgrade() -> None:
    for table, column in SPARSE:
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(f"ix_{table}_{column}", table, [column], postgresql_where=where, sqlite_where=where)
    for table, column in WHOLE:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in (*SPARSE, *WHOLE):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
