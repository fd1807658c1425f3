"""The Huey tasks, run immediately: the periodic pass publishes due variants by id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

import pytest
from django.utils import timezone

from ambassade.publishing import accounts, approvals, authoring, tasks
from ambassade.publishing.models import Status, Variant
from ambassade.publishing.outbox import posts as outbox
from tests.conftest import Personas
from tests.publishing.conftest import FakePublisher

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate() -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


def test_it_publishes_due_variants_every_minute(
    personas: Personas, immediate: None, fake: FakePublisher, monkeypatch: Any
) -> None:
    monkeypatch.setattr(accounts, "default_publisher", lambda connection: fake)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Maintenant", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob, now=timezone.now())
    counts = tasks.run_outbox.call_local()
    assert counts["due"] == 1
    assert post.variants.get().status == Status.PUBLISHED
    assert len(fake.calls) == 1
    assert tasks.run_outbox.call_local()["due"] == 0
    assert len(fake.calls) == 1


def _scheduled_tasks() -> list[tuple[str, tuple[Any, ...], Any]]:
    from huey.contrib.djhuey import HUEY

    return [(task.name, task.args, task.eta) for task in HUEY.scheduled()]


@pytest.fixture
def empty_schedule(immediate: None) -> Iterator[None]:
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()
    yield
    HUEY.storage.flush_schedule()


def test_it_enqueues_a_variant_due_within_the_minute_at_its_own_time(
    personas: Personas, empty_schedule: None, fake: FakePublisher, monkeypatch: Any
) -> None:
    """The periodic run does not wait for the next minute: the task carries the due time (eta)."""
    from datetime import timedelta

    monkeypatch.setattr(accounts, "default_publisher", lambda connection: fake)
    soon = timezone.now() + timedelta(seconds=30)
    post = authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Dans trente secondes",
        connections=[personas.connection],
        scheduled_at=soon,
    )
    approvals.submit_post(post, personas.bob, now=timezone.now())
    variant = post.variants.get()
    assert tasks.run_outbox.call_local()["due"] == 1
    assert fake.calls == []  # not before its time
    scheduled = _scheduled_tasks()
    assert [(name, args) for name, args, _eta in scheduled] == [
        ("publishing.publish_variant", (variant.id,))
    ]
    # Huey keeps etas as naive UTC.
    assert scheduled[0][2] == variant.due_at.astimezone(UTC).replace(tzinfo=None)
    # Later than the lookahead: left to a later run.
    Variant.objects.filter(id=variant.id).update(due_at=timezone.now() + timedelta(minutes=5))
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()
    tasks.run_outbox.call_local()
    assert _scheduled_tasks() == []


def test_it_follows_a_rate_limit_with_a_task_at_the_reset(
    personas: Personas, empty_schedule: None, fake: FakePublisher, monkeypatch: Any
) -> None:
    from ambassade.connectors.base import ConnectorError

    monkeypatch.setattr(accounts, "default_publisher", lambda connection: fake)
    fake.outcomes = [ConnectorError("Rate limited.", permanent=False, retry_after=10)]
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Limité", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob, now=timezone.now())
    variant = post.variants.get()
    assert tasks.publish_variant.call_local(variant.id) == Status.SCHEDULED
    variant.refresh_from_db()
    names = {(name, args, eta) for name, args, eta in _scheduled_tasks()}
    reset = variant.due_at.astimezone(UTC).replace(tzinfo=None)
    # The retry at the reset, and the watch on the claim that was taken.
    assert ("publishing.publish_variant", (variant.id,), reset) in names
    assert any(name == "publishing.watch_variant" for name, _args, _eta in names)


def test_it_watches_a_claim_and_sweeps_it_once_its_worker_is_silent(
    personas: Personas, empty_schedule: None, fake: FakePublisher, monkeypatch: Any
) -> None:
    from datetime import timedelta

    monkeypatch.setattr(accounts, "default_publisher", lambda connection: fake)
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="Silence", connections=[personas.connection]
    )
    approvals.submit_post(post, personas.bob, now=timezone.now())
    variant = post.variants.get()
    long_ago = timezone.now() - timedelta(minutes=1)
    Variant.objects.filter(id=variant.id).update(due_at=long_ago)
    assert outbox.claim(variant.id, long_ago) is not None  # and the worker dies before sending
    # The watch finds the heartbeat silent; its deadline and the lag have passed, so the chain of
    # follow-ups runs at once (immediate mode): read the account, nothing there, publish once.
    assert tasks.watch_variant.call_local(variant.id) == 1
    variant.refresh_from_db()
    assert variant.status == Status.PUBLISHED
    assert len(fake.calls) == 1
    assert variant.attempts_log.filter(is_check=True, outcome="not_found").count() == 1
