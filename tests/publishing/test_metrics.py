"""Reading published posts back for their metrics, and the best time to post drawn from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from ambassade.connectors.base import ConnectorError, RawItem
from ambassade.publishing import authoring, metrics
from ambassade.publishing.models import Status, Variant
from tests.conftest import Personas
from tests.publishing.conftest import NOW, FakePublisher

pytestmark = pytest.mark.django_db


class Reader(FakePublisher):
    def read_back(self, credentials: Any, external_id: str) -> RawItem | None:
        if self.read_error is not None:
            raise self.read_error
        return RawItem(
            source="mastodon",
            external_id=external_id,
            text="x",
            created_at=NOW,
            metrics={"likes": 12, "reposts": 3, "replies": 1},
        )


def published(personas: Personas, at: datetime, text: str = "x") -> Variant:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text=text, connections=[personas.connection]
    )
    Variant.objects.filter(post=post).update(
        status=Status.PUBLISHED, published_at=at, remote_id="113", scheduled_at=at
    )
    return post.variants.get()


def test_it_reads_the_metrics_a_day_after_publication(personas: Personas, client: Any) -> None:
    variant = published(personas, NOW)
    reader = Reader()
    assert metrics.variants_for_metrics(NOW + timedelta(hours=23)) == []
    later = NOW + timedelta(hours=25)
    assert metrics.variants_for_metrics(later) == [variant.id]
    assert metrics.read_back_metrics(variant.id, now=later, publisher_factory=lambda c: reader)
    assert not metrics.read_back_metrics(variant.id, now=later, publisher_factory=lambda c: reader)
    variant.refresh_from_db()
    assert variant.metrics == {"likes": 12, "reposts": 3, "replies": 1}
    assert metrics.variants_for_metrics(later) == []
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "publishing:post",
            kwargs={"workspace_slug": personas.workspace_a.slug, "post_id": variant.post_id},
        )
    ).content.decode()
    assert "12 likes" in page and "3 reposts" in page and "1 reply" in page


def test_it_reads_once_when_the_network_refuses_for_good(personas: Personas) -> None:
    variant = published(personas, NOW)
    reader = Reader(read_error=ConnectorError("No such post.", permanent=True))
    later = NOW + timedelta(hours=25)
    assert not metrics.read_back_metrics(variant.id, now=later, publisher_factory=lambda c: reader)
    assert metrics.variants_for_metrics(later) == []


def test_it_reads_again_after_a_passing_error(personas: Personas) -> None:
    """A 5xx or a timeout does not spend the reading: the next run tries again."""
    variant = published(personas, NOW)
    reader = Reader(read_error=ConnectorError("Mastodon failed (503).", permanent=False))
    later = NOW + timedelta(hours=25)
    assert not metrics.read_back_metrics(variant.id, now=later, publisher_factory=lambda c: reader)
    assert metrics.variants_for_metrics(later) == [variant.id]
    reader.read_error = None
    hour_later = later + timedelta(hours=1)
    assert metrics.read_back_metrics(variant.id, now=hour_later, publisher_factory=lambda c: reader)
    variant.refresh_from_db()
    assert variant.metrics_read_at == hour_later and variant.metrics["likes"] == 12


def test_it_finds_the_best_times_once_there_is_enough_history(
    personas: Personas, client: Any
) -> None:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save(update_fields=["time_zone"])
    tuesday_nine = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # Tuesday 09:00 Paris
    for week in range(9):
        variant = published(personas, tuesday_nine + timedelta(weeks=week))
        Variant.objects.filter(id=variant.id).update(
            metrics={"likes": 40, "reposts": 5}, metrics_read_at=NOW
        )
    friday = published(personas, datetime(2026, 1, 9, 16, 0, tzinfo=UTC))  # Friday 17:00
    assert metrics.best_times(personas.workspace_a) == []  # 9 measured posts: not enough yet
    Variant.objects.filter(id=friday.id).update(metrics={"likes": 2}, metrics_read_at=NOW)
    best = metrics.best_times(personas.workspace_a)
    assert best[0] == (1, 9, 45.0) and best[1] == (4, 17, 2.0)
    client.force_login(personas.alice)
    page = client.get(
        reverse("publishing:outbox", kwargs={"workspace_slug": personas.workspace_a.slug})
    ).content.decode()
    assert "Tuesday 09:00" in page


def test_it_ranks_the_best_times_by_interactions_not_views_or_percentages(
    personas: Personas,
) -> None:
    """Reddit's upvote percentage and Threads' views are not interactions: a post liked 30 times
    beats one that 500 people saw, 94 % of whom upvoted it, with 2 likes."""
    personas.workspace_a.time_zone = "UTC"
    personas.workspace_a.save(update_fields=["time_zone"])
    monday_ten = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    thursday_ten = datetime(2026, 1, 8, 10, 0, tzinfo=UTC)
    for week in range(5):
        liked = published(personas, monday_ten + timedelta(weeks=week))
        Variant.objects.filter(id=liked.id).update(metrics={"likes": 30}, metrics_read_at=NOW)
        seen = published(personas, thursday_ten + timedelta(weeks=week))
        Variant.objects.filter(id=seen.id).update(
            metrics={"likes": 2, "views": 500, "upvote_percent": 94, "score": 40},
            metrics_read_at=NOW,
        )
    best = metrics.best_times(personas.workspace_a)
    assert best == [(0, 10, 30.0), (3, 10, 2.0)]
