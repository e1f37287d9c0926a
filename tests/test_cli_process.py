"""What one ``kith`` process writes, the next ``kith`` process reads: each step its own process.

Users run ``kith log``, then ``kith agenda``, as separate processes. These
tests run the installed console script the same way (``kith_process``), so
nothing a step imported or registered is still loaded in the next one.

Two observables say that no step left the stored tie states for a later
command to rebuild from the whole log:

- every step runs with ``KITH_STRICT_TIES=1``, under which a command that
  finds the states out of step with the log fails instead of rebuilding them;
- after every step the test itself asks the database whether the states add
  up to the log (:func:`kith.services.scores.states_match_log`), so a write
  that skipped its upkeep is named at once, not by the next command.

Neither sees a state whose count is right but whose values are stale (a
participant removed from a group meeting): there the stored score is compared
with the one ``kith rescore`` rebuilds from the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import FIXTURES, CliResult

from kith.runtime import open_kith
from kith.services.tie_states import states_match_log

Step = Callable[..., Any]


def assert_tie_states_in_step(db_url: str, command: str) -> None:
    """The stored tie states add up to the interaction log, as a command left them."""
    kith = open_kith(db_url)
    try:
        with kith.session() as session:
            in_step = states_match_log(session)
    finally:
        kith.engine.dispose()
    assert in_step, f"`{command}` left the tie states out of step with the interaction log"


@pytest.fixture
def step(kith_process: Callable[..., CliResult], db_url: str) -> Step:
    """Run one command in its own process; it must succeed cleanly. Its JSON (with ``--json``) or text."""

    def run(*args: str) -> Any:
        command = "kith " + " ".join(args)
        result = kith_process(*args)
        assert result.code == 0, f"`{command}` exited {result.code}:\n{result.err}"
        assert "Traceback" not in result.err, f"`{command}`:\n{result.err}"
        assert_tie_states_in_step(db_url, command)
        return json.loads(result.out) if "--json" in args else result.out

    return run


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows of ``score`` or ``list`` keyed by the person's name."""
    return {r["name"]: r for r in rows}


def test_log_in_one_process_is_in_the_next_processes_agenda(step: Step) -> None:
    step("add", "Ada Lovelace", "--cadence", "14")
    step("add", "Bob Byte", "--cadence", "14")
    step("log", "Ada,Bob", "call", "--on", "2026-05-01")
    step("log", "Ada", "coffee")  # today: Ada's clock is reset, Bob's is not

    agenda = step("agenda", "--json")

    assert [(item["person"], item["action"]) for item in agenda] == [("Bob Byte", "reconnect")]
    assert "last contact 6 weeks ago (2026-05-01)" in agenda[0]["reason"]


def test_log_in_one_process_moves_the_next_processes_score(step: Step) -> None:
    step("add", "Ada Lovelace")
    step("log", "Ada", "call", "--on", "2026-03-01")
    before = step("score", "Ada", "--json")

    step("log", "Ada", "coffee", "--on", "2026-06-14")
    after = step("score", "Ada", "--json")

    assert before["last_contact"] == "2026-03-01"
    assert after["last_contact"] == "2026-06-14"
    assert after["score"] > before["score"]


def test_import_in_one_process_is_scored_and_listed_by_the_next(step: Step) -> None:
    step("import", "linkedin", str(FIXTURES / "import" / "linkedin-current.csv"))
    step("import", "linkedin-messages", str(FIXTURES / "import" / "linkedin-messages.csv"))

    scores = by_name(step("score", "--json"))
    listed = by_name(step("list", "--json"))

    names = {"Ana Díaz", "Jordan Reyes", "Mika 🎬 Tanaka", "Bo Li", "Gil Amar"}
    assert set(listed) == names
    assert set(scores) == names
    # The connection dates, then the messages: the newest contact of each.
    assert {n: s["last_contact"] for n, s in scores.items()} == {
        "Ana Díaz": "2024-03-14", "Jordan Reyes": "2023-01-03", "Mika 🎬 Tanaka": "2022-02-28",
        "Bo Li": "2024-04-01", "Gil Amar": "2024-04-01",
    }
    assert scores["Ana Díaz"]["score"] > scores["Jordan Reyes"]["score"]  # three messages more
    assert listed["Ana Díaz"]["org"] == "Acme Films"


def test_merge_in_one_process_leaves_the_next_the_merged_person_with_both_logs(step: Step) -> None:
    step("add", "Ada Lovelace", "--email", "ada@example.com")
    step("add", "Ada King", "--email", "ada.king@example.org")
    step("log", "ada@example.com", "call", "--on", "2026-04-01")
    step("log", "ada.king@example.org", "coffee", "--on", "2026-06-01")

    merged = step("merge", "ada@example.com", "ada.king@example.org", "--yes", "--json")
    timeline = step("interactions", "ada@example.com", "--json")
    scores = step("score", "--json")
    step("rescore")
    rebuilt = step("score", "--json")

    assert merged["emails"] == ["ada@example.com", "ada.king@example.org"]
    assert [(i["kind"], i["on"][:10], i["people"]) for i in timeline] == [
        ("coffee", "2026-06-01", [merged["id"]]), ("call", "2026-04-01", [merged["id"]]),
    ]
    assert [(s["name"], s["last_contact"]) for s in scores] == [("Ada Lovelace", "2026-06-01")]
    assert scores == rebuilt  # the stored state is the one the whole log gives


def test_edit_in_one_process_is_what_the_next_processes_reach_and_find_see(step: Step) -> None:
    step("add", "Ada Lovelace", "--org", "Acme")
    step("log", "Ada", "coffee", "--on", "2026-06-01")

    step("edit", "Ada", "--org", "Globex")
    reach = step("reach", "Globex", "--json")
    found = step("find", "Globex", "--json")

    assert reach["target"] == {"kind": "organisation", "label": "Globex",
                               "people": [{"id": 1, "name": "Ada Lovelace"}]}
    assert reach["paths"][0]["route"] == "you → Ada Lovelace"
    assert [(p["name"], p["org"]) for p in found] == [("Ada Lovelace", "Globex")]


def test_deleting_a_person_in_one_process_rescores_the_people_they_met_in_the_next(step: Step) -> None:
    step("add", "Ada Lovelace")
    step("add", "Bob Byte")
    step("log", "Ada,Bob", "worked-together", "--on", "2026-06-01")
    step("log", "Ada,Bob", "meal", "--on", "2026-06-10")
    with_bob = by_name(step("score", "--json"))

    step("delete", "Bob", "--yes")
    scores = step("score", "--json")
    step("rescore")
    rebuilt = step("score", "--json")

    assert [s["name"] for s in scores] == ["Ada Lovelace"]
    assert scores == rebuilt  # the stored state is the one her log now gives
    # Her two meetings were groups of two and are now hers alone: a closer tie.
    assert scores[0]["score"] > with_bob["Ada Lovelace"]["score"]


def test_demo_in_one_process_is_reported_by_the_next(step: Step) -> None:
    step("demo")

    report = step("report", "--json")
    listed = step("list", "--json")

    sizes = report["sizes"]
    assert sizes["network"] == len(listed)
    assert sum(sizes["layers"].values()) == sizes["network"]
    assert sizes["layers"]["inner"] == 5
    assert 0 < sizes["callable"] < sizes["network"]
