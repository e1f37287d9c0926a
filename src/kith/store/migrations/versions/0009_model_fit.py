"""model_fit: a personal fit of contact likelihood's weights, one per workspace

``kith model`` fits the weights of contact likelihood on the workspace's own
log (kith.engine.fit) and keeps the outcome here: when, at what size of the
log, whether the fit is in use (it beat the defaults on a held-out window),
the weights and the held-out AUCs (``data``, JSON). Scores read it to use
the fitted weights. Its changes move ``data_version`` like the rest of the
workspace's data, so cached views of the scores notice a new fit.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ROWS = {"insert": "NEW.workspace_id", "delete": "OLD.workspace_id", "update": "OLD.workspace_id, NEW.workspace_id"}
_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def upgrade() -> None:
    op.create_table(
        "model_fit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("participations", sa.BigInteger(), nullable=False),
        sa.Column("in_use", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_model_fit_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_fit")),
    )
    op.create_index("ix_model_fit_workspace_id", "model_fit", ["workspace_id"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for on, rows in _ROWS.items():
        if sqlite:
            op.execute(f"CREATE TRIGGER data_version_model_fit_{on} AFTER {on.upper()} ON model_fit BEGIN "
                       f"UPDATE data_version SET changes = changes + 1 WHERE workspace_id IN ({rows}); END")
        else:  # the functions are migration 0006's
            op.execute(f"CREATE TRIGGER data_version_model_fit_{on} AFTER {on.upper()} ON model_fit "
                       f"{_PG_REFERENCING[on]} FOR EACH STATEMENT EXECUTE FUNCTION data_version_{on}()")


def downgrade() -> None:
    op.drop_table("model_fit")  # its triggers go with it
