"""The Huey tasks, run immediately: the periodic pass publishes due variants by id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from ambassade.publishing import services, tasks
from ambassade.publishing.models import Status
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
    monkeypatch.setattr(services, "default_publisher", lambda connection: fake)
    post = services.create_post(
        personas.workspace_a, personas.bob, text="Maintenant", connections=[personas.connection]
    )
    services.submit_post(post, personas.bob, now=timezone.now())
    counts = tasks.run_outbox.call_local()
    assert counts["due"] == 1
    assert post.variants.get().status == Status.PUBLISHED
    assert len(fake.calls) == 1
    assert tasks.run_outbox.call_local()["due"] == 0
    assert len(fake.calls) == 1
