"""Queue slots: "Add to the queue" takes the next free weekly time, at the same local hour across
daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from ambassade.publishing import authoring, scheduling
from ambassade.publishing.models import Post, QueueSlot, Status
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris(personas: Personas) -> Any:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save(update_fields=["time_zone"])
    return personas.workspace_a


def test_it_takes_the_next_free_slot(personas: Personas, paris: Any) -> None:
    scheduling.add_queue_slot(paris, 0, time(9, 30), personas.alice)  # Monday
    scheduling.add_queue_slot(paris, 2, time(18, 0), personas.alice)  # Wednesday
    now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # Monday 11:00 in Paris: Monday's slot is past
    first = scheduling.next_queue_time(paris, now)
    assert first == datetime(2026, 1, 7, 17, 0, tzinfo=UTC)  # Wednesday 18:00 Paris (UTC+1)
    authoring.create_post(
        paris, personas.bob, text="x", connections=[personas.connection], scheduled_at=first
    )
    assert scheduling.next_queue_time(paris, now) == datetime(2026, 1, 12, 8, 30, tzinfo=UTC)


def test_it_keeps_the_local_hour_across_the_clock_change(personas: Personas, paris: Any) -> None:
    scheduling.add_queue_slot(paris, 6, time(9, 30), personas.alice)  # Sunday
    before = scheduling.next_queue_time(paris, datetime(2026, 3, 22, 12, 0, tzinfo=UTC))
    after = scheduling.next_queue_time(paris, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert before == datetime(2026, 3, 29, 7, 30, tzinfo=UTC)  # the change is that night: UTC+2
    assert after == before
    winter = scheduling.next_queue_time(paris, datetime(2026, 3, 15, 12, 0, tzinfo=UTC))
    assert winter == datetime(2026, 3, 22, 8, 30, tzinfo=UTC)  # UTC+1, still 09:30 local


def test_it_skips_a_slot_that_does_not_exist_that_night(personas: Personas, paris: Any) -> None:
    scheduling.add_queue_slot(paris, 6, time(2, 30), personas.alice)  # Sunday 02:30
    found = scheduling.next_queue_time(paris, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    assert found == datetime(2026, 4, 5, 0, 30, tzinfo=UTC)  # a week later, 02:30 summer time


def test_it_adds_a_post_to_the_queue_from_the_composer(
    personas: Personas, paris: Any, client: Any
) -> None:
    slug = paris.slug
    client.force_login(personas.bob)
    compose = reverse("publishing:compose", kwargs={"workspace_slug": slug})
    data = {"text": "File d'attente", "accounts": [personas.connection.pk], "queue": "1"}
    response = client.post(compose, data)
    assert "The queue has no time yet" in response.content.decode()
    client.force_login(personas.alice)
    slots = reverse("publishing:outbox_slots", kwargs={"workspace_slug": slug})
    client.post(slots, {"weekday": "3", "time": "08:15"})
    slot = QueueSlot.objects.get()
    assert (
        "Thursday 08:15"
        in client.get(
            reverse("publishing:outbox", kwargs={"workspace_slug": slug})
        ).content.decode()
    )
    client.force_login(personas.bob)
    assert client.post(slots, {"remove": slot.pk}).status_code == 403  # editors use the queue
    assert "Add to the queue" in client.get(compose).content.decode()
    client.post(compose, data)
    post = Post.objects.get()
    local = post.scheduled_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.weekday(), local.hour, local.minute) == (3, 8, 15)
    assert post.variants.get().status == Status.SCHEDULED
    client.force_login(personas.alice)
    client.post(slots, {"remove": slot.pk})
    assert not QueueSlot.objects.exists()
