"""The network page: an interactive graph (clusters, bridges, gatekeepers) and the reach planner."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from kith.errors import KithError
from kith.services import network as network_svc
from kith.services import reach as reach_svc
from kith.services.memo import memoized
from kith.web.pages.common import PageCtx
from kith.web.render import page

router = APIRouter()


@dataclass(frozen=True)
class DrawnNode:
    """A person placed on the 800 x 600 picture."""

    id: int
    name: str
    x: float
    y: float
    r: float
    cluster: int  # colour class: the cluster modulo the palette's 8 colours
    score: float
    layer: str
    bridge: bool
    gatekeeper: bool


@dataclass(frozen=True)
class DrawnEdge:
    """A tie placed on the picture, with its reasons as the hover text."""

    a: int
    b: int
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str


@dataclass(frozen=True)
class GraphView:
    """Positions and roles of the people drawn on the network graph."""

    nodes: tuple[DrawnNode, ...] = ()
    edges: tuple[DrawnEdge, ...] = ()
    clusters: int = 0
    bridges: tuple[str, ...] = ()
    gatekeepers: tuple[str, ...] = ()


def build_graph(ctx: PageCtx) -> GraphView:
    """The picture of my strongest ties (from the network service, cached like the other views), laid out."""
    picture = memoized(ctx.session, "network.picture", ctx.now,
                       lambda: network_svc.network_picture(ctx.session, ctx.now))
    return lay_out(picture)


def lay_out(picture: network_svc.NetworkPicture) -> GraphView:
    """Place the picture's people and edges: each cluster in its own cell."""
    if not picture.people:
        return GraphView()
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(p.id for p in picture.people)
    g.add_weighted_edges_from((e.a, e.b, e.strength) for e in picture.edges)
    groups: dict[int, list[int]] = {}
    for p in picture.people:
        groups.setdefault(p.cluster, []).append(p.id)
    pos = _layout(g, list(groups.values()))
    nodes = tuple(
        DrawnNode(p.id, p.name, pos[p.id][0], pos[p.id][1], round(5 + p.score / 14, 1), p.cluster % 8, p.score,
                  p.layer, p.bridge, p.gatekeeper)
        for p in picture.people
    )
    edges = tuple(DrawnEdge(e.a, e.b, *pos[e.a], *pos[e.b], e.why) for e in picture.edges)
    return GraphView(nodes, edges, picture.clusters, tuple(b.name for b in picture.bridges),
                     tuple(k.name for k in picture.gatekeepers))


def _layout(g: nx.Graph, communities: list[list[int]]) -> dict[int, tuple[float, float]]:
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
            reach_result = reach_svc.plan_reach(ctx.session, clean, ctx.now)
        except KithError as exc:  # a target nobody matches
            reach_error = str(exc)
    graph = build_graph(ctx)
    return page(ctx, "network.html", title="Network", graph=graph, target=clean, reach=reach_result, reach_error=reach_error)
