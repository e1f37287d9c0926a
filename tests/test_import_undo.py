"""All or nothing, and undo: a killed import writes nothing; every import is recorded and can be undone exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.conftest import FIXED_NOW, KITH_SCRIPT

from import_helpers import IMPORT, counts, interactions, people, run
from kith.errors import BadInput
from kith.runtime import Kith
from kith.services.import_runs import history, undo_run
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person, edit_person, resolve_person
from kith.services.tie_states import states_match_log
from kith.store.door import data_version
from kith.store.models import Identifier, Organization, Tag


def _snapshot(kith: Kith) -> tuple[Any, ...]:
    with kith.session() as s:
        extra = tuple(int(s.scalar(select(func.count()).select_from(m)) or 0) for m in (Identifier, Organization, Tag))
    return counts(kith), extra, people(kith), interactions(kith), triggers(kith)


def _version(kith: Kith) -> Any:
    with kith.session() as s:
        return data_version(s)


def triggers(kith: Kith) -> list[str]:
    """The database's triggers (a bulk import drops some on SQLite for a batch and must always leave them all)."""
    sql = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1" if kith.engine.dialect.name == "postgresql"
           else "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1")
    with kith.engine.connect() as conn:
        return [str(r[0]) for r in conn.exec_driver_sql(sql)]


def test_undo_removes_exactly_what_an_import_added_and_restores_what_it_changed(kith: Kith) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Evan Walsh", emails=["evan.walsh@example.org"]), now=kith.as_of)
        ana = add_person(s, NewPerson("Ana Diaz", emails=["ana.diaz@example.com"], title=""), now=kith.as_of)
        log_interaction(s, [ana], "coffee", when=FIXED_NOW, now=kith.as_of)
    before = _snapshot(kith)
    first = run(kith, "linkedin", IMPORT / "linkedin-current.csv")  # fills Ana's title, adds her URL, adds 3
    second = run(kith, "linkedin", IMPORT / "linkedin-2018.csv")  # fills Evan's org and title, adds Fatima
    assert (first.added, first.updated, second.added, second.updated) == (3, 1, 1, 1)
    assert people(kith)["Ana Diaz"]["title"] == "Head of Publicity"
    with kith.session() as s:
        assert [r.id for r in history(s)] == [second.run_id, first.run_id]
        undo_run(s, second.run_id or 0, now=kith.as_of)
        undo_run(s, first.run_id or 0, now=kith.as_of)
    assert _snapshot(kith) == before
    with kith.session() as s:
        assert states_match_log(s)
        assert [r.status for r in history(s)] == ["undone", "undone"]
        with pytest.raises(BadInput, match="already undone"):
            undo_run(s, first.run_id or 0, now=kith.as_of)


def test_undo_is_refused_when_later_edits_depend_on_the_import(kith: Kith) -> None:
    summary = run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    with kith.session() as s:
        log_interaction(s, [resolve_person(s, "Bo Li")], "call", when=FIXED_NOW, now=kith.as_of)
    with kith.session() as s, pytest.raises(BadInput, match="1 interactions logged since with people it added"):
        undo_run(s, summary.run_id or 0, now=kith.as_of)
    summary2 = run(kith, "linkedin", IMPORT / "linkedin-2018.csv")
    with kith.session() as s:
        edit_person(s, resolve_person(s, "Evan Walsh"), {"title": "Director"}, now=kith.as_of)
    with kith.session() as s, pytest.raises(BadInput, match="1 of the people it added were edited since"):
        undo_run(s, summary2.run_id or 0, now=kith.as_of)


def test_a_dry_run_records_no_import(kith: Kith) -> None:
    run(kith, "linkedin", IMPORT / "linkedin-current.csv", dry_run=True)
    with kith.session() as s:
        assert history(s) == []


def test_history_and_undo_from_the_command_line(kith_process) -> None:  # type: ignore[no-untyped-def]
    done = kith_process("import", "linkedin", str(IMPORT / "linkedin-current.csv"), "--json")
    assert done.code == 0, done.err
    summary = json.loads(done.out)
    assert (summary["added"], summary["held"], summary["rejected"], summary["run"]) == (4, 0, 0, 1)
    listed = json.loads(kith_process("import", "history", "--json").out)
    assert [(r["id"], r["format"], r["file"], r["added"], r["status"]) for r in listed] == [
        (1, "linkedin", "linkedin-current.csv", 4, "done")]
    undone = kith_process("import", "undo", "1")
    assert undone.code == 0 and "4 people and 4 interactions removed" in undone.out
    again = kith_process("import", "undo", "1")
    assert again.code != 0 and "already undone" in again.err and "Traceback" not in again.err


def _big_linkedin(path: Path, n: int) -> None:
    lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    lines += [f"Given{i},Family{i},https://www.linkedin.com/in/p{i},,Org {i % 50},Role,12 Mar 2024" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("delay", [0.6, 1.2, 2.0])
def test_an_import_killed_at_any_moment_leaves_the_database_as_before(
        kith: Kith, db_url: str, tmp_path: Path, delay: float) -> None:
    with kith.session() as s:
        add_person(s, NewPerson("Ana Diaz", emails=["ana@example.com"]), now=kith.as_of)
    before = _snapshot(kith), _version(kith)
    big = tmp_path / "Connections.csv"
    _big_linkedin(big, 60_000)  # several seconds of import even on a quiet machine: the kill lands mid-import
    env = {**os.environ, "KITH_STRICT_TIES": "1", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    proc = subprocess.Popen([str(KITH_SCRIPT), "--db", db_url, "--as-of", FIXED_NOW.isoformat(), "import", "linkedin",
                             str(big)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert (_snapshot(kith), _version(kith)) == before
    with kith.session() as s:
        assert history(s) == [] and states_match_log(s)


def test_an_import_moves_the_data_version_and_leaves_every_trigger_in_place(kith: Kith) -> None:
    before = triggers(kith)
    assert any(name == "data_version_person_insert" for name in before)
    with kith.session() as s:
        v0 = data_version(s)
    summary = run(kith, "linkedin", IMPORT / "linkedin-current.csv")
    assert summary.added == 4
    with kith.session() as s:
        v1 = data_version(s)
        add_person(s, NewPerson("Zoe After"), now=kith.as_of)
    with kith.session() as s:
        v2 = data_version(s)
    assert v0.changes < v1.changes < v2.changes  # the import moved it, and the triggers still move it afterwards
    assert triggers(kith) == before
