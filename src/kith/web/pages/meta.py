"""The web app's own pages about itself: the API documentation (from the OpenAPI spec) and the app manifest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kith.web.pages.common import PageCtx
from kith.web.render import page

router = APIRouter()
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Param:
    """A parameter of an operation, as the docs page lists it."""

    name: str
    where: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Operation:
    """One method on one path."""

    method: str
    path: str
    summary: str
    description: str
    params: tuple[Param, ...]
    body: str
    responses: tuple[tuple[str, str, str], ...]  # status, description, schema

    @property
    def anchor(self) -> str:
        """The operation's fragment id on the page."""
        return f"{self.method}-{self.path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}"


@dataclass
class Section:
    """The operations under one tag."""

    tag: str
    operations: list[Operation] = field(default_factory=list)


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    return str(schema.get("type", "object"))


def _schema_of(content: dict[str, Any] | None) -> str:
    if not content:
        return ""
    for media in content.values():
        return _type(media.get("schema", {}))
    return ""


def api_sections(spec: dict[str, Any]) -> list[Section]:
    """The operations of an OpenAPI spec grouped by tag, in the spec's order."""
    sections: dict[str, Section] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = tuple(
                Param(p["name"], p.get("in", ""), bool(p.get("required")), _type(p.get("schema", {})),
                      p.get("description", "") or p.get("schema", {}).get("description", ""))
                for p in op.get("parameters", [])
            )
            body = _schema_of(op.get("requestBody", {}).get("content"))
            responses = tuple((code, r.get("description", ""), _schema_of(r.get("content")))
                              for code, r in op.get("responses", {}).items())
            tag = (op.get("tags") or ["other"])[0]
            sections.setdefault(tag, Section(tag)).operations.append(
                Operation(method.upper(), path, op.get("summary", ""), op.get("description", ""), params, body, responses))
    return list(sections.values())


def schemas(spec: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """Every schema's fields: (name, [(field, type, required)])."""
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        out.append((name, [(f, _type(s), f in required) for f, s in schema.get("properties", {}).items()]))
    return out


@router.get("/docs", response_class=HTMLResponse)
def docs(ctx: PageCtx) -> Response:
    """The REST API's reference, rendered on the server from the app's own OpenAPI spec (no CDN, no script)."""
    spec = ctx.request.app.openapi()
    return page(ctx, "docs.html", title="API", info=spec.get("info", {}), sections=api_sections(spec),
                schemas=schemas(spec))


MANIFEST = {
    "name": "Kith",
    "short_name": "Kith",
    "description": "Your personal network: who to reach, when, and why.",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "background_color": "#f6f7f9",
    "theme_color": "#2456c9",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    """The installable web app's manifest (public: browsers fetch it without the session)."""
    return JSONResponse(MANIFEST, media_type="application/manifest+json")
