"""The demo's response-time targets: the late conversation is late whatever the hour. The demo's
own targets (built with the whole demo) are checked in tests/test_demo_content.py, which builds the
demo's stream once for all its tests."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest


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
