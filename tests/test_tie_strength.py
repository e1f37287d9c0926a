"""Tie strength: what raises a score, what lowers it, and how it explains itself."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from kith.engine.cadence import cadence_due
from kith.engine.ties import TieState, Touch, build_state, layer_thresholds, score, score_touches
from kith.errors import BadInput

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def steady(kind: str, every_days: float, count: int, **extra: object) -> list[Touch]:
    return [Touch(days_ago(every_days * i + 1), kind, **extra) for i in range(count)]  # type: ignore[arg-type]


def test_a_forty_person_meeting_counts_less_than_a_one_to_one() -> None:
    one_to_one = score(build_state(steady("meeting", 14, 6)), NOW).score
    crowd = score(build_state(steady("meeting", 14, 6, group_size=40)), NOW).score
    assert crowd < one_to_one - 5


def test_manual_closeness_always_wins() -> None:
    only_hellos = build_state(steady("hello", 30, 3))
    overridden = score(only_hellos, NOW, closeness=95.0)
    assert overridden.score == 95.0
    assert overridden.layer == "inner"
    assert overridden.reasons[0].startswith("manual closeness 95 overrides")
    assert score(build_state(steady("meal", 7, 50)), NOW, closeness=3.0).score == 3.0


def test_only_hellos_score_low_however_many() -> None:
    few = score(build_state(steady("hello", 30, 5)), NOW)
    many = score(build_state(steady("hello", 3, 500)), NOW)
    assert many.score < layer_thresholds()["meaningful"]
    assert many.score - few.score < 3.0
    assert any("only hellos" in reason for reason in many.reasons)


def test_deeper_kinds_score_higher_at_the_same_rhythm() -> None:
    scores = [
        score(build_state(steady(kind, 10, 8)), NOW).score
        for kind in ("like", "message", "coffee", "worked-together")
    ]
    assert scores == sorted(scores)
    assert scores[-1] - scores[0] > 10


def test_weekly_tie_silent_for_a_month_is_cooling_but_yearly_is_not() -> None:
    weekly = [Touch(days_ago(30 + 7 * i), "call") for i in range(30)]
    yearly = [Touch(days_ago(30 + 365 * i), "call") for i in range(5)]
    weekly_score, yearly_score = score(build_state(weekly), NOW), score(build_state(yearly), NOW)
    assert weekly_score.cooling and weekly_score.likelihood_components["cooling"] < 0
    assert not yearly_score.cooling and "cooling" not in yearly_score.likelihood_components  # zero: left out
    assert weekly_score.learned_gap_days is not None and 7 <= weekly_score.learned_gap_days < 10
    assert yearly_score.learned_gap_days is not None and yearly_score.learned_gap_days > 200


def test_a_tie_where_only_i_reach_out_scores_below_a_reciprocated_one() -> None:
    mine = steady("message", 7, 10, direction="out")
    both = [Touch(t.at, "message", "out" if i % 2 else "in") for i, t in enumerate(mine)]
    assert score(build_state(mine), NOW).score < score(build_state(both), NOW).score


def test_favours_both_ways_count_as_reciprocity() -> None:
    given = steady("favor-given", 60, 6)
    both = given[:3] + [Touch(t.at, "favor-received") for t in given[3:]]
    one_way = [Touch(t.at, "favor-given") for t in given]
    both_ways, one_sided = score(build_state(both), NOW), score(build_state(one_way), NOW)
    assert both_ways.components["reciprocity"] > one_sided.components["reciprocity"]
    assert both_ways.components["favours"] > 0 and "favours" not in one_sided.components
    assert both_ways.score > one_sided.score


def test_reciprocity_is_spoken_of_only_with_enough_history() -> None:
    short = score(build_state(steady("message", 7, 3, direction="out")), NOW)
    assert "reciprocity" not in short.components
    assert not any("reach out" in r for r in short.reasons + short.likelihood_reasons)


def test_sentiment_raises_or_lowers_the_score() -> None:
    neutral = score(build_state(steady("coffee", 20, 5)), NOW).score
    warm = score(build_state(steady("coffee", 20, 5, sentiment=2)), NOW).score
    sour = score(build_state(steady("coffee", 20, 5, sentiment=-2)), NOW).score
    assert sour < neutral < warm


def test_several_kinds_and_contexts_score_above_one_kind() -> None:
    one = steady("call", 10, 6)
    varied = [
        Touch(t.at, kind)
        for t, kind in zip(
            one, ["call", "coffee", "meeting", "call", "coffee", "meeting"], strict=True
        )
    ]
    plain, multiplex = score(build_state(one), NOW), score(build_state(varied), NOW)
    assert multiplex.components["multiplexity"] > 0.0 and "multiplexity" not in plain.components


def test_an_old_friend_scores_above_a_new_acquaintance_with_the_same_recent_contact() -> None:
    recent = steady("call", 30, 3)
    old_friend = recent + [Touch(days_ago(365 * y), "meal") for y in (2, 3, 4)]
    assert score(build_state(old_friend), NOW).score > score(build_state(recent), NOW).score


def test_the_score_falls_as_silence_grows() -> None:
    state = build_state(steady("call", 14, 10))
    later = [score(state, NOW + timedelta(days=d)).score for d in (0, 30, 90, 365)]
    assert later == sorted(later, reverse=True)


def test_components_sum_to_the_logit_of_the_score() -> None:
    result = score(build_state(steady("coffee", 12, 4, sentiment=1)), NOW, closeness=None)
    assert math.isclose(
        result.baseline + sum(result.components.values()), math.log(result.score / (100 - result.score))
    )
    overridden = score(build_state(steady("coffee", 12, 4)), NOW, closeness=70.0)
    assert math.isclose(overridden.baseline + sum(overridden.components.values()), math.log(70 / 30))


def test_explanations_leave_out_terms_that_contributed_nothing_and_the_baseline() -> None:
    result = score(build_state([Touch(days_ago(1), "coffee")]), NOW)
    assert all(abs(v) >= 0.005 for v in result.components.values()) and "bias" not in result.components
    assert not any("0.00" in r or "bias" in r.lower() for r in result.reasons + result.likelihood_reasons)


def test_reasons_say_what_happened_recently() -> None:
    touches = [Touch(days_ago(d), "call") for d in (2, 5, 9)] + [Touch(days_ago(4), "meal")]
    result = score(build_state(touches), NOW)
    assert result.likelihood_reasons[0].startswith("activity: 3 calls and a meal in the last months")
    assert result.reasons[0].startswith("bond: 4 contacts since")


def test_reasons_word_time_as_the_pages_do_and_count_in_the_right_plural() -> None:
    yesterday = score(build_state([Touch(days_ago(1), "call")]), NOW)
    assert "recency: last contact yesterday" in " ".join(yesterday.likelihood_reasons)
    assert yesterday.reasons[0].startswith("bond: 1 contact since")
    weeks = score(build_state([Touch(days_ago(d), "call") for d in (21, 400)]), NOW)
    assert "last contact 3 weeks ago" in " ".join(weeks.likelihood_reasons)
    assert "bond: 2 contacts since" in weeks.reasons[0]
    varied = score(build_state([Touch(days_ago(d), k) for d, k in ((3, "call"), (9, "meal"))]), NOW)
    assert not any("1 kinds" in r or "1 contexts" in r for r in varied.reasons + varied.likelihood_reasons)


def test_kinds_named_by_a_noun_are_counted_as_nouns() -> None:
    touches = [Touch(days_ago(d), "video") for d in (2, 5, 9)] + [Touch(days_ago(4), "email")]
    result = score(build_state(touches), NOW)
    assert result.likelihood_reasons[0].startswith("activity: 3 video calls and an e-mail in the last months")


def test_touches_after_as_of_do_not_count() -> None:
    touches = [*steady("call", 7, 4), Touch(NOW + timedelta(days=10), "meal")]
    assert score_touches(touches, NOW) == score(build_state(touches[:4]), NOW)


def test_a_person_never_contacted_is_new_not_dormant() -> None:
    result = score(TieState(), NOW)
    assert result.layer == "new"
    assert result.days_since_last is None and result.learned_gap_days is None
    assert result.reasons == ["no contact logged yet: a new tie"]


def test_a_tie_that_went_silent_is_dormant() -> None:
    old = score(build_state([Touch(days_ago(365 * 4 + 30 * i), "call") for i in range(6)]), NOW)
    assert old.layer == "dormant"


def test_a_burst_of_real_messages_long_ago_is_stronger_than_a_lone_connection() -> None:
    burst = [Touch(days_ago(820), "connection")] + [Touch(days_ago(d), "message") for d in (820, 820, 818)]
    assert score(build_state(burst), NOW).strength > score(build_state([Touch(days_ago(1260), "connection")]), NOW).strength


def test_one_or_two_contacts_make_a_tie_likely_but_never_more_than_an_acquaintance() -> None:
    for touches in ([Touch(days_ago(1), "meal")], [Touch(days_ago(1), "meal"), Touch(days_ago(3), "coffee")]):
        result = score(build_state(touches), NOW)
        assert result.layer == "acquaintance"
        assert result.likelihood > 70 > result.strength
        assert any("at most an acquaintance" in r for r in result.reasons)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Touch(datetime(2024, 1, 1), "call"),
        lambda: Touch(NOW, "telepathy"),
        lambda: Touch(NOW, "call", direction="sideways"),
        lambda: Touch(NOW, "call", sentiment=3),
        lambda: Touch(NOW, "call", group_size=0),
    ],
)
def test_a_touch_rejects_what_it_cannot_understand(make: object) -> None:
    with pytest.raises(BadInput):
        make()  # type: ignore[operator]


def test_an_explicit_cadence_wins_over_the_learned_gap() -> None:
    last = days_ago(20)
    due, ratio = cadence_due(last, 7.0, 30.0, NOW)
    assert due == last + timedelta(days=30)
    assert ratio == pytest.approx(20 / 30)
    due, ratio = cadence_due(last, 10.0, None, NOW)
    assert due == last + timedelta(days=10) and ratio == pytest.approx(2.0)
    assert cadence_due(None, 10.0, None, NOW) == (NOW, None)
    assert cadence_due(last, None, None, NOW) == (None, None)
