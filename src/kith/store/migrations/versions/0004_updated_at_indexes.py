"""Indexes on (workspace_id, updated_at) of person and tie_state

The web app's data version reads the newest ``updated_at`` of both tables
about once a second per worker (kith.web.insight.full_version). Without an
index that is a scan of every row: 16 ms of the 27 ms the version took at
30,000 people, and several percent of a web worker's time under load. With
one it is a lookup at the end of an index.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = (("ix_person_ws_updated", "person"), ("ix_tie_state_ws_updated", "tie_state"))


def upgrade() -> None:
    for name, table in INDEXES:
        op.create_index(name, table, ["workspace_id", "updated_at"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    ).first() is not None:
        # Statistics for the new indexes like the others have (kith.web.app.planner_statistics), of
        # the whole table: statistics for the new index alone, beside none for the table's older
        # workspace index, made SQLite prefer the older one and scan.
        for _name, table in INDEXES:
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for name, table in INDEXES:
        op.drop_index(name, table_name=table)
