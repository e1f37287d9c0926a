"""The people graph of a workspace, built from the database and cached.

Edges between people come from recorded relations, from being together in
interactions and on events or projects, and from working at the same
organisation (:data:`RELATION_STRENGTH` and the ``*_STRENGTH`` constants say
how much each is worth; several reasons combine as a noisy-or). My own tie to
each person is their tie score. See ``docs/network.md``.

Building the graph of 30,000 people takes seconds, so the built graph is
memoized (:mod:`kith.services.memo`): kept by the owner of the session's
database, per workspace, and reused while the workspace's data version is
unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.graph import Adjacency, Edge, Evidence, build_adjacency, ego_brokerage
from kith.engine.kinds import GATEKEEPER_RELATIONS, RelationKind
from kith.engine.relevance import Profile, RelevanceIndex, build_index
from kith.normalize import fold
from kith.services.memo import memoized
from kith.services.scores import PersonTie, tie_scores
from kith.store.models import (
    Event,
    EventMember,
    InteractionParticipant,
    Organization,
    Person,
    PersonTag,
    Relation,
    Tag,
)

RELATION_STRENGTH: dict[str, float] = {
    RelationKind.PARTNER_OF: 0.9,
    RelationKind.ASSISTANT_OF: 0.8,
    RelationKind.WORKS_WITH: 0.6,
    RelationKind.REPORTS_TO: 0.6,
    RelationKind.INTRODUCED_BY: 0.5,
    RelationKind.REFERRED_BY: 0.5,
    RelationKind.KNOWS: 0.4,
}
INTERACTION_STRENGTH = 0.3  # two people in one interaction with me; shared among a larger group
PROJECT_STRENGTH = 0.5  # worked on the same project (up to SMALL_GROUP people)
EVENT_STRENGTH = 0.2  # were at the same event (up to SMALL_GROUP people)
COLLEAGUE_STRENGTH = 0.25  # same organisation (up to SMALL_GROUP people)
SMALL_GROUP = 8  # beyond this size, group evidence is diluted by SMALL_GROUP / size
MAX_GROUP = 60  # groups larger than this say nothing about who knows whom
STRONG_LAYERS = frozenset({"inner", "close"})


@dataclass
class PersonInfo:
    """What the graph knows of a person, for labels and relevance."""

    name: str
    title: str
    org_id: int | None
    org: str
    industry: str
    tags: tuple[str, ...]
    notes: str

    def label(self) -> str:
        """``Ana Diaz (Casting Director, Northlight)``."""
        extra = ", ".join(x for x in (self.title, self.org) if x)
        return f"{self.name} ({extra})" if extra else self.name


@dataclass
class Network:
    """A built graph plus what reach, ask and the reports need about people."""

    adj: Adjacency
    people: dict[int, PersonInfo]
    gatekeepers: dict[int, list[int]]  # person -> their assistants
    _index: RelevanceIndex | None = field(default=None, repr=False)
    _orgs: dict[str, tuple[str, list[int]]] | None = field(default=None, repr=False)
    _ties: dict[datetime, Mapping[int, PersonTie]] = field(default_factory=dict, repr=False)
    _edges: dict[datetime, dict[int, Edge]] = field(default_factory=dict, repr=False)

    def my_edges(self, session: Session, as_of: datetime) -> dict[int, Edge]:
        """My ties as edges as of a date (cached like the ties)."""
        edges = self._edges.get(as_of)
        if edges is None:
            edges = my_edges(my_ties(session, self, as_of))
            self._edges[as_of] = edges
        return edges

    def index(self) -> RelevanceIndex:
        """The relevance index of everyone's profile (built on first use)."""
        if self._index is None:
            self._index = build_index(
                Profile(pid, p.title, p.org, p.industry, p.tags, p.notes) for pid, p in self.people.items()
            )
        return self._index

    def orgs(self) -> dict[str, tuple[str, list[int]]]:
        """Folded organisation name -> (name, the people there), built on first use."""
        if self._orgs is None:
            orgs: dict[str, tuple[str, list[int]]] = {}
            for pid, info in sorted(self.people.items()):
                if info.org:
                    orgs.setdefault(fold(info.org), (info.org, []))[1].append(pid)
            self._orgs = orgs
        return self._orgs

    def name(self, person_id: int) -> str:
        """A person's name (``#id`` if not in the graph)."""
        info = self.people.get(person_id)
        return info.name if info else f"#{person_id}"


def network(session: Session) -> Network:
    """The graph of the session's workspace, rebuilt only when its data changed."""
    return memoized(session, "network.graph", None, lambda: build_network(session))


def build_network(session: Session) -> Network:
    """Build the graph from the database (no cache)."""
    people = _people(session)
    evidence = [
        *_relation_evidence(session, people),
        *_interaction_evidence(session, people),
        *_event_evidence(session, people),
        *_colleague_evidence(people),
    ]
    return Network(build_adjacency(evidence), people, _gatekeepers(session, people))


def _people(session: Session) -> dict[int, PersonInfo]:
    orgs = {oid: (name, industry or "") for oid, name, industry in
            session.execute(select(Organization.id, Organization.name, Organization.industry))}
    tags: dict[int, list[str]] = defaultdict(list)
    for pid, tag in session.execute(select(PersonTag.person_id, Tag.name).join(Tag, Tag.id == PersonTag.tag_id)):
        tags[pid].append(tag)
    rows = session.execute(
        select(Person.id, Person.display_name, Person.title, Person.organization_id, Person.notes)
        .where(Person.archived.is_(False))
    )
    out: dict[int, PersonInfo] = {}
    for pid, name, title, oid, notes in rows:
        org, industry = orgs.get(oid, ("", "")) if oid is not None else ("", "")
        out[pid] = PersonInfo(name, title or "", oid, org, industry, tuple(sorted(tags.get(pid, ()))), notes or "")
    return out


def _relation_evidence(session: Session, people: dict[int, PersonInfo]) -> Iterator[Evidence]:
    for src, kind, dst in session.execute(select(Relation.src_id, Relation.kind, Relation.dst_id)):
        if src in people and dst in people:
            why = f"{people[src].name} {kind} {people[dst].name}"
            yield Evidence(src, dst, RELATION_STRENGTH.get(kind, 0.3), why)


def _group_strength(base: float, size: int) -> float:
    return base if size <= SMALL_GROUP else base * SMALL_GROUP / size


def _interaction_evidence(session: Session, people: dict[int, PersonInfo]) -> Iterator[Evidence]:
    groups: dict[int, list[int]] = defaultdict(list)
    for iid, pid in session.execute(select(InteractionParticipant.interaction_id, InteractionParticipant.person_id)):
        if pid in people:
            groups[iid].append(pid)
    pairs: dict[tuple[int, int], list[float]] = defaultdict(list)
    for members in groups.values():
        n = len(members)
        if 2 <= n <= MAX_GROUP:
            s = INTERACTION_STRENGTH / (n - 1)
            members.sort()
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    pairs[(a, b)].append(s)
    for (a, b), strengths in pairs.items():
        times = "once" if len(strengths) == 1 else f"{len(strengths)} times"
        # One piece of evidence per pair, already combined: saves memory at scale.
        yield Evidence(a, b, 1.0 - _miss(strengths), f"met together with you {times}")


def _miss(strengths: list[float]) -> float:
    miss = 1.0
    for s in strengths:
        miss *= 1.0 - s
    return miss


def _event_evidence(session: Session, people: dict[int, PersonInfo]) -> Iterator[Evidence]:
    events = {eid: (name, kind) for eid, name, kind in session.execute(select(Event.id, Event.name, Event.kind))}
    groups: dict[int, list[int]] = defaultdict(list)
    for eid, pid in session.execute(select(EventMember.event_id, EventMember.person_id)):
        if pid in people:
            groups[eid].append(pid)
    for eid, members in groups.items():
        name, kind = events[eid]
        if not 2 <= len(members) <= MAX_GROUP:
            continue
        base = PROJECT_STRENGTH if kind == "project" else EVENT_STRENGTH
        s = _group_strength(base, len(members))
        why = f"both on the project {name}" if kind == "project" else f"both at {name}"
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield Evidence(a, b, s, why)


def _colleague_evidence(people: dict[int, PersonInfo]) -> Iterator[Evidence]:
    staff: dict[int, list[int]] = defaultdict(list)
    for pid, info in people.items():
        if info.org_id is not None:
            staff[info.org_id].append(pid)
    for members in staff.values():
        if not 2 <= len(members) <= MAX_GROUP:
            continue
        s = _group_strength(COLLEAGUE_STRENGTH, len(members))
        why = f"colleagues at {people[members[0]].org}"
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                yield Evidence(a, b, s, why)


def _gatekeepers(session: Session, people: dict[int, PersonInfo]) -> dict[int, list[int]]:
    kinds = [k.value for k in GATEKEEPER_RELATIONS]
    out: dict[int, list[int]] = defaultdict(list)
    for src, dst in session.execute(
        select(Relation.src_id, Relation.dst_id).where(Relation.kind.in_(kinds)).order_by(Relation.id)
    ):
        if src in people and dst in people:
            out[dst].append(src)
    return dict(out)


def my_ties(session: Session, net: Network, as_of: datetime) -> Mapping[int, PersonTie]:
    """Everyone's tie score as of a date (cached with the graph: same data, same answer)."""
    ties = net._ties.get(as_of)
    if ties is None:
        ties = tie_scores(session, as_of)
        if len(net._ties) > 8:
            net._ties.clear()
            net._edges.clear()
        net._ties[as_of] = ties
    return ties


def my_edges(ties: Mapping[int, PersonTie]) -> dict[int, Edge]:
    """My ties as graph edges (strength = score / 100), strongest first."""
    live = sorted((t for t in ties.values() if t.score > 0), key=lambda t: (-t.score, t.person_id))
    return {t.person_id: Edge(t.score / 100.0, [f"your tie: score {t.score:.0f} ({t.layer})"]) for t in live}


@dataclass
class BrokerageReport:
    """Brokerage and diversity of my network, ready for JSON."""

    constraint: float
    effective_size: float
    size: int
    clusters: list[dict[str, Any]]
    strong_ties: int
    strong_share_in_one_cluster: float
    concentrated_cluster: int | None
    bridges: list[dict[str, Any]]
    advice: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "constraint": self.constraint, "effective_size": self.effective_size, "size": self.size,
            "clusters": self.clusters, "strong_ties": self.strong_ties,
            "strong_share_in_one_cluster": self.strong_share_in_one_cluster,
            "concentrated_cluster": self.concentrated_cluster, "bridges": self.bridges, "advice": self.advice,
        }


def brokerage(session: Session, as_of: datetime) -> BrokerageReport:
    """Burt's constraint and effective size of my network, its clusters and who bridges them."""
    net = network(session)
    ties = my_ties(session, net, as_of)
    strengths = {pid: t.score / 100.0 for pid, t in ties.items() if t.score > 0 and pid in net.people}
    strong = {pid for pid, t in ties.items() if t.layer in STRONG_LAYERS and pid in strengths}
    b = ego_brokerage(net.adj, strengths, strong)
    clusters = [_cluster_dict(net, i, c, strong) for i, c in enumerate(b.clusters)]
    bridges = [
        {"id": p, "name": net.name(p), "clusters_reached": n, "cross_strength": s,
         "why": f"{net.name(p)} links cluster {_cluster_of(b.clusters, p)} to {n} other cluster(s)"}
        for p, n, s in b.bridges[:10]
    ]
    report = BrokerageReport(
        round(b.constraint, 4), round(b.effective_size, 4), b.size, clusters, len(strong),
        round(b.strong_share_in_top_cluster, 4), b.top_cluster, bridges, [],
    )
    report.advice = _brokerage_advice(report)
    return report


def _cluster_of(clusters: list[list[int]], person: int) -> int:
    return next(i for i, c in enumerate(clusters) if person in c)


def _cluster_dict(net: Network, i: int, members: list[int], strong: set[int]) -> dict[str, Any]:
    labels: dict[str, int] = defaultdict(int)
    for p in members:
        info = net.people[p]
        for lab in (info.org, *info.tags, info.industry):
            if lab:
                labels[lab] += 1
    top = sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return {
        "index": i, "size": len(members), "strong": len(strong.intersection(members)),
        "label": ", ".join(k for k, _ in top), "members": [{"id": p, "name": net.name(p)} for p in members],
    }


def _brokerage_advice(r: BrokerageReport) -> list[str]:
    out: list[str] = []
    if r.size == 0:
        return ["no ties yet: log interactions to build your network"]
    if r.strong_ties and r.strong_share_in_one_cluster >= 0.75 and len(r.clusters) > 1:
        label = r.clusters[r.concentrated_cluster or 0]["label"] or "one group"
        out.append(f"{r.strong_share_in_one_cluster:.0%} of your strong ties sit in one cluster ({label}): "
                   "invest in a tie outside it")
    if r.bridges:
        out.append(f"{r.bridges[0]['name']} bridges your clusters: keep that tie warm")
    if r.constraint >= 0.5:
        out.append(f"constraint {r.constraint:.2f} is high: your contacts mostly know each other")
    return out
