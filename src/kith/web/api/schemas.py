"""Request and response bodies of the API, so that /openapi.json says exactly what is sent.

Text fields refuse NUL characters (no database stores them) and respect the
column lengths; numbers stay in the ranges the database holds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Short = Annotated[str, Field(max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Long = Annotated[str, Field(max_length=20000)]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Day = Annotated[date, Field(ge=date(1, 1, 2), le=date(9999, 12, 30))]
When = Annotated[datetime, Field(ge=datetime(1900, 1, 1), le=datetime(2100, 12, 31, 23, 59, 59))]  # kith.clock's years
KindName = Annotated[str, Field(min_length=1, max_length=30)]

T = TypeVar("T")


class ErrorOut(BaseModel):
    """Every error answer."""

    error: str = Field(description="What went wrong, in one line.")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad request"},
    401: {"model": ErrorOut, "description": "Missing or bad bearer token (server mode)"},
    404: {"model": ErrorOut, "description": "Not found in your workspace"},
    409: {"model": ErrorOut, "description": "Conflict (ambiguous name, duplicate)"},
    422: {"model": ErrorOut, "description": "Invalid input"},
    503: {"model": ErrorOut, "description": "The database cannot be reached"},
}


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int = Field(description="How many match, all pages together.")
    limit: int
    offset: int


class PersonIn(BaseModel):
    """A new person; only ``name`` is required."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    emails: list[Short] = Field(default_factory=list, max_length=20)
    phones: list[Short] = Field(default_factory=list, max_length=20)
    urls: list[Short] = Field(default_factory=list, max_length=20)
    org: Name | None = None
    title: Short = ""
    location: Short = ""
    notes: Long = ""
    tags: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=50)
    key: bool = False
    closeness: Annotated[int, Field(ge=0, le=100)] | None = None
    cadence_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    met_on: Day | None = None


class PersonPatch(BaseModel):
    """Fields to change; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    org: Annotated[str, Field(max_length=300)] | None = None
    title: Short | None = None
    location: Short | None = None
    notes: Long | None = None
    key: bool | None = None
    closeness: Annotated[int, Field(ge=0, le=100)] | None = None
    met_on: Day | None = None
    archived: bool | None = None
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=50)
    cadence_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class PersonOut(BaseModel):
    id: int
    name: str
    given_name: str
    family_name: str
    emails: list[str]
    phones: list[str]
    urls: list[str]
    org: str | None
    title: str
    location: str
    birthday: str | None
    notes: str
    tags: list[str]
    key: bool
    closeness: int | None
    met_on: str | None
    met_at_event_id: int | None
    introduced_by_id: int | None
    archived: bool


class InteractionIn(BaseModel):
    """An interaction with one or several people."""

    model_config = ConfigDict(extra="forbid")
    people: list[Id] = Field(min_length=1, max_length=100, description="Person ids.")
    kind: KindName = Field(description="coffee, call, email, meeting, favor-received, ...")
    on: When | None = Field(default=None, description="When; default now.")
    direction: Literal["out", "in", "mutual", "me", "them", "both"] | None = None
    sentiment: Annotated[int, Field(ge=-2, le=2)] | None = None
    note: Long = ""
    planned: bool = Field(default=False, description="A planned interaction: 'on' may be in the future.")


class InteractionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: KindName | None = None
    on: When | None = None
    direction: Literal["out", "in", "mutual", "me", "them", "both"] | None = None
    sentiment: Annotated[int, Field(ge=-2, le=2)] | None = None
    note: Long | None = None


class InteractionOut(BaseModel):
    id: int
    on: str
    kind: str
    direction: str
    sentiment: int
    note: str
    source: str
    people: list[int]
    event_id: int | None


class RelationIn(BaseModel):
    """``src kind dst``, e.g. 12 assistant-of 7."""

    model_config = ConfigDict(extra="forbid")
    src: Id
    kind: KindName
    dst: Id
    note: Long = ""


class RelationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Long | None = None


class RelationOut(BaseModel):
    id: int
    src: int
    kind: str
    dst: int
    source: str
    note: str
    src_name: str | None = Field(description="The display name of person ``src``.")
    dst_name: str | None = Field(description="The display name of person ``dst``.")


class FavorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: Id
    direction: Literal["received", "given"]
    what: Long = ""
    status: Literal["asked", "done", "returned", "declined"] = "done"
    asked_on: Day | None = None
    done_on: Day | None = None
    returned_on: Day | None = None


class FavorPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    what: Long | None = None
    status: Literal["asked", "done", "returned", "declined"] | None = None
    asked_on: Day | None = None
    done_on: Day | None = None
    returned_on: Day | None = None


class FavorOut(BaseModel):
    id: int
    person_id: int
    direction: str
    what: str
    status: str
    asked_on: str | None
    done_on: str | None
    returned_on: str | None
    event_id: int | None
    person_name: str = Field(description="Whom the favour was with.")


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    kind: Literal["event", "project"] = "event"
    starts_on: Day | None = None
    ends_on: Day | None = None
    location: Short = ""
    note: Long = ""


class EventPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    kind: Literal["event", "project"] | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    location: Short | None = None
    note: Long | None = None


class EventOut(BaseModel):
    id: int
    name: str
    kind: str
    starts_on: str | None
    ends_on: str | None
    location: str
    note: str


StrList = list[Annotated[str, Field(max_length=200)]]


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Name
    note: Long = ""
    target_orgs: StrList = Field(default_factory=list, max_length=50)
    industries: StrList = Field(default_factory=list, max_length=50)
    roles: StrList = Field(default_factory=list, max_length=50)
    tags: StrList = Field(default_factory=list, max_length=50)
    starts_on: Day | None = None
    ends_on: Day | None = None


class GoalPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Name | None = None
    note: Long | None = None
    target_orgs: StrList | None = Field(default=None, max_length=50)
    industries: StrList | None = Field(default=None, max_length=50)
    roles: StrList | None = Field(default=None, max_length=50)
    tags: StrList | None = Field(default=None, max_length=50)
    starts_on: Day | None = None
    ends_on: Day | None = None
    status: Literal["active", "closed"] | None = None


class GoalOut(BaseModel):
    id: int
    title: str
    note: str
    target_orgs: list[str]
    industries: list[str]
    roles: list[str]
    tags: list[str]
    starts_on: str | None
    ends_on: str | None
    status: str = Field(description="active or closed")
    closed_on: str | None = Field(description="The day it was closed; null while active.")


class OpportunityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Name
    kind: Literal["job", "deal", "gig", "client", "other"] = "job"
    referred_by_id: Id | None = None
    org: Annotated[str, Field(max_length=300)] | None = None
    goal_id: Id | None = None
    found_on: Day | None = None
    outcome: Literal["open", "won", "lost"] = "open"
    value: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    note: Long = ""


class OpportunityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Name | None = None
    kind: Literal["job", "deal", "gig", "client", "other"] | None = None
    referred_by_id: Id | None = None
    goal_id: Id | None = None
    found_on: Day | None = None
    outcome: Literal["open", "won", "lost"] | None = None
    value: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    note: Long | None = None


class OpportunityOut(BaseModel):
    id: int
    title: str
    kind: str
    referred_by_id: int | None
    referred_by: str | None = Field(description="The referrer's display name.")
    organization_id: int | None
    organization: str | None = Field(description="The organisation's name.")
    org: str | None = Field(description="The same as ``organization`` (kept for older clients).")
    goal_id: int | None
    found_on: str
    outcome: str
    value: float | None
    note: str


class ScoreOut(BaseModel):
    person_id: int
    name: str
    score: float = Field(description="0-100: the relationship strength, or the manual closeness when one is set")
    strength: float = Field(description="0-100: relationship strength, depth built over time (layers and readiness)")
    likelihood: float = Field(description="0-100: contact likelihood, will you be in touch soon")
    layer: str
    readiness: float
    callable: bool
    last_at: str | None
    components: dict[str, float]
    reasons: list[str]


class AgendaItemOut(BaseModel):
    person_id: int
    person: str
    action: str
    reason: str
    due: str = Field(description="The day it is due (ISO); overdue items keep their day.")
    priority: float
    also: list[str] = Field(description="Other actions due for the same person.")


class AgendaMarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Annotated[str, Field(min_length=1, max_length=30)] = "*"
    span: Annotated[str, Field(max_length=20)] = Field(
        default="1w", description="For snooze: how long, e.g. 3d, 2w, 1m."
    )


class Done(BaseModel):
    ok: bool = True


class Computed(BaseModel):
    """The quality report, as of a moment (its figures are described in docs/agenda.md)."""

    model_config = ConfigDict(extra="allow")
    as_of: str
    result: dict[str, Any]


class PersonRefOut(BaseModel):
    id: int
    name: str


class ReachTargetOut(BaseModel):
    kind: str = Field(description="person, organisation, role or tag")
    label: str
    people: list[PersonRefOut]


class HopOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from", description="'you' for the first hop.")
    from_id: int | None
    to: str
    to_id: int
    strength: float
    why: list[str]


class ReachPathOut(BaseModel):
    quality: float
    first_hop: float
    ask: str = Field(description="Whom to ask first.")
    route: str
    hops: list[HopOut]


class GatekeeperOut(BaseModel):
    id: int
    name: str
    of_id: int
    of: str
    score: float
    layer: str
    last_interaction: str | None
    advice: str


class ReachOut(BaseModel):
    query: str
    target: ReachTargetOut
    paths: list[ReachPathOut]
    gatekeepers: list[GatekeeperOut]
    advice: list[str]


class ReachAnswer(BaseModel):
    """Warm introduction paths, as of a moment."""

    as_of: str
    result: ReachOut


class HelperOut(BaseModel):
    id: int
    name: str
    label: str
    score: float = Field(description="relevance times readiness, 0-100")
    relevance: float = Field(description="0-1")
    readiness: float = Field(description="0-100")
    layer: str
    reasons: list[str]


class EvidenceOut(BaseModel):
    what: str
    a: str
    b: str


class CandidateOut(BaseModel):
    a: PersonRefOut
    b: PersonRefOut
    confidence: float = Field(description="0-1")
    reasons: list[str]
    conflict: bool = Field(description="Different profiles on one network: probably two people.")
    evidence: list[EvidenceOut] = Field(default_factory=list, description="What each is known by, side by side.")



class MergePreviewOut(BaseModel):
    keep: PersonRefOut
    drop: PersonRefOut
    taken: list[str] = Field(description="Fields the kept person lacks, filled from the other.")
    noted: list[str] = Field(description="The other's differing values, added to the kept person's notes.")
    identifiers: list[str]
    tags: list[str]
    interactions: int
    relations: int
    favors: int


class ToThankOut(BaseModel):
    id: int
    name: str
    role: str
    behind_scenes: bool
    helped: list[str]
    reason: str


class OtherContactOut(BaseModel):
    id: int
    name: str
    interactions: int
    label: str
    tags: list[str]


class CoolingContactOut(BaseModel):
    id: int
    name: str
    score: float
    layer: str
    days_since: int
    why_relevant: list[str]


class MissingTargetOut(BaseModel):
    kind: str
    target: str
    people: int
    why: str


class ActionOut(BaseModel):
    action: str
    person_id: int | None
    priority: float


class GoalAuditOut(BaseModel):
    goal: GoalOut
    window_start: str
    interactions: int
    with_relevant: int
    with_others: int
    relevant_share: float
    top_others: list[OtherContactOut]
    relevant_people: int
    cooling: list[CoolingContactOut]
    no_path: list[MissingTargetOut]
    actions: list[ActionOut]


class ReportedOpportunityOut(OpportunityOut):
    layer_then: str | None
    score_then: float | None
    strength_then: str | None
    referrer_org: str | None
    referrer_title: str | None
    non_obvious: list[str]


class ReferralGroupOut(BaseModel):
    group: str
    opportunities: int
    won: int
    titles: list[str]


class OpportunityReportOut(BaseModel):
    total: int
    referred: int
    by_layer: list[ReferralGroupOut]
    by_strength: list[ReferralGroupOut]
    by_organization: list[ReferralGroupOut]
    opportunities: list[ReportedOpportunityOut]
    non_obvious: list[ReportedOpportunityOut]


class InteractionWithNamesOut(InteractionOut):
    names: list[str]


class PersonDetailOut(PersonOut):
    cadence_days: int | None
    relations: list[RelationOut]
    interactions: list[InteractionWithNamesOut]
    favors: list[FavorOut]


AccountName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


class AccountIn(BaseModel):
    """A new account; ``password`` is kept in the system keyring or a file only the server's user can read,
    never in the database, and is never returned."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Literal["carddav", "caldav", "imap", "smtp"]
    name: AccountName
    url: Annotated[str, Field(min_length=1, max_length=1000)] = Field(
        description="The address book or calendar collection URL, imap(s)://host:port, or "
                    "smtp://, smtp+starttls://, smtps://host:port for the digest.")
    user: Short = ""
    password: Annotated[str, Field(max_length=1000)] = Field(
        default="", json_schema_extra={"writeOnly": True, "format": "password"})
    me: list[Short] = Field(default_factory=list, max_length=20, description="Your own addresses on this account.")
    folders: list[Short] = Field(default_factory=list, max_length=50, description="imap: the folders to read.")
    to: Short | None = Field(default=None, description="smtp: where the daily digest goes.")
    sender: Short | None = Field(default=None, alias="from", description="smtp: the digest's sender.")
    push_new: Short | None = Field(default=None, description="carddav: people created in Kith written to the "
                                                               "server as new cards: contacts (default: all but people known only from "
                                                               "captured mail and meetings), all, none, tag:NAME.")


class AccountPatch(BaseModel):
    """What may change on an account."""

    model_config = ConfigDict(extra="forbid")
    push_new: Short = Field(description="carddav: contacts, all, none, or tag:NAME.")


class AccountOut(BaseModel):
    """An account and its last sync (never its password)."""

    name: str
    kind: str
    url: str
    user: str
    push_new: str | None = Field(description="carddav: which people created in Kith become new cards.")
    last_sync_at: datetime | None
    last_ok_at: datetime | None
    last_error: str = Field(description="The last sync's error in plain words ('' when it succeeded).")
    last_summary: dict[str, Any] = Field(description="What the last sync changed (the form of a sync report).")
    open_conflicts: int
    status: str = Field(description="In plain words: never synced, failed: why, or what the last sync changed.")


class SyncReportOut(BaseModel):
    """What one sync changed; ``error`` says why it failed ('' when it succeeded)."""

    account: str
    kind: str
    added: int
    updated: int
    archived: int
    held: int
    pushed: int
    created: int
    deleted: int
    conflicts: int
    interactions_added: int
    interactions_updated: int
    interactions_removed: int
    interactions_known: int
    sent: int
    skipped: dict[str, int]
    problems: list[str]
    error: str
    headline: str


class ChangeOut(BaseModel):
    """One of the recent changes: a journaled change, or an import (undone with its own command)."""

    id: int = Field(description="The change's id (an import's run id where kind is import).")
    at: str
    label: str = Field(description="What the change did, in words.")
    status: str = Field(description="done, undone, or opaque (cannot be undone row by row).")
    kind: str = Field(description="change or import.")
    undoable: bool
    undo_command: str = Field(description="The CLI command that undoes it, if any.")


class UndoneOut(BaseModel):
    """What an undo did."""

    id: int
    label: str
    rows: int = Field(description="Rows put back as they were.")
    removed_people: list[int] = Field(description="People the change had added, gone again.")
