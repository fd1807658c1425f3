"""The demo's satisfaction: asking turned on, and the conversations the demo resolved asked and,
most of them, answered (scores and a few comments in each conversation's language), so that the
results page and the conversations' side panels show something. Running it again makes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.utils import timezone

from ambassade.inbox.models import Conversation, Status
from ambassade.satisfaction import services
from ambassade.satisfaction.models import Survey

#: Scores in turn (mostly satisfied, some not), and None: asked, not answered.
SCORES = (5, 4, None, 5, 2, 4, 3, 5, 1, 4)
COMMENTS = {
    "en": {
        5: "Quick and kind, thank you!",
        2: "It took a day to get an answer.",
        1: "Still no refund.",
    },
    "fr": {
        5: "Rapide et aimable, merci !",
        2: "Il a fallu une journée pour avoir une réponse.",
        1: "Toujours pas remboursé.",
    },
}


def ensure_demo_satisfaction(workspace: Any, out: TextIO, *, now: datetime | None = None) -> int:
    """Turn asking on and answer the resolved conversations' surveys. Returns how many exist."""
    now = now or timezone.now()
    if Survey.objects.filter(workspace=workspace).exists():
        return Survey.objects.filter(workspace=workspace).count()
    services.update_settings(workspace, enabled=True, delay_minutes=60)
    resolved = Conversation.objects.filter(
        workspace=workspace, status=Status.RESOLVED, resolved_at__isnull=False
    ).order_by("resolved_at", "id")
    made = 0
    for index, conversation in enumerate(resolved):
        at = min(conversation.resolved_at + timedelta(hours=1), now)  # type: ignore[operator]
        asked = services.ask(conversation, now=at, send=False)  # the past: nothing to send
        if asked is None:
            continue
        Survey.objects.filter(pk=asked.survey.pk).update(
            status=Survey.Status.SENT, sent_at=at, created_at=at
        )
        asked.survey.refresh_from_db()
        made += 1
        score = SCORES[index % len(SCORES)]
        if score is not None:
            lang = asked.survey.lang
            services.answer(
                asked.survey,
                score=score,
                comment=COMMENTS[lang].get(score, "") if index % 2 == 0 else "",
                now=min(at + timedelta(minutes=20), now),
            )
    out.write(f"  {made} satisfaction surveys\n")
    return made
