"""log_count: the log's size per workspace, kept by triggers on interaction_participant

The tie states are checked against it on every read (instead of counting the
whole log); triggers keep it true whoever writes: Kith's ORM, its bulk path,
or a tool working on the database directly. SQLite counts row by row;
PostgreSQL counts per statement through transition tables (one update per
statement, not per row).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE = [
    """CREATE TRIGGER log_count_insert AFTER INSERT ON interaction_participant
    BEGIN
        INSERT OR IGNORE INTO log_count (workspace_id, participations) VALUES (NEW.workspace_id, 0);
        UPDATE log_count SET participations = participations + 1 WHERE workspace_id = NEW.workspace_id;
    END""",
    """CREATE TRIGGER log_count_delete AFTER DELETE ON interaction_participant
    BEGIN
        UPDATE log_count SET participations = participations - 1 WHERE workspace_id = OLD.workspace_id;
    END""",
    """CREATE TRIGGER log_count_move AFTER UPDATE OF workspace_id ON interaction_participant
    BEGIN
        INSERT OR IGNORE INTO log_count (workspace_id, participations) VALUES (NEW.workspace_id, 0);
        UPDATE log_count SET participations = participations - 1 WHERE workspace_id = OLD.workspace_id;
        UPDATE log_count SET participations = participations + 1 WHERE workspace_id = NEW.workspace_id;
    END""",
]

# What a statement's inserted rows (new_rows) add and its deleted rows (old_rows) take away.
_PG_ADD = """INSERT INTO log_count (workspace_id, participations)
            SELECT workspace_id, count(*) FROM new_rows GROUP BY workspace_id
        ON CONFLICT (workspace_id) DO UPDATE SET participations = log_count.participations + EXCLUDED.participations;"""
_PG_REMOVE = """UPDATE log_count SET participations = log_count.participations - gone.n
            FROM (SELECT workspace_id, count(*) AS n FROM old_rows GROUP BY workspace_id) AS gone
            WHERE log_count.workspace_id = gone.workspace_id;"""


def _pg_function(name: str, *steps: str) -> str:
    body = "\n        ".join(steps)
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {body}
        RETURN NULL;
    END $$"""


POSTGRESQL = [
    _pg_function("log_count_add", _PG_ADD),
    _pg_function("log_count_remove", _PG_REMOVE),
    _pg_function("log_count_move", _PG_REMOVE, _PG_ADD),
    """CREATE TRIGGER log_count_insert AFTER INSERT ON interaction_participant
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_count_add()""",
    """CREATE TRIGGER log_count_delete AFTER DELETE ON interaction_participant
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION log_count_remove()""",
    """CREATE TRIGGER log_count_move AFTER UPDATE ON interaction_participant
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION log_count_move()""",
]


def upgrade() -> None:
    op.create_table(
        "log_count",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("participations", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name=op.f("fk_log_count_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_log_count")),
    )
    op.execute("INSERT INTO log_count (workspace_id, participations) "
               "SELECT workspace_id, count(*) FROM interaction_participant GROUP BY workspace_id")
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in ("log_count_insert", "log_count_delete", "log_count_move"):
        op.execute(f"DROP TRIGGER {name} ON interaction_participant" if pg else f"DROP TRIGGER {name}")
    if pg:
        for name in ("log_count_add", "log_count_remove", "log_count_move"):
            op.execute(f"DROP FUNCTION {name}()")
    op.drop_table("log_count")
