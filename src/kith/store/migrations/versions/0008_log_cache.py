"""log_cache: the interaction log as compact columns; log_count.edits: changes to logged rows

Reports, trends and scores as of a past date need the whole log as arrays:
reading a million interactions and their participants row by row took 3.6 s
on SQLite. ``log_cache`` keeps the same entries (interaction, person, moment,
kind, direction, sentiment, group size) as packed chunks, appended by the
transactions that log (kith.services.log_cache) and read in a few hundredths
of a second. It is derived data: valid only while it holds as many entries
as ``log_count.participations`` and was written at the current
``log_count.edits``, a counter that triggers move on every update or delete
of an interaction or a participant, whoever makes it. Otherwise it is
rebuilt from the log on the next read. ``log_count.tie_seq`` numbers the
writes of tie states (``tie_state.seq``, migration 0007).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("interaction", "interaction_participant")
_PG_ROWS = {"update": "SELECT workspace_id FROM old_rows UNION ALL SELECT workspace_id FROM new_rows",
            "delete": "SELECT workspace_id FROM old_rows"}
_PG_REFERENCING = {"update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                   "delete": "REFERENCING OLD TABLE AS old_rows"}


def _sqlite() -> list[str]:
    out = []
    for table in TABLES:
        out.append(f"CREATE TRIGGER log_edits_{table}_update AFTER UPDATE ON {table} BEGIN "
                   "UPDATE log_count SET edits = edits + 1 WHERE workspace_id IN (OLD.workspace_id, NEW.workspace_id); END")
        out.append(f"CREATE TRIGGER log_edits_{table}_delete AFTER DELETE ON {table} BEGIN "
                   "UPDATE log_count SET edits = edits + 1 WHERE workspace_id = OLD.workspace_id; END")
    return out


def _postgresql() -> list[str]:
    out = []
    for on, rows in _PG_ROWS.items():
        out.append(f"""CREATE FUNCTION log_edits_{on}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE log_count SET edits = edits + 1 WHERE workspace_id IN ({rows});
            RETURN NULL;
        END $$""")
    for table in TABLES:
        for on in _PG_ROWS:
            out.append(f"CREATE TRIGGER log_edits_{table}_{on} AFTER {on.upper()} ON {table} "
                       f"{_PG_REFERENCING[on]} FOR EACH STATEMENT EXECUTE FUNCTION log_edits_{on}()")
    return out


def upgrade() -> None:
    op.add_column("log_count", sa.Column("edits", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("log_count", sa.Column("tie_seq", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "log_cache",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("edits", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_log_cache_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "chunk", name=op.f("pk_log_cache")),
    )
    for statement in _postgresql() if op.get_bind().dialect.name == "postgresql" else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for on in _PG_ROWS:
            op.execute(f"DROP TRIGGER log_edits_{table}_{on} ON {table}" if pg else f"DROP TRIGGER log_edits_{table}_{on}")
    if pg:
        for on in _PG_ROWS:
            op.execute(f"DROP FUNCTION log_edits_{on}()")
    op.drop_table("log_cache")
    with op.batch_alter_table("log_count") as batch:
        batch.drop_column("tie_seq")
        batch.drop_column("edits")
