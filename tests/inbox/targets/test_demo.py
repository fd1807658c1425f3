"""The demo's response-time targets: business hours, two targets, an alert rule, and one
conversation past its target whatever the hour; nothing more on a second run."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.config.demo import ensure_demo_content
from ambassade.crisis.models import Alert, AlertRule
from ambassade.inbox.models import Conversation
from ambassade.inbox.targets.models import BusinessHours, Deadline, Holiday, Target
from tests.test_demo_content import NOW, demo  # noqa: F401  (fixture)


def test_the_demo_has_targets_and_a_late_conversation(demo: Any) -> None:  # noqa: F811
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    hours = BusinessHours.objects.get(workspace=demo)
    assert hours.enabled and len(hours.week) == 6
    assert Holiday.objects.filter(workspace=demo, yearly=True).count() == 8
    assert Target.objects.filter(workspace=demo).count() == 2
    assert AlertRule.objects.filter(workspace=demo, kind="response_time").count() == 1
    late = Conversation.objects.get(workspace=demo, network="email")
    assert late.due_at is not None and late.due_at < NOW
    assert late.first_response_at is None
    assert Deadline.objects.filter(conversation=late, breached_at__isnull=False).exists()
    assert Alert.objects.filter(workspace=demo, kind="response_time").count() == 1
    # Other open conversations have their due times too (recomputed when the targets came).
    assert (
        Conversation.objects.filter(workspace=demo, first_response_due_at__isnull=False).count() > 5
    )
    before = (Conversation.objects.count(), Target.objects.count(), Alert.objects.count())
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    assert (Conversation.objects.count(), Target.objects.count(), Alert.objects.count()) == before


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 16, 8, 5, tzinfo=UTC),  # Monday 09:05 in Paris: the weekend just ended
        datetime(2026, 12, 26, 3, 0, tzinfo=UTC),  # the night after Christmas, a Saturday
    ],
)
def test_the_late_conversation_is_late_at_any_hour(personas: Any, now: datetime) -> None:
    from ambassade.inbox.targets.demo import ensure_demo_targets

    late = ensure_demo_targets(personas.workspace_a, personas.alice, io.StringIO(), now=now)
    assert late is not None
    late.refresh_from_db()
    assert late.due_at is not None and late.due_at < now
    assert now.tzinfo is UTC
