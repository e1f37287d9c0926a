"""The demo network: deterministic, about 300 people, and something to show for every feature."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, DatabasePool

from kith.engine.kinds import KINDS
from kith.runtime import Kith, open_kith
from kith.services.backup import export_backup
from kith.services.demo import build_demo, is_empty


@pytest.fixture(scope="module")
def demo(db_pool: DatabasePool) -> dict[str, Any]:
    """The backup document of the demo, built once for the module on a fresh database."""
    k = open_kith(db_pool.fresh(), as_of=FIXED_NOW)
    try:
        with k.session() as s:
            assert is_empty(s)
            build_demo(s, now=FIXED_NOW, seed=7)
        with k.session() as s:
            doc = export_backup(s)
    finally:
        k.close()
        db_pool.release_all()
    doc.pop("exported_at")
    return doc


def by_id(doc: dict[str, Any], section: str) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in doc[section]}


def interactions_with(doc: dict[str, Any], pid: int) -> list[dict[str, Any]]:
    return sorted((i for i in doc["interactions"] if pid in i["participants"]), key=lambda i: i["occurred_at"])


def test_the_same_seed_builds_the_same_network(demo: dict[str, Any], other_db_url: str) -> None:
    k = open_kith(other_db_url, as_of=FIXED_NOW)
    with k.session() as s:
        build_demo(s, now=FIXED_NOW, seed=7)
    with k.session() as s:
        again = export_backup(s)
    k.close()
    again.pop("exported_at")
    assert again == demo


def test_the_demo_has_about_300_people_in_at_least_12_organisations(demo: dict[str, Any]) -> None:
    assert 280 <= len(demo["people"]) <= 330
    assert len(demo["organizations"]) >= 12
    industries = {o["industry"] for o in demo["organizations"]}
    assert {"film production", "publicity", "venture capital", "car rental", "law", "newspaper"} <= industries


def test_the_summary_counts_what_was_created(kith: Kith) -> None:
    with kith.session() as s:
        summary = build_demo(s, now=FIXED_NOW)
    assert set(summary) == {"people", "organizations", "interactions", "events", "favors", "goals", "opportunities"}
    assert summary["interactions"] > 2000 and summary["goals"] == 2


def test_every_interaction_kind_and_every_sentiment_appears(demo: dict[str, Any]) -> None:
    kinds = Counter(i["kind"] for i in demo["interactions"])
    assert set(kinds) == set(KINDS)
    sentiments = Counter(i["sentiment"] for i in demo["interactions"])
    assert set(sentiments) == {-2, -1, 0, 1, 2}
    assert sentiments[0] + sentiments[1] + sentiments[2] > 8 * (sentiments[-1] + sentiments[-2])
    assert max(len(i["participants"]) for i in demo["interactions"]) >= 6


def test_all_interactions_are_in_the_two_years_before_now(demo: dict[str, Any]) -> None:
    times = sorted(i["occurred_at"] for i in demo["interactions"])
    assert times[0] >= (FIXED_NOW - timedelta(days=731)).isoformat()
    assert times[-1] < FIXED_NOW.isoformat()


def test_some_people_met_at_events_were_never_followed_up(demo: dict[str, Any]) -> None:
    people = by_id(demo, "people")
    recent = next(e for e in demo["events"] if e["name"] == "Publicity Week mixer")
    met = [m["person_id"] for m in recent["members"] if m["role"] == "met"]
    assert met and all(people[p]["met_at_event_id"] == recent["id"] for p in met)
    assert all([i["kind"] for i in interactions_with(demo, p)] == ["met"] for p in met)
    older_met = [m["person_id"] for e in demo["events"] if e["name"] != recent["name"] for m in e["members"]
                 if m["role"] == "met"]
    never = [p for p in older_met if len(interactions_with(demo, p)) == 1]
    assert 0 < len(never) < len(older_met)


def test_a_key_persons_assistant_relationship_has_soured(demo: dict[str, Any]) -> None:
    people = by_id(demo, "people")
    assistants = [r["src_id"] for r in demo["relations"] if r["kind"] == "assistant-of"]
    assert all(people[r["dst_id"]]["is_key"] for r in demo["relations"] if r["kind"] == "assistant-of")
    last = [interactions_with(demo, a)[-1] for a in assistants]
    soured = [i for i in last if i["sentiment"] == -2 and i["kind"] == "call"]
    assert len(soured) == 1
    weak = [a for a in assistants if [i["kind"] for i in interactions_with(demo, a)] == ["hello"]]
    assert len(weak) == 1


def test_some_favours_received_were_never_thanked(demo: dict[str, Any]) -> None:
    received = [f for f in demo["favors"] if f["direction"] == "received" and f["status"] == "done"]
    unthanked = [f for f in received
                 if not any(i["kind"] == "thanks-given" for i in interactions_with(demo, f["person_id"]))]
    assert len(unthanked) >= 2 and len(unthanked) < len(received)
    assert any(f["direction"] == "given" and f["status"] == "asked" for f in demo["favors"])
    assert {"favor-given", "favor-received"} <= {i["kind"] for i in demo["interactions"]}


def test_a_project_crew_works_behind_the_scenes_and_only_some_were_thanked(demo: dict[str, Any]) -> None:
    project = next(e for e in demo["events"] if e["kind"] == "project")
    crew = [m for m in project["members"] if m["behind_scenes"]]
    assert {"hair and make-up", "gaffer", "driver"} <= {m["role"] for m in crew}
    thanked = [m for m in crew if any(i["kind"] == "thanks-given" for i in interactions_with(demo, m["person_id"]))]
    assert 0 < len(thanked) < len(crew)


def test_goals_name_targets_and_most_recent_effort_goes_to_peers(demo: dict[str, Any]) -> None:
    goals = {g["title"]: g for g in demo["goals"]}
    seed = goals["Raise a seed round"]
    assert "Bellweather Ventures" in seed["target_orgs"] and seed["roles"] == ["partner"]
    assert seed["industries"] == ["venture capital"]
    assert "Land a role in film publicity" in goals
    peers = {p["id"] for p in demo["people"] if "peer" in p["tags"]}
    recent = [i for i in demo["interactions"] if i["occurred_at"] >= (FIXED_NOW - timedelta(days=60)).isoformat()]
    with_peers = [i for i in recent if peers & set(i["participants"])]
    assert len(with_peers) > 0.3 * len(recent)


def test_opportunities_come_from_strong_ties_and_from_the_car_rental_agent(demo: dict[str, Any]) -> None:
    people, orgs = by_id(demo, "people"), by_id(demo, "organizations")
    referred = [o for o in demo["opportunities"] if o["referred_by_id"] is not None]
    assert len(referred) >= 4 and any(o["referred_by_id"] is None for o in demo["opportunities"])
    referrer_orgs = {orgs[people[o["referred_by_id"]]["organization_id"]]["industry"]
                     for o in referred if people[o["referred_by_id"]]["organization_id"]}
    assert "car rental" in referrer_orgs


def test_relations_cadences_overrides_and_archive_are_all_used(demo: dict[str, Any]) -> None:
    kinds = {r["kind"] for r in demo["relations"]}
    assert kinds == {"assistant-of", "works-with", "reports-to", "knows", "introduced-by", "referred-by", "partner-of"}
    assert {c["scope"] for c in demo["cadences"]} == {"person", "tag", "layer"}
    assert sum(p["closeness"] is not None for p in demo["people"]) == 3
    assert sum(p["archived"] for p in demo["people"]) == 4
    assert sum(p["is_key"] for p in demo["people"]) == 4


def test_a_weekly_tie_has_been_silent_for_a_month(demo: dict[str, Any]) -> None:
    weekly = [c for c in demo["cadences"] if c["scope"] == "person" and c["days"] == 7]
    last = interactions_with(demo, int(weekly[0]["target"]))
    assert len(last) > 60
    assert last[-1]["occurred_at"] < (FIXED_NOW - timedelta(days=30)).isoformat()


def test_the_demo_cli_refuses_a_database_with_people(cli: Any) -> None:
    assert cli("add", "Somebody").code == 0
    result = cli("demo")
    assert result.code == 1 and "already has people" in result.err
