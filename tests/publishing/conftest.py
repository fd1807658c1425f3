"""Fixtures of the publishing tests: a fake publisher recording its calls, and a post of A."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from ambassade.connectors.base import Published, RawItem
from tests.conftest import Personas

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class FakePublisher:
    """Stands for a network: ``outcomes`` are consumed per publish call (an exception to raise, or
    None to succeed); ``posts`` is what the account shows, for reconciliation."""

    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0
    outcomes: list[Any] = field(default_factory=list)
    calls: list[Any] = field(default_factory=list)
    posts: list[RawItem] = field(default_factory=list)
    read_error: Exception | None = None
    uploads: list[Any] = field(default_factory=list)
    refreshed: dict[str, Any] | None = None

    def upload_media(self, credentials: Any, media: Any) -> str:
        self.uploads.append(media)
        return f"media-{len(self.uploads)}"

    def publish(self, credentials: Any, draft: Any) -> Published:
        self.calls.append(draft)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            if callable(outcome) and not isinstance(outcome, Exception):
                outcome()
            else:
                raise outcome
        return Published(f"remote-{len(self.calls)}", f"https://net.example/{len(self.calls)}", NOW)

    def recent_posts(self, credentials: Any, since: datetime) -> list[RawItem]:
        if self.read_error is not None:
            raise self.read_error
        return list(self.posts)


@pytest.fixture
def fake() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def factory(fake: FakePublisher) -> Callable[[Any], FakePublisher]:
    return lambda connection: fake


@pytest.fixture
def post(personas: Personas) -> Any:
    from ambassade.publishing import authoring

    return authoring.create_post(
        personas.workspace_a,
        personas.bob,
        text="Nouvelle carte d'automne au Café Lumière ☕",
        connections=[personas.connection],
        scheduled_at=NOW,
    )


@pytest.fixture
def scheduled(post: Any, personas: Personas) -> Any:
    """The post submitted with no approval step: its variant is scheduled at NOW."""
    from ambassade.publishing import approvals

    approvals.submit_post(post, personas.bob, now=NOW)
    return post.variants.get()


@pytest.fixture(autouse=True)
def english_workspace(request: Any) -> None:
    """The outbox writes its messages in the workspace's language; most tests read them in English
    (test_it_writes_the_error_in_the_workspace_language checks the French)."""
    if "personas" in request.fixturenames:
        personas = request.getfixturevalue("personas")
        personas.workspace_a.language = "en"
        personas.workspace_a.save(update_fields=["language"])


@pytest.fixture
def client() -> Any:
    """Pages in English unless a test asks for French (the default language is French)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield
