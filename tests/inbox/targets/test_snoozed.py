"""A snoozed conversation's timers keep running (Chatwoot's semantics: only the resolution stops
an SLA; snoozing hides a conversation, it does not stop the customer waiting). Counted in business
hours in the workspace's time zone, across the change to winter time; the clock is never read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from ambassade.crisis.models import Alert, AlertRule
from ambassade.inbox import services as inbox
from ambassade.inbox.models import Status
from ambassade.inbox.targets import services
from ambassade.inbox.targets.models import Deadline
from tests.conftest import Personas
from tests.inbox.targets.conftest import conversation, inbound, paris, reply, target

pytestmark = pytest.mark.django_db


def at(monkeypatch: Any, moment: datetime) -> None:
    """What the inbox's actions take as now (snoozing checks its date is in the future)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def pending(c: Any) -> dict[str, datetime]:
    return {d.kind: d.due_at for d in Deadline.objects.filter(conversation=c, breached_at=None)}


def test_snoozing_neither_pauses_nor_moves_the_timers_and_a_breach_is_raised(
    personas: Personas, office: Any, immediate: None, monkeypatch: Any
) -> None:
    AlertRule.objects.create(
        workspace=personas.workspace_a,
        name="Late answers",
        kind=AlertRule.Kind.RESPONSE_TIME,
        severity="high",
    )
    target(personas.workspace_a, first_response_minutes=4 * 60, resolution_minutes=16 * 60)
    c = conversation(personas.workspace_a)
    # Friday 29 October 2027, 16:00 in Paris (summer time, UTC+2); winter time starts on Sunday.
    at(monkeypatch, paris(2027, 10, 29, 16, 0))
    inbound(c, paris(2027, 10, 29, 16, 0))
    c.refresh_from_db()
    # 2 h on Friday, 2 h on Monday morning (winter time, UTC+1): Monday 11:00, 10:00 UTC.
    first = paris(2027, 11, 1, 11, 0)
    assert first == datetime(2027, 11, 1, 10, 0, tzinfo=UTC)
    # 2 h Friday, 9 h Monday, 5 h Tuesday.
    resolution = paris(2027, 11, 2, 14, 0)
    assert pending(c) == {"first_response": first, "resolution": resolution}

    # Snoozed at 16:30 until Monday 14:00, past the first response's due time.
    at(monkeypatch, paris(2027, 10, 29, 16, 30))
    inbox.snooze(c, paris(2027, 11, 1, 14, 0), personas.alice)
    c.refresh_from_db()
    assert c.status == Status.SNOOZED
    assert (c.first_response_due_at, c.resolution_due_at, c.due_at) == (first, resolution, first)
    assert pending(c) == {"first_response": first, "resolution": resolution}

    # Nothing is late over the weekend; at 11:01 on Monday the still-snoozed conversation is.
    assert services.find_breaches(paris(2027, 11, 1, 10, 59)) == []
    (breach,) = services.find_breaches(paris(2027, 11, 1, 11, 1))
    assert breach.kind == "first_response" and breach.conversation_id == c.pk
    c.refresh_from_db()
    assert c.status == Status.SNOOZED
    assert Alert.objects.filter(workspace=personas.workspace_a).count() == 1

    # It wakes at 14:00: the due times have not moved.
    assert inbox.wake_snoozed(paris(2027, 11, 1, 14, 0)) == 1
    c.refresh_from_db()
    assert c.status == Status.OPEN and c.resolution_due_at == resolution

    # Only the resolution stops the timers.
    at(monkeypatch, paris(2027, 11, 1, 15, 0))
    reply(c, paris(2027, 11, 1, 15, 0), sender=personas.alice)
    inbox.set_status(c, Status.RESOLVED, personas.alice)
    assert pending(c) == {}
    assert services.find_breaches(paris(2027, 11, 3, 9, 0)) == []


def test_a_conversation_answered_and_resolved_while_snoozed_breaches_nothing(
    personas: Personas, office: Any, monkeypatch: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60, resolution_minutes=8 * 60)
    c = conversation(personas.workspace_a)
    at(monkeypatch, paris(2027, 10, 29, 17, 30))
    inbound(c, paris(2027, 10, 29, 17, 30))
    reply(c, paris(2027, 10, 29, 17, 40), sender=personas.alice)
    inbox.snooze(c, paris(2027, 11, 8, 9, 0), personas.alice)
    at(monkeypatch, paris(2027, 11, 1, 9, 5))
    inbox.set_status(c, Status.RESOLVED, personas.alice)
    assert services.find_breaches(paris(2027, 11, 8, 9, 0)) == []
    assert not Deadline.objects.exists()
