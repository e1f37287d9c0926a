"""The network page: an interactive graph (clusters, bridges, gatekeepers) and the reach planner."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from kith.errors import KithError
from kith.services import network as network_svc
from kith.services.dashboard import network_ties
from kith.store.models import Person, Relation
from kith.web.api.common import jsonable
from kith.web.errors import service
from kith.web.pages.common import PageCtx
from kith.web.render import page

router = APIRouter()
GRAPH_PEOPLE = 80


@dataclass
class GraphView:
    """Positions and roles of the people drawn on the network graph."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    clusters: int = 0
    bridges: list[str] = field(default_factory=list)
    gatekeepers: list[str] = field(default_factory=list)


def build_graph(ctx: PageCtx) -> GraphView:
    """The strongest ties, how they connect to each other, and who bridges clusters."""
    ties = network_ties(ctx.session, ctx.now)[0]
    top = sorted(ties.values(), key=lambda t: -t.score)[:GRAPH_PEOPLE]
    ids = [t.person_id for t in top]
    if not ids:
        return GraphView()
    names = dict(ctx.session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all())
    # The people graph of kith.services.network (relations, shared interactions and
    # events, colleagues), cached per data version: the same edges reach and ask use.
    adj = network_svc.network(ctx.session).adj
    idset = set(ids)
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(ids)
    for a in ids:
        for b, edge in adj.get(a, {}).items():
            if b in idset and a < b:
                g.add_edge(a, b, kind="; ".join(edge.why[:2]), weight=edge.strength)
    communities = (list(nx.community.greedy_modularity_communities(g, weight="weight"))
                   if g.number_of_edges() else [set(ids)])
    cluster_of = {n: i for i, c in enumerate(communities) for n in c}
    between = nx.betweenness_centrality(g) if g.number_of_edges() else {}
    bridges = [n for n, v in sorted(between.items(), key=lambda kv: -kv[1])[:5] if v > 0]
    gatekeepers = {
        src for (src,) in ctx.session.execute(select(Relation.src_id).where(Relation.kind == "assistant-of", Relation.src_id.in_(ids)))
    }
    pos = _layout(g, communities)

    def sx(v: float) -> float:
        return v

    def sy(v: float) -> float:
        return v

    view = GraphView(clusters=len(communities))
    for t in top:
        x, y = pos[t.person_id]
        view.nodes.append({
            "id": t.person_id, "name": names.get(t.person_id, ""), "x": round(sx(x), 1), "y": round(sy(y), 1),
            "r": round(5 + t.score / 14, 1), "cluster": cluster_of.get(t.person_id, 0) % 8, "score": t.score,
            "layer": t.layer, "bridge": t.person_id in bridges, "gatekeeper": t.person_id in gatekeepers,
        })
    for a, b, data in g.edges(data=True):
        view.edges.append({"a": a, "b": b, "x1": round(sx(pos[a][0]), 1), "y1": round(sy(pos[a][1]), 1),
                           "x2": round(sx(pos[b][0]), 1), "y2": round(sy(pos[b][1]), 1), "kind": data.get("kind", "")})
    view.bridges = [names.get(n, "") for n in bridges]
    view.gatekeepers = [names.get(n, "") for n in gatekeepers]
    return view


def _layout(g: nx.Graph, communities: list[set[int]]) -> dict[int, tuple[float, float]]:
    """Clusters side by side in an 800 x 600 picture, each laid out on its own.

    A spring layout of the whole graph flings unconnected people to the rim
    and squeezes each cluster into a dot; a cell per cluster keeps both
    readable. People with no known link to the others share the last cells.
    """
    linked = sorted((c for c in communities if len(c) > 1), key=lambda c: (-len(c), min(c)))
    alone = sorted(n for c in communities if len(c) == 1 for n in c)
    groups: list[list[int]] = [sorted(c) for c in linked]
    groups += [alone[i:i + 12] for i in range(0, len(alone), 12)]
    cols = max(1, math.ceil(math.sqrt(len(groups) * 4 / 3)))
    rows = max(1, math.ceil(len(groups) / cols))
    cell_w, cell_h = 720 / cols, 520 / rows
    pos: dict[int, tuple[float, float]] = {}
    for k, members in enumerate(groups):
        cx, cy = 40 + cell_w * (k % cols + 0.5), 40 + cell_h * (k // cols + 0.5)
        sub = g.subgraph(members)
        if sub.number_of_edges():
            inner = nx.spring_layout(sub, seed=7, weight="weight")
        else:  # a small circle of people with no link among them
            inner = {n: (math.cos(2 * math.pi * j / len(members)), math.sin(2 * math.pi * j / len(members)))
                     for j, n in enumerate(members)}
        scale = 0.38 * min(cell_w, cell_h) if len(members) > 1 else 0.0
        for n, (x, y) in inner.items():
            pos[n] = (round(cx + scale * float(x), 1), round(cy + scale * float(y), 1))
    return pos


@router.get("/network", response_class=HTMLResponse)
def network(ctx: PageCtx, target: Annotated[str, Query(max_length=300)] = "") -> Response:
    """The graph of your strongest ties and, with ``target``, the warm paths to it."""
    reach_result: Any = None
    reach_error: str | None = None
    clean = target.replace("\x00", "").strip()
    if clean:
        try:
            reach_result = jsonable(service("reach").plan_reach(ctx.session, clean, ctx.now))
        except KithError as exc:  # not available yet, or a target nobody matches
            reach_error = str(exc)
    graph = build_graph(ctx)
    return page(ctx, "network.html", title="Network", graph=graph, target=clean, reach=reach_result, reach_error=reach_error)
