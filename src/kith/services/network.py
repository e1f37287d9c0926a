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

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from kith.engine.graph import (
    Adjacency,
    Brokerage,
    Edge,
    Evidence,
    build_adjacency,
    ego_brokerage,
    ego_network,
)
from kith.engine.kinds import GATEKEEPER_RELATIONS, RelationKind
from kith.engine.relevance import Profile, RelevanceIndex, build_index
from kith.normalize import fold
from kith.services.log_cache import log_entries
from kith.services.memo import memoized
from kith.services.people import get_person
from kith.services.scores import PersonTie, TieTable, tie_scores
from kith.store import door
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


# ------------------------------------------------------------------ brokerage
# `kith network` reads the graph's edges straight into arrays instead of
# building the graph above: at 30,000 people the build takes ten seconds of
# Python objects, and brokerage needs only the strengths, not the reasons.
# The rules are the ones above (same constants, same groups, same noisy-or);
# tests/test_network_edges.py holds the two to the same strengths.

_WS = door.WS
_PEOPLE = (
    select(Person.id, Person.organization_id, Person.display_name, Organization.name, Organization.industry)
    .outerjoin(Organization, (Organization.id == Person.organization_id) & (Organization.workspace_id == _WS))
    .where(Person.workspace_id == _WS, Person.archived.is_(False))
    .order_by(Person.id)
)
_TAGS = (
    select(PersonTag.person_id, Tag.name)
    .join(Tag, (Tag.id == PersonTag.tag_id) & (Tag.workspace_id == _WS))
    .where(PersonTag.workspace_id == _WS)
)
_RELATIONS = select(Relation.src_id, Relation.kind, Relation.dst_id).where(Relation.workspace_id == _WS)
_EVENT_MEMBERS = (
    select(EventMember.event_id, EventMember.person_id, Event.kind)
    .join(Event, (Event.id == EventMember.event_id) & (Event.workspace_id == _WS))
    .where(EventMember.workspace_id == _WS)
)


@dataclass(frozen=True)
class PersonEdges:
    """Every person-person edge of the workspace as arrays: ``a[k] < b[k]`` and their combined strength."""

    a: NDArray[np.int64]
    b: NDArray[np.int64]
    strength: NDArray[np.float64]


@dataclass(frozen=True)
class _Roster:
    """The workspace's non-archived people: ids ascending, organisation ids, names and labels."""

    ids: NDArray[np.int64]
    org: NDArray[np.int64]  # -1 for none
    names: dict[int, str]
    labels: dict[int, tuple[str, ...]]  # organisation, tags, industry: what names a cluster


def _roster(session: Session) -> _Roster:
    tags: dict[int, list[str]] = defaultdict(list)
    for pid, tag in _driver_rows(session, _TAGS):
        tags[pid].append(tag)
    rows = _driver_rows(session, _PEOPLE)
    names = {pid: name for pid, _, name, _, _ in rows}
    labels = {pid: tuple(x for x in (org or "", *sorted(tags.get(pid, ())), industry or "") if x)
              for pid, _, _, org, industry in rows}
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    org = np.fromiter((-1 if r[1] is None else r[1] for r in rows), dtype=np.int64, count=len(rows))
    return _Roster(ids, org, names, labels)


def _driver_rows(session: Session, statement: Any) -> Sequence[tuple[Any, ...]]:
    """The rows of one of the statements above as plain tuples (the store's fast path: the 400,000 rows of
    the meetings of the big benchmark network in 1.2 s instead of 1.6-2.1 s through Row objects)."""
    return door.tuples(session, statement)


def person_edges(session: Session) -> PersonEdges:
    """The strength of every edge of the graph :func:`build_network` builds, without its reasons."""
    roster = _roster(session)
    return _edges_of(session, roster.ids, roster.org)


def _edges_of(session: Session, people: NDArray[np.int64], org: NDArray[np.int64]) -> PersonEdges:
    """Edges among ``people`` (non-archived, ascending), ``org`` their organisation ids (-1 for none)."""
    parts = [_relation_edges(_driver_rows(session, _RELATIONS), people)]
    entries = log_entries(session)  # the log cache: who took part in each interaction, with its size
    met = entries[entries["group"] > 1]  # only interactions with several people say who knows whom
    a, b, _, n = _pairs_in_groups(met["interaction"].astype(np.int64), met["person"].astype(np.int64), people)
    parts.append((a, b, (INTERACTION_STRENGTH / (n - 1.0)).astype(np.float64)))
    parts.append(_event_edges(_driver_rows(session, _EVENT_MEMBERS), people))
    with_org = org >= 0
    a, b, _, n = _pairs_in_groups(org[with_org], people[with_org], people)
    parts.append((a, b, _diluted(COLLEAGUE_STRENGTH, n)))
    return _noisy_or(*(np.concatenate(col) for col in zip(*parts, strict=True)))


Pairs = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]


def _relation_edges(rows: Sequence[Any], people: NDArray[np.int64]) -> Pairs:
    src = np.array([r[0] for r in rows], dtype=np.int64)
    dst = np.array([r[2] for r in rows], dtype=np.int64)
    strength = np.array([RELATION_STRENGTH.get(r[1], 0.3) for r in rows], dtype=np.float64)
    known = np.isin(src, people) & np.isin(dst, people)
    return src[known], dst[known], strength[known]


def _event_edges(rows: Sequence[Any], people: NDArray[np.int64]) -> Pairs:
    event = np.array([r[0] for r in rows], dtype=np.int64)
    member = np.array([r[1] for r in rows], dtype=np.int64)
    project = {r[0] for r in rows if r[2] == "project"}
    a, b, group, n = _pairs_in_groups(event, member, people)
    base = np.where(np.isin(group, np.fromiter(project, dtype=np.int64)), PROJECT_STRENGTH, EVENT_STRENGTH)
    return a, b, _diluted(base, n)


def _diluted(base: float | NDArray[np.float64], size: NDArray[np.int64]) -> NDArray[np.float64]:
    """:func:`_group_strength` over arrays."""
    return np.where(size <= SMALL_GROUP, base, base * SMALL_GROUP / np.maximum(size, 1))


def _pairs_in_groups(
    group: NDArray[np.int64], member: NDArray[np.int64], people: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Each pair in each group of 2 to MAX_GROUP of ``people``: (a < b, group, group size).

    Members are sorted within their group, so the pairs at distance k are
    rows k apart in the same group: one vectorised step per distance, and
    most groups are small.
    """
    known = np.isin(member, people)
    group, member = group[known], member[known]
    order = np.argsort((group << 32) | member)  # ids are 32-bit integers
    group, member = group[order], member[order]
    if group.size == 0:
        return _NO_PAIRS
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    counts = np.diff(np.r_[starts, group.size])
    size = np.repeat(counts, counts)
    fits = (size >= 2) & (size <= MAX_GROUP)
    group, member, size = group[fits], member[fits], size[fits]
    cols: list[list[NDArray[np.int64]]] = [[], [], [], []]
    for k in range(1, MAX_GROUP):
        same = group[:-k] == group[k:]
        if not same.any():
            break
        for col, values in zip(cols, (member[:-k], member[k:], group[k:], size[k:]), strict=True):
            col.append(values[same])
    if not cols[0]:
        return _NO_PAIRS
    a, b, g, n = (np.concatenate(col) for col in cols)
    return a, b, g, n


_NO_PAIRS = (np.zeros(0, dtype=np.int64),) * 4


def _noisy_or(a: NDArray[np.int64], b: NDArray[np.int64], s: NDArray[np.float64]) -> PersonEdges:
    """One edge per pair: ``1 - Π(1 - s)`` over its evidence (as :func:`build_adjacency` folds it)."""
    use = (a != b) & (s > 0)
    lo, hi = np.minimum(a[use], b[use]), np.maximum(a[use], b[use])
    miss = 1.0 - np.minimum(s[use], 1.0)
    key = (lo << 32) | hi
    order = np.argsort(key)
    key, miss = key[order], miss[order]
    if key.size == 0:
        return PersonEdges(lo, hi, miss)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    return PersonEdges(key[starts] >> 32, key[starts] & 0xFFFFFFFF, 1.0 - np.multiply.reduceat(miss, starts))


@dataclass(frozen=True)
class PersonRef:
    """A person named in a report."""

    id: int
    name: str


@dataclass(frozen=True)
class NetworkCluster:
    """One cluster of my contacts, named by its commonest organisations, tags and industries."""

    index: int
    size: int
    strong: int  # how many of my strong ties are in it
    label: str
    members: tuple[PersonRef, ...]


@dataclass(frozen=True)
class BridgeContact:
    """A contact with ties into clusters other than their own."""

    id: int
    name: str
    clusters_reached: int
    cross_strength: float
    why: str


@dataclass(frozen=True)
class BrokerageReport:
    """Brokerage and diversity of my network: what ``kith network`` shows and ``--json`` prints."""

    constraint: float
    effective_size: float
    size: int
    clusters: tuple[NetworkCluster, ...]
    strong_ties: int
    strong_share_in_one_cluster: float
    concentrated_cluster: int | None
    bridges: tuple[BridgeContact, ...]
    advice: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON form (the keys ``kith network --json`` has always printed)."""
        return {
            "constraint": self.constraint, "effective_size": self.effective_size, "size": self.size,
            "clusters": [
                {"index": c.index, "size": c.size, "strong": c.strong, "label": c.label,
                 "members": [{"id": m.id, "name": m.name} for m in c.members]}
                for c in self.clusters
            ],
            "strong_ties": self.strong_ties, "strong_share_in_one_cluster": self.strong_share_in_one_cluster,
            "concentrated_cluster": self.concentrated_cluster,
            "bridges": [
                {"id": x.id, "name": x.name, "clusters_reached": x.clusters_reached,
                 "cross_strength": x.cross_strength, "why": x.why}
                for x in self.bridges
            ],
            "advice": list(self.advice),
        }


BRIDGES_SHOWN = 10


def brokerage(session: Session, as_of: datetime) -> BrokerageReport:
    """Burt's constraint and effective size of my network, its clusters and who bridges them."""
    mine = _my_brokerage(session, as_of, bridge_limit=BRIDGES_SHOWN)
    b, names = mine.brokerage, mine.roster.names
    clusters = tuple(_cluster(mine.roster, i, members, mine.strong) for i, members in enumerate(b.clusters))
    bridges = tuple(
        BridgeContact(x.person, names[x.person], x.clusters_reached, x.cross_strength,
                      f"{names[x.person]} links cluster {x.cluster} to {x.clusters_reached} other cluster(s)")
        for x in b.bridges
    )
    constraint, share = round(b.constraint, 4), round(b.strong_share_in_top_cluster, 4)
    advice = _brokerage_advice(b.size, constraint, clusters, bridges, len(mine.strong), share, b.top_cluster)
    return BrokerageReport(constraint, round(b.effective_size, 4), b.size, clusters, len(mine.strong), share,
                           b.top_cluster, bridges, advice)


@dataclass(frozen=True)
class _MyBrokerage:
    """The engine's answer for my ego network and what it was computed from."""

    brokerage: Brokerage
    ties: TieTable
    roster: _Roster
    strong: set[int]  # my strong ties (inner and close layers)


def _my_brokerage(session: Session, as_of: datetime, *, bridge_limit: int | None) -> _MyBrokerage:
    ties = tie_scores(session, as_of)
    roster = _roster(session)
    edges = _edges_of(session, roster.ids, roster.org)
    ego = ego_network(ties.ids, ties.score / 100.0, edges.a, edges.b, edges.strength)
    strong = set(ties.in_layers(STRONG_LAYERS)).intersection(ego.people.tolist())
    return _MyBrokerage(ego_brokerage(ego, strong, bridge_limit=bridge_limit), ties, roster, strong)


def _cluster(roster: _Roster, i: int, members: tuple[int, ...], strong: set[int]) -> NetworkCluster:
    counts: Counter[str] = Counter()
    for p in members:
        counts.update(roster.labels[p])
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return NetworkCluster(i, len(members), len(strong.intersection(members)), ", ".join(k for k, _ in top),
                          tuple(PersonRef(p, roster.names[p]) for p in members))


def _brokerage_advice(
    size: int, constraint: float, clusters: tuple[NetworkCluster, ...], bridges: tuple[BridgeContact, ...],
    strong: int, share: float, top: int | None,
) -> tuple[str, ...]:
    if size == 0:
        return ("no ties yet: log interactions to build your network",)
    out: list[str] = []
    if strong and share >= 0.75 and len(clusters) > 1:
        label = clusters[top or 0].label or "one group"
        out.append(f"{share:.0%} of your strong ties sit in one cluster ({label}): invest in a tie outside it")
    if bridges:
        out.append(f"{bridges[0].name} bridges your clusters: keep that tie warm")
    if constraint >= 0.5:
        out.append(f"constraint {constraint:.2f} is high: your contacts mostly know each other")
    return tuple(out)


# ------------------------------------------------------------- the picture
PICTURE_PEOPLE = 80
BRIDGES_DRAWN = 5


@dataclass(frozen=True)
class PicturePerson:
    """Someone on the network picture, with their cluster among the people drawn."""

    id: int
    name: str
    score: float
    layer: str
    cluster: int  # 0 is the largest cluster of the picture
    bridge: bool
    gatekeeper: bool  # the assistant of someone


@dataclass(frozen=True)
class PictureEdge:
    """A tie between two people drawn, with its first reasons."""

    a: int
    b: int
    strength: float
    why: str


@dataclass(frozen=True)
class NetworkPicture:
    """My strongest ties, the ties among them, their clusters, bridges and gatekeepers."""

    people: tuple[PicturePerson, ...]  # strongest tie first
    edges: tuple[PictureEdge, ...]
    clusters: int
    bridges: tuple[PersonRef, ...]  # most clusters reached first
    gatekeepers: tuple[PersonRef, ...]  # in the order drawn


def network_picture(session: Session, as_of: datetime, *, limit: int = PICTURE_PEOPLE) -> NetworkPicture:
    """My ``limit`` strongest ties, coloured by their cluster in my whole network, as ``kith network`` finds them.

    A person's cluster is its number in ``kith network``; the bridges are
    the people drawn who bridge clusters there, ranked the same way; the
    gatekeepers are the people drawn who are someone's assistant. Edges
    come from the cached graph, which keeps their reasons.
    """
    mine = _my_brokerage(session, as_of, bridge_limit=None)
    ties = mine.ties
    live = ties.score > 0
    chosen = np.lexsort((ties.ids[live], -ties.score[live]))[:limit]
    top = [ties[int(pid)] for pid in ties.ids[live][chosen]]
    if not top:
        return NetworkPicture((), (), 0, (), ())
    net = network(session)
    drawn = {t.person_id for t in top}
    cluster_of = {p: i for i, members in enumerate(mine.brokerage.clusters) for p in members if p in drawn}
    bridge_ids = [x.person for x in mine.brokerage.bridges if x.person in drawn][:BRIDGES_DRAWN]
    assistants = {p for helpers in net.gatekeepers.values() for p in helpers}
    people = tuple(
        PicturePerson(t.person_id, net.name(t.person_id), t.score, t.layer, cluster_of[t.person_id],
                      t.person_id in bridge_ids, t.person_id in assistants)
        for t in top
    )
    edges = tuple(
        PictureEdge(a, b, e.strength, "; ".join(e.why[:2]))
        for a, b, e in sorted((a, b, e) for a in drawn for b, e in net.adj.get(a, {}).items() if b in drawn and a < b)
    )
    return NetworkPicture(
        people, edges, len(set(cluster_of.values())), tuple(PersonRef(p, net.name(p)) for p in bridge_ids),
        tuple(PersonRef(p.id, p.name) for p in people if p.gatekeeper),
    )


NEIGHBOURS_DRAWN = 30


def neighbourhood_picture(session: Session, as_of: datetime, person_id: int, *,
                          limit: int = NEIGHBOURS_DRAWN) -> NetworkPicture:
    """One person and the ``limit`` people most strongly linked to them, with the ties among them.

    The person is cluster 0, the others cluster 1; scores and layers are my ties
    with each (0 and dormant for someone I have no tie with). Raises NotFound
    for an unknown person.
    """
    center = get_person(session, person_id)
    net = network(session)
    ties = tie_scores(session, as_of)
    around = sorted(net.adj.get(center.id, {}).items(), key=lambda kv: (-kv[1].strength, kv[0]))[:limit]
    drawn = [center.id] + [b for b, _e in around]
    assistants = {p for helpers in net.gatekeepers.values() for p in helpers}

    def picture_person(pid: int) -> PicturePerson:
        tie = ties.get(pid)
        return PicturePerson(pid, net.name(pid) if pid != center.id else center.display_name,
                             tie.score if tie else 0.0, tie.layer if tie else "dormant", 0 if pid == center.id else 1,
                             False, pid in assistants)

    people = tuple(picture_person(p) for p in drawn)
    chosen = set(drawn)
    edges = tuple(
        PictureEdge(a, b, e.strength, "; ".join(e.why[:2]))
        for a, b, e in sorted((a, b, e) for a in chosen for b, e in net.adj.get(a, {}).items() if b in chosen and a < b)
    )
    return NetworkPicture(people, edges, 1 if len(drawn) == 1 else 2, (),
                          tuple(PersonRef(p.id, p.name) for p in people if p.gatekeeper))
