"""Event fixtures: an event factory, and Huey run in the calling thread for the e-mail tasks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

STARTS = datetime(2031, 3, 14, 17, 30, tzinfo=UTC)  # 18:30 in Paris


@pytest.fixture
def make_event(personas: Any) -> Any:
    from ambassade.events import services

    def make(**fields: Any) -> Any:
        values: dict[str, Any] = {
            "title_en": "Latte art evening",
            "title_fr": "Soirée latte art",
            "description_en": "Learn to pour a heart.",
            "description_fr": "Apprenez à dessiner un cœur.",
            "organiser": "Café Lumière SAS",
            "format": "physical",
            "venue": "Café Lumière",
            "address": "12 rue des Cafés, 75011 Paris",
            "starts_at": STARTS,
            "ends_at": STARTS + timedelta(hours=2),
            "time_zone": "Europe/Paris",
            "capacity": 2,
            "waitlist": True,
            "followup_en": "Thanks {name} for coming to {event}!",
            "followup_fr": "Merci {name} d'être venu·e à {event} !",
        }
        values.update(fields)
        workspace = values.pop("workspace", personas.workspace_a)
        return services.create_event(workspace, personas.alice, **values)

    return make


@pytest.fixture
def immediate() -> Iterator[None]:
    """Tasks run when they are enqueued (after the commit), as a worker would run them."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    """Pages in English unless a test asks for French (the product's default language is French)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
