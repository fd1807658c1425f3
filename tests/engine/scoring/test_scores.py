"""Community scores: love over a year, levels that fall only monthly, reach, sentiment, influence,
the derived classes, influencer discovery and the incremental update."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.scoring import (
    DEFAULT_WEIGHTS,
    Activity,
    Person,
    Scorer,
    ScoringError,
    ScoringSettings,
    discover,
)

NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def one(activities: list[Activity], person: Person | None = None, now: dt.datetime = NOW):
    key = person.key if person else activities[0].person
    return Scorer().update(activities, [person] if person else [], now)[key]


def test_it_sums_the_weights_of_a_years_activities() -> None:
    scores = one(
        [
            Activity("ana", "comment", ago(3)),
            Activity("ana", "event", ago(100)),
            Activity("ana", "email_open", ago(364)),
            Activity("ana", "mention", ago(366)),  # left the look-back
            Activity("ana", "mention", NOW + dt.timedelta(days=2)),  # not yet
        ]
    )
    assert scores.love == pytest.approx(2.0 + 5.0 + 0.2)
    assert scores.activities == 3
    assert scores.recent == 2.0
    assert scores.last_active == dt.date(2026, 12, 4)
    love = scores.explanations["love"]
    assert love.code == "score.love"
    assert love.params == {"love": 7.2, "count": 3, "recent": 2.0, "days": 30}


def test_it_refuses_an_unknown_kind_and_folds_nothing_of_the_batch() -> None:
    scorer = Scorer()
    with pytest.raises(ScoringError) as caught:
        scorer.add([Activity("ana", "comment", ago(1)), Activity("ana", "hug", ago(1))])
    assert (caught.value.code, caught.value.params) == (
        "score.unknown_kind",
        {"kind": "hug", "position": 2},
    )
    assert scorer.score_all(NOW) == {}


@pytest.mark.parametrize(
    ("activity", "code"),
    [
        (Activity("a", "comment", dt.datetime(2026, 1, 1)), "score.naive_time"),
        (Activity("a", "comment", ago(1), sentiment=1.5), "score.bad_sentiment"),
        (Activity("a", "comment", ago(1), amplified=-1), "score.bad_amplified"),
    ],
)
def test_it_refuses_bad_activities_with_a_code(activity: Activity, code: str) -> None:
    with pytest.raises(ScoringError) as caught:
        Scorer().add([activity])
    assert caught.value.code == code and caught.value.params["position"] == 1


def test_it_refuses_bad_settings_and_people() -> None:
    with pytest.raises(ScoringError, match="weight"):
        ScoringSettings(weights={"mention": -1.0})
    with pytest.raises(ScoringError):
        ScoringSettings(level_thresholds=(1.0, 5.0, 2.0))
    with pytest.raises(ScoringError):
        ScoringSettings(recent_days=0)
    scorer = Scorer()
    with pytest.raises(ScoringError) as caught:
        scorer.set_people([Person("bob", followers=3), Person("ana", followers=-3)])
    assert caught.value.code == "score.bad_followers"
    assert scorer.score_all(NOW) == {}  # bob was not recorded either
    with pytest.raises(ScoringError):
        Scorer().score_all(dt.datetime(2026, 1, 1))


def test_a_level_rises_at_once_and_falls_only_when_a_month_begins() -> None:
    scorer = Scorer()
    # 32 love on 20 November: level 1.
    scorer.add([Activity("ana", "event", dt.datetime(2025, 11, 20, tzinfo=dt.UTC))] * 6)
    scorer.add([Activity("ana", "comment", dt.datetime(2025, 11, 20, tzinfo=dt.UTC))])
    nov = scorer.score(["ana"], dt.datetime(2025, 11, 25, tzinfo=dt.UTC))["ana"]
    assert (nov.love, nov.level) == (32.0, 1)
    # A year later in the same month of scoring (the activities left the look-back): held.
    scorer2 = Scorer(levels={"ana": (nov.level, nov.level_month)})
    scorer2.add([Activity("ana", "mention", dt.datetime(2025, 11, 26, tzinfo=dt.UTC))])
    same_month = scorer2.score(["ana"], dt.datetime(2025, 11, 30, tzinfo=dt.UTC))["ana"]
    assert (same_month.love, same_month.earned_level, same_month.level) == (1.0, 4, 1)
    held = same_month.explanations["level"]
    assert (held.code, held.params) == ("score.level_held", {"level": 1, "earned": 4})
    # The first scoring of December lets it fall.
    december = scorer2.score(["ana"], dt.datetime(2025, 12, 1, tzinfo=dt.UTC))["ana"]
    assert december.level == 4
    assert december.explanations["level"].code == "score.level"
    # And it rises again at once.
    scorer2.add([Activity("ana", "event", dt.datetime(2025, 12, 1, tzinfo=dt.UTC))] * 2)
    again = scorer2.score(["ana"], dt.datetime(2025, 12, 2, tzinfo=dt.UTC))["ana"]
    assert (again.love, again.level) == (11.0, 2)


def test_reach_counts_followers_and_amplification_on_a_log_scale() -> None:
    small = one([Activity("a", "mention", ago(1))], Person("a", followers=9))
    big = one([Activity("b", "mention", ago(1), amplified=99)], Person("b", followers=9_999))
    assert small.reach == pytest.approx(10.0)
    assert big.reach == pytest.approx(40.0 + 20.0)
    assert big.explanations["reach"].params == {"reach": 60.0, "followers": 9999, "amplified": 99}
    huge = one([Activity("c", "mention", ago(1), amplified=10**9)], Person("c", 10**9))
    assert huge.reach == 100.0


def test_sentiment_is_shrunk_toward_neutral_when_there_is_little() -> None:
    once = one([Activity("a", "mention", ago(1), sentiment=1.0)])
    assert once.sentiment == pytest.approx(1 / 3)
    often = one([Activity("a", "mention", ago(d), sentiment=1.0) for d in range(1, 19)])
    assert often.sentiment == pytest.approx(0.9)
    none = one([Activity("a", "email_click", ago(1))])
    assert none.sentiment == 0.0
    assert none.explanations["sentiment"].code == "score.sentiment_none"


def test_influence_is_reach_times_the_share_of_relevant_activities() -> None:
    scores = one(
        [
            Activity("a", "mention", ago(1), relevant=True),
            Activity("a", "mention", ago(2)),
            Activity("a", "mention", ago(3)),
            Activity("a", "mention", ago(4), relevant=True),
        ],
        Person("a", followers=999),
    )
    assert scores.relevance == 0.5
    assert scores.influence == pytest.approx(15.0)
    assert scores.explanations["influence"].params == {
        "influence": 15.0,
        "reach": 30.0,
        "relevance": 0.5,
        "relevant": 2,
        "count": 4,
    }


def test_it_finds_ambassadors_detractors_rising_and_dormant_members() -> None:
    scorer = Scorer()
    scorer.add(
        # An ambassador: lots of positive love.
        [Activity("amb", "event", ago(d * 10), sentiment=0.8) for d in range(1, 8)]
        # A detractor.
        + [Activity("det", "mention", ago(d), sentiment=-0.9) for d in range(1, 5)]
        # Rising: nothing before, a burst this month.
        + [Activity("new", "comment", ago(d)) for d in range(1, 4)]
        # Dormant: engaged in spring, silent since.
        + [Activity("old", "event", ago(200 + d), sentiment=0.5) for d in range(3)]
        # Steady: the same every month, not rising.
        + [Activity("steady", "comment", ago(d * 10)) for d in range(1, 13)]
    )
    scorer.set_people([Person("staff", staff=True)])
    scorer.add([Activity("staff", "event", ago(d), sentiment=1.0) for d in range(1, 10)])
    scores = scorer.score_all(NOW)
    assert scores["amb"].classes == {"ambassador"}
    assert scores["det"].classes == {"detractor"}
    assert scores["new"].classes == {"rising"}
    assert scores["old"].classes == {"dormant"}
    assert scores["steady"].classes == set()
    assert scores["staff"].classes == set() and scores["staff"].love == 45.0
    assert scores["amb"].explanations["ambassador"].params == {"level": 1, "sentiment": 0.62}
    assert scores["det"].explanations["detractor"].params == {
        "sentiment": -0.6,
        "negative": 4,
        "count": 4,
    }
    assert scores["new"].explanations["rising"].params == {
        "recent": 6.0,
        "before": 0.0,
        "days": 30,
    }
    assert scores["old"].explanations["dormant"].params == {"days": 200, "love": 15.0}
    assert [m.code for m in scores["amb"].explain()] == [
        "score.love",
        "score.level",
        "score.reach",
        "score.sentiment",
        "score.influence",
        "score.ambassador",
    ]


def test_it_suggests_influential_non_members_with_their_reasons() -> None:
    scorer = Scorer()
    scorer.set_people(
        [
            Person("star", followers=99_999, member=False),
            Person("fan", followers=999, member=False),
            Person("member", followers=99_999),
            Person("hater", followers=99_999, member=False),
            Person("staff", followers=99_999, member=False, staff=True),
        ]
    )
    for key in ("star", "fan", "member", "staff"):
        scorer.add([Activity(key, "mention", ago(1), sentiment=0.5, relevant=True, amplified=9)])
    scorer.add(
        [Activity("hater", "mention", ago(d), sentiment=-1.0, relevant=True) for d in (1, 2)]
    )
    found = discover(scorer.score_all(NOW).values(), limit=10)
    assert [d.key for d in found] == ["star", "fan"]
    assert [r.code for r in found[0].reasons] == [
        "score.discover.influence",
        "score.discover.followers",
        "score.discover.amplified",
        "score.discover.positive",
    ]
    assert found[0].reasons[1].params == {"followers": 99_999}
    assert discover(scorer.score_all(NOW).values(), limit=1)[0].key == "star"


def test_forget_and_prune_drop_state() -> None:
    scorer = Scorer()
    scorer.add([Activity("a", "mention", ago(400)), Activity("a", "mention", ago(1))])
    scorer.add([Activity("b", "mention", ago(1))])
    assert scorer.prune(NOW) == 1
    scorer.forget("b")
    assert set(scorer.score_all(NOW)) == {"a"}


kinds = st.sampled_from(sorted(DEFAULT_WEIGHTS))
activities = st.lists(
    st.builds(
        Activity,
        person=st.sampled_from(["a", "b", "c"]),
        kind=kinds,
        at=st.integers(0, 500 * 86_400).map(lambda s: ago(s / 86_400)),
        sentiment=st.none() | st.floats(-1, 1),
        relevant=st.booleans(),
        amplified=st.integers(0, 50),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(activities, st.integers(0, 40))
def test_incremental_updates_give_the_full_recomputes_scores(
    items: list[Activity], cut: int
) -> None:
    people = [Person("a", 10), Person("b", 0, member=False), Person("c", 5000)]
    full = Scorer()
    full.set_people(people)
    full.add(items)
    expected = full.score_all(NOW)
    incremental = Scorer()
    incremental.update(items[:cut], people, NOW)
    incremental.update(items[cut:], [], NOW)
    # Integer sums: the same scores exactly, whatever the order and the batches.
    assert incremental.score_all(NOW) == expected
    later = NOW + dt.timedelta(days=40)
    assert incremental.score_all(later) == full.score_all(later)


@settings(max_examples=60, deadline=None)
@given(activities)
def test_scores_stay_in_their_ranges(items: list[Activity]) -> None:
    scorer = Scorer()
    scorer.set_people([Person("a", 10**12)])
    scorer.add(items)
    for scores in scorer.score_all(NOW).values():
        assert scores.love >= 0 and 1 <= scores.level <= 4
        assert 0.0 <= scores.reach <= 100.0 and 0.0 <= scores.influence <= 100.0
        assert -1.0 <= scores.sentiment <= 1.0 and 0.0 <= scores.relevance <= 1.0
        assert not ({"ambassador", "detractor"} <= scores.classes)
        for message in scores.explain():
            assert message.code.startswith("score.") and message.text
