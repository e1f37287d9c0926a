"""fewer checks and index entries a row: no index of workspace_id alone where the table's indexes lead with
it, nor of the searched texts; on PostgreSQL no key to workspace on rows that hang from a person or an interaction

``person``, ``identifier``, ``interaction`` and ``tie_state`` each had an index
of ``workspace_id`` alone beside indexes that begin with it (``(workspace_id,
updated_at)``, ``(workspace_id, kind, value_key)``, ``(workspace_id,
occurred_at)``, ``(workspace_id, seq)``), which serve every lookup the lone one
did. Every row written went into it as well: a 30,000-row import wrote about
130,000 index entries for nothing.

``ix_person_ws_search`` (``workspace_id, search_key``) and
``ix_person_name_key`` served no search: a search is ``search_key LIKE
'%word%'`` or ``name_key LIKE '%word%'``, which no B-tree can seek (PostgreSQL
scanned the table, SQLite the table or, for a count, the whole index), and
their entries are the longest of any index (a person's names; name, title,
organisation and addresses), rewritten on every edit of any of them.

On PostgreSQL, ``identifier``, ``interaction_participant`` and ``tie_state``
lose their foreign key ``workspace_id -> workspace``: each hangs from a person
or an interaction by a key that cascades, so it goes with its workspace all
the same, and the check cost the server a locking lookup per row written
(about 5 microseconds: half a second of a 30,000-row import). SQLite keeps
those keys: there a check is an index probe inside the process, and dropping a
key means copying the table.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("person", "identifier", "interaction", "tie_state")
UNDER = ("identifier", "interaction_participant", "tie_state")
SEARCHED = ("ix_person_ws_search", "ix_person_name_key")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_workspace_id", table_name=table)
    for name in SEARCHED:
        op.drop_index(name, table_name="person")
    if op.get_bind().dialect.name == "postgresql":
        for table in UNDER:
            op.drop_constraint(f"fk_{table}_workspace_id_workspace", table, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in UNDER:
            op.create_foreign_key(f"fk_{table}_workspace_id_workspace", table, "workspace", ["workspace_id"], ["id"],
                                  ondelete="CASCADE")
    op.create_index("ix_person_ws_search", "person", ["workspace_id", "search_key"])
    op.create_index("ix_person_name_key", "person", ["name_key"])
    for table in TABLES:
        op.create_index(f"ix_{table}_workspace_id", table, ["workspace_id"])
