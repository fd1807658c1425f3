"""Contest fixtures: listening's stand-in text engine and items, a contest factory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.community.conftest import ingest  # noqa: F401  (fixture used by these tests)
from tests.listening.conftest import (  # noqa: F401
    NOW,
    engine,
    english,
    source,
)

OPENS = NOW - timedelta(days=3)
CLOSES = NOW + timedelta(days=3)


@pytest.fixture
def make_contest(personas: Any) -> Any:
    from ambassade.contests import services

    def make(**fields: Any) -> Any:
        values: dict[str, Any] = {
            "name": "Win a coffee machine",
            "organiser": "Café Lumière SAS",
            "prize": "a coffee machine",
            "starts_at": OPENS,
            "closes_at": CLOSES,
            "winners": 1,
            "reserves": 1,
            "hashtag": "lumiere",
        }
        values.update(fields)
        workspace = values.pop("workspace", personas.workspace_a)
        return services.create_contest(workspace, personas.alice, **values)

    return make
