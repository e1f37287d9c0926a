"""The CLI gives the same JSON, to the byte, on SQLite and on PostgreSQL.

The first tests run one scenario through the ``cli`` fixture and compare every
JSON output with exact expected values; the suite runs once per backend, so
both backends are held to the same literals. The last test runs the scenario
on both backends inside one test and compares the outputs directly.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url
from tests.conftest import FIXED_NOW, PG_ADMIN, CliResult

from kith.cli.app import main

Run = Callable[..., CliResult]


def person(**changes: Any) -> dict[str, Any]:
    """The JSON of a person with every field at its default, then ``changes``."""
    base: dict[str, Any] = {
        "id": 0, "name": "", "given_name": "", "family_name": "", "emails": [], "phones": [], "urls": [],
        "org": None, "title": "", "location": "", "birthday": None, "notes": "", "tags": [], "key": False,
        "closeness": None, "met_on": None, "met_at_event_id": None, "introduced_by_id": None, "archived": False,
    }
    return base | changes


ANA = person(id=1, name="Ana Díaz", given_name="Ana", family_name="Díaz", emails=["ana@acme.example"],
             org="Acme Films", title="casting director", tags=["film"], key=True)
BEA = person(id=2, name="Bea Øster", given_name="Bea", family_name="Øster", met_on="2026-02-14",
             met_at_event_id=1, introduced_by_id=1)
CHEN = person(id=3, name="Chen Wei", given_name="Chen", family_name="Wei", org="Acme Films", tags=["film", "peer"])
COFFEE = {"id": 1, "on": "2026-06-01T00:00:00+00:00", "kind": "coffee", "direction": "out", "sentiment": 1,
          "note": "Café ☕", "source": "manual", "people": [1, 2], "event_id": None,
          "names": ["Ana Díaz", "Bea Øster"]}
CALL = {"id": 2, "on": "2026-06-10T09:30:00+00:00", "kind": "call", "direction": "in", "sentiment": -2,
        "note": "", "source": "manual", "people": [3], "event_id": None, "names": ["Chen Wei"]}


def relation(rid: int, src: dict[str, Any], kind: str, dst: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a relation as ``show`` prints it."""
    return {"id": rid, "src": src["id"], "kind": kind, "dst": dst["id"], "source": "manual", "note": "",
            "src_name": src["name"], "dst_name": dst["name"]}


def scenario(run: Run, backup: Path) -> dict[str, Any]:
    """Add, link, log, list, show and export; every JSON output by step name."""
    out: dict[str, Any] = {}

    def step(name: str, *args: str) -> None:
        result = run(*args)
        assert result.code == 0, f"{name}: {result.err}"
        out[name] = json.loads(result.out) if "--json" in args else result.out.strip()

    step("add ana", "add", "Ana Díaz", "--email", "ana@acme.example", "--org", "Acme Films",
         "--title", "casting director", "--tag", "film", "--key", "--json")
    step("add bea", "add", "Bea Øster", "--met-at", "Berlinale", "--met-on", "2026-02-14",
         "--introduced-by", "Ana", "--json")
    step("add chen", "add", "Chen Wei", "--org", "acme films", "--tag", "Film", "--tag", "peer",
         "--cadence", "2w", "--json")
    step("link", "link", "Bea", "assistant-of", "ana@acme.example")
    step("log coffee", "log", "Ana,Bea", "coffee", "--on", "2026-06-01", "--by", "me", "--sentiment", "1",
         "--note", "Café ☕", "--json")
    step("log call", "log", "Chen", "call", "--on", "2026-06-10T09:30:00Z", "--by", "them",
         "--sentiment", "-2", "--json")
    step("list", "list", "--json")
    step("list by tag", "list", "--tag", "peer", "--json")
    step("list by org", "list", "--org", "acme", "--sort", "org", "--json")
    step("find", "find", "oster", "--json")
    step("show", "show", "Bea", "--json")
    step("show chen", "show", "3", "--json")
    step("interactions", "interactions", "--json")
    step("export", "export", "backup", str(backup))
    document = json.loads(backup.read_text(encoding="utf-8"))
    document.pop("exported_at")
    out["backup"] = document
    return out


def test_the_cli_scenario_gives_exactly_the_expected_json(cli: Run, tmp_path: Path) -> None:
    out = scenario(cli, tmp_path / "backup.json")
    assert out["add ana"] == ANA
    assert out["add bea"] == BEA
    assert out["add chen"] == CHEN
    assert out["link"] == "Linked: Bea Øster assistant-of Ana Díaz"
    assert out["log coffee"] == COFFEE
    assert out["log call"] == CALL
    assert out["list"] == [ANA, BEA, CHEN]
    assert out["list by tag"] == [CHEN]
    assert out["list by org"] == [ANA, CHEN]
    assert out["find"] == [BEA]
    assert out["show"] == BEA | {
        "cadence_days": None,
        "relations": [relation(1, BEA, "introduced-by", ANA), relation(2, BEA, "assistant-of", ANA)],
        "interactions": [COFFEE],
        "favors": [],
    }
    assert out["show chen"] == CHEN | {"cadence_days": 14, "relations": [], "interactions": [CALL], "favors": []}
    assert out["interactions"] == [CALL, COFFEE]


def test_the_cli_backup_holds_exactly_the_scenario(cli: Run, tmp_path: Path) -> None:
    backup = scenario(cli, tmp_path / "backup.json")["backup"]
    assert backup["tags"] == ["film", "peer"]
    assert backup["organizations"] == [{"id": 1, "name": "Acme Films", "domain": None, "industry": None, "note": ""}]
    assert backup["events"] == [{"id": 1, "name": "Berlinale", "kind": "event", "starts_on": "2026-02-14",
                                 "ends_on": None, "location": "", "note": "",
                                 "members": [{"person_id": 2, "role": "met", "behind_scenes": False}]}]
    assert [(p["id"], p["display_name"], p["tags"]) for p in backup["people"]] == [
        (1, "Ana Díaz", ["film"]), (2, "Bea Øster", []), (3, "Chen Wei", ["film", "peer"])]
    assert backup["people"][0]["identifiers"] == [
        {"kind": "email", "value": "ana@acme.example", "label": "", "source": "manual"}]
    assert [(r["src_id"], r["kind"], r["dst_id"]) for r in backup["relations"]] == [
        (2, "introduced-by", 1), (2, "assistant-of", 1)]
    assert [(i["id"], i["kind"], i["occurred_at"], i["participants"]) for i in backup["interactions"]] == [
        (1, "coffee", "2026-06-01T00:00:00+00:00", [1, 2]), (2, "call", "2026-06-10T09:30:00+00:00", [3])]
    assert backup["cadences"] == [{"scope": "person", "target": "3", "days": 14}]


def test_a_backup_restored_by_the_cli_lists_the_same_people(cli: Run, other_db_url: str, tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    scenario(cli, backup)
    restored = cli("import", "backup", str(backup), db=other_db_url)
    assert restored.code == 0, restored.err
    assert json.loads(cli("list", "--json", db=other_db_url).out) == [ANA, BEA, CHEN]
    assert json.loads(cli("add", "Dee", "--json", db=other_db_url).out)["id"] == 4


@pytest.fixture
def both_backends(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh SQLite file and a fresh PostgreSQL database (dropped after); skips without a server."""
    name = f"kith_backends_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        reason = f"no PostgreSQL server answers at {PG_ADMIN}: {str(exc).strip().splitlines()[0]}"
        print(reason)
        pytest.skip(reason)
    pg = make_url(PG_ADMIN).set(drivername="postgresql+psycopg", database=name)
    yield {"sqlite": f"sqlite:///{tmp_path / 'kith.db'}", "postgresql": pg.render_as_string(hide_password=False)}
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sqlite_and_postgresql_give_identical_json_in_one_run(
    both_backends: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = {}
    for backend, url in both_backends.items():
        def run(*args: str, url: str = url) -> CliResult:
            capsys.readouterr()
            code = main(["--db", url, "--as-of", FIXED_NOW.isoformat(), *args])
            captured = capsys.readouterr()
            return CliResult(code, captured.out, captured.err)

        assert run("init").code == 0
        outputs[backend] = scenario(run, tmp_path / f"{backend}.json")
    assert outputs["sqlite"] == outputs["postgresql"]
    assert outputs["sqlite"]["list"] == [ANA, BEA, CHEN]
