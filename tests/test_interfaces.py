"""The interfaces parse, call a service, render: they never reach the store, and the API lists in one envelope.

The import contract of pyproject.toml (``make lint`` runs import-linter) says
the same for the store; this test says it without the tool, names the line,
and also holds the web to rendering read models instead of "whatever shape".
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.web.app import create_app
from web_helpers import LOCAL

SRC = Path(__file__).resolve().parents[1] / "src" / "kith"
INTERFACES = ("cli", "web")
SHAPELESS = {"jsonable", "service"}  # render any shape / import a service by name: gone from the interfaces


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for part in INTERFACES:
        for path in sorted((SRC / part).rglob("*.py")):
            name = path.relative_to(SRC).as_posix()
            yield name, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, list[str]]]:
    """Every import, type-checking and function-local ones included: (line, module, names)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.lineno, node.module, [a.name for a in node.names]


def test_no_cli_or_web_module_imports_the_store() -> None:
    found = [f"{name}:{line} imports {module}" for name, tree in _modules() for line, module, names in _imports(tree)
             if module == "kith.store" or module.startswith("kith.store.") or (module == "kith" and "store" in names)]
    assert found == [], "interfaces reach the database only through services"


def test_no_cli_or_web_module_renders_whatever_shape_a_service_gives() -> None:
    found = [f"{name}:{line} uses {', '.join(sorted(SHAPELESS & set(names)))}" for name, tree in _modules()
             for line, module, names in _imports(tree) if module.startswith("kith.web") and SHAPELESS & set(names)]
    assert found == [], "call the service with its signature and render its read model's as_dict()"


def test_the_scan_sees_an_import_of_the_store_wherever_it_is() -> None:
    tree = ast.parse("def f():\n    from kith.store.models import Person\nif TYPE_CHECKING:\n    from kith import store\n")
    assert [(line, module) for line, module, _ in _imports(tree)] == [(2, "kith.store.models"), (4, "kith")]


@pytest.fixture
def openapi(kith: Kith) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as client:
        spec: dict[str, Any] = client.get("/openapi.json").json()
    return spec


def _schema(spec: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    ref = ref_or_schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_every_list_of_the_api_answers_items_total_limit_and_offset(openapi: dict[str, Any]) -> None:
    lists, bare = [], []
    for path, ops in openapi["paths"].items():
        get = ops.get("get")
        if get is None or not path.startswith("/api/v1/"):
            continue
        schema = _schema(openapi, get["responses"]["200"]["content"]["application/json"]["schema"])
        if schema.get("type") == "array":
            bare.append(path)
        elif "items" in schema.get("properties", {}):
            lists.append(path)
            assert {"items", "total", "limit", "offset"} <= set(schema["properties"]), path
            params = {p["name"] for p in get.get("parameters", [])}
            assert {"limit", "offset"} <= params, path
    assert bare == []
    assert {"/api/v1/agenda", "/api/v1/ask", "/api/v1/duplicates", "/api/v1/events/{event_id}/thanks",
            "/api/v1/people", "/api/v1/goals"} <= set(lists)
