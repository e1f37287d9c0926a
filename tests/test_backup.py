"""The JSON backup restores a workspace losslessly, and refuses anything it cannot restore whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from tests.conftest import BACKEND, FIXED_NOW, CliResult, add_workspace

from kith.engine.kinds import KINDS, LAYERS, RelationKind
from kith.errors import ImportFailed
from kith.runtime import Kith, open_kith
from kith.services import dedupe as dedupe_svc
from kith.services import events as events_svc
from kith.services import favors as favors_svc
from kith.services import people as people_svc
from kith.services import relations as relations_svc
from kith.services.backup import (
    backup_json_schema,
    export_backup,
    import_backup,
    workspace_data_tables,
)
from kith.services.interactions import log_interaction
from kith.store.models import AgendaMark, Base, Cadence, Goal, Opportunity, Person, Workspace
from kith.store.scope import local_workspace

SCHEMA_FILE = Path(__file__).parent.parent / "docs" / "backup.schema.json"

# Printable unicode without control characters or surrogates (PostgreSQL text refuses NUL).
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20)
NAME = st.text(st.characters(exclude_categories=("Cc", "Cs", "Z")), min_size=1, max_size=15).map(
    lambda s: "Zoë " + s
)
TAG_NAMES = ("film crew", "peer", "Équipe technique", "café", "vc")


@dataclass
class Network:
    """A random small network, described by indexes into its own lists."""

    orgs: list[str]
    events: list[tuple[str, str, int]]  # name, kind, days ago
    people: list[dict[str, Any]]
    relations: list[tuple[int, str, int]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    favors: list[tuple[int, str, str, int]] = field(default_factory=list)
    goals: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    opportunities: list[tuple[str, int | None, int | None, float | None]] = field(default_factory=list)
    cadences: list[tuple[str, int, int]] = field(default_factory=list)  # scope, target index, days


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """Small networks with every kind of row a backup holds."""
    orgs = draw(st.lists(NAME, max_size=3, unique_by=lambda s: s.casefold()))
    events = draw(st.lists(st.tuples(NAME, st.sampled_from(["event", "project"]), st.integers(0, 700)), max_size=2))
    n = draw(st.integers(1, 6))
    person = st.fixed_dictionaries({
        "name": NAME,
        "org": st.none() | st.integers(0, len(orgs) - 1) if orgs else st.none(),
        "emails": st.integers(0, 2),
        "tags": st.lists(st.sampled_from(TAG_NAMES), max_size=3, unique=True),
        "key": st.booleans(),
        "closeness": st.none() | st.integers(0, 100),
        "archived": st.booleans(),
        "notes": TEXT,
        "met_at": st.none() | st.integers(0, len(events) - 1) if events else st.none(),
        "introduced_by": st.none() | st.integers(0, n - 1),
    })
    people = draw(st.lists(person, min_size=n, max_size=n))
    idx = st.integers(0, n - 1)
    net = Network(orgs, events, people)
    net.relations = draw(st.lists(st.tuples(idx, st.sampled_from([r.value for r in RelationKind]), idx), max_size=6))
    net.interactions = draw(st.lists(st.fixed_dictionaries({
        "people": st.lists(idx, min_size=1, max_size=4, unique=True),
        "kind": st.sampled_from(sorted(KINDS)),
        "by": st.sampled_from(["me", "them", "both"]),
        "sentiment": st.integers(-2, 2),
        "days": st.integers(0, 730),
        "note": TEXT,
        "event": st.none() | st.integers(0, len(events) - 1) if events else st.none(),
    }), max_size=8))
    net.favors = draw(st.lists(st.tuples(idx, st.sampled_from(["received", "given"]),
                                         st.sampled_from(["asked", "done", "returned", "declined"]),
                                         st.integers(0, 400)), max_size=3))
    net.goals = draw(st.lists(st.tuples(NAME, st.lists(NAME, max_size=2), st.lists(TEXT, max_size=2)), max_size=2))
    net.opportunities = draw(st.lists(st.tuples(
        NAME, st.none() | idx, st.none() | st.integers(0, len(net.goals) - 1) if net.goals else st.none(),
        st.none() | st.floats(-1e9, 1e9, allow_nan=False)), max_size=3))
    net.cadences = draw(st.lists(st.tuples(st.sampled_from(["person", "tag", "layer"]), st.integers(0, 5),
                                           st.integers(1, 400)), max_size=4))
    return net


def build(k: Kith, net: Network) -> None:
    """Write a generated network through the services."""
    now = FIXED_NOW
    with k.session() as s:
        events = [events_svc.add_event(s, name, kind=kind, starts_on=(now - timedelta(days=ago)).date())
                  for name, kind, ago in net.events]
        people = []
        for i, p in enumerate(net.people):
            new = people_svc.NewPerson(
                name=p["name"], emails=[f"p{i}.{j}@exämple.org".replace("ä", "a") for j in range(p["emails"])],
                org=net.orgs[p["org"]] if p["org"] is not None else None, tags=p["tags"], key=p["key"],
                closeness=p["closeness"], notes=p["notes"],
                met_at=events[p["met_at"]] if p["met_at"] is not None else None,
                met_on=date(2025, 1, 1) if p["met_at"] is not None else None,
            )
            person = people_svc.add_person(s, new, now=now - timedelta(days=i))
            person.archived = p["archived"]
            people.append(person)
        for person, p in zip(people, net.people, strict=True):
            if p["introduced_by"] is not None:
                person.introduced_by_id = people[p["introduced_by"]].id
            if p["met_at"] is not None:
                events_svc.add_member(s, events[p["met_at"]], person, role="met")
        for a, kind, b in net.relations:
            if a != b:
                relations_svc.link(s, people[a], kind, people[b], now=now)
        for it in net.interactions:
            log_interaction(s, [people[i] for i in it["people"]], it["kind"], when=now - timedelta(days=it["days"]),
                            now=now, direction=it["by"], sentiment=it["sentiment"], note=it["note"],
                            event=events[it["event"]] if it["event"] is not None else None)
        for i, direction, status, days in net.favors:
            favors_svc.record_favor(s, people[i], direction, "help", now=now, status=status,
                                    asked_on=(now - timedelta(days=days)).date())
        goals = [Goal(title=t, target_orgs=orgs, industries=[], roles=roles, tags=["peer"], created_at=now)
                 for t, orgs, roles in net.goals]
        s.add_all(goals)
        s.flush()
        for title, ref, goal, value in net.opportunities:
            s.add(Opportunity(title=title, referred_by_id=people[ref].id if ref is not None else None,
                              goal_id=goals[goal].id if goal is not None else None, found_on=now.date(),
                              value=value, created_at=now))
        cadences = {(scope, _cadence_target(scope, target, people)): days for scope, target, days in net.cadences}
        s.add_all(Cadence(scope=scope, target=target, days=days) for (scope, target), days in cadences.items())
        s.add(AgendaMark(person_id=people[0].id, action="*", state="snoozed", until=now + timedelta(days=3),
                         created_at=now))
        s.get(Workspace, k.workspace_id).owner_emails = ["me@example.org"]  # type: ignore[union-attr]


def _cadence_target(scope: str, target: int, people: list[Person]) -> str:
    if scope == "person":
        return str(people[target % len(people)].id)
    if scope == "tag":
        return people_svc.normalize_tag(TAG_NAMES[target % len(TAG_NAMES)])
    return LAYERS[target % len(LAYERS)]


def exported(k: Kith) -> dict[str, Any]:
    """The workspace's backup without the export time."""
    with k.session() as s:
        doc = export_backup(s)
    doc.pop("exported_at")
    return doc


def restored(url: str, doc: dict[str, Any]) -> Kith:
    """Kith on ``url`` with ``doc`` imported."""
    k = open_kith(url, as_of=FIXED_NOW)
    with k.session() as s:
        import_backup(s, json.loads(json.dumps(doc)))
    return k


@pytest.fixture
def two_kiths(db_url: str, other_db_url: str) -> Iterator[tuple[Kith, Kith]]:
    """Kith open on two databases for a whole property test (engines reused across examples)."""
    pair = (open_kith(db_url, as_of=FIXED_NOW), open_kith(other_db_url, as_of=FIXED_NOW))
    yield pair
    for k in pair:
        k.close()


def emptied(k: Kith) -> Kith:
    """``k`` after deleting every row, with a fresh local workspace.

    DELETE on the open engine, not TRUNCATE: far cheaper per example on PostgreSQL.
    """
    with k.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    k.workspace_id = local_workspace(k.factory)
    return k


# PostgreSQL pays a round trip per statement: fewer examples keep both runs to seconds.
@settings(max_examples=25 if BACKEND == "sqlite" else 12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(net=networks())
def test_export_then_import_into_an_empty_database_is_lossless(two_kiths: tuple[Kith, Kith], net: Network) -> None:
    original, copy_ = (emptied(k) for k in two_kiths)
    build(original, net)
    first = exported(original)
    with copy_.session() as s:
        import_backup(s, json.loads(json.dumps(dict(first, exported_at=FIXED_NOW.isoformat()))))
    assert exported(copy_) == first


def sample_network() -> Network:
    """A fixed small network with one row of everything."""
    person = {"name": "Ana Díaz", "org": 0, "emails": 1, "tags": ["peer"], "key": True, "closeness": None,
              "archived": False, "notes": "", "met_at": 0, "introduced_by": 1}
    other = dict(person, name="Bea Øster", org=None, tags=[], met_at=None, introduced_by=None)
    return Network(
        orgs=["Acme Films"], events=[("Berlinale", "event", 30)], people=[person, other],
        relations=[(0, "assistant-of", 1)],
        interactions=[{"people": [0, 1], "kind": "coffee", "by": "me", "sentiment": 1, "days": 3, "note": "",
                       "event": None}],
        favors=[(1, "received", "done", 10)], goals=[("Raise a seed round", ["Acme Films"], ["partner"])],
        opportunities=[("Publicist job", 0, 0, 1.5)], cadences=[("person", 0, 14)],
    )


@pytest.fixture
def sample_backup(kith: Kith) -> dict[str, Any]:
    """The backup of :func:`sample_network`, as parsed JSON."""
    build(kith, sample_network())
    with kith.session() as s:
        return json.loads(json.dumps(export_backup(s)))


def test_the_backup_names_its_format_and_version(sample_backup: dict[str, Any]) -> None:
    assert sample_backup["format"] == "kith-backup"
    assert sample_backup["version"] == 1
    assert [p["display_name"] for p in sample_backup["people"]] == ["Ana Díaz", "Bea Øster"]
    assert sample_backup["interactions"][0]["participants"] == [1, 2]
    assert "tie_state" not in sample_backup


def test_the_schema_file_is_the_schema_the_code_describes() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == backup_json_schema()


def test_an_export_validates_against_the_json_schema(sample_backup: dict[str, Any]) -> None:
    is_valid = _schema_validator()
    assert is_valid(sample_backup)
    assert not is_valid(dict(sample_backup, version=2))
    assert not is_valid(dict(sample_backup, people=[{"id": 1}]))


def _schema_validator() -> Callable[[Any], bool]:
    """``is_valid`` of whichever JSON Schema validator is installed (jsonschema_rs comes with schemathesis)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema).is_valid  # type: ignore[no-any-return]
    except ImportError:
        jsonschema = pytest.importorskip("jsonschema", reason="no JSON Schema validator installed")
        return jsonschema.Draft202012Validator(schema).is_valid  # type: ignore[no-any-return]


def test_importing_into_a_workspace_with_data_refuses_and_writes_nothing(
    sample_backup: dict[str, Any], other_db_url: str
) -> None:
    k = open_kith(other_db_url, as_of=FIXED_NOW)
    with k.session() as s:
        people_svc.add_person(s, people_svc.NewPerson("Already Here"), now=FIXED_NOW)
    with pytest.raises(ImportFailed, match=r"empty workspace only.*person"), k.session() as s:
        import_backup(s, sample_backup)
    with k.session() as s:
        assert s.scalar(select(func.count(Person.id))) == 1
        assert workspace_data_tables(s) == ["person"]
    k.close()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return change


MALFORMED = [
    (_set("format", "vcard"), 'not a Kith backup \\(expected "format": "kith-backup"\\)'),
    (_set("version", 2), "unsupported backup version 2 \\(this Kith reads version 1\\)"),
    (_set("people", KeyError), "\\$: missing 'people'"),
    (_set("people.0.id", "one"), "\\$.people\\[0\\].id: expected an integer"),
    (_set("people.0.surname", "x"), "\\$.people\\[0\\]: unknown field 'surname'"),
    (_set("people.0.closeness", 101), "\\$.people\\[0\\].closeness: 101 is not between 0 and 100"),
    (_set("people.0.met_on", "31/12/2024"), "'31/12/2024' is not an ISO 8601 date"),
    (_set("relations.0.dst_id", 999), "\\$.relations\\[0\\].dst_id: no people with id 999"),
    (_set("interactions.0.kind", "dance"), "'dance' is not one of like, hello"),
    (_set("interactions.0.participants", [1, 77]), "participants: no people with id 77"),
    (_set("people.1.id", 1), "\\$.people: id 1 appears twice"),
    (_set("cadences.0.target", "42"), "\\$.cadences\\[0\\].target: no people with id 42"),
    (_set("people.0.tags", ["nope"]), "'nope' is not in \\$.tags"),
]


@pytest.mark.parametrize(("damage", "message"), MALFORMED)
def test_a_malformed_backup_gives_one_clear_error_and_writes_nothing(
    sample_backup: dict[str, Any], other_db_url: str, damage: Callable[[dict[str, Any]], None], message: str
) -> None:
    doc = copy.deepcopy(sample_backup)
    damage(doc)
    k = open_kith(other_db_url, as_of=FIXED_NOW)
    with pytest.raises(ImportFailed, match=message) as err, k.session() as s:
        import_backup(s, doc)
    assert "\n" not in str(err.value)
    with k.session() as s:
        assert workspace_data_tables(s) == []
    k.close()


def test_a_document_that_is_not_an_object_is_not_a_backup(kith: Kith) -> None:
    with pytest.raises(ImportFailed, match="not a Kith backup"), kith.session() as s:
        import_backup(s, [1, 2, 3])


def test_new_rows_after_a_restore_get_fresh_ids(sample_backup: dict[str, Any], other_db_url: str) -> None:
    k = restored(other_db_url, sample_backup)
    with k.session() as s:
        person = people_svc.add_person(s, people_svc.NewPerson("Cleo New"), now=FIXED_NOW)
        assert person.id == 3
    k.close()


def test_ids_taken_by_another_workspace_are_shifted_and_references_follow(
    sample_backup: dict[str, Any], kith: Kith
) -> None:
    team = add_workspace(kith, "Team")
    with kith.session(team) as s:
        summary = import_backup(s, sample_backup)
    with kith.session(team) as s:
        doc = export_backup(s)
    assert summary["people"] == 2
    assert [p["id"] for p in doc["people"]] == [3, 4]
    assert doc["people"][0]["introduced_by_id"] == 4
    assert doc["relations"][0]["src_id"] == 3 and doc["relations"][0]["dst_id"] == 4
    assert doc["interactions"][0]["participants"] == [3, 4]
    assert doc["cadences"] == [{"scope": "person", "target": "3", "days": 14}]


def test_the_cli_exports_and_imports_a_backup(
    cli: Callable[..., CliResult], other_db_url: str, tmp_path: Path
) -> None:
    assert cli("add", "Ana Díaz", "--email", "ana@example.org", "--org", "Acme", "--tag", "peer").code == 0
    assert cli("add", "Bea Øster", "--met-at", "Berlinale", "--met-on", "2026-02-14").code == 0
    assert cli("link", "Ana", "assistant-of", "Bea").code == 0
    assert cli("log", "Ana,Bea", "coffee", "--on", "2026-06-01", "--sentiment", "1").code == 0
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli("export", "backup", str(first)).code == 0
    result = cli("import", "backup", str(first), db=other_db_url)
    assert result.code == 0, result.err
    assert "Imported: 1 organizations, 1 events, 0 goals, 2 people, 1 relations, 1 interactions" in result.out
    assert cli("export", "backup", str(second), db=other_db_url).code == 0
    a, b = (json.loads(f.read_text(encoding="utf-8")) for f in (first, second))
    a.pop("exported_at"), b.pop("exported_at")
    assert a == b
    again = cli("import", "backup", str(first), db=other_db_url)
    assert again.code == 1 and again.err.startswith("error: a backup restores into an empty workspace only")


def test_people_kept_apart_are_in_the_backup_and_stay_apart_after_a_restore(kith: Kith, other_db_url: str) -> None:
    build(kith, sample_network())
    with kith.session() as s:
        ana, bea = s.scalars(select(Person).order_by(Person.id)).all()
        assert dedupe_svc.keep_apart(s, bea, ana)
    with kith.session() as s:
        doc = json.loads(json.dumps(export_backup(s)))
    assert doc["kept_apart"] == [{"a_id": ana.id, "b_id": bea.id}]
    assert _schema_validator()(doc)
    k = restored(other_db_url, doc)
    with k.session() as s:
        assert json.loads(json.dumps(export_backup(s)))["kept_apart"] == doc["kept_apart"]
        assert not dedupe_svc.keep_apart(s, s.get(Person, ana.id), s.get(Person, bea.id))  # already recorded
    k.close()


def test_a_backup_made_before_kept_apart_was_added_still_restores(sample_backup: dict[str, Any],
                                                                 other_db_url: str) -> None:
    older = {k: v for k, v in sample_backup.items() if k != "kept_apart"}
    assert _schema_validator()(older)
    k = restored(other_db_url, older)
    with k.session() as s:
        assert export_backup(s)["kept_apart"] == []
    k.close()
