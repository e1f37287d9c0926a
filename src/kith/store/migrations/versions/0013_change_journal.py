"""change journal: the last changes of each workspace, row images before and after, for undo

``change`` keeps one row per labelled change (a service use case run inside
``kith.store.journal.change``): its label, when, its status (done, undone, or
opaque when it cannot be undone row by row) and the rows it touched as
``[table, primary key, before, after]``. Only the last 50 of a workspace are
kept. Its writes do not move the data version: they change no figure.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name="fk_change_workspace_id_workspace",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_change"),
    )
    op.create_index("ix_change_workspace_id", "change", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_change_workspace_id", table_name="change")
    op.drop_table("change")
