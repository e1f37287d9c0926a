"""SQLAlchemy 2 models of Kith's data.

Every table carries ``workspace_id`` (the Citus distribution column of a team
deployment); :mod:`kith.store.scope` adds the workspace filter to every query
and stamps it on every new row, so no service has to remember it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from kith.clock import utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def sparse_index(table: str, column: str) -> Index:
    """An index of ``column`` over the rows that hold a value (migration 0015): a foreign key that is mostly NULL,
    looked up by value when the row it points at is deleted."""
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_{table}_{column}", column, postgresql_where=where, sqlite_where=where)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


class Workspace(Base):
    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # The user's own identity in this workspace (e-mail addresses for imports).
    owner_emails: Mapped[list[str]] = mapped_column(default=list)


class Scoped:
    """Mixin: the row belongs to one workspace."""

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )


class ScopedLed(Scoped):
    """Mixin: the row belongs to one workspace, and the table's own indexes lead with ``workspace_id``; they
    serve its lookups, so it has no index of ``workspace_id`` alone (one index less to write a row into: an
    import writes tens of thousands; migration 0014)."""

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))


class ScopedUnder(Scoped):
    """Mixin: the row belongs to one workspace as the row it hangs from does (a person's, an interaction's),
    and goes with it (its key to that row cascades): on PostgreSQL its ``workspace_id`` has no key to
    ``workspace`` of its own, whose check cost a locking lookup per row written (migration 0014; SQLite keeps
    the key: its check is an in-process index probe, and dropping it would copy the table)."""

    workspace_id: Mapped[int] = mapped_column(index=True)


class ScopedUnderLed(ScopedUnder):
    """:class:`ScopedUnder`, and the table's own indexes lead with ``workspace_id`` (see :class:`ScopedLed`)."""

    workspace_id: Mapped[int] = mapped_column()


class User(Scoped, Base):
    """A login. ``workspace_id`` is the user's own (home) workspace."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; two-factor login when set
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Membership(Scoped, Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="owner")


class ApiToken(Scoped, Base):
    """A bearer token (API) or calendar-feed secret; only its hash is stored."""

    __tablename__ = "api_token"
    __table_args__ = (sparse_index("api_token", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20), default="api")  # api | feed
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class Organization(Scoped, Base):
    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300))  # folded for matching
    domain: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")


class Person(ScopedLed, Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_ws_updated", "workspace_id", "updated_at"),  # the web's data version (migration 0004)
        sparse_index("person", "introduced_by_id"),
        sparse_index("person", "met_at_event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(300))
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    nickname: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(400), default="")  # folded names (searched by LIKE '%word%')
    # Folded (accent- and case-free) text of names, e-mails, org and notes.
    search_key: Mapped[str] = mapped_column(Text, default="")
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300), default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    birthday: Mapped[str] = mapped_column(String(10), default="")  # YYYY-MM-DD or --MM-DD
    notes: Mapped[str] = mapped_column(Text, default="")
    met_at_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL")
    )
    met_on: Mapped[date | None] = mapped_column(Date)
    introduced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    closeness: Mapped[int | None] = mapped_column(Integer)  # manual override 0-100
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    photo_path: Mapped[str] = mapped_column(String(500), default="")
    # Where each field came from: {field: {"source": ..., "at": ...}}.
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    organization: Mapped[Organization | None] = relationship(lazy="joined")
    identifiers: Mapped[list[Identifier]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Identifier.id"
    )
    # Read-only: tags are written as PersonTag rows so that they get their workspace.
    tags: Mapped[list[Tag]] = relationship(secondary="person_tag", order_by="Tag.name", viewonly=True)


class Identifier(ScopedUnderLed, Base):
    """A way to recognise a person: e-mail, phone (E.164), profile URL, external id."""

    __tablename__ = "identifier"
    __table_args__ = (Index("ix_identifier_lookup", "workspace_id", "kind", "value_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # email | phone | url | linkedin | facebook | external
    value: Mapped[str] = mapped_column(String(500))
    value_key: Mapped[str] = mapped_column(String(500))  # normalised for matching
    label: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(50), default="manual")

    person: Mapped[Person] = relationship(back_populates="identifiers")


class Tag(Scoped, Base):
    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class PersonTag(Scoped, Base):
    __tablename__ = "person_tag"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Relation(Scoped, Base):
    """``src <kind> dst``, e.g. Ana assistant-of Bea."""

    __tablename__ = "relation"
    __table_args__ = (UniqueConstraint("workspace_id", "src_id", "kind", "dst_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    src_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    dst_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(50), default="manual")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Event(Scoped, Base):
    """An event where people were met, or a project people worked on."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="event")  # event | project
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class EventMember(Scoped, Base):
    __tablename__ = "event_member"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(100), default="attendee")
    behind_scenes: Mapped[bool] = mapped_column(Boolean, default=False)


class Interaction(ScopedLed, Base):
    __tablename__ = "interaction"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index("ix_interaction_ws_time", "workspace_id", "occurred_at"),
        sparse_index("interaction", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(10), default="mutual")  # out | in | mutual
    sentiment: Mapped[int] = mapped_column(Integer, default=0)  # -2..2
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(50), default="manual")
    dedupe_key: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    participants: Mapped[list[InteractionParticipant]] = relationship(
        cascade="all, delete-orphan", order_by="InteractionParticipant.person_id"
    )


class InteractionParticipant(ScopedUnder, Base):
    __tablename__ = "interaction_participant"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interaction.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Favor(Scoped, Base):
    """A favour: ``received`` (they did it for me) or ``given`` (I did it for them)."""

    __tablename__ = "favor"
    __table_args__ = (sparse_index("favor", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(10))  # received | given
    what: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="done")  # asked|done|returned|declined
    asked_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class Goal(Scoped, Base):
    __tablename__ = "goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    target_orgs: Mapped[list[str]] = mapped_column(default=list)
    industries: Mapped[list[str]] = mapped_column(default=list)
    roles: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | closed
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]


class Opportunity(Scoped, Base):
    __tablename__ = "opportunity"
    __table_args__ = (sparse_index("opportunity", "goal_id"), sparse_index("opportunity", "organization_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="job")  # job | deal | gig | client | other
    referred_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL")
    )
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="SET NULL"))
    found_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10), default="open")  # open | won | lost
    value: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Cadence(Scoped, Base):
    """Keep-in-touch rhythm for one person, a tag or a layer (most specific wins)."""

    __tablename__ = "cadence"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # person | tag | layer
    target: Mapped[str] = mapped_column(String(200))  # person id, tag name or layer name
    days: Mapped[int] = mapped_column(Integer)


class AgendaMark(Scoped, Base):
    """An agenda action done or snoozed for a person until a date."""

    __tablename__ = "agenda_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30), default="*")  # an action kind or * for all
    state: Mapped[str] = mapped_column(String(10))  # done | snoozed
    until: Mapped[datetime]
    created_at: Mapped[datetime]


class TieState(ScopedUnderLed, Base):
    """Derived, rebuildable: a person's tie state as one record (``kith.services.tie_states``).

    ``vector`` is a float64 record: the layout that wrote it, the person's id,
    how many interaction-participant rows it has folded in (they must add up
    to the log's count: the consistency check), the newest sentiment, the
    latest moments the agenda asks about, then the engine's packed
    accumulators. One blob per person: reading 30,000 takes a few hundredths
    of a second (migration 0007).
    """

    __tablename__ = "tie_state"
    __table_args__ = (Index("ix_tie_state_ws_updated", "workspace_id", "updated_at"),  # migration 0004
                      Index("ix_tie_state_ws_seq", "workspace_id", "seq"))  # migration 0007

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # Which write made the record (log_count.tie_seq, taken under that row's lock: in commit order).
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[datetime]


class ModelFit(Scoped, Base):
    """A personal fit of contact likelihood's weights (``kith.services.likelihood_model``, migration 0009).

    One row per workspace: when it was fitted, how large the log was then
    (``participations``), whether the fit is in use, and its weights and
    held-out AUCs (``data``).
    """

    __tablename__ = "model_fit"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime]
    participations: Mapped[int] = mapped_column(BigInteger)
    in_use: Mapped[bool]
    data: Mapped[dict[str, Any]]


class LogCount(Base):
    """How many (interaction, person) rows the log of a workspace holds.

    Database triggers on ``interaction_participant`` keep it (migration 0003),
    so every writer counts, Kith or not. The tie states must add up to it:
    comparing two small numbers is how Kith notices writes that went around
    it, without counting a million rows. Read with an explicit workspace filter.
    """

    __tablename__ = "log_count"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    participations: Mapped[int] = mapped_column(BigInteger, default=0)
    # Updates and deletes of interactions and participants (migration 0008): what log_cache compares.
    edits: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The last number given to a write of tie states (tie_state.seq).
    tie_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class LogCache(Base):
    """Derived, rebuildable: the interaction log as packed chunks of entries (``kith.services.log_cache``).

    Valid while its entries add up to :class:`LogCount`'s ``participations`` and
    every chunk was written at its ``edits``; read with an explicit workspace filter.
    """

    __tablename__ = "log_cache"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer)
    edits: Mapped[int] = mapped_column(BigInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class DataVersion(Base):
    """How many changes the data of a workspace has seen: what caches of computed views compare.

    Database triggers on every table of the workspace's data keep it
    (migration 0006); inserts into the interaction log move
    :class:`LogCount` instead, so the version of a workspace is the pair
    ``(changes, participations)`` (:func:`kith.store.door.data_version`).
    """

    __tablename__ = "data_version"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)


class ActivityMonth(Base):
    """How many interactions each calendar month (UTC, ``YYYY-MM``) of a workspace holds.

    Kept by database triggers on ``interaction`` (migration 0006), for the
    activity charts: a dozen rows instead of grouping a year of the log.
    """

    __tablename__ = "activity_month"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    interactions: Mapped[int] = mapped_column(BigInteger, default=0)


class ImportRun(Scoped, Base):
    """One import of one file: what, when, and what it changed (the summary)."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[datetime]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What undo needs (migration 0010): ids added as [first, last] runs, values replaced, fingerprints.
    status: Mapped[str] = mapped_column(String(10), default="done", server_default="done")  # done | undone
    undo: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    undone_at: Mapped[datetime | None]


class KeptApart(Scoped, Base):
    """Two people a person said are two people: no longer listed as likely duplicates (migration 0010)."""

    __tablename__ = "kept_apart"
    __table_args__ = (UniqueConstraint("workspace_id", "a_id", "b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    a_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    b_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)


class LoginAttempt(Base):
    """Failed logins per key (e-mail or client address), for rate limiting across workers.

    Not scoped: it precedes knowing any workspace.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(320))
    at: Mapped[datetime]


class WebSession(Base):
    """A login's server-side session; the cookie carries its key, only the key's SHA-256 is kept.

    Not scoped: it is looked up before any workspace is known (like tokens).
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """One line of the audit log of server mode (logins, logouts, writes). Not scoped: administrators read it whole."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None]
    workspace_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(320), default="", server_default="")
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[int | None]
    client: Mapped[str] = mapped_column(String(100), default="", server_default="")


SCOPED_MODELS: tuple[type[Scoped], ...] = tuple(
    m.class_ for m in Base.registry.mappers if issubclass(m.class_, Scoped)
)


class SyncAccount(Scoped, Base):
    """A CardDAV, CalDAV or IMAP server Kith syncs with (migration 0012); its password is never stored here."""

    __tablename__ = "sync_account"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # carddav | caldav | imap
    url: Mapped[str] = mapped_column(String(1000))
    username: Mapped[str] = mapped_column(String(300))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)  # folders, me...
    # sync-token, {folder: {uidvalidity, last_uid}}...
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    last_sync_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SyncItem(Scoped, Base):
    """One resource on a server (a vCard, an event): its ETag, what it became in Kith, the text last seen."""

    __tablename__ = "sync_item"
    __table_args__ = (UniqueConstraint("account_id", "href"), sparse_index("sync_item", "interaction_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sync_account.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(String(1000))
    etag: Mapped[str] = mapped_column(String(300), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interaction.id", ondelete="SET NULL"))
    raw: Mapped[str] = mapped_column(Text, default="")
    base: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the modelled values at the last sync
    synced_at: Mapped[datetime]


class SyncConflict(Scoped, Base):
    """Both sides changed one field: Kith's value is kept, the server's waits here for review."""

    __tablename__ = "sync_conflict"
    __table_args__ = (sparse_index("sync_conflict", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("sync_account.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(String(1000))
    field: Mapped[str] = mapped_column(String(50))
    kith_value: Mapped[str] = mapped_column(Text, default="")
    server_value: Mapped[str] = mapped_column(Text, default="")
    found_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class Change(Scoped, Base):
    """One labelled change of the journal (migration 0013): the rows it touched, before and after (``kith.store.journal``).

    ``rows`` is a list of ``[table, primary key, before, after]`` (an image is
    a dict of column values, ``None`` where the row did not exist); only the
    last :data:`kith.store.journal.KEEP` changes of a workspace are kept.
    ``status``: done | undone | opaque (cannot be undone row by row).
    """

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    label: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="done")
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    undone_at: Mapped[datetime | None]
