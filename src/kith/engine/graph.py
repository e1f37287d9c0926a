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
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

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


# ------------------------------------------------------------------ brokerage
# My ego network is me, my contacts (everyone I have a tie with) and the ties
# among them. At 30,000 contacts it has about 900,000 edges, so it is held as
# arrays and every measure below is a few vectorised passes over them.

CORE_SIZE = 1000
"""How many of my strongest contacts Louvain clusters itself (everyone, in a network this size or smaller)."""

LOUVAIN_SEED = 42
"""Louvain visits people in a shuffled order; a fixed seed gives the same clusters on every run."""

DENSE_CELLS = 1 << 26
"""Up to this many (contact, cluster) cells, bridges are counted in a table of flags (64 MB) rather than by a sort."""


@dataclass(frozen=True)
class EgoNetwork:
    """Me, my contacts and the ties among them, as arrays.

    Contact ``i`` is the person ``people[i]`` (ascending ids) and ``tie[i]``
    is my tie strength to them, in (0, 1]. Edge ``k`` joins the contacts
    ``src[k] < dst[k]`` with ``strength[k]``; edges are unique and sorted by
    ``(src, dst)``.
    """

    people: NDArray[np.int64]
    tie: NDArray[np.float64]
    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    strength: NDArray[np.float64]

    @property
    def size(self) -> int:
        """How many contacts I have."""
        return len(self.people)


def ego_network(
    people: NDArray[np.int64], tie: NDArray[np.float64],
    a: NDArray[np.int64], b: NDArray[np.int64], strength: NDArray[np.float64],
) -> EgoNetwork:
    """My ego network from everyone's tie with me and the person-person edges ``(a, b, strength)``.

    People with a tie of 0 or less are not my contacts; edges that do not
    join two contacts are dropped. Each pair must appear once.
    """
    live = tie > 0
    ids = np.asarray(people, dtype=np.int64)[live]
    order = np.argsort(ids, kind="stable")
    ids, strengths = ids[order], np.asarray(tie, dtype=np.float64)[live][order]
    i, j = _positions(ids, np.asarray(a, dtype=np.int64)), _positions(ids, np.asarray(b, dtype=np.int64))
    keep = (i >= 0) & (j >= 0) & (i != j)
    lo, hi = np.minimum(i[keep], j[keep]), np.maximum(i[keep], j[keep])
    w = np.asarray(strength, dtype=np.float64)[keep]
    key = (lo << 32) | hi
    if key.size and not np.all(key[1:] > key[:-1]):  # edges read in (a, b) order are already sorted
        by_pair = np.argsort(key)
        lo, hi, w = lo[by_pair], hi[by_pair], w[by_pair]
    return EgoNetwork(ids, strengths, lo, hi, w)


def _positions(sorted_ids: NDArray[np.int64], wanted: NDArray[np.int64]) -> NDArray[np.int64]:
    """Where each of ``wanted`` sits in ``sorted_ids`` (-1 where it is not there)."""
    if len(sorted_ids) == 0 or len(wanted) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    top = max(int(sorted_ids[-1]), int(wanted.max()))
    if top < 4 * (len(sorted_ids) + len(wanted)) + 1024:  # ids are dense: a lookup table is fastest
        table = np.full(top + 1, -1, dtype=np.int64)
        table[sorted_ids] = np.arange(len(sorted_ids))
        return np.where(wanted >= 0, table[np.maximum(wanted, 0)], -1)
    at = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == wanted, at, -1).astype(np.int64)


def ego_network_from_adjacency(adj: Mapping[int, Mapping[int, Edge]], my_ties: Mapping[int, float]) -> EgoNetwork:
    """:func:`ego_network` from an adjacency mapping and ``{person: my tie strength}``."""
    pairs = [(p, q, e.strength) for p, nbrs in adj.items() for q, e in nbrs.items() if p < q]
    a, b, s = (np.array(col) for col in zip(*pairs, strict=True)) if pairs else (np.zeros(0),) * 3
    return ego_network(np.array(list(my_ties), dtype=np.int64), np.array(list(my_ties.values()), dtype=np.float64),
                       a.astype(np.int64), b.astype(np.int64), s.astype(np.float64))


@dataclass(frozen=True)
class BurtMeasures:
    """Burt's measures of my position: how closed my network is, how many non-redundant contacts I have."""

    constraint: float
    effective_size: float


def burt_measures(ego: EgoNetwork) -> BurtMeasures:
    """Burt's constraint and effective size of me, as networkx's ``constraint`` and ``effective_size`` define them.

    With ``p`` my tie to each contact over the sum of my ties, ``S_q`` and
    ``M_q`` the sum and the largest of contact ``q``'s ties in my network
    (their tie with me included) and ``w`` the tie between two contacts:

    - constraint ``= Σ_j (p_j + Σ_q p_q w_qj / S_q)²``;
    - effective size ``= n - Σ_j Σ_q p_q w_jq / M_j``.

    networkx evaluates each sum through a call per neighbour (cubic in my
    number of contacts: minutes at 300); here each is one pass over the edges.
    """
    n = ego.size
    if n == 0:
        return BurtMeasures(0.0, 0.0)
    src, dst, w = ego.src, ego.dst, ego.strength
    total = ego.tie + np.bincount(src, w, n) + np.bincount(dst, w, n)
    largest = ego.tie.copy()
    np.maximum.at(largest, src, w)
    np.maximum.at(largest, dst, w)
    p = ego.tie / ego.tie.sum()
    indirect = np.bincount(dst, p[src] * w / total[src], n) + np.bincount(src, p[dst] * w / total[dst], n)
    redundancy = (np.bincount(src, w * p[dst], n) + np.bincount(dst, w * p[src], n)) / largest
    return BurtMeasures(float(np.sum((p + indirect) ** 2)), float(n - redundancy.sum()))


# ---------------------------------------------------------------- clusters
def louvain(
    n: int, edges: Sequence[tuple[int, int, float]], *, seed: int = LOUVAIN_SEED,
    resolution: float = 1.0, threshold: float = 1e-7,
) -> list[set[int]]:
    """Louvain communities of the nodes ``0 .. n-1`` joined by weighted ``edges`` (each pair once).

    networkx's ``louvain_communities``, step for step: nodes and neighbours
    are visited in the order networkx visits them and the gains are computed
    by the same expressions, so with the same seed and edge order the
    communities are the same (a test holds it to that). It saves importing
    networkx, which costs a seventh of a second of every ``kith network``.
    """
    adj = _graph(n, edges)
    partition = [{u} for u in range(n)]
    if not edges:
        return partition
    rng = random.Random(seed)
    adj = _graph(n, _edges(adj))  # networkx copies the graph first, which sets its neighbour order
    m = sum(_degrees(adj)) / 2
    mod = _modularity(adj, partition, resolution)
    partition, inner, _ = _one_level(adj, [{u} for u in range(n)], m, partition, resolution, rng)
    found, improvement = partition, True
    while improvement:
        found = [set(s) for s in partition]
        new_mod = _modularity(adj, inner, resolution)
        if new_mod - mod <= threshold:
            break
        mod = new_mod
        adj, members = _aggregate(adj, inner, partition)
        partition, inner, improvement = _one_level(adj, members, m, partition, resolution, rng)
    return found


def _graph(n: int, edges: Iterable[tuple[int, int, float]]) -> list[dict[int, float]]:
    """Adjacency with networkx's insertion order (a repeated edge keeps its place, takes the new weight)."""
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    for u, v, w in edges:
        adj[u][v] = w
        adj[v][u] = w
    return adj


def _edges(adj: list[dict[int, float]]) -> Iterator[tuple[int, int, float]]:
    """Every edge once, in the order networkx's ``Graph.edges`` yields them."""
    seen: set[int] = set()
    for u, nbrs in enumerate(adj):
        for v, w in nbrs.items():
            if v not in seen:
                yield u, v, w
        seen.add(u)


def _degrees(adj: list[dict[int, float]]) -> list[float]:
    """Weighted degrees, a self-loop counted twice (as networkx counts it)."""
    return [sum(nbrs.values()) + nbrs.get(u, 0.0) for u, nbrs in enumerate(adj)]


def _modularity(adj: list[dict[int, float]], communities: list[set[int]], resolution: float) -> float:
    degrees = _degrees(adj)
    deg_sum = sum(degrees)
    m, norm = deg_sum / 2, 1 / deg_sum**2

    def contribution(community: set[int]) -> float:
        inside = sum(w for u, v, w in _edges_of(adj, community) if v in community)
        degree = sum(degrees[u] for u in community)
        return inside / m - resolution * degree * degree * norm

    return sum(map(contribution, communities))


def _edges_of(adj: list[dict[int, float]], nodes: set[int]) -> Iterator[tuple[int, int, float]]:
    seen: set[int] = set()
    for u in nodes:
        for v, w in adj[u].items():
            if v not in seen:
                yield u, v, w
        seen.add(u)


def _one_level(
    adj: list[dict[int, float]], members: list[set[int]], m: float, partition: list[set[int]],
    resolution: float, rng: random.Random,
) -> tuple[list[set[int]], list[set[int]], bool]:
    """One pass of local moves (networkx's ``_one_level``); ``members`` are the people each node stands for."""
    n = len(adj)
    node2com = list(range(n))
    inner = [{u} for u in range(n)]
    degrees = _degrees(adj)
    stot = list(degrees)
    nbrs = [{v: w for v, w in adj[u].items() if v != u} for u in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    moves, improvement = 1, False
    while moves > 0:
        moves = 0
        for u in order:
            best_mod: float = 0
            best_com = node2com[u]
            weights2com: defaultdict[int, float] = defaultdict(float)
            for v, w in nbrs[u].items():
                weights2com[node2com[v]] += w
            degree = degrees[u]
            stot[best_com] -= degree
            remove_cost = -weights2com[best_com] / m + resolution * (stot[best_com] * degree) / (2 * m**2)
            for com, w in weights2com.items():
                gain = remove_cost + w / m - resolution * (stot[com] * degree) / (2 * m**2)
                if gain > best_mod:
                    best_mod, best_com = gain, com
            stot[best_com] += degree
            if best_com != node2com[u]:
                partition[node2com[u]].difference_update(members[u])
                inner[node2com[u]].remove(u)
                partition[best_com].update(members[u])
                inner[best_com].add(u)
                improvement = True
                moves += 1
                node2com[u] = best_com
    return [p for p in partition if p], [p for p in inner if p], improvement


def _aggregate(
    adj: list[dict[int, float]], inner: list[set[int]], partition: list[set[int]]
) -> tuple[list[dict[int, float]], list[set[int]]]:
    """The graph of communities (networkx's ``_gen_graph``): one node per community, weights summed."""
    com = [0] * len(adj)
    for i, part in enumerate(inner):
        for u in part:
            com[u] = i
    merged: list[dict[int, float]] = [{} for _ in inner]
    for u, v, w in _edges(adj):
        a, b = com[u], com[v]
        total = w + merged[a].get(b, 0)
        merged[a][b] = total
        merged[b][a] = total
    return merged, [set(p) for p in partition]


def cluster_contacts(ego: EgoNetwork, *, core_size: int = CORE_SIZE, seed: int = LOUVAIN_SEED) -> NDArray[np.int64]:
    """The cluster of each of my contacts; cluster 0 is the largest.

    My ``core_size`` strongest contacts are clustered by Louvain. Every other
    contact then joins the cluster they are most strongly tied to, those
    tied to the core first, then those tied to them, and so on; contacts
    with no path to the core form one cluster per connected group. With no
    more contacts than ``core_size`` this is Louvain over all of them.
    """
    labels = np.full(ego.size, -1, dtype=np.int64)
    if ego.size == 0:
        return labels
    core = np.sort(np.lexsort((ego.people, -ego.tie))[:core_size])
    at = np.full(ego.size, -1, dtype=np.int64)
    at[core] = np.arange(len(core))
    inside = (at[ego.src] >= 0) & (at[ego.dst] >= 0)
    edges = list(zip(at[ego.src[inside]].tolist(), at[ego.dst[inside]].tolist(),
                     ego.strength[inside].tolist(), strict=True))
    communities = sorted(louvain(len(core), edges, seed=seed), key=lambda c: (-len(c), min(c)))
    for k, members in enumerate(communities):
        labels[core[sorted(members)]] = k
    return _ranked(_components(ego, _spread(ego, labels)))


def _spread(ego: EgoNetwork, labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Unclustered contacts join the cluster they have the most tie strength with, in rounds outward."""
    labels = labels.copy()
    width = int(labels.max()) + 1
    while True:
        a, b = labels[ego.src], labels[ego.dst]
        into_b, into_a = (a >= 0) & (b < 0), (b >= 0) & (a < 0)
        who = np.concatenate([ego.dst[into_b], ego.src[into_a]])
        if who.size == 0:
            return labels
        keys, pull = _sums(who * width + np.concatenate([a[into_b], b[into_a]]),
                           np.concatenate([ego.strength[into_b], ego.strength[into_a]]))
        person, cluster = keys // width, keys % width
        best = np.lexsort((cluster, -pull, person))  # per person: most pull, then the larger cluster
        first = best[np.r_[True, person[best][1:] != person[best][:-1]]]
        labels[person[first]] = cluster[first]


def _sums(keys: NDArray[np.int64], values: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The distinct keys (ascending) and the sum of the values of each (a sort: faster than np.unique here)."""
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(values, starts)


def _components(ego: EgoNetwork, labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Contacts still unclustered get one new cluster per connected group of them."""
    loose = labels < 0
    if not loose.any():
        return labels
    both = loose[ego.src] & loose[ego.dst]
    src, dst = ego.src[both], ego.dst[both]
    root = np.arange(ego.size)
    while True:  # hook each edge onto the smaller root, then jump to the roots' roots
        low = np.minimum(root[src], root[dst])
        new = root.copy()
        np.minimum.at(new, root[src], low)
        np.minimum.at(new, root[dst], low)
        new = new[new]
        if np.array_equal(new, root):
            break
        root = new
    out = labels.copy()
    _, group = np.unique(root[loose], return_inverse=True)
    out[loose] = int(labels.max()) + 1 + group
    return out


def _ranked(labels: NDArray[np.int64]) -> NDArray[np.int64]:
    """Clusters renumbered largest first, then by their first contact (smallest person id)."""
    found, first, size = np.unique(labels, return_index=True, return_counts=True)
    rank = np.empty(len(found), dtype=np.int64)
    rank[np.lexsort((first, -size))] = np.arange(len(found))
    return rank[np.searchsorted(found, labels)]


# ----------------------------------------------------------------- bridges
@dataclass(frozen=True, slots=True)
class Bridge:
    """A contact with ties into clusters other than their own."""

    person: int
    cluster: int  # their own
    clusters_reached: int  # how many other clusters they have a tie into
    cross_strength: float  # the summed strength of those ties, rounded to 4 places


def bridge_contacts(ego: EgoNetwork, labels: NDArray[np.int64], *, limit: int | None = None) -> list[Bridge]:
    """The contacts whose ties reach other clusters: most clusters first, then the strongest such ties."""
    cross = labels[ego.src] != labels[ego.dst]
    who = np.concatenate([ego.src[cross], ego.dst[cross]])
    if who.size == 0:
        return []
    other = np.concatenate([labels[ego.dst[cross]], labels[ego.src[cross]]])
    width = int(labels.max()) + 1
    if ego.size * width <= DENSE_CELLS:  # a flag per (contact, cluster): no sort
        touches = np.zeros(ego.size * width, dtype=bool)
        touches[who * width + other] = True
        reached = touches.reshape(ego.size, width).sum(axis=1)
    else:
        pairs, _ = _sums(who * width + other, np.zeros(who.size))
        reached = np.bincount(pairs // width, minlength=ego.size)
    strength = np.bincount(who, np.concatenate([ego.strength[cross]] * 2), ego.size)
    found = np.flatnonzero(reached)
    rounded = np.array([round(float(x), 4) for x in strength[found]])
    order = found[np.lexsort((ego.people[found], -rounded, -reached[found]))]
    rounded_of = dict(zip(found.tolist(), rounded.tolist(), strict=True))
    return [Bridge(int(ego.people[i]), int(labels[i]), int(reached[i]), rounded_of[i])
            for i in order[:limit].tolist()]


@dataclass(frozen=True)
class Brokerage:
    """My position in my own network: Burt's measures, clusters and bridges."""

    constraint: float
    effective_size: float
    size: int
    clusters: tuple[tuple[int, ...], ...]  # person ids; largest first, members ascending
    strong_share_in_top_cluster: float  # share of strong ties in the cluster holding most of them
    top_cluster: int | None  # index into clusters
    bridges: tuple[Bridge, ...]


def ego_brokerage(
    ego: EgoNetwork, strong: Iterable[int], *, core_size: int = CORE_SIZE, seed: int = LOUVAIN_SEED,
    bridge_limit: int | None = None,
) -> Brokerage:
    """Burt's constraint and effective size of me, my clusters, where my ``strong`` ties sit, who bridges clusters."""
    if ego.size == 0:
        return Brokerage(0.0, 0.0, 0, (), 0.0, None, ())
    burt = burt_measures(ego)
    labels = cluster_contacts(ego, core_size=core_size, seed=seed)
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    members = tuple(tuple(part.tolist()) for part in np.split(ego.people[order], cuts))
    share, top = _strong_share(labels[np.isin(ego.people, np.fromiter(strong, dtype=np.int64))])
    return Brokerage(burt.constraint, burt.effective_size, ego.size, members, share, top,
                     tuple(bridge_contacts(ego, labels, limit=bridge_limit)))


def _strong_share(strong_labels: NDArray[np.int64]) -> tuple[float, int | None]:
    """The cluster holding most of my strong ties (the first of equals) and the share it holds."""
    if strong_labels.size == 0:
        return 0.0, None
    counts = np.bincount(strong_labels)
    top = int(np.argmax(counts))
    return int(counts[top]) / strong_labels.size, top
