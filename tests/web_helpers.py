"""Shared by the web tests (a module of its own: ``conftest`` names tests/browser/conftest.py in a whole run)."""

from __future__ import annotations

# The base URL of in-process (TestClient) apps: a name local mode answers to (kith.web.security.HostGuard).
LOCAL = "http://localhost"
