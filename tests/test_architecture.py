"""The layering holds: one door to the database, hooks only on Kith's own factory, migrations frozen in time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from kith.runtime import Kith
from kith.store.models import Base, Scoped

SRC = Path(__file__).resolve().parents[1] / "src" / "kith"
MIGRATIONS = SRC / "store" / "migrations" / "versions"
# Tables whose writes change no figure (logins, tokens, the import history) or that are derived from the log
# in the same transaction as its change (tie states): the only ones the data version does not follow.
UNVERSIONED = {"user_account", "membership", "api_token", "import_run", "tie_state",
               "sync_account", "sync_item", "sync_conflict", "change"}


def _python_files(below: Path) -> list[Path]:
    return sorted(p for p in below.rglob("*.py") if "__pycache__" not in p.parts)


def test_only_the_store_opens_a_connection_of_a_session() -> None:
    calls = []
    for path in _python_files(SRC):
        if path.is_relative_to(SRC / "store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
                (node.func.attr == "connection" and not node.args) or node.func.attr == "exec_driver_sql"
            ):
                calls.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert calls == [], "only kith.store (the door) may run statements on a connection"


def test_no_hook_is_hung_on_the_global_session_class() -> None:
    hung = []
    for path in _python_files(SRC):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "listens_for", "listen"
            ) and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == "Session":
                hung.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert hung == [], "hooks belong to the session factory that open_kith makes"


def test_migrations_import_no_kith_code() -> None:
    found = []
    for path in _python_files(MIGRATIONS):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n == "kith" or n.startswith("kith.")]
    assert found == [], "an old migration must not change meaning when live code does"


def test_the_import_contracts_hold() -> None:
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], capture_output=True, text=True,
                          cwd=SRC.parents[1], check=False)
    assert done.returncode == 0, done.stdout[-2000:]


def _triggers(kith: Kith) -> dict[str, set[str]]:
    """Table -> the names of its triggers."""
    with kith.engine.connect() as conn:
        if kith.engine.dialect.name == "sqlite":
            rows = conn.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")).all()
        else:
            rows = conn.execute(text("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                                     "WHERE NOT t.tgisinternal")).all()
    out: dict[str, set[str]] = {}
    for table, name in rows:
        out.setdefault(table, set()).add(name)
    return out


def _models_under(mixin: type) -> set[type]:
    """The mapped classes that take ``mixin``, through its sub-mixins too (ScopedLed, ScopedUnder)."""
    found = set()
    for sub in mixin.__subclasses__():
        if hasattr(sub, "__tablename__"):
            found.add(sub)
        found |= _models_under(sub)
    return found


def test_every_table_of_a_workspace_s_data_moves_its_data_version(kith: Kith) -> None:
    triggers = _triggers(kith)
    scoped = {t.name for t in Base.metadata.sorted_tables if "workspace_id" in t.c and t.name != "workspace"}
    scoped &= {m.__tablename__ for m in _models_under(Scoped)}
    for table in sorted(scoped - UNVERSIONED):
        names = triggers.get(table, set())
        expected = {f"data_version_{table}_update", f"data_version_{table}_delete"}
        if table not in ("interaction", "interaction_participant"):  # their inserts move log_count
            expected.add(f"data_version_{table}_insert")
        assert expected <= names, f"{table} lacks {sorted(expected - names)}"
    for table in UNVERSIONED:
        assert not {n for n in triggers.get(table, set()) if n.startswith("data_version_")}, table


def test_protocol_clients_hold_no_database_code() -> None:
    """kith.sync is a layer like the importers: it speaks to servers and hands plain values up."""
    found = []
    for path in _python_files(SRC / "sync"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names
                      if n.split(".")[0] == "sqlalchemy" or n.startswith(("kith.store", "kith.services", "kith.runtime"))]
    assert found == [], "protocol adapters must stay free of database code"
