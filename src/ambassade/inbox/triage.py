"""Triage: a message's intent, a conversation's priority, and the one line that explains it.

**Intent** comes from :func:`classify_intents`, the one function the inbox calls: the text engine's
intent head (``ambassade.engine.text.intents``, accurate tier: the multilingual sentence encoder and a
trained head, docs/text-analysis.md "Intent"), or, should its model be missing, the engine's French and
English rules (fast tier), which this module held first.

**Priority** (0–100) adds up, each part capped: intent (complaint 30, bug 25, question 20, purchase
15, other 5, praise 0), sentiment (negative 20, neutral 5), the person's reach (≥ 100,000 followers
25, ≥ 10,000 18, ≥ 1,000 10), their history (a returning person 5), and waiting time (≥ 24 h 20,
≥ 4 h 12, ≥ 1 h 6). :func:`explain` words the same inputs in the reader's language, as one line:
"complaint · negative · 12,400 followers · waiting 3 h".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassade.engine import text as engine_text

__all__ = [
    "LEVELS",
    "classify_intents",
    "explain",
    "level",
    "priority",
    "waiting_words",
]

# --- intent ---------------------------------------------------------------------------------------

log = logging.getLogger(__name__)
_warned = False


def classify_intents(texts: Sequence[str], sentiments: Sequence[str] | None = None) -> list[str]:
    """The intent of each message: question, complaint, bug, praise, purchase or other.

    The text engine's intent head (accurate tier) decides. Should its model file be missing (a broken
    install), the engine's rules decide instead, with ``sentiments`` (the engine's, when known)
    settling what the words leave open; that is logged once."""
    global _warned
    try:
        return engine_text.intents(texts)
    except (OSError, RuntimeError) as exc:
        if not _warned:
            log.warning("intent model unavailable (%s): intents from the rules", exc)
            _warned = True
    return engine_text.intents(texts, sentiments, tier="fast")


# --- priority -------------------------------------------------------------------------------------

INTENT_POINTS = {"complaint": 30, "bug": 25, "question": 20, "purchase": 15, "other": 5}
SENTIMENT_POINTS = {"negative": 20, "neutral": 5}
REACH_POINTS = ((100_000, 25), (10_000, 18), (1_000, 10))
WAIT_POINTS = ((timedelta(hours=24), 20), (timedelta(hours=4), 12), (timedelta(hours=1), 6))
RETURNING_POINTS = 5
#: Priority levels, from the score: (lowest score, key).
LEVELS = ((70, "urgent"), (50, "high"), (25, "normal"), (0, "low"))


def _waited(waiting_since: datetime | None, now: datetime) -> timedelta:
    return max(now - waiting_since, timedelta(0)) if waiting_since else timedelta(0)


def priority(
    *,
    intent: str,
    sentiment: str,
    followers: int | None,
    history: int,
    waiting_since: datetime | None,
    now: datetime | None = None,
) -> int:
    now = now or timezone.now()
    score = INTENT_POINTS.get(intent, 0) + SENTIMENT_POINTS.get(sentiment, 0)
    score += next((points for least, points in REACH_POINTS if (followers or 0) >= least), 0)
    score += RETURNING_POINTS if history else 0
    waited = _waited(waiting_since, now)
    score += next((points for least, points in WAIT_POINTS if waited >= least), 0)
    return min(score, 100)


def level(score: int) -> str:
    return next(key for least, key in LEVELS if score >= least)


def waiting_words(waiting_since: datetime | None, now: datetime | None = None) -> str:
    """ "waiting 3 h" in the reader's language (minutes under an hour, days past two)."""
    waited = _waited(waiting_since, now or timezone.now())
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return ngettext("waiting %(count)s min", "waiting %(count)s min", minutes) % {
            "count": minutes
        }
    hours = minutes // 60
    if hours < 48:
        return ngettext("waiting %(count)s h", "waiting %(count)s h", hours) % {"count": hours}
    days = hours // 24
    return ngettext("waiting %(count)s day", "waiting %(count)s days", days) % {"count": days}


def explain(conversation: Any, now: datetime | None = None) -> str:
    """The conversation's priority in one line of the reader's language."""
    from ambassade.inbox.models import Intent
    from ambassade.listening.models import Sentiment

    parts: list[str] = []
    if conversation.intent:
        parts.append(str(Intent(conversation.intent).label).lower())
    if conversation.sentiment and conversation.sentiment != Sentiment.UNSUPPORTED:
        parts.append(str(Sentiment(conversation.sentiment).label).lower())
    followers = conversation.contact_followers
    if followers:
        parts.append(
            ngettext("%(count)s follower", "%(count)s followers", followers)
            % {"count": number_format(followers, force_grouping=True)}
        )
    if conversation.contact_history:
        parts.append(
            ngettext(
                "%(count)s earlier conversation",
                "%(count)s earlier conversations",
                conversation.contact_history,
            )
            % {"count": conversation.contact_history}
        )
    if conversation.waiting_since:
        parts.append(waiting_words(conversation.waiting_since, now))
    elif conversation.status not in ("resolved",) and conversation.last_outbound_at:
        parts.append(_("answered"))
    return " · ".join(parts)
