"""import_run: what each import added and changed (for undo); kept_apart: pairs a person said are two people

``import_run.undo`` holds the ids an import added (as [first, last] runs) and
the values it replaced, with a fingerprint of every person it added, so that
``kith import undo RUN`` removes exactly that and can tell whether anything
was edited since; ``status`` is ``done`` or ``undone``. ``kept_apart`` holds
the pairs `kith dupes --apart A B` (or the web) settled as two people, so
that they are no longer listed as likely duplicates; it is workspace data and
moves the data version like the other tables (migration 0006).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
_SQLITE_ROWS = {"insert": "NEW.workspace_id", "delete": "OLD.workspace_id", "update": "OLD.workspace_id, NEW.workspace_id"}


def upgrade() -> None:
    with op.batch_alter_table("import_run") as batch:
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="done"))
        batch.add_column(sa.Column("undo", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "kept_apart",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("a_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("b_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.UniqueConstraint("workspace_id", "a_id", "b_id"),
    )
    bind = op.get_bind()
    for on in ("insert", "update", "delete"):
        if bind.dialect.name == "postgresql":
            op.execute(f"CREATE TRIGGER data_version_kept_apart_{on} AFTER {on.upper()} ON kept_apart "
                       f"{_PG_REFERENCING[on]} FOR EACH STATEMENT EXECUTE FUNCTION data_version_{on}()")
        else:
            op.execute(f"CREATE TRIGGER data_version_kept_apart_{on} AFTER {on.upper()} ON kept_apart BEGIN "
                       f"UPDATE data_version SET changes = changes + 1 WHERE workspace_id IN ({_SQLITE_ROWS[on]}); END")


def downgrade() -> None:
    bind = op.get_bind()
    for on in ("insert", "update", "delete"):
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS data_version_kept_apart_{on} ON kept_apart")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_kept_apart_{on}")
    op.drop_table("kept_apart")
    with op.batch_alter_table("import_run") as batch:
        batch.drop_column("undone_at")
        batch.drop_column("undo")
        batch.drop_column("status")
