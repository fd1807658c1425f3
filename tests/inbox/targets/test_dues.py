"""Due times: computed in business hours when something moves them (a message either way, a status
or label change, the settings), kept on the conversation and as pending deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ambassade.inbox import services as inbox
from ambassade.inbox.models import Conversation, Label, Status
from ambassade.inbox.targets import services
from ambassade.inbox.targets.models import Deadline, Holiday
from tests.conftest import Personas
from tests.inbox.targets.conftest import conversation, inbound, paris, reply, target

pytestmark = pytest.mark.django_db


def pending(c: Any) -> dict[str, datetime]:
    return {
        d.kind: d.due_at for d in Deadline.objects.filter(conversation=c, breached_at__isnull=True)
    }


def test_it_sets_no_due_time_without_a_target(personas: Personas) -> None:
    c = conversation(personas.workspace_a)
    inbound(c, datetime(2026, 11, 6, 16, 30, tzinfo=UTC))
    c.refresh_from_db()
    assert (c.first_response_due_at, c.resolution_due_at, c.due_at) == (None, None, None)
    assert not Deadline.objects.exists()


def test_it_counts_every_hour_when_business_hours_are_off(personas: Personas) -> None:
    target(personas.workspace_a, first_response_minutes=90)
    c = conversation(personas.workspace_a)
    inbound(c, datetime(2026, 11, 7, 23, 0, tzinfo=UTC))  # a Saturday night
    c.refresh_from_db()
    assert c.first_response_due_at == datetime(2026, 11, 8, 0, 30, tzinfo=UTC)
    assert c.due_at == c.first_response_due_at


def test_it_follows_a_conversation_through_its_messages(personas: Personas, office: Any) -> None:
    target(
        personas.workspace_a,
        first_response_minutes=60,
        next_response_minutes=30,
        resolution_minutes=8 * 60,
    )
    c = conversation(personas.workspace_a)
    # Friday 6 November 2026, 17:30 in Paris: half an hour before closing.
    inbound(c, paris(2026, 11, 6, 17, 30))
    c.refresh_from_db()
    # First response: 30 min on Friday, 30 min on Monday → Monday 09:30.
    assert c.first_response_due_at == paris(2026, 11, 9, 9, 30)
    # Resolution: 30 min on Friday, 7 h 30 on Monday → Monday 16:30.
    assert c.resolution_due_at == paris(2026, 11, 9, 16, 30)
    assert c.next_response_due_at is None
    assert c.due_at == paris(2026, 11, 9, 9, 30)
    assert pending(c) == {
        "first_response": paris(2026, 11, 9, 9, 30),
        "resolution": paris(2026, 11, 9, 16, 30),
    }

    # The answer on Monday 09:10: the first-response target is met (its due time kept for the
    # report), the resolution is what is due now.
    reply(c, paris(2026, 11, 9, 9, 10), sender=personas.alice)
    c.refresh_from_db()
    assert c.first_response_due_at == paris(2026, 11, 9, 9, 30)
    assert c.due_at == paris(2026, 11, 9, 16, 30)
    assert pending(c) == {"resolution": paris(2026, 11, 9, 16, 30)}

    # The person writes again at 10:00: the next answer is due at 10:30.
    inbound(c, paris(2026, 11, 9, 10, 0), text="Et alors ?")
    c.refresh_from_db()
    assert c.next_response_due_at == paris(2026, 11, 9, 10, 30)
    assert c.due_at == paris(2026, 11, 9, 10, 30)
    assert set(pending(c)) == {"next_response", "resolution"}

    # Answered at 10:20, then resolved: nothing is due any more.
    reply(c, paris(2026, 11, 9, 10, 20))
    c.refresh_from_db()
    assert c.next_response_due_at is None
    assert c.due_at == paris(2026, 11, 9, 16, 30)
    inbox.set_status(c, Status.RESOLVED, personas.alice)
    c.refresh_from_db()
    assert c.due_at is None
    assert pending(c) == {}
    assert c.resolution_due_at == paris(2026, 11, 9, 16, 30)  # kept for the report


def test_it_skips_holidays(personas: Personas, office: Any) -> None:
    services.save_holiday(
        Holiday(workspace=personas.workspace_a, day=datetime(2026, 11, 11).date(), yearly=True),
        personas.alice,
    )
    target(personas.workspace_a, first_response_minutes=120)
    c = conversation(personas.workspace_a)
    # Tuesday 10 November, 17:00: one hour that day, Wednesday 11 (Armistice) closed, Thursday 10:00.
    inbound(c, paris(2026, 11, 10, 17, 0))
    c.refresh_from_db()
    assert c.first_response_due_at == paris(2026, 11, 12, 10, 0)


def test_it_chooses_the_first_target_that_matches(personas: Personas) -> None:
    workspace = personas.workspace_a
    vip = Label.objects.create(workspace=workspace, name="VIP")
    target(workspace, name="Bluesky", network="bluesky", first_response_minutes=10, position=1)
    target(workspace, name="VIP", label=vip, first_response_minutes=15, position=2)
    target(workspace, name="Urgent", level="urgent", first_response_minutes=20, position=3)
    target(workspace, name="Everything else", first_response_minutes=60, position=4)
    start = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)

    c = conversation(workspace)
    inbound(c, start)
    c.refresh_from_db()
    assert c.first_response_due_at == start + timedelta(minutes=60)

    # A label put on moves it (the "VIP" target); taken off, back to the default.
    inbox.add_label(c, vip, personas.alice)
    c.refresh_from_db()
    assert c.first_response_due_at == start + timedelta(minutes=15)
    inbox.remove_label(c, vip, personas.alice)
    c.refresh_from_db()
    assert c.first_response_due_at == start + timedelta(minutes=60)

    on_bluesky = conversation(workspace, key="dm-2", network="bluesky")
    inbound(on_bluesky, start)
    on_bluesky.refresh_from_db()
    assert on_bluesky.first_response_due_at == start + timedelta(minutes=10)

    urgent = conversation(workspace, key="dm-3")
    urgent.priority = 80
    inbound(urgent, start)  # triage recomputes the priority: keep it urgent through the score
    Conversation.objects.filter(pk=urgent.pk).update(priority=80)
    urgent.refresh_from_db()
    services.refresh(urgent)
    assert urgent.first_response_due_at == start + timedelta(minutes=20)


def test_it_recomputes_open_conversations_when_the_settings_change(
    personas: Personas, django_capture_on_commit_callbacks: Any, immediate: None
) -> None:
    workspace = personas.workspace_a
    start = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
    rule = target(workspace, first_response_minutes=60)
    open_one = conversation(workspace, key="open")
    inbound(open_one, start)
    done = conversation(workspace, key="done")
    inbound(done, start)
    inbox.set_status(done, Status.RESOLVED, personas.alice)
    rule.first_response_minutes = 30
    with django_capture_on_commit_callbacks(execute=True):
        services.save_target(rule, personas.alice)
    open_one.refresh_from_db()
    done.refresh_from_db()
    assert open_one.first_response_due_at == start + timedelta(minutes=30)
    assert done.first_response_due_at == start + timedelta(minutes=60)  # history kept
    hours = services.hours_for(workspace)
    assert (hours.recompute_done, hours.recompute_total) == (1, 1)


def test_it_resumes_a_recomputation_a_dead_worker_left(personas: Personas) -> None:
    from unittest import mock

    from ambassade.inbox.targets.models import BusinessHours

    workspace = personas.workspace_a
    start = datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
    rule = target(workspace, first_response_minutes=60)
    made = [conversation(workspace, key=f"c{n}") for n in range(5)]
    for c in made:
        inbound(c, start)
    rule.first_response_minutes = 10
    rule.save()
    with mock.patch("ambassade.inbox.targets.services._enqueue_recompute") as enqueue:
        services.start_recompute(workspace)  # enqueued after the commit
    hours = services.hours_for(workspace)
    assert (hours.recompute_done, hours.recompute_total) == (0, 5)

    # The worker dies in its second step of two: the first step is kept.
    real = services.refresh
    calls = 0

    def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise SystemExit("killed")
        return real(*args, **kwargs)

    with (
        mock.patch("ambassade.inbox.targets.services.refresh", dying),
        pytest.raises(SystemExit),
    ):
        services.recompute(workspace.pk, batch=2)
    hours = services.hours_for(workspace)
    assert (hours.recompute_done, hours.recompute_total) == (2, 5)

    # Nobody stepped for two minutes: the periodic task takes it up, once.
    BusinessHours.objects.filter(workspace=workspace).update(
        recompute_beat=datetime(2026, 1, 1, tzinfo=UTC)
    )
    with mock.patch("ambassade.inbox.targets.services._enqueue_recompute") as enqueue:
        assert services.resume_recomputations() == 1
        assert services.resume_recomputations() == 0
    enqueue.assert_called_once_with(workspace.pk)
    assert services.recompute(workspace.pk, batch=2) == 3
    assert not services.hours_for(workspace).recomputing
    for c in made:
        c.refresh_from_db()
        assert c.first_response_due_at == start + timedelta(minutes=10)
