"""Schemathesis drives every API operation from /openapi.json: no 500s, every answer matches its schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.conftest import FIXED_NOW

from kith.runtime import Kith
from kith.services.events import add_event
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person
from kith.services.relations import link
from kith.store.models import Goal, Opportunity
from kith.web.app import create_app

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def seed(kith: Kith) -> None:
    """A few objects with ids 1 and 2, so that generated ids sometimes hit real objects."""
    with kith.session() as s:
        ana = add_person(s, NewPerson(name="Ana Lopez", org="Acme", emails=["ana@example.com"], tags=["film"]), now=FIXED_NOW)
        bea = add_person(s, NewPerson(name="Bea Ruiz", org="Globex"), now=FIXED_NOW)
        s.flush()
        for kind in ("coffee", "call"):
            log_interaction(s, [ana, bea], kind, when=FIXED_NOW.replace(day=1), now=FIXED_NOW)
        link(s, bea, "assistant-of", ana, now=FIXED_NOW)
        link(s, ana, "knows", bea, now=FIXED_NOW)
        record_favor(s, ana, "received", "an intro", now=FIXED_NOW)
        record_favor(s, bea, "given", "a review", now=FIXED_NOW)
        add_event(s, "Film festival")
        add_event(s, "Launch", kind="project")
        for title in ("Film publicity", "Seed round"):
            s.add(Goal(title=title, target_orgs=["Acme"], industries=[], roles=[], tags=[], starts_on=FIXED_NOW.date(),
                       status="active", created_at=FIXED_NOW))
        s.flush()
        for title in ("Publicist job", "Consulting gig"):
            s.add(Opportunity(title=title, kind="job", referred_by_id=ana.id, found_on=FIXED_NOW.date(), outcome="open",
                              note="", created_at=FIXED_NOW))


def test_every_api_operation_answers_according_to_its_schema(kith: Kith) -> None:
    seed(kith)
    app = create_app(kith, secret_key="z" * 40, now=lambda: FIXED_NOW, allowed_hosts=["testserver"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  phases=[Phase.explicit, Phase.generate])
        def run(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
