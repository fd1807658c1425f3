"""The crisis rules fed by the listening app: its routing hook after an ingest, and hourly counts
read from its mentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ambassade.connectors.base import Author, RawItem
from ambassade.crisis import services, signals_feed
from ambassade.crisis.models import Alert, AlertRule
from tests.conftest import Personas

NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)


def _ingest(p: Personas, items: list[RawItem], capture: Any) -> Any:
    from ambassade.listening import services as listening
    from ambassade.listening.models import ListeningQuery, Source

    source, _ = Source.objects.get_or_create(workspace=p.workspace_a, name="Feed", kind="rss")
    query, _ = ListeningQuery.objects.get_or_create(
        workspace=p.workspace_a, name="Recall", text="rappel OR recall"
    )
    with capture(execute=True):
        listening.ingest(source, items)
    return query


def _item(n: int, text: str, followers: int | None = None, at: datetime | None = None) -> RawItem:
    return RawItem(
        source="rss",
        external_id=f"item-{n}",
        text=text,
        created_at=at or NOW - timedelta(minutes=n),
        url=f"https://example.net/{n}",
        author=Author(handle=f"@author{n}", followers=followers),
    )


def test_it_is_registered_on_the_routing_hook() -> None:
    from ambassade.listening import routing

    assert routing.RECEIVERS["crisis"] is signals_feed._on_ingest


def test_it_alerts_from_an_ingest(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    influencer = AlertRule.objects.create(
        workspace=personas.workspace_a, name="Stars", kind="influencer", min_followers=50_000
    )
    from ambassade.listening.models import ListeningQuery

    query = ListeningQuery.objects.create(
        workspace=personas.workspace_a, name="Recall", text="rappel OR recall"
    )
    matcher = AlertRule.objects.create(
        workspace=personas.workspace_a, name="Recall", kind="query_match", query_ids=[query.id]
    )
    _ingest(
        personas,
        [
            _item(1, "Great coffee this morning", followers=120_000),
            _item(2, "Is there a recall of the blue kettle?", followers=10),
            _item(3, "Nothing to see", followers=10),
        ],
        django_capture_on_commit_callbacks,
    )
    star = Alert.objects.get(rule=influencer)
    recall = Alert.objects.get(rule=matcher)
    from ambassade.listening.models import Mention

    assert star.mention_ids == [Mention.objects.get(external_id="item-1").id]
    assert recall.mention_ids == [Mention.objects.get(external_id="item-2").id]
    assert "Recall" in recall.title


def test_it_counts_mentions_per_hour_from_listening(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    hour = NOW.replace(minute=0) - timedelta(hours=2)
    query = _ingest(
        personas,
        [_item(i, f"recall number {i}", at=hour + timedelta(minutes=i)) for i in range(1, 6)],
        django_capture_on_commit_callbacks,
    )
    counts = signals_feed.hourly_counts(
        personas.workspace_a,
        hour - timedelta(hours=1),
        hour + timedelta(hours=2),
        negative=False,
    )
    assert counts == {hour: 5}
    by_query = signals_feed.hourly_counts(
        personas.workspace_a, hour, hour + timedelta(hours=1), query_ids=[query.id]
    )
    assert by_query == {hour: 5}
    assert (
        len(
            signals_feed.recent_mention_ids(
                personas.workspace_a,
                hour,
                hour + timedelta(hours=1),
                query_ids=[query.id],
            )
        )
        == 5
    )
    # The alert page links to the listening page of each mention.
    rule = AlertRule.objects.create(workspace=personas.workspace_a, name="r", kind="influencer")
    ids = signals_feed.recent_mention_ids(personas.workspace_a, hour, hour + timedelta(hours=1))
    alert = services.trigger(rule, dedup_key="k", title="t", mention_ids=ids)
    from django.test import Client

    client = Client()
    client.force_login(personas.alice)
    page = client.get(f"/w/{personas.workspace_a.slug}/alerts/{alert.id}/").content.decode()
    assert f"/w/{personas.workspace_a.slug}/listening/mentions/{ids[0]}/" in page
    assert "recall number" in page
