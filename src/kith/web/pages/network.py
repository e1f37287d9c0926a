"""The network page: an interactive graph (clusters, bridges, gatekeepers) and the reach planner."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from kith.errors import KithError
from kith.services import network as network_svc
from kith.services import reach as reach_svc
from kith.services.memo import memoized
from kith.services.network import PersonRef
from kith.web.pages.common import PageCtx
from kith.web.render import page

router = APIRouter()


WIDTH, HEIGHT = 1000, 720
CHAR_W, LABEL_H = 6.2, 13.0  # a 10 px label's character width and line height, in picture units


@dataclass(frozen=True)
class DrawnNode:
    """A person placed on the picture; ``label`` says whether their full name is written under them."""

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
    label: bool = True


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
    bridges: tuple[PersonRef, ...] = ()
    gatekeepers: tuple[PersonRef, ...] = ()
    focus: int | None = None
    width: int = WIDTH
    height: int = HEIGHT


def build_graph(ctx: PageCtx) -> GraphView:
    """The picture of my strongest ties (from the network service, cached like the other views), laid out."""
    return memoized(ctx.session, "web.network.graph", ctx.now,
                    lambda: lay_out(network_svc.network_picture(ctx.session, ctx.now)))


def _radius(score: float) -> float:
    return round(5 + score / 14, 1)


def lay_out(picture: network_svc.NetworkPicture) -> GraphView:
    """Place the picture's people and edges: each cluster in its own cell, then pushed apart so none overlap."""
    if not picture.people:
        return GraphView()
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(p.id for p in picture.people)
    g.add_weighted_edges_from((e.a, e.b, e.strength) for e in picture.edges)
    groups: dict[int, list[int]] = {}
    for p in picture.people:
        groups.setdefault(p.cluster, []).append(p.id)
    pos = _layout(g, list(groups.values()))
    radii = {p.id: _radius(p.score) for p in picture.people}
    pos = separate(pos, radii)
    return _drawn(picture, pos, radii)


def lay_out_around(picture: network_svc.NetworkPicture, center: int) -> GraphView:
    """A person's neighbourhood: them in the middle, the others on rings around them, strongest tie nearest."""
    if not picture.people:
        return GraphView()
    strength = {e.b if e.a == center else e.a: e.strength for e in picture.edges if center in (e.a, e.b)}
    others = sorted((p.id for p in picture.people if p.id != center), key=lambda i: (-strength.get(i, 0.0), i))
    cx, cy = WIDTH / 2, HEIGHT / 2
    pos = {center: (cx, cy)}
    rings = [others[:10], others[10:]]
    for k, ring in enumerate(rings):
        radius = 170 + 150 * k
        for j, pid in enumerate(ring):
            angle = 2 * math.pi * j / max(len(ring), 1) + k * 0.3
            pos[pid] = (cx + radius * math.cos(angle) * 1.25, cy + radius * math.sin(angle) * 0.9)
    radii = {p.id: _radius(p.score) for p in picture.people}
    radii[center] = max(radii[center], 14.0)
    return replace(_drawn(picture, separate(pos, radii), radii), focus=center)


def _drawn(picture: network_svc.NetworkPicture, pos: dict[int, tuple[float, float]],
           radii: dict[int, float]) -> GraphView:
    labelled = place_labels(
        [(p.id, p.name, pos[p.id][0], pos[p.id][1], radii[p.id]) for p in
         sorted(picture.people, key=lambda p: (not p.bridge, -p.score, p.id))]
    )
    nodes = tuple(
        DrawnNode(p.id, p.name, pos[p.id][0], pos[p.id][1], radii[p.id], p.cluster % 8, p.score,
                  p.layer, p.bridge, p.gatekeeper, p.id in labelled)
        for p in picture.people
    )
    edges = tuple(DrawnEdge(e.a, e.b, *pos[e.a], *pos[e.b], e.why) for e in picture.edges)
    return GraphView(nodes, edges, picture.clusters, picture.bridges, picture.gatekeepers)


def separate(pos: dict[int, tuple[float, float]], radii: dict[int, float], *, gap: float = 22.0,
             rounds: int = 80) -> dict[int, tuple[float, float]]:
    """Push overlapping circles apart (each keeps ``gap`` units free below it for a name) and keep all in the frame."""
    ids = sorted(pos)
    xy = {i: [pos[i][0], pos[i][1]] for i in ids}
    for _ in range(rounds):
        moved = False
        for n, a in enumerate(ids):
            for b in ids[n + 1:]:
                dx, dy = xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]
                need = radii[a] + radii[b] + gap
                dist = math.hypot(dx, dy)
                if dist >= need:
                    continue
                if dist < 1e-6:
                    dx, dy, dist = 1.0, 0.0, 1.0
                push = (need - dist) / 2
                ux, uy = dx / dist, dy / dist
                xy[a][0] -= ux * push
                xy[a][1] -= uy * push
                xy[b][0] += ux * push
                xy[b][1] += uy * push
                moved = True
        for i in ids:
            r = radii[i]
            xy[i][0] = min(max(xy[i][0], r + 4), WIDTH - r - 4)
            xy[i][1] = min(max(xy[i][1], r + 4), HEIGHT - r - LABEL_H - 4)
        if not moved:
            break
    return {i: (round(xy[i][0], 1), round(xy[i][1], 1)) for i in ids}


def place_labels(people: list[tuple[int, str, float, float, float]]) -> set[int]:
    """The people whose full name can be written under their circle without covering another name or circle.

    ``people`` are (id, name, x, y, r), most important first: they get their labels first.
    """
    circles = [(x - r, y - r, x + r, y + r) for _i, _n, x, y, r in people]
    placed: list[tuple[float, float, float, float]] = []
    out: set[int] = set()
    for pid, name, x, y, r in people:
        w = len(name) * CHAR_W
        box = (x - w / 2, y + r + 1, x + w / 2, y + r + 1 + LABEL_H)
        if box[0] < 0 or box[2] > WIDTH or box[3] > HEIGHT:
            continue
        if any(_overlap(box, other) for other in placed) or any(_overlap(box, c) for c in circles):
            continue
        placed.append(box)
        out.add(pid)
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _layout(g: nx.Graph, communities: list[list[int]]) -> dict[int, tuple[float, float]]:
    """Clusters side by side in the picture, each laid out on its own.

    A spring layout of the whole graph flings unconnected people to the rim
    and squeezes each cluster into a dot; a cell per cluster keeps both
    readable. People with no known link to the others share the last cells.
    """
    linked = sorted((c for c in communities if len(c) > 1), key=lambda c: (-len(c), min(c)))
    alone = sorted(n for c in communities if len(c) == 1 for n in c)
    groups: list[list[int]] = [sorted(c) for c in linked]
    groups += [alone[i:i + 12] for i in range(0, len(alone), 12)]
    cols = max(1, math.ceil(math.sqrt(len(groups) * WIDTH / HEIGHT)))
    rows = max(1, math.ceil(len(groups) / cols))
    cell_w, cell_h = (WIDTH - 80) / cols, (HEIGHT - 80) / rows
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
def network(
    ctx: PageCtx,
    target: Annotated[str, Query(max_length=300)] = "",
    focus: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The graph of your strongest ties (or, with ``focus``, one person's neighbourhood) and, with ``target``,
    the warm paths to it."""
    reach_result: reach_svc.ReachPlan | None = None
    reach_error: str | None = None
    clean = target.strip()
    if clean:
        try:
            reach_result = reach_svc.plan_reach(ctx.session, clean, ctx.now)
        except KithError as exc:  # a target nobody matches
            reach_error = str(exc)
    if focus is not None:
        graph = lay_out_around(network_svc.neighbourhood_picture(ctx.session, ctx.now, focus), focus)
        focus_name = next((n.name for n in graph.nodes if n.id == focus), "")
    else:
        graph, focus_name = build_graph(ctx), ""
    return page(ctx, "network.html", title="Network", graph=graph, target=clean, reach=reach_result,
                reach_error=reach_error, focus_name=focus_name)
