"""tie_state keeps one record per person: the accumulators and their bookkeeping in one blob

A person's stored tie state was a packed vector plus eight columns (the rows
folded in, the layout, the newest sentiment, six latest moments). Reading
30,000 of them took 0.21 s on SQLite, most of it making a Python object of
every column of every row; one blob per person reads in 0.03 s. ``seq`` says
which write made a record (kith.services.tie_states: a long-lived process
reads only the records written since its last read). The table is
derived data, rebuilt from the interaction log on the next read, so it is
recreated empty rather than converted.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MARKS = ("last_any", "last_thanks_given", "last_negative", "last_favor_received", "last_referral_in", "last_intro_in")


def _create(columns: list[sa.Column[Any]]) -> None:
    op.create_table(
        "tie_state",
        sa.Column("person_id", sa.Integer(), nullable=False),
        *columns,
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_tie_state_person_id_person"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_tie_state_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_tie_state")),
    )
    op.create_index("ix_tie_state_workspace_id", "tie_state", ["workspace_id"])
    op.create_index("ix_tie_state_ws_updated", "tie_state", ["workspace_id", "updated_at"])


def upgrade() -> None:
    op.drop_table("tie_state")
    _create([sa.Column("vector", sa.LargeBinary(), nullable=False),
             sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0")])
    op.create_index("ix_tie_state_ws_seq", "tie_state", ["workspace_id", "seq"])


def downgrade() -> None:
    op.drop_table("tie_state")
    _create([
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("layout", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("last_sentiment", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in MARKS),
    ])
