"""Recurring posts: the next occurrence is scheduled once the last one has gone out, at the same
local time across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from ambassade.publishing import approvals, authoring, scheduling
from ambassade.publishing.models import Post, Status
from ambassade.publishing.outbox import posts as outbox
from tests.conftest import Personas
from tests.publishing.conftest import FakePublisher

pytestmark = pytest.mark.django_db


def series(personas: Personas, at: datetime, repeat: str, until: date | None = None) -> Post:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save(update_fields=["time_zone"])
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Le café du jour",
        connections=[personas.connection],
        scheduled_at=at,
        repeat=repeat,
        repeat_until=until,
    )
    approvals.submit_post(post, personas.bob, now=at)
    post.refresh_from_db()
    return post


def publish(post: Post, factory: Any) -> Post | None:
    variant = post.variants.get()
    assert outbox.publish_variant(variant.id, now=variant.due_at, publisher_factory=factory) == (
        "published"
    )
    return Post.objects.filter(previous=post).first()


def test_it_keeps_09_30_local_across_the_spring_change(
    personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    first = series(personas, datetime(2026, 3, 28, 8, 30, tzinfo=UTC), "daily")  # 09:30 CET
    assert first.repeat_at == time(9, 30)
    second = publish(first, factory)
    assert second is not None
    assert second.scheduled_at == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert second.variants.get().status == Status.SCHEDULED
    assert second.variants.get().due_at == second.scheduled_at
    # Publishing again, or twice, makes one next occurrence only.
    assert scheduling.schedule_next_occurrence(first.id) is None
    assert Post.objects.filter(previous=first).count() == 1


def test_it_moves_a_skipped_time_by_the_gap_without_drifting(
    personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    first = series(personas, datetime(2026, 3, 28, 1, 30, tzinfo=UTC), "daily")  # 02:30 CET
    second = publish(first, factory)
    assert second is not None
    # 29 March has no 02:30: it goes out when the clocks say 03:30.
    assert second.scheduled_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    third = publish(second, factory)
    assert third is not None
    assert third.scheduled_at == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # 02:30 CEST again


def test_it_keeps_the_weekly_hour_across_the_autumn_change_and_stops(
    personas: Personas, fake: FakePublisher, factory: Any
) -> None:
    first = series(
        personas, datetime(2026, 10, 20, 7, 0, tzinfo=UTC), "weekly", until=date(2026, 10, 30)
    )  # Tuesday 09:00 CEST
    second = publish(first, factory)
    assert second is not None
    assert second.scheduled_at == datetime(2026, 10, 27, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert publish(second, factory) is None  # 3 November is after the end
