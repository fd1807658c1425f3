"""A workspace's feedback file for ``ambassade train-text --feedback`` (docs/moderation.md).

Every decision in the queue that says a score was wrong or right ("not offensive", "not spam", a
hide or a ban of a message flagged by its score) and every correction made in listening is a
labelled :class:`~ambassade.listening.models.Feedback` row; :func:`feedback_lines` writes them as
:func:`ambassade.listening.feedback.training_examples` does, then up to ``unreviewed`` of the
workspace's latest messages that nobody corrected, labelled ``unreviewed``: ``train-text`` keeps
the models' scores on those, so that feedback drawn from what the queue showed does not move the
scores of the rest of the traffic. Each line carries a pseudonymous author key (``group``), never
a handle. Owners and managers download it from the decision log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ambassade.listening.feedback import author_key, training_examples
from ambassade.listening.models import Feedback, Mention
from ambassade.moderation.permissions import MODERATION_LOG
from ambassade.workspaces.permissions import workspace_view

__all__ = ["UNREVIEWED", "download", "feedback_lines"]

#: How many messages nobody corrected go with the feedback, at most.
UNREVIEWED = 2000


def feedback_lines(workspace: Any, unreviewed: int = UNREVIEWED) -> Iterator[str]:
    """JSONL lines: the corrections, oldest first, then the latest uncorrected messages."""
    for example in training_examples(workspace):
        yield json.dumps(example, ensure_ascii=False) + "\n"
    if unreviewed <= 0:
        return
    corrected = Feedback.objects.filter(workspace=workspace).values("mention_id")
    quiet = (
        Mention.objects.filter(workspace=workspace)
        .exclude(id__in=corrected)
        .exclude(text="")
        .order_by("-created_at", "-id")
        .only("text", "lang", "network", "author_handle")[:unreviewed]
    )
    for mention in quiet.iterator():
        yield (
            json.dumps(
                {
                    "text": mention.text,
                    "label": "unreviewed",
                    "lang": mention.lang or "und",
                    "group": author_key(workspace.id, mention.network, mention.author_handle),
                },
                ensure_ascii=False,
            )
            + "\n"
        )


@workspace_view(MODERATION_LOG)
def download(request: HttpRequest) -> HttpResponse:
    """The feedback file, for ``ambassade train-text --feedback``."""
    workspace = request.workspace  # type: ignore[attr-defined]
    response = StreamingHttpResponse(
        feedback_lines(workspace), content_type="application/x-ndjson; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="feedback-{workspace.slug}-{stamp}.jsonl"'
    )
    return response
