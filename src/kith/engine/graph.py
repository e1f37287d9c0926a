"""Paths and brokerage over the people graph: pure functions, no database.

The graph is an adjacency mapping ``{person: {neighbour: Edge}}`` between
people other than "me"; my own ties are a separate mapping ``{person:
strength}``. Every strength is in (0, 1] and every edge carries the reasons
it exists, so every answer can say why.

Path cost is ``-ln(strength)``, so the cheapest path has the largest product
of strengths (its *quality*). The first hop (me to someone I would ask) is
weighted more than the others, because an introduction is only as good as
my willingness and standing to ask for it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ME = 0
"""The node that stands for the user in ego networks (person ids start at 1)."""

FIRST_HOP_WEIGHT = 1.5
"""How much more a weak first hop costs than a weak later hop."""


@dataclass(slots=True)
class Edge:
    """An undirected tie between two people: strength in (0, 1] and why it exists."""

    strength: float
    why: list[str] = field(default_factory=list)


Adjacency = dict[int, dict[int, Edge]]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason two people know each other, with the strength it alone implies."""

    a: int
    b: int
    strength: float
    why: str


def combine(strengths: Iterable[float]) -> float:
    """Independent pieces of evidence combined as a noisy-or: ``1 - Π(1 - s)``."""
    miss = 1.0
    for s in strengths:
        miss *= 1.0 - min(max(s, 0.0), 1.0)
    return 1.0 - miss


def build_adjacency(evidence: Iterable[Evidence]) -> Adjacency:
    """Fold evidence into one symmetric edge per pair (noisy-or of strengths, reasons kept)."""
    adj: Adjacency = defaultdict(dict)
    for ev in evidence:
        if ev.a == ev.b or ev.strength <= 0:
            continue
        edge = adj[ev.a].get(ev.b)
        if edge is None:
            edge = Edge(0.0, [])
            adj[ev.a][ev.b] = edge
            adj[ev.b][ev.a] = edge
        edge.strength = 1.0 - (1.0 - edge.strength) * (1.0 - min(ev.strength, 1.0))
        edge.why.append(ev.why)
    return dict(adj)


def cost(strength: float) -> float:
    """The cost of crossing an edge: ``-ln(strength)`` (0 for a perfect tie)."""
    return -math.log(max(strength, 1e-9))


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: ``src`` to ``dst`` (``ME`` is me), its strength and reasons."""

    src: int
    dst: int
    strength: float
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Path:
    """An introduction path from me to a target, hop by hop."""

    hops: tuple[Hop, ...]
    rank_cost: float  # what paths are ordered by (first hop weighted more)

    @property
    def quality(self) -> float:
        """Product of the strengths of every hop (0-1)."""
        return math.prod(h.strength for h in self.hops)

    @property
    def people(self) -> tuple[int, ...]:
        """The people on the path after me, in order (the last is the target)."""
        return tuple(h.dst for h in self.hops)


def _one_hop(adj: Mapping[int, Mapping[int, Edge]], targets: set[int]) -> dict[int, tuple[float, int]]:
    """For each non-target neighbour of a target: the cheapest edge to a target and which target."""
    one: dict[int, tuple[float, int]] = {}
    for t in sorted(targets):
        for b, edge in adj.get(t, {}).items():
            if b in targets:
                continue
            cand = (cost(edge.strength), t)
            if b not in one or cand < one[b]:
                one[b] = cand
    return one


def _tail(
    adj: Mapping[int, Mapping[int, Edge]], a: int, targets: set[int], one: Mapping[int, tuple[float, int]]
) -> tuple[float, tuple[int, ...]] | None:
    """Best route of at most two edges from ``a`` to a target: (cost, (a, ..., target))."""
    if a in targets:
        return 0.0, (a,)
    best: tuple[float, tuple[int, ...]] | None = (one[a][0], (a, one[a][1])) if a in one else None
    for b, edge in adj.get(a, {}).items():
        if b in one and b not in targets:
            c = cost(edge.strength) + one[b][0]
            if best is None or c < best[0]:
                best = (c, (a, b, one[b][1]))
    return best


def _hops(adj: Mapping[int, Mapping[int, Edge]], route: tuple[int, ...], first: Edge) -> tuple[Hop, ...]:
    hops = [Hop(ME, route[0], first.strength, tuple(first.why))]
    for src, dst in itertools.pairwise(route):
        edge = adj[src][dst]
        hops.append(Hop(src, dst, edge.strength, tuple(edge.why)))
    return tuple(hops)


def best_paths(
    adj: Mapping[int, Mapping[int, Edge]],
    my_ties: Mapping[int, Edge],
    targets: Iterable[int],
    *,
    limit: int = 3,
    first_hop_weight: float = FIRST_HOP_WEIGHT,
    strongest_first: bool = False,
) -> list[Path]:
    """The best paths of up to three hops from me to any target, one per first hop.

    A path is ``me -> A [-> B [-> target]]``; ``my_ties`` are my edges to A.
    Paths are ranked by ``w * cost(me, A) + cost(rest)``, so a strong first
    hop is preferred; each person I would ask appears in at most one path.
    My ties are tried strongest first and the search stops once the first hop
    alone costs more than the ``limit``-th best path found: exact, and fast
    when I know thousands of people. ``strongest_first`` says ``my_ties`` is
    already in that order (saves sorting them on every call).
    """
    goal = set(targets)
    one = _one_hop(adj, goal)
    order = my_ties if strongest_first else sorted(my_ties, key=lambda p: (-my_ties[p].strength, p))
    ranked: list[tuple[float, int, tuple[int, ...]]] = []
    for a in order:
        if my_ties[a].strength <= 0:
            continue
        head = first_hop_weight * cost(my_ties[a].strength)
        if len(ranked) >= limit and head >= ranked[limit - 1][0]:
            break
        tail = _tail(adj, a, goal, one)
        if tail is not None:
            bisect.insort(ranked, (head + tail[0], a, tail[1]))
            del ranked[limit:]
    return [Path(_hops(adj, route, my_ties[a]), rank) for rank, a, route in ranked[:limit]]


@dataclass(frozen=True)
class Brokerage:
    """My position in my own network: Burt's measures, clusters and bridges."""

    constraint: float
    effective_size: float
    size: int
    clusters: list[list[int]]  # largest first, members sorted
    strong_share_in_top_cluster: float  # share of strong ties in the cluster holding most of them
    top_cluster: int | None  # index into clusters
    bridges: list[tuple[int, int, float]]  # (person, other clusters reached, cross-cluster strength)


def ego_brokerage(
    adj: Mapping[int, Mapping[int, Edge]], my_ties: Mapping[int, float], strong: set[int], *, seed: int = 42
) -> Brokerage:
    """Burt's constraint and effective size of me, my clusters and the people bridging them."""
    import networkx as nx

    contacts = {p for p, s in my_ties.items() if s > 0}
    g = nx.Graph()
    g.add_node(ME)
    for p in sorted(contacts):
        g.add_edge(ME, p, weight=my_ties[p])
    alters = nx.Graph()
    alters.add_nodes_from(sorted(contacts))
    for p in sorted(contacts):
        for q, edge in adj.get(p, {}).items():
            if q in contacts and p < q:
                g.add_edge(p, q, weight=edge.strength)
                alters.add_edge(p, q, weight=edge.strength)
    if not contacts:
        return Brokerage(0.0, 0.0, 0, [], 0.0, None, [])
    constraint = float(nx.constraint(g, [ME], weight="weight")[ME])
    eff = float(nx.effective_size(g, [ME], weight="weight")[ME])
    clusters = _clusters(alters, seed)
    share, top = _strong_share(clusters, strong & contacts)
    return Brokerage(constraint, eff, len(contacts), clusters, share, top, _bridges(alters, clusters))


def _clusters(alters: object, seed: int) -> list[list[int]]:
    import networkx as nx

    parts = nx.community.louvain_communities(alters, weight="weight", seed=seed)
    clusters = [sorted(int(p) for p in part) for part in parts]
    clusters.sort(key=lambda c: (-len(c), c[0]))
    return clusters


def _strong_share(clusters: list[list[int]], strong: set[int]) -> tuple[float, int | None]:
    if not strong:
        return 0.0, None
    counts = Counter({i: len(strong.intersection(c)) for i, c in enumerate(clusters)})
    top, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return n / len(strong), top


def _bridges(alters: object, clusters: list[list[int]]) -> list[tuple[int, int, float]]:
    """People with ties into clusters other than their own, most clusters first."""
    where = {p: i for i, c in enumerate(clusters) for p in c}
    out: list[tuple[int, int, float]] = []
    for p in sorted(where):
        others: set[int] = set()
        strength = 0.0
        for q, data in alters[p].items():  # type: ignore[index]
            if where[q] != where[p]:
                others.add(where[q])
                strength += float(data["weight"])
        if others:
            out.append((p, len(others), round(strength, 4)))
    out.sort(key=lambda b: (-b[1], -b[2], b[0]))
    return out
