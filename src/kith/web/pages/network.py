"""The network page: an interactive graph (clusters, bridges, gatekeepers) and the reach planner."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from kith.errors import KithError
from kith.store.models import InteractionParticipant, Person, Relation
from kith.web import insight
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
    ties = insight.scores(ctx.session, ctx.now)
    top = sorted(ties.values(), key=lambda t: -t.score)[:GRAPH_PEOPLE]
    ids = [t.person_id for t in top]
    if not ids:
        return GraphView()
    names = dict(ctx.session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids))).all())
    g: nx.Graph = nx.Graph()
    g.add_nodes_from(ids)
    for rel in ctx.session.scalars(select(Relation).where(Relation.src_id.in_(ids), Relation.dst_id.in_(ids))).all():
        g.add_edge(rel.src_id, rel.dst_id, kind=rel.kind)
    shared = (
        select(InteractionParticipant.interaction_id)
        .where(InteractionParticipant.person_id.in_(ids))
        .group_by(InteractionParticipant.interaction_id)
        .having(func.count() > 1)
        .limit(2000)
    )
    groups: dict[int, list[int]] = {}
    for iid, pid in ctx.session.execute(
        select(InteractionParticipant.interaction_id, InteractionParticipant.person_id).where(
            InteractionParticipant.interaction_id.in_(shared), InteractionParticipant.person_id.in_(ids)
        )
    ):
        groups.setdefault(iid, []).append(pid)
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if not g.has_edge(a, b):
                    g.add_edge(a, b, kind="met together")
    communities = list(nx.community.greedy_modularity_communities(g)) if g.number_of_edges() else [set(ids)]
    cluster_of = {n: i for i, c in enumerate(communities) for n in c}
    between = nx.betweenness_centrality(g) if g.number_of_edges() else {}
    bridges = [n for n, v in sorted(between.items(), key=lambda kv: -kv[1])[:5] if v > 0]
    gatekeepers = {
        src for (src,) in ctx.session.execute(select(Relation.src_id).where(Relation.kind == "assistant-of", Relation.src_id.in_(ids)))
    }
    anchor = {n: (400 + 260 * math.cos(2 * math.pi * cluster_of[n] / max(1, len(communities))),
                  300 + 200 * math.sin(2 * math.pi * cluster_of[n] / max(1, len(communities)))) for n in ids}
    pos = nx.spring_layout(g, pos={n: (anchor[n][0] / 400 - 1, anchor[n][1] / 300 - 1) for n in ids}, seed=7, iterations=60)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)

    def sx(v: float) -> float:
        return float(40 + 720 * (v - minx) / ((maxx - minx) or 1))

    def sy(v: float) -> float:
        return float(40 + 520 * (v - miny) / ((maxy - miny) or 1))

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
