"""Breaches: the periodic task claims each passed deadline once and raises the crisis app's
"response time" rule through its services (de-duplication, cool-down, notifications, channels)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from ambassade.crisis.models import Alert, AlertRule, Notification
from ambassade.inbox import services as inbox
from ambassade.inbox.models import Status
from ambassade.inbox.targets import services
from ambassade.inbox.targets.models import Deadline
from tests.conftest import Personas
from tests.inbox.targets.conftest import conversation, inbound, reply, target

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)


@pytest.fixture
def rule(personas: Personas, immediate: None) -> AlertRule:
    return AlertRule.objects.create(
        workspace=personas.workspace_a,
        name="Late answers",
        kind=AlertRule.Kind.RESPONSE_TIME,
        severity="high",
        cooldown_minutes=60,
    )


def watch(now: datetime, capture: Any) -> list[Deadline]:
    with capture(execute=True):
        return services.find_breaches(now)


def test_it_raises_the_alert_exactly_once(
    personas: Personas, rule: AlertRule, django_capture_on_commit_callbacks: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60)
    c = conversation(personas.workspace_a, contact_name="Jeanne Client")
    inbound(c, START)
    # Not yet: one minute before the target.
    assert watch(START + timedelta(minutes=59), django_capture_on_commit_callbacks) == []
    assert not Alert.objects.exists()

    found = watch(START + timedelta(minutes=61), django_capture_on_commit_callbacks)
    assert [(d.conversation_id, d.kind) for d in found] == [(c.pk, "first_response")]
    alert = Alert.objects.get()
    assert alert.rule == rule
    assert alert.kind == "response_time"
    assert alert.severity == "high"
    assert alert.title == "The conversation with Jeanne Client passed its first-response target"
    with translation.override("fr"):
        assert str(alert.title) == (
            "La conversation avec Jeanne Client a dépassé son objectif de première réponse"
        )
    assert alert.details["links"][0]["path"] == f"/w/{personas.workspace_a.slug}/inbox/{c.pk}/"
    # Delivered: every member who may see alerts is notified in the app.
    assert alert.delivered_at is not None
    assert set(Notification.objects.filter(alert=alert).values_list("user__email", flat=True)) == {
        "alice@example.com",
        "bob@example.com",
    }
    assert Deadline.objects.get(conversation=c).alert == alert
    # The conversation is in the breaching view.
    c.refresh_from_db()
    assert c.due_at == START + timedelta(minutes=60)

    # Every later run: nothing new, however long it stays late.
    for minutes in (62, 120, 24 * 60):
        assert watch(START + timedelta(minutes=minutes), django_capture_on_commit_callbacks) == []
    assert Alert.objects.count() == 1
    assert Alert.objects.get().repeats == 0


def test_it_stops_counting_answered_and_resolved_conversations(
    personas: Personas, rule: AlertRule, django_capture_on_commit_callbacks: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60, resolution_minutes=180)
    answered = conversation(personas.workspace_a, key="answered")
    inbound(answered, START)
    reply(answered, START + timedelta(minutes=30))
    resolved = conversation(personas.workspace_a, key="resolved")
    inbound(resolved, START)
    inbox.set_status(resolved, Status.RESOLVED, personas.alice)

    # Past the first-response target of both: neither alerts; the answered one still owes its
    # resolution (3 h), which is not due yet.
    assert watch(START + timedelta(minutes=90), django_capture_on_commit_callbacks) == []
    assert not Alert.objects.exists()
    answered.refresh_from_db()
    assert answered.due_at == START + timedelta(minutes=180)

    # Resolved before its resolution target: never breached.
    inbox.set_status(answered, Status.RESOLVED, personas.alice)
    assert watch(START + timedelta(hours=5), django_capture_on_commit_callbacks) == []
    assert not Alert.objects.exists()
    assert not Deadline.objects.exists()


def test_it_does_not_alert_for_an_answer_the_hook_has_not_seen(
    personas: Personas, rule: AlertRule, django_capture_on_commit_callbacks: Any
) -> None:
    from ambassade.inbox.models import Conversation

    target(personas.workspace_a, first_response_minutes=60)
    c = conversation(personas.workspace_a)
    inbound(c, START)
    # An answer written without the conversation's save (nothing refreshed its deadline).
    Conversation.objects.filter(pk=c.pk).update(first_response_at=START + timedelta(minutes=5))
    assert watch(START + timedelta(minutes=61), django_capture_on_commit_callbacks) == []
    assert not Alert.objects.exists()
    assert not Deadline.objects.exists()


def test_it_folds_breaches_within_the_cool_down_into_one_alert(
    personas: Personas, rule: AlertRule, django_capture_on_commit_callbacks: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60, next_response_minutes=15)
    first = conversation(personas.workspace_a, key="one", contact_name="Un")
    second = conversation(personas.workspace_a, key="two", contact_name="Deux")
    inbound(first, START)
    inbound(second, START + timedelta(minutes=10))
    watch(START + timedelta(minutes=61), django_capture_on_commit_callbacks)
    watch(START + timedelta(minutes=71), django_capture_on_commit_callbacks)
    alert = Alert.objects.get()
    assert alert.repeats == 1
    assert [link["text"] for link in alert.details["links"]] == ["Un", "Deux"]
    assert set(Deadline.objects.values_list("alert", flat=True)) == {alert.pk}
    # Notified once, for the first.
    assert Notification.objects.filter(alert=alert).count() == 2

    # After the cool-down, a new breach (the next answer of the first) alerts again.
    reply(first, START + timedelta(minutes=80))
    inbound(first, START + timedelta(minutes=100), text="Toujours rien ?")
    watch(START + timedelta(minutes=200), django_capture_on_commit_callbacks)
    assert Alert.objects.count() == 2
    latest = Alert.objects.order_by("-triggered_at").first()
    assert latest is not None
    assert latest.title == "The conversation with Un passed its next-response target"


def test_it_records_breaches_without_any_rule(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60)
    c = conversation(personas.workspace_a)
    inbound(c, START)
    found = watch(START + timedelta(hours=2), django_capture_on_commit_callbacks)
    assert len(found) == 1
    assert not Alert.objects.exists()
    assert Deadline.objects.get().breached_at == START + timedelta(hours=2)


def test_it_claims_a_deadline_once_between_two_workers(
    personas: Personas, rule: AlertRule, django_capture_on_commit_callbacks: Any
) -> None:
    target(personas.workspace_a, first_response_minutes=60)
    c = conversation(personas.workspace_a)
    inbound(c, START)
    later = START + timedelta(minutes=61)
    # Both workers read the same pending deadline; the second one's claim finds it taken.
    real = Deadline.objects.filter
    stale = list(Deadline.objects.filter(breached_at=None))
    watch(later, django_capture_on_commit_callbacks)
    assert stale and real(pk=stale[0].pk, breached_at=None).update(breached_at=later) == 0
    assert Alert.objects.count() == 1
