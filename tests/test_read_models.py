"""One read model per screen: the CLI's --json and the API print the same object for the same data.

Each test builds nothing of its own: one small network (people at organisations,
interactions, an assistant, a project with its crew and a favour, a goal,
opportunities, a likely duplicate) is read through `kith ... --json` and through
/api/v1, and the two answers must be equal, key for key and value for value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import FIXED_NOW, FIXTURES, CliResult

from kith.runtime import Kith
from kith.services import events, relations
from kith.services.favors import record_favor
from kith.services.goals import add_goal
from kith.services.interactions import log_interaction
from kith.services.opportunities import add_opportunity
from kith.services.organizations import get_or_create_org
from kith.services.people import NewPerson, add_person
from kith.store.models import Person
from kith.web.app import create_app
from web_helpers import LOCAL


@dataclass
class Views:
    """The same database read through the CLI and through the API."""

    cli: Callable[..., CliResult]
    api: Any

    def cli_json(self, *args: str) -> Any:
        result = self.cli(*args, "--json")
        assert result.code == 0, result.err
        return json.loads(result.out)

    def api_json(self, path: str, **params: Any) -> Any:
        answer = self.api.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _person(s: Any, name: str, *, org: str | None = None, title: str = "", closeness: int | None = None,
            emails: tuple[str, ...] = (), tags: tuple[str, ...] = (), key: bool = False) -> Person:
    return add_person(s, NewPerson(name, org=org, title=title, closeness=closeness, emails=list(emails),
                                   tags=list(tags), key=key), now=FIXED_NOW)


def _build(kith: Kith) -> None:
    def ago(days: int) -> Any:
        return FIXED_NOW - timedelta(days=days)

    with kith.session() as s:
        get_or_create_org(s, "Seedcamp", industry="venture capital")
        get_or_create_org(s, "Fast Wheels", industry="car rental")
        ana = _person(s, "Ana Diaz", org="Northlight Films", title="Producer", closeness=90,
                      emails=("ana@example.com",), tags=("film",), key=True)
        ben = _person(s, "Ben Ode", org="Acme", title="Casting Director", closeness=60)
        cara = _person(s, "Cara Lim", org="Globex", title="Publicist", closeness=30)
        dan = _person(s, "Dan Wu", org="Seedcamp", title="Partner")
        gus = _person(s, "Gus Park", org="Seedcamp", title="Assistant", closeness=20)
        rick = _person(s, "Rick Moreno", org="Fast Wheels", title="Car rental", closeness=25)
        _person(s, "Ana Díaz", emails=("ana@example.com",), title="Head of PR")
        relations.link(s, ana, "knows", dan, now=FIXED_NOW)
        relations.link(s, gus, "assistant-of", dan, now=FIXED_NOW)
        log_interaction(s, [ana], "coffee", when=ago(10), now=FIXED_NOW, note="the festival")
        log_interaction(s, [ana, cara], "meal", when=ago(40), now=FIXED_NOW)
        log_interaction(s, [ben], "call", when=ago(100), now=FIXED_NOW, sentiment=1)
        log_interaction(s, [gus], "call", when=ago(14), now=FIXED_NOW, sentiment=-2)
        film = events.add_event(s, "Nightfall", kind="project", starts_on=date(2026, 5, 1))
        events.add_member(s, film, cara, role="publicity")
        events.add_member(s, film, rick, role="car rental", behind_scenes=True)
        record_favor(s, ben, "received", "lent a camera", now=FIXED_NOW, event=film)
        record_favor(s, ana, "given", "an introduction", now=FIXED_NOW)
        add_goal(s, "Raise a seed round", now=FIXED_NOW, target_orgs=["Seedcamp", "Initech"],
                 industries=["venture capital"], roles=["partner"])
        add_opportunity(s, "Unit publicist", now=FIXED_NOW, kind="gig", referred_by=rick, org="Globex",
                        found_on=date(2026, 4, 2), outcome="won")
        add_opportunity(s, "Publicist at Northlight", now=FIXED_NOW, referred_by=ana, org="Northlight Films",
                        found_on=date(2026, 3, 1))
        add_opportunity(s, "Junior publicist (job board)", now=FIXED_NOW, found_on=date(2026, 5, 3))
        from kith.services.people import set_person_cadence

        set_person_cadence(s, ana, 14)


@pytest.fixture
def views(kith: Kith, cli: Callable[..., CliResult]) -> Iterator[Views]:
    from fastapi.testclient import TestClient

    _build(kith)
    with TestClient(create_app(kith, secret_key="s" * 32, now=lambda: FIXED_NOW), base_url=LOCAL) as api:
        yield Views(cli, api)


def test_the_agenda(views: Views) -> None:
    from_cli = views.cli_json("agenda")
    page = views.api_json("/api/v1/agenda", limit=500)
    assert from_cli and page["items"] == from_cli and page["total"] == len(from_cli)
    assert {"person", "action", "reason", "due"} <= set(from_cli[0])


def test_reach(views: Views) -> None:
    from_cli = views.cli_json("reach", "Dan Wu")
    assert from_cli["paths"] and from_cli["gatekeepers"]
    assert views.api_json("/api/v1/reach", target="Dan Wu")["result"] == from_cli


def test_ask(views: Views) -> None:
    from_cli = views.cli_json("ask", "casting director", "--limit", "5")
    page = views.api_json("/api/v1/ask", q="casting director", limit=5)
    assert from_cli and page["items"] == from_cli and page["total"] == len(from_cli)


def test_thanks_for_a_project(views: Views) -> None:
    from_cli = views.cli_json("thank", "Nightfall")
    page = views.api_json("/api/v1/events/1/thanks")
    assert [t["name"] for t in from_cli] == ["Rick Moreno", "Ben Ode", "Cara Lim"]
    assert page["items"] == from_cli and page["total"] == 3


def test_duplicates_and_the_merge_preview(views: Views) -> None:
    from_cli = views.cli_json("dupes")
    assert [(d["a"]["name"], d["b"]["name"]) for d in from_cli] == [("Ana Diaz", "Ana Díaz")]
    assert views.api_json("/api/v1/duplicates")["items"] == from_cli
    preview = views.cli_json("merge", "1", "7", "--dry-run")
    assert preview["noted"] == ["title: Head of PR", "family name: Díaz", "also known as: Ana Díaz"]
    assert views.api_json("/api/v1/merge-preview", keep=1, drop=7) == preview


def test_the_goal_audit(views: Views) -> None:
    from_cli = views.cli_json("goal", "audit", "1")
    assert from_cli["no_path"] == [{"kind": "organisation", "target": "Initech", "people": 0,
                                    "why": "nobody at Initech is in your network"}]
    assert views.api_json("/api/v1/goals/1/audit") == from_cli


def test_the_opportunity_report(views: Views) -> None:
    from_cli = views.cli_json("opportunity", "report")
    assert (from_cli["total"], from_cli["referred"]) == (3, 2)
    assert [o["title"] for o in from_cli["non_obvious"]] == ["Unit publicist"]
    assert views.api_json("/api/v1/opportunities/report") == from_cli


def test_a_person_shown(views: Views) -> None:
    from_cli = views.cli_json("show", "1")
    assert from_cli["cadence_days"] == 14
    assert [r["dst_name"] for r in from_cli["relations"]] == ["Dan Wu"]
    assert [i["names"] for i in from_cli["interactions"]] == [["Ana Diaz"], ["Ana Diaz", "Cara Lim"]]
    assert [f["what"] for f in from_cli["favors"]] == ["an introduction"]
    assert views.api_json("/api/v1/people/1/detail") == from_cli
    assert {k: v for k, v in from_cli.items() if k in views.api_json("/api/v1/people/1")} == \
        views.api_json("/api/v1/people/1")


def test_the_import_summary_of_the_cli_is_the_one_the_import_page_shows(views: Views) -> None:
    file = FIXTURES / "import" / "vcard-variants.vcf"
    from_cli = views.cli_json("import", "vcard", str(file), "--dry-run")
    assert from_cli["dry_run"] is True and from_cli["added"] > 0 and from_cli["changes"]
    page = _import_page(views.api, file)
    assert page["people added"] == str(from_cli["added"])
    assert page["people updated"] == str(from_cli["updated"])
    assert page["interactions added"] == str(from_cli["interactions_added"])
    assert page["changes"] == [f"would {c}" for c in from_cli["changes"]]


def _import_page(client: Any, file: Path) -> dict[str, Any]:
    """The figures of the import page's summary after a dry run of ``file``."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/import").text)
    assert token is not None
    with file.open("rb") as f:
        answer = client.post("/import", data={"csrf_token": token.group(1), "fmt": "vcard", "dry_run": "1"},
                             files={"file": (file.name, f, "text/vcard")})
    assert answer.status_code == 200, answer.text
    section = answer.text[answer.text.index('id="import-summary"'):]
    section = section[:section.index("</section>")]
    figures: dict[str, Any] = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", section))
    changes = section[section.index("What it would change"):] if "What it would change" in section else ""
    figures["changes"] = [c.replace("&#39;", "'").replace("&amp;", "&") for c in re.findall(r"<li>([^<]+)</li>", changes)]
    return figures
