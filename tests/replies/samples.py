"""Objects of workspace A for tests/test_access.py's URL walk: a reply awaiting approval and a saved
reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class RepliesSamples:
    reply: Any
    saved: Any


def samples(personas: Any) -> RepliesSamples:
    cached = getattr(personas, "_replies", None)
    if cached is not None:
        return cached
    from ambassade.replies.models import Reply, SavedReply
    from tests.inbox.samples import samples as inbox_samples

    conversation = inbox_samples(personas).conversation
    reply = Reply.objects.create(
        workspace=personas.workspace_a,
        conversation=conversation,
        connection=personas.connection,
        author=personas.bob,
        text="A's reply",
        private=True,
        recipient="ana",
        sequence=1,
        status="pending_approval",
    )
    saved = SavedReply.objects.create(
        workspace=personas.workspace_a, name="A's saved reply", shortcut="a", text_en="Hi"
    )
    result = RepliesSamples(reply, saved)
    personas._replies = result
    return result
