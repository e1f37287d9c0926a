"""The network page's picture: no circle covers another, names never collide, everyone's full name is there,
and a person's neighbourhood can be drawn on its own."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import FIXED_NOW
from tests.web_helpers import LOCAL

from kith.runtime import Kith
from kith.services import network as network_svc
from kith.services.demo import build_demo
from kith.web.app import create_app
from kith.web.pages.network import CHAR_W, HEIGHT, LABEL_H, WIDTH, lay_out, lay_out_around, separate


@pytest.fixture
def demo(kith: Kith) -> Kith:
    with kith.session() as s:
        build_demo(s, now=FIXED_NOW, seed=7)
    return kith


@pytest.fixture
def client(demo: Kith) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(demo, secret_key="n" * 40, now=lambda: FIXED_NOW), base_url=LOCAL) as c:
        yield c


def assert_readable(graph: Any) -> None:
    for a, b in itertools.combinations(graph.nodes, 2):
        assert math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r - 0.5, f"{a.name} covers {b.name}"
    boxes = [(n.x - len(n.name) * CHAR_W / 2, n.y + n.r + 1, n.x + len(n.name) * CHAR_W / 2, n.y + n.r + 1 + LABEL_H)
             for n in graph.nodes if n.label]
    for p, q in itertools.combinations(boxes, 2):
        assert not (p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]), "two names collide"
    for n in graph.nodes:
        assert n.r <= n.x <= WIDTH - n.r and n.r <= n.y <= HEIGHT - n.r


def test_the_whole_network_is_drawn_without_overlaps_or_colliding_names(demo: Kith) -> None:
    with demo.session() as s:
        graph = lay_out(network_svc.network_picture(s, FIXED_NOW))
    assert len(graph.nodes) == 80
    assert_readable(graph)
    assert sum(n.label for n in graph.nodes) >= 40  # most people are named on the picture itself


def test_a_neighbourhood_puts_the_person_in_the_middle_with_their_strongest_links(demo: Kith) -> None:
    with demo.session() as s:
        center = network_svc.network_picture(s, FIXED_NOW).people[0].id
        picture = network_svc.neighbourhood_picture(s, FIXED_NOW, center)
        graph = lay_out_around(picture, center)
    assert graph.focus == center and picture.people[0].id == center
    assert 1 < len(graph.nodes) <= network_svc.NEIGHBOURS_DRAWN + 1
    middle = next(n for n in graph.nodes if n.id == center)
    assert abs(middle.x - WIDTH / 2) < 60 and abs(middle.y - HEIGHT / 2) < 60
    assert_readable(graph)


def test_circles_on_one_spot_are_pulled_apart() -> None:
    pos = separate({1: (100.0, 100.0), 2: (100.0, 100.0), 3: (100.0, 100.0)}, {1: 10.0, 2: 10.0, 3: 10.0})
    for a, b in itertools.combinations(pos.values(), 2):
        assert math.hypot(a[0] - b[0], a[1] - b[1]) >= 20


def test_every_person_on_the_page_carries_their_full_name(client: Any, demo: Kith) -> None:
    page = client.get("/network").text
    with demo.session() as s:
        names = [p.name for p in network_svc.network_picture(s, FIXED_NOW).people]
    labels = re.findall(r'<a href="/people/\d+" class="node[^"]*" data-id="\d+" aria-label="([^,"]+),', page)
    assert sorted(labels) == sorted(n.replace("'", "&#39;") for n in names)
    assert 'data-zoom="in"' in page and 'data-zoom="reset"' in page


def test_the_bridges_and_gatekeepers_under_the_graph_link_to_their_pages(client: Any, demo: Kith) -> None:
    page = client.get("/network").text
    with demo.session() as s:
        picture = network_svc.network_picture(s, FIXED_NOW)
    assert picture.bridges and picture.gatekeepers
    for ref in (*picture.bridges, *picture.gatekeepers):
        name = ref.name.replace("'", "&#39;")
        assert f'<li><a href="/people/{ref.id}">{name}</a></li>' in page


def test_the_neighbourhood_page(client: Any, demo: Kith) -> None:
    with demo.session() as s:
        center = network_svc.network_picture(s, FIXED_NOW).people[0]
    page = client.get("/network", params={"focus": center.id})
    assert page.status_code == 200 and f"Neighbourhood of {center.name}" in page.text
    assert client.get("/network", params={"focus": 999_999}).status_code == 404
