"""Objects of workspace A for tests/test_access.py's URL walk: a tracker and a bug report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.inbox.samples import samples as inbox_samples


@dataclass
class BugSamples:
    tracker: Any
    report: Any


def samples(personas: Any) -> BugSamples:
    cached = getattr(personas, "_bugreports", None)
    if cached is not None:
        return cached
    from ambassade.bugreports import services
    from ambassade.bugreports.models import BugReport

    workspace = personas.workspace_a
    tracker = services.connect(
        workspace,
        kind="github",
        name="A's tracker",
        config={"repository": "brand-a/app"},
        credentials={"token": "ghp_A_token_0123456789"},
        actor=personas.alice,
    )
    report = BugReport.objects.create(
        workspace=workspace,
        conversation=inbox_samples(personas).conversation,
        tracker=tracker,
        marker="amb-aaaaaaaaaaaaaaaaaaaa",
        title="A's bug",
        state=BugReport.State.CLOSED,
        ref="7",
    )
    result = BugSamples(tracker, report)
    personas._bugreports = result
    return result
