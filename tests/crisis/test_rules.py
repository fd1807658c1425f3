"""Every rule kind, the cool-down and de-duplication, the digest, and the detector states."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ambassade.crisis import services
from ambassade.crisis.models import Alert, AlertRule, Notification, SeriesState
from ambassade.crisis.signals_feed import MentionFacts
from tests.conftest import Personas
from tests.crisis.conftest import NOW, series

SPIKE_HOUR = NOW.replace(minute=0) - timedelta(hours=1)


def _rule(p: Personas, kind: str, **extra: Any) -> AlertRule:
    return AlertRule.objects.create(workspace=p.workspace_a, name=kind, kind=kind, **extra)


def test_it_alerts_on_a_volume_spike_and_keeps_the_detector_state(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    rule = _rule(personas, "volume_spike", severity="high")
    with django_capture_on_commit_callbacks(execute=True):
        alerts = services.feed_series(
            personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 150})
        )
    assert [a.rule for a in alerts] == [rule]
    alert = alerts[0]
    assert alert.value == 150 and alert.baseline is not None and alert.baseline < 20
    assert alert.score is not None and alert.score > 0.5
    assert alert.period_start == SPIKE_HOUR and alert.series == "volume:all:s5"
    state = SeriesState.objects.get(workspace=personas.workspace_a, key="volume:all:s5")
    assert state.fed_until == NOW.replace(minute=0) and state.state["n"] == 14 * 24
    # Delivered: an in-app notification for Alice (owner) and Bob (editor), not Charlie.
    assert {n.user for n in Notification.objects.filter(alert=alert)} == {
        personas.alice,
        personas.bob,
    }
    # Feeding again within the same hour feeds nothing and alerts nothing.
    assert (
        services.feed_series(personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 150})) == []
    )
    assert SeriesState.objects.get(pk=state.pk).state["n"] == 14 * 24


def test_it_stays_quiet_on_an_ordinary_day(personas: Personas) -> None:
    _rule(personas, "volume_spike")
    _rule(personas, "negativity_spike")
    assert services.feed_series(personas.workspace_a, now=NOW, count=series()) == []
    later = NOW + timedelta(hours=5)
    assert services.feed_series(personas.workspace_a, now=later, count=series()) == []
    assert SeriesState.objects.get(key="volume:all:s5").state["n"] == 14 * 24 + 5


def test_it_alerts_on_a_negativity_spike_of_one_query(personas: Personas) -> None:
    rule = _rule(personas, "negativity_spike", query_ids=[7], sensitivity=3)
    volume_rule = _rule(personas, "volume_spike")  # the volume series alerts too, separately
    alerts = services.feed_series(personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 90}))
    assert {a.rule for a in alerts} == {rule, volume_rule}
    negative = next(a for a in alerts if a.rule == rule)
    assert negative.series == "negative:7:s3" and negative.kind == "negativity_spike"
    assert "negative" in negative.title


def test_it_does_not_alert_on_old_spikes_found_while_catching_up(personas: Personas) -> None:
    _rule(personas, "volume_spike")
    old = SPIKE_HOUR - timedelta(days=3)
    assert services.feed_series(personas.workspace_a, now=NOW, count=series({old: 150})) == []


def test_it_alerts_on_influential_authors_above_the_threshold(personas: Personas) -> None:
    rule = _rule(personas, "influencer", min_followers=10_000, severity="high")
    mentions = [
        MentionFacts(id=1, author_handle="@small", author_followers=900, text="meh"),
        MentionFacts(id=2, author_handle="@Star", author_followers=250_000, text="This brand!"),
        MentionFacts(id=3, author_handle="@nobody", author_followers=None),
    ]
    alerts = services.evaluate_mentions(personas.workspace_a, mentions, now=NOW)
    assert len(alerts) == 1
    assert alerts[0].rule == rule and alerts[0].mention_ids == [2] and alerts[0].value == 250_000
    assert "@Star" in alerts[0].title


def test_it_alerts_on_matches_of_the_chosen_query(personas: Personas) -> None:
    rule = _rule(personas, "query_match", query_ids=[5])
    _rule(personas, "query_match", query_ids=[6])
    mentions = [
        MentionFacts(id=10, query_ids=frozenset({5})),
        MentionFacts(id=11, query_ids=frozenset({5, 6})),
        MentionFacts(id=12, query_ids=frozenset({4})),
    ]
    alerts = services.evaluate_mentions(personas.workspace_a, mentions, now=NOW)
    by_rule = {a.rule: a for a in alerts}
    assert by_rule[rule].mention_ids == [10, 11] and by_rule[rule].value == 2
    assert len(alerts) == 2


def test_it_folds_repeats_into_one_alert_within_the_cool_down(personas: Personas) -> None:
    rule = _rule(personas, "influencer", min_followers=100, cooldown_minutes=60)
    star = MentionFacts(id=1, author_handle="@star", author_followers=5000)
    assert len(services.evaluate_mentions(personas.workspace_a, [star], now=NOW)) == 1
    again = MentionFacts(id=2, author_handle="@STAR", author_followers=5000)
    later = NOW + timedelta(minutes=30)
    assert services.evaluate_mentions(personas.workspace_a, [again], now=later) == []
    alert = Alert.objects.get(rule=rule)
    assert alert.repeats == 1 and alert.mention_ids == [1, 2] and alert.last_seen_at == later
    # Another author is another condition; after the cool-down the same author alerts again.
    other = MentionFacts(id=3, author_handle="@other", author_followers=5000)
    assert len(services.evaluate_mentions(personas.workspace_a, [other], now=later)) == 1
    after = NOW + timedelta(minutes=61)
    assert len(services.evaluate_mentions(personas.workspace_a, [again], now=after)) == 1
    assert Alert.objects.filter(rule=rule).count() == 3


def test_it_respects_the_cool_down_of_spike_rules(personas: Personas) -> None:
    rule = _rule(personas, "volume_spike", cooldown_minutes=24 * 60, sensitivity=10)
    spikes = {SPIKE_HOUR: 150, SPIKE_HOUR + timedelta(hours=16): 400}
    first = services.feed_series(personas.workspace_a, now=NOW, count=series(spikes))
    assert len(first) == 1
    later = NOW + timedelta(hours=17)
    assert services.feed_series(personas.workspace_a, now=later, count=series(spikes)) == []
    assert Alert.objects.filter(rule=rule).count() == 1


def test_it_ignores_disabled_rules_and_other_workspaces(personas: Personas) -> None:
    _rule(personas, "influencer", min_followers=1, enabled=False)
    AlertRule.objects.create(
        workspace=personas.workspace_b, name="b", kind="influencer", min_followers=1
    )
    star = MentionFacts(id=1, author_handle="@a", author_followers=50)
    assert services.evaluate_mentions(personas.workspace_a, [star]) == []


def test_it_leaves_response_time_rules_to_the_inbox(personas: Personas) -> None:
    # Mentions and hourly series never raise them: the inbox's breach watch does
    # (tests/inbox/targets/test_breaches.py).
    _rule(personas, "response_time")
    star = MentionFacts(id=1, author_handle="@a", author_followers=50)
    assert services.evaluate_mentions(personas.workspace_a, [star]) == []
    assert services.feed_series(personas.workspace_a, now=NOW, count=series()) == []


def test_it_groups_low_severity_alerts_into_a_digest(
    personas: Personas, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from ambassade.crisis.models import Channel

    channel = Channel.objects.create(
        workspace=personas.workspace_a, name="Mail", kind="email", recipients="cm@example.com"
    )
    rule = _rule(personas, "influencer", min_followers=100, severity="low", digest=True)
    rule.channels.add(channel)
    loud = _rule(personas, "query_match", query_ids=[1], severity="high", digest=True)
    loud.channels.add(channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluate_mentions(
            personas.workspace_a,
            [
                MentionFacts(id=1, author_handle="@a", author_followers=500),
                MentionFacts(
                    id=2, author_handle="@b", author_followers=500, query_ids=frozenset({1})
                ),
            ],
        )
    # The high-severity alert went out at once; the two low ones wait for the digest.
    assert len(mailoutbox) == 1
    assert Alert.objects.filter(pending_digest=True).count() == 2
    assert services.send_digest(personas.workspace_a.id) == 2
    assert len(mailoutbox) == 2 and "2 low-severity alerts" in mailoutbox[1].subject
    assert "@a" in mailoutbox[1].body and "@b" in mailoutbox[1].body
    assert Notification.objects.filter(user=personas.alice, alert=None).count() == 1
    # Each alert is in one digest only.
    assert services.send_digest(personas.workspace_a.id) == 0


@pytest.mark.parametrize("status", ["acknowledged", "closed"])
def test_it_changes_an_alert_status(personas: Personas, status: str) -> None:
    rule = _rule(personas, "influencer", min_followers=1)
    alert = services.trigger(rule, dedup_key="k", title="t")
    assert alert is not None
    services.set_alert_status(alert, status, personas.bob)
    alert.refresh_from_db()
    assert alert.status == status and alert.status_changed_by == personas.bob


def test_it_runs_the_periodic_tasks_idempotently(
    personas: Personas, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from ambassade.crisis import tasks
    from ambassade.crisis.models import Channel

    _rule(personas, "volume_spike")
    assert tasks.feed_all_series.call_local() == 1
    state = SeriesState.objects.get(workspace=personas.workspace_a)
    fed = state.fed_until
    assert tasks.feed_all_series.call_local() == 1
    assert SeriesState.objects.get(pk=state.pk).fed_until == fed

    channel = Channel.objects.create(
        workspace=personas.workspace_a, name="Mail", kind="email", recipients="cm@example.com"
    )
    low = _rule(personas, "influencer", min_followers=1, severity="low", digest=True)
    low.channels.add(channel)
    services.evaluate_mentions(
        personas.workspace_a, [MentionFacts(id=1, author_handle="@a", author_followers=5)]
    )
    assert tasks.send_digests.call_local() == 1
    assert tasks.send_digests.call_local() == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(("value", "severity"), [(22, "low"), (25, "high"), (150, "critical")])
def test_it_rates_a_spike_by_how_unusual_it_is_not_by_its_rule(
    personas: Personas, value: int, severity: str
) -> None:
    # About 10 mentions an hour are expected at that hour; the rule's own severity is not used.
    _rule(personas, "volume_spike", severity="critical")
    (alert,) = services.feed_series(
        personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: value})
    )
    assert alert.severity == severity
    assert 9 <= alert.baseline <= 11 and alert.details["rarity"] >= 1


def test_it_sends_only_the_low_spike_alerts_of_a_digest_rule_in_the_digest(
    personas: Personas,
) -> None:
    _rule(personas, "volume_spike", digest=True, sensitivity=5)
    (mild,) = services.feed_series(personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 22}))
    assert mild.severity == "low" and mild.pending_digest
    Alert.objects.all().delete()
    SeriesState.objects.all().delete()
    (loud,) = services.feed_series(personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 150}))
    assert loud.severity == "critical" and not loud.pending_digest


def _by_scope(spike_on: set[int]) -> Any:
    """Counts where only the series of the queries in ``spike_on`` (by id) surge at SPIKE_HOUR."""
    calm, surging = series(), series({SPIKE_HOUR: 150})

    def count(workspace: Any, start: Any, end: Any, *, query_ids: Any = (), negative: bool = False):
        surges = not query_ids or set(query_ids) & spike_on
        return (surging if surges else calm)(workspace, start, end, negative=negative)

    return count


def test_it_watches_only_the_queries_of_a_rule(personas: Personas) -> None:
    brand, rival = 11, 12
    scoped = _rule(personas, "negativity_spike", query_ids=[brand])
    everything = _rule(personas, "negativity_spike", query_ids=[])
    alerts = services.feed_series(personas.workspace_a, now=NOW, count=_by_scope({rival}))
    # The competitor's surge is not the brand's: only the rule on all mentions sees it.
    assert [a.rule for a in alerts] == [everything]
    assert "all mentions, competitors included" in alerts[0].title
    assert "Brand A" not in alerts[0].title
    keys = set(SeriesState.objects.values_list("key", flat=True))
    assert keys == {"negative:11:s5", "negative:all:s5"}
    assert scoped.query_ids == [brand]


def test_it_names_the_queries_a_spike_rule_watches(personas: Personas) -> None:
    from ambassade.listening.models import ListeningQuery

    brand = ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Brand A", text="branda", kind="brand"
    )
    product = ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Kettle", text="kettle", kind="topic"
    )
    rule = _rule(personas, "volume_spike", query_ids=[product.id, brand.id])
    (alert,) = services.feed_series(
        personas.workspace_a, now=NOW, count=_by_scope({brand.id, product.id})
    )
    assert alert.rule == rule and alert.title.text.endswith("— “Brand A”; “Kettle”")
    assert alert.series == f"volume:{brand.id}+{product.id}:s5"


def test_it_looks_only_at_the_mentions_of_the_queries_of_per_mention_rules(
    personas: Personas,
) -> None:
    from ambassade.listening.models import ListeningQuery

    brand = ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Brand A", text="branda", kind="brand"
    )
    rival = ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Rival", text="rival", kind="competitor"
    )
    rule = _rule(personas, "influencer", min_followers=10_000, query_ids=[brand.id])
    mentions = [
        MentionFacts(
            id=1, author_handle="@star", author_followers=90_000, query_ids=frozenset({rival.id})
        ),
        MentionFacts(
            id=2, author_handle="@idol", author_followers=90_000, query_ids=frozenset({brand.id})
        ),
        MentionFacts(id=3, author_handle="@none", author_followers=90_000),
    ]
    (alert,) = services.evaluate_mentions(personas.workspace_a, mentions, now=NOW)
    assert alert.rule == rule and alert.mention_ids == [2]
    assert alert.title == "@idol (90,000 followers) mentioned “Brand A”"
    # A rule on all mentions hears everyone, and says which query each mention matched.
    rule.query_ids = []
    rule.save()
    titles = sorted(
        a.title.text
        for a in services.evaluate_mentions(
            personas.workspace_a, mentions, now=NOW + timedelta(days=2)
        )
    )
    assert titles == [
        "@idol (90,000 followers) mentioned “Brand A”",
        "@none (90,000 followers) posted a mention",
        "@star (90,000 followers) mentioned “Rival”",
    ]


def test_it_alerts_on_matches_of_any_of_its_queries(personas: Personas) -> None:
    rule = _rule(personas, "query_match", query_ids=[5, 6])
    mentions = [
        MentionFacts(id=10, query_ids=frozenset({6})),
        MentionFacts(id=11, query_ids=frozenset({4})),
    ]
    (alert,) = services.evaluate_mentions(personas.workspace_a, mentions, now=NOW)
    assert alert.rule == rule and alert.mention_ids == [10] and alert.dedup_key == "query:5+6"
    assert alert.title == "New mentions match the query “#6”"


def test_it_raises_the_severity_of_an_alert_when_its_episode_grows(
    personas: Personas, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    # The detector alerts once at the start of an episode and then stays quiet: a first hour of 22
    # (low) followed by an hour of 150 must not leave the alert low.
    _rule(personas, "volume_spike")
    growing = series({SPIKE_HOUR: 22, SPIKE_HOUR + timedelta(hours=1): 150})
    with django_capture_on_commit_callbacks(execute=True):
        (alert,) = services.feed_series(personas.workspace_a, now=NOW, count=growing)
    assert alert.severity == "low"
    assert Notification.objects.filter(alert=alert).count() == 2  # Alice and Bob
    later = NOW + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feed_series(personas.workspace_a, now=later, count=growing) == []
    alert.refresh_from_db()
    assert alert.severity == "critical" and alert.value == 150
    assert alert.period_start == SPIKE_HOUR  # the episode still starts where it started
    assert "150 in an hour" in alert.title
    assert Notification.objects.filter(alert=alert).count() == 4  # told again
    # A smaller hour afterwards changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.feed_series(personas.workspace_a, now=later + timedelta(hours=1), count=growing)
    alert.refresh_from_db()
    assert alert.value == 150 and Notification.objects.filter(alert=alert).count() == 4
    client.force_login(personas.alice)
    page = client.get(f"/w/{personas.workspace_a.slug}/alerts/{alert.id}/").content.decode()
    assert "Most serious hour" in page and "150 in an hour" in page


def test_it_words_the_expected_count_in_the_readers_language(personas: Personas) -> None:
    from django.utils import translation

    _rule(personas, "negativity_spike", query_ids=[])
    (alert,) = services.feed_series(personas.workspace_a, now=NOW, count=series({SPIKE_HOUR: 90}))
    expected = round(alert.baseline)
    with translation.override("fr"):
        worded = str(alert.title)
    assert f"(environ {expected} attendue{'s' if expected > 1 else ''})" in worded
    assert "toutes les mentions, concurrents compris" in worded


def test_it_words_a_large_expected_count_in_the_readers_language() -> None:
    from ambassade.workspaces.messages import coded, words_in

    title = coded(
        "alert.volume_spike",
        value=25_000,
        expected=12_000,
        about=coded("alert.scope_all"),
    )
    # Grouped as the reader writes numbers, and still choosing the plural by the number.
    french = words_in("fr", title)
    assert "25\u202f000 en une heure" in french or "25\xa0000 en une heure" in french
    assert "attendues)" in french and "Unusual" not in french
    assert "(about 12,000 expected)" in words_in("en", title)
    one = coded("alert.volume_spike", value=9, expected=1, about=coded("alert.scope_all"))
    assert "(environ 1 attendue)" in words_in("fr", one)
