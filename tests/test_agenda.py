"""The agenda: each rule on a small hand-made network, with exact items.

Strength comes from the manual closeness override and timing from explicit
cadences, so these tests do not depend on the tie-score formula.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session
from tests.conftest import FIXED_NOW, CliResult

from kith.runtime import Kith
from kith.services import agenda as svc
from kith.services.cadences import set_cadence
from kith.services.events import add_event, add_member
from kith.services.favors import record_favor
from kith.services.interactions import log_interaction
from kith.services.people import NewPerson, add_person, archive_person
from kith.services.relations import link
from kith.store.models import Goal, Person

NOW = FIXED_NOW  # 2026-06-15 12:00 UTC


def at(day: str) -> datetime:
    """Noon UTC on an ISO date."""
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@pytest.fixture
def session(kith: Kith) -> Iterator[Session]:
    with kith.session() as s:
        yield s


def person(s: Session, name: str, closeness: int = 50, **kw: object) -> Person:
    return add_person(s, NewPerson(name, closeness=closeness, **kw), now=NOW)  # type: ignore[arg-type]


def log(s: Session, p: Person, kind: str, day: str, **kw: object) -> None:
    log_interaction(s, [p], kind, when=at(day), now=NOW, **kw)  # type: ignore[arg-type]


def items(s: Session, as_of: datetime = NOW) -> list[tuple[str, str, date]]:
    return [(i.person, i.action, i.due) for i in svc.agenda(s, as_of)]


def item_of(s: Session, name: str, as_of: datetime = NOW) -> svc.AgendaItem:
    found = [i for i in svc.agenda(s, as_of) if i.person == name]
    assert len(found) == 1, found
    return found[0]


# -- follow-up -----------------------------------------------------------------------------


def test_people_met_recently_and_never_contacted_get_a_follow_up_three_days_after_meeting(session: Session) -> None:
    summit = add_event(session, "Web Summit", starts_on=date(2026, 6, 13))
    person(session, "Ana Lima", met_at=summit, met_on=date(2026, 6, 13))
    assert items(session) == [("Ana Lima", "follow-up", date(2026, 6, 16))]
    reason = item_of(session, "Ana Lima").reason
    assert "Web Summit" in reason and "2026-06-13" in reason


def test_event_members_with_the_role_met_are_followed_up_too(session: Session) -> None:
    party = add_event(session, "Launch party", starts_on=date(2026, 6, 12))
    add_member(session, party, person(session, "Bo Chen"), role="met")
    assert items(session) == [("Bo Chen", "follow-up", date(2026, 6, 15))]


def test_no_follow_up_once_contacted_after_meeting_or_after_sixty_days(session: Session) -> None:
    contacted = person(session, "Cy Diaz", met_on=date(2026, 6, 10))
    log(session, contacted, "email", "2026-06-12")
    person(session, "Di Egan", met_on=date(2026, 4, 1))  # 75 days ago: a missed follow-up
    assert items(session) == []


# -- reconnect -----------------------------------------------------------------------------


def test_an_overdue_cadence_asks_to_reconnect_due_at_last_contact_plus_cadence(session: Session) -> None:
    ben = person(session, "Ben Ford")
    set_cadence(session, "person", ben, 30)
    log(session, ben, "call", "2026-05-01")
    assert items(session) == [("Ben Ford", "reconnect", date(2026, 5, 31))]
    reason = item_of(session, "Ben Ford").reason
    assert "every 30 days" in reason and "2026-05-01" in reason


def test_logging_any_interaction_resets_the_cadence(session: Session) -> None:
    ben = person(session, "Ben Ford")
    set_cadence(session, "person", ben, 30)
    log(session, ben, "call", "2026-05-01")
    log(session, ben, "like", "2026-06-14")
    assert items(session) == []


def test_a_cadence_due_within_three_days_is_already_on_the_agenda(session: Session) -> None:
    ben = person(session, "Ben Ford")
    set_cadence(session, "tag", "film", 14)
    set_cadence(session, "person", ben, 20)
    log(session, ben, "call", "2026-05-28")  # due 2026-06-17
    assert items(session) == [("Ben Ford", "reconnect", date(2026, 6, 17))]


def test_the_shortest_tag_cadence_applies(session: Session) -> None:
    fay = person(session, "Fay Gold", tags=["film", "friends"])
    set_cadence(session, "tag", "film", 14)
    set_cadence(session, "tag", "friends", 60)
    log(session, fay, "coffee", "2026-05-20")
    assert items(session) == [("Fay Gold", "reconnect", date(2026, 6, 3))]
    assert "tag film" in item_of(session, "Fay Gold").reason


# -- thank ---------------------------------------------------------------------------------


def test_a_favour_received_and_not_thanked_since_asks_to_thank(session: Session) -> None:
    cleo = person(session, "Cleo Hart")
    record_favor(session, cleo, "received", "intro to Netflix", now=NOW, done_on=date(2026, 6, 10))
    assert items(session) == [("Cleo Hart", "thank", date(2026, 6, 12))]
    assert "intro to Netflix" in item_of(session, "Cleo Hart").reason


def test_thanks_given_after_the_favour_clears_the_thank(session: Session) -> None:
    cleo = person(session, "Cleo Hart")
    record_favor(session, cleo, "received", "intro to Netflix", now=NOW, done_on=date(2026, 6, 10))
    log(session, cleo, "thanks-given", "2026-06-11")
    assert items(session) == []


def test_referrals_and_introductions_they_made_are_thanked(session: Session) -> None:
    log(session, person(session, "Ida Ives"), "referral", "2026-06-09", direction="in")
    log(session, person(session, "Jo Jett"), "intro-made", "2026-06-11", direction="in")
    log(session, person(session, "Kai Kerr"), "intro-made", "2026-06-11", direction="out")  # I made it
    assert sorted(items(session)) == [
        ("Ida Ives", "thank", date(2026, 6, 11)),
        ("Jo Jett", "thank", date(2026, 6, 13)),
    ]
    assert "referred you" in item_of(session, "Ida Ives").reason


def test_project_contributors_are_thanked_behind_the_scenes_crew_first(session: Session) -> None:
    film = add_event(session, "Short film", kind="project", starts_on=date(2026, 5, 1), ends_on=date(2026, 6, 1))
    add_member(session, film, person(session, "Eve Actor"), role="actor")
    add_member(session, film, person(session, "Dan Makeup"), role="make-up", behind_scenes=True)
    assert items(session) == [
        ("Dan Makeup", "thank", date(2026, 6, 3)),
        ("Eve Actor", "thank", date(2026, 6, 3)),
    ]
    reason = item_of(session, "Dan Makeup").reason
    assert "behind the scenes" in reason and "Short film" in reason


# -- nurture -------------------------------------------------------------------------------


def test_weak_or_silent_gatekeepers_of_key_people_are_nurtured(session: Session) -> None:
    kim = person(session, "Kim Star", closeness=90, key=True)
    log(session, kim, "call", "2026-06-10")
    gus = person(session, "Gus Aide", closeness=10)
    link(session, gus, "assistant-of", kim, now=NOW)
    hal = person(session, "Hal Team", closeness=90)
    link(session, kim, "works-with", hal, now=NOW)
    log(session, hal, "call", "2026-06-05")
    ian = person(session, "Ian Report", closeness=90)
    link(session, ian, "reports-to", kim, now=NOW)
    log(session, ian, "call", "2026-02-15")
    assert sorted(items(session)) == [
        ("Gus Aide", "nurture", date(2026, 6, 15)),
        ("Ian Report", "nurture", date(2026, 5, 16)),
    ]
    gus_reason = item_of(session, "Gus Aide").reason
    assert "assistant of Kim Star" in gus_reason and "weak" in gus_reason and "never contacted" in gus_reason


# -- repair --------------------------------------------------------------------------------


def test_a_relationship_whose_last_interaction_went_badly_needs_repair(session: Session) -> None:
    jon = person(session, "Jon Cross")
    log(session, jon, "call", "2026-05-20")
    log(session, jon, "meeting", "2026-06-01", sentiment=-2)
    assert items(session) == [("Jon Cross", "repair", date(2026, 6, 3))]
    assert "2026-06-01" in item_of(session, "Jon Cross").reason


def test_a_good_exchange_after_a_bad_one_needs_no_repair(session: Session) -> None:
    jon = person(session, "Jon Cross")
    log(session, jon, "meeting", "2026-06-01", sentiment=-2)
    log(session, jon, "call", "2026-06-05", sentiment=1)
    assert items(session) == []


# -- return-favour -------------------------------------------------------------------------


def test_a_favour_asked_of_me_and_still_open_is_due_within_a_week(session: Session) -> None:
    lia = person(session, "Lia Moss")
    record_favor(session, lia, "given", "a reference letter", now=NOW, status="asked", asked_on=date(2026, 6, 1))
    assert items(session) == [("Lia Moss", "return-favour", date(2026, 6, 8))]
    assert "a reference letter" in item_of(session, "Lia Moss").reason


def test_a_favour_received_and_not_returned_is_owed_after_a_month(session: Session) -> None:
    max_ = person(session, "Max Nye")
    record_favor(session, max_, "received", "a sofa to borrow", now=NOW, done_on=date(2026, 4, 1))
    log(session, max_, "thanks-given", "2026-04-02")
    assert items(session) == [("Max Nye", "return-favour", date(2026, 5, 1))]
    assert "not returned" in item_of(session, "Max Nye").reason


# -- rewarm-goal ---------------------------------------------------------------------------


def _goal(s: Session) -> None:
    s.add(Goal(title="Film publicity", target_orgs=["Netflix"], roles=["publicist"], created_at=NOW))
    s.flush()


def test_goal_relevant_ties_that_are_cooling_are_rewarmed(session: Session) -> None:
    _goal(session)
    mo = person(session, "Mo Park", org="Netflix")
    pat = person(session, "Pat Quill", title="Senior Publicist")
    other = person(session, "Ray Other", title="Accountant")
    for p in (mo, pat, other):
        set_cadence(session, "person", p, 30)
        for day in ("2026-01-05", "2026-02-05", "2026-03-05"):
            log(session, p, "call", day)
    got = {name: (action, due) for name, action, due in items(session)}
    assert got == {
        "Mo Park": ("rewarm-goal", date(2026, 5, 4)),
        "Pat Quill": ("rewarm-goal", date(2026, 5, 4)),
        "Ray Other": ("reconnect", date(2026, 4, 4)),
    }
    assert "Film publicity" in item_of(session, "Mo Park").reason
    assert "publicist" in item_of(session, "Pat Quill").reason


# -- one item per person, ranking, marks ---------------------------------------------------


def test_each_person_appears_once_with_the_most_important_action_and_the_others_mentioned(session: Session) -> None:
    jon = person(session, "Jon Cross", met_on=date(2026, 6, 14))
    set_cadence(session, "person", jon, 7)
    log(session, jon, "met", "2026-06-14", sentiment=-1)
    [item] = svc.agenda(session, NOW)
    assert (item.action, item.also) == ("repair", ("follow-up",))
    assert "also: follow-up" in item.reason


def test_key_people_rank_above_others_for_the_same_action(session: Session) -> None:
    for name, key in (("Al Plain", False), ("Zed Key", True)):
        p = person(session, name, key=key)
        set_cadence(session, "person", p, 30)
        log(session, p, "call", "2026-05-01")
    ranked = svc.agenda(session, NOW)
    assert [i.person for i in ranked] == ["Zed Key", "Al Plain"]
    assert ranked[0].priority > ranked[1].priority


def test_limit_keeps_the_top_items(session: Session) -> None:
    for name in ("Al One", "Bo Two", "Cy Three"):
        set_cadence(session, "person", person(session, name), 10)
    assert len(svc.agenda(session, NOW, limit=2)) == 2


def test_snooze_hides_every_item_of_the_person_until_then(session: Session) -> None:
    ana = person(session, "Ana Lima", met_on=date(2026, 6, 13))
    svc.snooze(session, ana, NOW, svc.parse_until("2w", NOW))
    assert items(session) == []
    assert items(session, NOW + timedelta(days=15)) == [("Ana Lima", "follow-up", date(2026, 6, 16))]


def test_done_hides_a_reconnect_for_one_cadence_period(session: Session) -> None:
    ben = person(session, "Ben Ford")
    set_cadence(session, "person", ben, 30)
    log(session, ben, "call", "2026-05-01")
    mark = svc.mark_done(session, ben, NOW)
    assert (mark.action, mark.until) == ("reconnect", NOW + timedelta(days=30))
    assert items(session) == []
    assert items(session, NOW + timedelta(days=29)) == []
    assert items(session, NOW + timedelta(days=31)) == [("Ben Ford", "reconnect", date(2026, 5, 31))]


def test_done_thank_comes_back_when_a_new_favour_arrives(session: Session) -> None:
    cleo = person(session, "Cleo Hart")
    record_favor(session, cleo, "received", "intro to Netflix", now=NOW, done_on=date(2026, 6, 10))
    svc.mark_done(session, cleo, NOW, "thank")
    assert items(session) == []
    later = NOW + timedelta(days=5)
    record_favor(session, cleo, "received", "a review", now=later, done_on=later.date())
    assert items(session, later) == [("Cleo Hart", "thank", date(2026, 6, 22))]


def test_done_with_nothing_on_the_agenda_is_a_user_error(session: Session) -> None:
    from kith.errors import BadInput

    with pytest.raises(BadInput, match="nothing on the agenda"):
        svc.mark_done(session, person(session, "Idle Person"), NOW)


def test_archived_people_never_appear(session: Session) -> None:
    gone = person(session, "Old Friend", met_on=date(2026, 6, 14))
    set_cadence(session, "person", gone, 7)
    archive_person(gone, now=NOW)
    session.flush()
    assert items(session) == []


def test_the_agenda_as_of_a_past_date_ignores_what_happened_after(session: Session) -> None:
    ben = person(session, "Ben Ford")
    set_cadence(session, "person", ben, 30)
    log(session, ben, "call", "2026-04-01")
    log(session, ben, "call", "2026-06-10")
    svc.mark_done(session, ben, at("2026-06-11"), "reconnect")
    past = at("2026-05-10")
    assert items(session, past) == [("Ben Ford", "reconnect", date(2026, 5, 1))]
    assert items(session, past) == items(session, past)
    assert items(session) == []


# -- CLI -----------------------------------------------------------------------------------


def test_cli_agenda_json_lists_person_action_reason_due(cli: Callable[..., CliResult]) -> None:
    assert cli("add", "Ana Lima", "--met-at", "Web Summit", "--met-on", "2026-06-13").code == 0
    result = cli("agenda", "--json")
    assert result.code == 0
    [obj] = json.loads(result.out)
    assert {"person", "person_id", "action", "reason", "due", "priority"} <= set(obj)
    assert (obj["person"], obj["action"], obj["due"]) == ("Ana Lima", "follow-up", "2026-06-16")


def test_cli_done_and_snooze_clear_the_agenda(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Lima", "--met-on", "2026-06-13")
    cli("add", "Ben Ford", "--met-on", "2026-06-14")
    assert cli("done", "Ana Lima").code == 0
    assert cli("snooze", "Ben Ford", "2w").code == 0
    assert json.loads(cli("agenda", "--json").out) == []
    assert cli("done", "Ana Lima", "no-such-action").code == 1


def test_cli_agenda_prints_a_table(cli: Callable[..., CliResult]) -> None:
    cli("add", "Ana Lima", "--met-on", "2026-06-13")
    result = cli("agenda")
    assert result.code == 0 and "Ana Lima" in result.out and "follow-up" in result.out
