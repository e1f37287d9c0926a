"""`kith favours`: the favour ledger from the command line, each command its own process as a user runs it.
List (all, one person's, the open ones), mark one returned (its readiness and the agenda follow), delete one
(and undo takes it back); bad numbers and statuses are one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.conftest import FIXED_NOW, CliResult

Cli = Callable[..., CliResult]
TODAY = FIXED_NOW.date()


def ok(result: CliResult) -> CliResult:
    assert result.code == 0 and "Traceback" not in result.err, result.err
    return result


def day(days_ago: float) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def ledger(kith_process: Cli, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(kith_process("favours", "list", *args, "--json")).out)
    return rows


def test_the_ledger_lists_favours_newest_first_with_whom_and_only_the_open_ones_on_request(
        kith_process: Cli) -> None:
    ok(kith_process("add", "Ana Diaz"))
    ok(kith_process("add", "Ben Okafor"))
    recorded = ok(kith_process("favour", "Ana", "received", "an intro to Umbrella", "--on", day(20)))
    assert "#1" in recorded.out
    ok(kith_process("favour", "Ben", "given", "a reference letter", "--status", "asked"))
    ok(kith_process("favour", "Ana", "given", "a review", "--status", "declined"))
    rows = ledger(kith_process)
    assert [(r["person_name"], r["what"], r["status"]) for r in rows] == [
        ("Ana Diaz", "a review", "declined"), ("Ben Okafor", "a reference letter", "asked"),
        ("Ana Diaz", "an intro to Umbrella", "done")]
    assert [r["what"] for r in ledger(kith_process, "--open")] == ["a reference letter", "an intro to Umbrella"]
    assert [r["what"] for r in ledger(kith_process, "Ana")] == ["a review", "an intro to Umbrella"]
    shown = ok(kith_process("favours", "list", "--open")).out
    assert "Ben" in shown and "asked" in shown and "declined" not in shown


def test_marking_a_received_favour_returned_raises_readiness_and_clears_the_return_favour_item(
        kith_process: Cli) -> None:
    ok(kith_process("add", "Olly Owed"))
    for month in range(24):
        ok(kith_process("log", "Olly", "call", "--on", day(10 + 30.4 * month), "--by", ("me", "them")[month % 2]))
    ok(kith_process("favour", "Olly", "received", "a reference letter", "--on", day(75)))
    owed = json.loads(ok(kith_process("score", "Olly", "--json")).out)
    agenda = json.loads(ok(kith_process("agenda", "--json")).out)
    assert ("Olly Owed", "return-favour") in {(i["person"], i["action"]) for i in agenda}
    favour = ledger(kith_process, "--open")[0]
    marked = ok(kith_process("favours", "mark", str(favour["id"]), "returned", "--on", day(2)))
    assert "now returned" in marked.out
    assert ledger(kith_process, "--open") == []
    assert ledger(kith_process)[0]["returned_on"] == day(2)
    settled = json.loads(ok(kith_process("score", "Olly", "--json")).out)
    assert settled["readiness"] > owed["readiness"]
    agenda = json.loads(ok(kith_process("agenda", "--json")).out)
    assert ("Olly Owed", "return-favour") not in {(i["person"], i["action"]) for i in agenda}


def test_a_deleted_favour_is_gone_and_undo_brings_it_back(kith_process: Cli) -> None:
    ok(kith_process("add", "Ana Diaz"))
    ok(kith_process("favour", "Ana", "received", "an intro"))
    assert "Deleted favour #1 (an intro, Ana Diaz)" in ok(kith_process("favours", "delete", "1")).out
    assert ledger(kith_process) == []
    assert "Deleted the favour an intro" in ok(kith_process("undo")).out
    assert [r["what"] for r in ledger(kith_process)] == ["an intro"]


def test_unknown_favours_and_statuses_are_one_line_errors_that_change_nothing(kith_process: Cli) -> None:
    ok(kith_process("add", "Ana Diaz"))
    ok(kith_process("favour", "Ana", "received", "an intro", "--on", day(5)))
    for args, message in (
        (("favours", "mark", "99", "returned"), "no favour with id 99"),
        (("favours", "mark", "1", "repaid"), "unknown favour status 'repaid'"),
        (("favours", "mark", "1", "returned", "--on", day(9)), "cannot be returned"),
        (("favours", "delete", "99"), "no favour with id 99"),
        (("favours", "list", "Nobody Here"), "Nobody Here"),
    ):
        result = kith_process(*args)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (args, result.err)
        assert len(result.err.strip().splitlines()) == 1
    assert [(r["status"], r["returned_on"]) for r in ledger(kith_process)] == [("done", None)]
