"""Objects of workspace A for tests/test_access.py's URL walk: a holiday and a response-time
target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass
class TargetSamples:
    holiday: Any
    target: Any


def samples(personas: Any) -> TargetSamples:
    cached = getattr(personas, "_inbox_targets", None)
    if cached is not None:
        return cached
    from ambassade.inbox.targets.models import Holiday, Target

    workspace = personas.workspace_a
    result = TargetSamples(
        holiday=Holiday.objects.create(workspace=workspace, day=date(2026, 12, 25), yearly=True),
        target=Target.objects.create(
            workspace=workspace, name="A's target", first_response_minutes=60
        ),
    )
    personas._inbox_targets = result
    return result
