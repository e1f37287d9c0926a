"""tie_state keeps packed float vectors instead of JSON, and the agenda's latest moments

The table is derived data (rebuilt from the interaction log on demand), so it
is recreated empty rather than converted.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MARKS = ("last_any", "last_thanks_given", "last_negative", "last_favor_received", "last_referral_in", "last_intro_in")


def upgrade() -> None:
    op.drop_table("tie_state")
    op.create_table(
        "tie_state",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("layout", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("last_sentiment", sa.Integer(), nullable=False),
        *[sa.Column(name, sa.Float(), nullable=True) for name in MARKS],
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_tie_state_person_id_person"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_tie_state_workspace_id_workspace"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_tie_state")),
    )
    with op.batch_alter_table("tie_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_state_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    op.drop_table("tie_state")
    op.create_table(
        "tie_state",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_tie_state_person_id_person"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_tie_state_workspace_id_workspace"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_tie_state")),
    )
    with op.batch_alter_table("tie_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_state_workspace_id"), ["workspace_id"], unique=False)
