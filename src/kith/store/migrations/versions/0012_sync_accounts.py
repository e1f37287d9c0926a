"""sync accounts: CardDAV, CalDAV and IMAP servers Kith keeps itself current from

``sync_account`` names a server (kind, URL, user; never its password, which
lives in the system keyring or a 0600 file) and keeps its state: the
sync-token of a collection, the UIDVALIDITY and last UID of each mail folder,
when it last synced, what that changed and its last error in plain words.
``sync_item`` is one resource on the server (a vCard or an event) with its
ETag, the person or interaction it became, the card's text as last seen (so
that properties Kith does not model survive a round trip) and the values Kith
modelled at the last sync (the base of the three-way comparison).
``sync_conflict`` keeps both values when the server and Kith changed the same
field, for review. None of them moves the data version: their writes change
no figure (the people and interactions a sync writes do).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("username", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_summary", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name="fk_sync_account_workspace_id_workspace",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_sync_account"),
        sa.UniqueConstraint("workspace_id", "name", name="uq_sync_account_workspace_id_name"),
    )
    op.create_index("ix_sync_account_workspace_id", "sync_account", ["workspace_id"])
    op.create_table(
        "sync_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name="fk_sync_item_workspace_id_workspace",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["sync_account.id"], name="fk_sync_item_account_id_sync_account",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_sync_item_person_id_person",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"],
                                name="fk_sync_item_interaction_id_interaction", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_sync_item"),
        sa.UniqueConstraint("account_id", "href", name="uq_sync_item_account_id_href"),
    )
    op.create_index("ix_sync_item_workspace_id", "sync_item", ["workspace_id"])
    op.create_index("ix_sync_item_person_id", "sync_item", ["person_id"])
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("href", sa.String(length=1000), nullable=False),
        sa.Column("field", sa.String(length=50), nullable=False),
        sa.Column("kith_value", sa.Text(), nullable=False),
        sa.Column("server_value", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], name="fk_sync_conflict_workspace_id_workspace",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["sync_account.id"],
                                name="fk_sync_conflict_account_id_sync_account", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_sync_conflict_person_id_person",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_sync_conflict"),
    )
    op.create_index("ix_sync_conflict_workspace_id", "sync_conflict", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("sync_item")
    op.drop_table("sync_account")
