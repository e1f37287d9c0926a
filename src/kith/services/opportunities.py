"""Opportunities (jobs, deals, gigs, clients) and the ties they came through.

Each opportunity may record who referred it. The report groups opportunities
by the referrer's layer and tie strength *at the time the opportunity was
found*, and by the referrer's organisation, and names the non-obvious ones:
weak ties, and people from outside the opportunity's field (the guy you rent
your cars from).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.relevance import org_key, same_industry
from kith.errors import BadInput
from kith.services.goals import goal_by_id
from kith.services.organizations import get_or_create_org
from kith.services.paging import by_id, paged
from kith.services.people import get_person
from kith.services.scores import PersonTie, tie_scores
from kith.store.journal import journaled
from kith.store.models import Goal, Opportunity, Organization, Person

OPPORTUNITY_KINDS = ("job", "deal", "gig", "client", "other")
OUTCOMES = ("open", "won", "lost")
STRONG, WEAK = 65.0, 30.0  # strength bands of the tie at the time


@dataclass(frozen=True)
class OpportunityView:
    """An opportunity as every interface shows it, with the referrer's and organisation's names."""

    id: int
    title: str
    kind: str
    referred_by_id: int | None
    referred_by: str | None
    organization_id: int | None
    organization: str | None
    goal_id: int | None
    found_on: date
    outcome: str
    value: float | None
    note: str

    @classmethod
    def of(cls, opp: Opportunity, referred_by: str | None = None, organization: str | None = None) -> OpportunityView:
        """The view of a stored opportunity, given the names its ids point to."""
        return cls(opp.id, opp.title, opp.kind, opp.referred_by_id, referred_by, opp.organization_id, organization,
                   opp.goal_id, opp.found_on, opp.outcome, opp.value, opp.note or "")

    def as_dict(self) -> dict[str, Any]:
        """JSON form; ``org`` repeats ``organization`` for the API's older clients."""
        return {"id": self.id, "title": self.title, "kind": self.kind, "referred_by_id": self.referred_by_id,
                "referred_by": self.referred_by, "organization_id": self.organization_id,
                "organization": self.organization, "org": self.organization, "goal_id": self.goal_id,
                "found_on": self.found_on.isoformat(), "outcome": self.outcome, "value": self.value, "note": self.note}


@dataclass(frozen=True)
class OpportunityChanges:
    """Fields to change on an opportunity; ``None`` leaves a field as it is."""

    title: str | None = None
    kind: str | None = None
    referred_by_id: int | None = None
    goal_id: int | None = None
    found_on: date | None = None
    outcome: str | None = None
    value: float | None = None
    note: str | None = None


@journaled(lambda session, title, **_: f"Added the opportunity {title}")
def add_opportunity(
    session: Session, title: str, *, now: datetime, kind: str = "job", referred_by: Person | None = None,
    org: str | None = None, goal: Goal | None = None, found_on: date | None = None, outcome: str = "open",
    value: float | None = None, note: str = "",
) -> Opportunity:
    """Record an opportunity and, if any, who referred it."""
    opp = Opportunity(
        title=_title(title), kind=_kind(kind), referred_by_id=referred_by.id if referred_by else None,
        organization_id=get_or_create_org(session, org).id if org else None, goal_id=goal.id if goal else None,
        found_on=found_on or now.date(), outcome=_outcome(outcome), value=value, note=note, created_at=now,
    )
    session.add(opp)
    session.flush()
    return opp


@journaled(lambda session, opp, *_a: f"Edited the opportunity {opp.title}")
def edit_opportunity(session: Session, opp: Opportunity, changes: OpportunityChanges) -> Opportunity:
    """Change an opportunity: a non-blank title, a known kind and outcome, a referrer and goal of this workspace."""
    title = _title(changes.title) if changes.title is not None else opp.title
    kind = _kind(changes.kind) if changes.kind is not None else opp.kind
    outcome = _outcome(changes.outcome) if changes.outcome is not None else opp.outcome
    if changes.referred_by_id is not None:
        get_person(session, changes.referred_by_id)  # NotFound unless in this workspace
        opp.referred_by_id = changes.referred_by_id
    if changes.goal_id is not None:
        goal_by_id(session, changes.goal_id)
        opp.goal_id = changes.goal_id
    opp.title, opp.kind, opp.outcome = title, kind, outcome
    if changes.found_on is not None:
        opp.found_on = changes.found_on
    if changes.value is not None:
        opp.value = changes.value
    if changes.note is not None:
        opp.note = changes.note
    session.flush()
    return opp


def _title(text: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise BadInput("an opportunity needs a title")
    return clean


def _kind(kind: str) -> str:
    if kind not in OPPORTUNITY_KINDS:
        raise BadInput(f"unknown opportunity kind '{kind}' (use {', '.join(OPPORTUNITY_KINDS)})")
    return kind


def _outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise BadInput(f"unknown outcome '{outcome}' (use {', '.join(OUTCOMES)})")
    return outcome


_NEWEST_FIRST = (Opportunity.found_on.desc(), Opportunity.id.desc())


def list_opportunities(session: Session, *, limit: int | None = None, offset: int = 0) -> tuple[list[OpportunityView], int]:
    """Opportunities, newest first, with the referrers' and organisations' names: one page and how many in all."""
    rows, total = paged(session, select(Opportunity).order_by(*_NEWEST_FIRST), limit=limit, offset=offset)
    return opportunity_views(session, rows), total


def get_opportunity(session: Session, opp_id: int) -> Opportunity:
    """One opportunity of the current workspace."""
    return by_id(session, Opportunity, opp_id, "opportunity")


@journaled(lambda session, opp: f"Deleted the opportunity {opp.title}")
def delete_opportunity(session: Session, opp: Opportunity) -> None:
    """Delete an opportunity."""
    session.delete(opp)
    session.flush()


@journaled(lambda opp, outcome: f"Marked {opp.title} {outcome}")
def set_outcome(opp: Opportunity, outcome: str) -> None:
    """Mark an opportunity open, won or lost."""
    opp.outcome = _outcome(outcome)


def opportunity_views(session: Session, opps: Sequence[Opportunity]) -> list[OpportunityView]:
    """The views of several opportunities: two queries for the names, whatever their number."""
    pids = {o.referred_by_id for o in opps if o.referred_by_id is not None}
    oids = {o.organization_id for o in opps if o.organization_id is not None}
    names: dict[int, str] = {pid: name for pid, name in session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(pids)))} if pids else {}
    orgs: dict[int, str] = {oid: name for oid, name in session.execute(
        select(Organization.id, Organization.name).where(Organization.id.in_(oids)))} if oids else {}
    return [OpportunityView.of(o, names.get(o.referred_by_id or -1), orgs.get(o.organization_id or -1)) for o in opps]


def opportunity_view(session: Session, opp: Opportunity) -> OpportunityView:
    """The view of one opportunity."""
    return opportunity_views(session, [opp])[0]


def band(score: float) -> str:
    """Strength band of a tie score: strong, medium or weak."""
    return "strong" if score >= STRONG else "medium" if score >= WEAK else "weak"


@dataclass(frozen=True)
class ReportedOpportunity:
    """An opportunity with the tie it came through as it stood when it was found (no referrer: all None)."""

    opportunity: OpportunityView
    layer_then: str | None
    score_then: float | None
    strength_then: str | None  # strong, medium or weak (:func:`band`)
    referrer_org: str | None  # "no organisation" for a referrer without one
    referrer_title: str | None
    non_obvious: tuple[str, ...]  # why it was not the obvious referral (weak tie, outside the field)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: the opportunity's keys and the tie's."""
        return {**self.opportunity.as_dict(), "layer_then": self.layer_then, "score_then": self.score_then,
                "strength_then": self.strength_then, "referrer_org": self.referrer_org,
                "referrer_title": self.referrer_title, "non_obvious": list(self.non_obvious)}


@dataclass(frozen=True)
class ReferralGroup:
    """Referred opportunities grouped by one trait of the tie (a layer, a strength band, an organisation)."""

    group: str
    opportunities: int
    won: int
    titles: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``group``, ``opportunities``, ``won``, ``titles``."""
        return {"group": self.group, "opportunities": self.opportunities, "won": self.won, "titles": list(self.titles)}


@dataclass(frozen=True)
class OpportunityReport:
    """Which ties produced my opportunities (`kith opportunity report`, the opportunities page, the API)."""

    total: int
    referred: int
    by_layer: tuple[ReferralGroup, ...]
    by_strength: tuple[ReferralGroup, ...]
    by_organization: tuple[ReferralGroup, ...]
    opportunities: tuple[ReportedOpportunity, ...] = ()  # oldest first
    non_obvious: tuple[ReportedOpportunity, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        def rows(items: tuple[ReportedOpportunity, ...] | tuple[ReferralGroup, ...]) -> list[dict[str, Any]]:
            return [i.as_dict() for i in items]

        return {"total": self.total, "referred": self.referred, "by_layer": rows(self.by_layer),
                "by_strength": rows(self.by_strength), "by_organization": rows(self.by_organization),
                "opportunities": rows(self.opportunities), "non_obvious": rows(self.non_obvious)}


def opportunity_report(session: Session, as_of: datetime) -> OpportunityReport:
    """Opportunities found up to ``as_of`` grouped by the tie that brought them, non-obvious ones named."""
    opps = list(session.scalars(select(Opportunity).where(Opportunity.found_on <= as_of.date())
                                .order_by(Opportunity.found_on, Opportunity.id)).all())
    people = _referrers(session, opps)
    orgs = {oid: (name, industry) for oid, name, industry in session.execute(
        select(Organization.id, Organization.name, Organization.industry))}
    rows = tuple(_row(session, o, people, orgs) for o in opps)
    referred = [r for r in rows if r.opportunity.referred_by_id is not None]
    return OpportunityReport(
        len(rows), len(referred), _group(referred, lambda r: r.layer_then), _group(referred, lambda r: r.strength_then),
        _group(referred, lambda r: r.referrer_org), rows, tuple(r for r in referred if r.non_obvious),
    )


def _referrers(session: Session, opps: list[Opportunity]) -> dict[int, Person]:
    ids = {o.referred_by_id for o in opps if o.referred_by_id is not None}
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids))).all()}


def _tie_then(session: Session, person_id: int, day: date) -> PersonTie | None:
    return tie_scores(session, datetime.combine(day, time(23, 59, 59), UTC), [person_id]).get(person_id)


def _row(session: Session, opp: Opportunity, people: dict[int, Person],
         orgs: dict[int, tuple[str, str | None]]) -> ReportedOpportunity:
    opp_org, opp_industry = orgs.get(opp.organization_id or -1, (None, None))
    ref = people.get(opp.referred_by_id or -1)
    view = OpportunityView.of(opp, ref.display_name if ref else None, opp_org)
    if ref is None:
        return ReportedOpportunity(view, None, None, None, None, None, ())
    tie = _tie_then(session, ref.id, opp.found_on)
    score, layer = (tie.score, tie.layer) if tie else (0.0, "dormant")
    ref_org, ref_industry = orgs.get(ref.organization_id or -1, (None, None))
    surprises = _surprises(ref, score, layer, (ref_org, ref_industry), (opp_org, opp_industry))
    return ReportedOpportunity(view, layer, score, band(score), ref_org or "no organisation", ref.title,
                               tuple(surprises))


def _surprises(ref: Person, score: float, layer: str, ref_org: tuple[str | None, str | None],
               opp_org: tuple[str | None, str | None]) -> list[str]:
    """Why a referral was not the obvious one (empty when it was)."""
    out = []
    if score < WEAK:
        out.append(f"{ref.display_name} was a weak tie at the time (score {score:.0f}, {layer})")
    same_org = ref_org[0] is not None and opp_org[0] is not None and org_key(ref_org[0]) == org_key(opp_org[0])
    same_field = ref_org[1] is not None and opp_org[1] is not None and same_industry(ref_org[1], opp_org[1])
    if opp_org[0] is not None and not same_org and not same_field:
        where = ", ".join(x for x in (ref.title, ref_org[0], ref_org[1]) if x) or "no known work link"
        out.append(f"{ref.display_name} works outside the field of {opp_org[0]} ({where})")
    return out


def _group(rows: list[ReportedOpportunity], trait: Callable[[ReportedOpportunity], str | None]) -> tuple[ReferralGroup, ...]:
    groups: dict[str, list[ReportedOpportunity]] = defaultdict(list)
    for r in rows:
        groups[str(trait(r))].append(r)
    out = [ReferralGroup(g, len(rs), sum(1 for r in rs if r.opportunity.outcome == "won"),
                         tuple(r.opportunity.title for r in rs)) for g, rs in groups.items()]
    out.sort(key=lambda g: (-g.opportunities, g.group))
    return tuple(out)
