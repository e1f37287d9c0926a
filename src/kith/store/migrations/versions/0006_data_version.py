"""data_version: one number per workspace that moves on every change to its data; activity_month

Caches of computed views (the web's dashboard, the people graph, the tie
states a long-lived process keeps in memory) are valid while this number and
``log_count.participations`` stay the same. Database triggers keep both, so
every writer counts: Kith's ORM, its bulk path, a restore, or a tool working
on the database directly. Before, each cache validated itself against a hand-
kept list of tables (counts, newest ids and times), which was right only while
every list stayed complete.

Every table that carries ``workspace_id`` gets triggers, except the account
tables (``user_account``, ``membership``, ``api_token``, ``import_run``):
logins, tokens and the import history change no figure, and a token's
``last_used_at`` moves on every API request; and except ``tie_state``, derived
from the log and written in the same transaction as the log's change. Inserts
into ``interaction`` and ``interaction_participant`` are counted by
``log_count`` (an interaction's participants are written with it), which keeps
the million-row bulk path free of a second trigger per row; their updates and
deletes count here. So logging an interaction moves ``log_count`` alone, and
``changes`` says whether anything but the log moved: a view of the people
(who is key, met where, whose assistant, goals, favours) stays valid across
the interactions logged (kith.services.memo).

``activity_month`` counts the interactions of each calendar month (UTC), kept
by triggers on ``interaction`` the same way: the dashboard's and the report's
activity charts read a dozen rows instead of grouping a year of the log
(0.3 s at a million interactions on SQLite).

SQLite has row triggers only; PostgreSQL counts once per statement through
transition tables.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The workspace's data as of this migration (a later table adds its own triggers in its own migration).
TABLES = (
    "organization", "person", "identifier", "tag", "person_tag", "relation", "event", "event_member",
    "interaction", "interaction_participant", "favor", "goal", "opportunity", "cadence", "agenda_mark",
)
COUNTED_BY_LOG = ("interaction", "interaction_participant")  # their inserts move log_count instead


def _events(table: str) -> tuple[str, ...]:
    return ("update", "delete") if table in COUNTED_BY_LOG else ("insert", "update", "delete")


def _sqlite_trigger(table: str, on: str) -> str:
    rows = {"insert": "NEW.workspace_id", "delete": "OLD.workspace_id",
            "update": "OLD.workspace_id, NEW.workspace_id"}[on]
    return (f"CREATE TRIGGER data_version_{table}_{on} AFTER {on.upper()} ON {table} BEGIN "
            f"UPDATE data_version SET changes = changes + 1 WHERE workspace_id IN ({rows}); END")


_PG_BUMP = {
    "insert": "SELECT workspace_id FROM new_rows",
    "delete": "SELECT workspace_id FROM old_rows",
    "update": "SELECT workspace_id FROM old_rows UNION SELECT workspace_id FROM new_rows",
}
_PG_REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _pg_statements() -> list[str]:
    out = []
    for on, rows in _PG_BUMP.items():
        out.append(f"""CREATE FUNCTION data_version_{on}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE data_version SET changes = changes + 1 WHERE workspace_id IN ({rows});
            RETURN NULL;
        END $$""")
    for table in TABLES:
        for on in _events(table):
            out.append(f"CREATE TRIGGER data_version_{table}_{on} AFTER {on.upper()} ON {table} "
                       f"{_PG_REFERENCING[on]} FOR EACH STATEMENT EXECUTE FUNCTION data_version_{on}()")
    out.append("""CREATE FUNCTION data_version_new_workspace() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO data_version (workspace_id, changes) VALUES (NEW.id, 0) ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""")
    out.append("CREATE TRIGGER data_version_workspace AFTER INSERT ON workspace "
               "FOR EACH ROW EXECUTE FUNCTION data_version_new_workspace()")
    return out + _pg_activity()


_SQLITE_MONTH = "substr({row}.occurred_at, 1, 7)"  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)
_PG_MONTH = "to_char({row}.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM')"


def _sqlite_activity() -> list[str]:
    add = ("INSERT INTO activity_month (workspace_id, month, interactions) VALUES (NEW.workspace_id, "
           f"{_SQLITE_MONTH.format(row='NEW')}, 1) ON CONFLICT (workspace_id, month) "
           "DO UPDATE SET interactions = interactions + 1;")
    remove = ("UPDATE activity_month SET interactions = interactions - 1 WHERE workspace_id = OLD.workspace_id "
              f"AND month = {_SQLITE_MONTH.format(row='OLD')};")
    return [
        f"CREATE TRIGGER activity_month_insert AFTER INSERT ON interaction BEGIN {add} END",
        f"CREATE TRIGGER activity_month_delete AFTER DELETE ON interaction BEGIN {remove} END",
        f"CREATE TRIGGER activity_month_update AFTER UPDATE OF occurred_at, workspace_id ON interaction "
        f"BEGIN {remove} {add} END",
    ]


def _pg_activity() -> list[str]:
    add = (f"INSERT INTO activity_month (workspace_id, month, interactions) SELECT workspace_id, "
           f"{_PG_MONTH.format(row='new_rows')}, count(*) FROM new_rows GROUP BY 1, 2 "
           "ON CONFLICT (workspace_id, month) DO UPDATE SET interactions = activity_month.interactions + "
           "EXCLUDED.interactions;")
    remove = (f"UPDATE activity_month SET interactions = activity_month.interactions - gone.n FROM "
              f"(SELECT workspace_id, {_PG_MONTH.format(row='old_rows')} AS month, count(*) AS n FROM old_rows "
              "GROUP BY 1, 2) AS gone WHERE activity_month.workspace_id = gone.workspace_id "
              "AND activity_month.month = gone.month;")
    out = []
    for name, body in (("add", add), ("remove", remove), ("move", remove + "\n" + add)):
        out.append(f"""CREATE FUNCTION activity_month_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {body}
            RETURN NULL;
        END $$""")
    out += [
        "CREATE TRIGGER activity_month_insert AFTER INSERT ON interaction "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_month_add()",
        "CREATE TRIGGER activity_month_delete AFTER DELETE ON interaction "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_month_remove()",
        "CREATE TRIGGER activity_month_update AFTER UPDATE ON interaction "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION activity_month_move()",
    ]
    return out


def _sqlite_statements() -> list[str]:
    out = [_sqlite_trigger(table, on) for table in TABLES for on in _events(table)]
    out += _sqlite_activity()
    out.append("CREATE TRIGGER data_version_workspace AFTER INSERT ON workspace BEGIN "
               "INSERT OR IGNORE INTO data_version (workspace_id, changes) VALUES (NEW.id, 0); END")
    return out


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"],
                                name=op.f("fk_data_version_workspace_id_workspace"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_data_version")),
    )
    op.execute("INSERT INTO data_version (workspace_id, changes) SELECT id, 0 FROM workspace")
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "activity_month",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("interactions", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"],
                                name=op.f("fk_activity_month_workspace_id_workspace"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id", "month", name=op.f("pk_activity_month")),
    )
    month = (_PG_MONTH if pg else _SQLITE_MONTH).format(row="interaction")
    op.execute(f"INSERT INTO activity_month (workspace_id, month, interactions) "
               f"SELECT workspace_id, {month}, count(*) FROM interaction GROUP BY 1, 2")
    for statement in _pg_statements() if pg else _sqlite_statements():
        op.execute(statement)


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    names = [f"data_version_{table}_{on}" for table in TABLES for on in _events(table)]
    names.append("data_version_workspace")
    for name in names:
        table = "workspace" if name == "data_version_workspace" else name.removeprefix("data_version_").rsplit("_", 1)[0]
        op.execute(f"DROP TRIGGER {name} ON {table}" if pg else f"DROP TRIGGER {name}")
    for on in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER activity_month_{on} ON interaction" if pg else f"DROP TRIGGER activity_month_{on}")
    if pg:
        for on in (*_PG_BUMP, "new_workspace"):
            op.execute(f"DROP FUNCTION data_version_{on}()")
        for name in ("add", "remove", "move"):
            op.execute(f"DROP FUNCTION activity_month_{name}()")
    op.drop_table("activity_month")
    op.drop_table("data_version")
