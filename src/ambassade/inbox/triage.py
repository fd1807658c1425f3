"""Triage: a message's intent, a conversation's priority, and the one line that explains it.

**Intent** comes from :func:`classify_intents`, the one function the inbox calls. Until the text
engine has its intent head (``ambassade.engine.text``, accurate tier), it is the fallback below: a
small French and English lexicon over the engine's normalised text (lower case, accents removed), on
the fast tier, in microseconds. Switching to the engine's head is the one line marked ``SWITCH``.
The fallback's rules, in order (the first that fires wins): a bug report names the app, site or a
crash with a failure word; a complaint has a failure or grievance word; purchase intent names buying,
ordering or a price; a question has "?" or opens with a question word; then a negative message is a
complaint; praise has a thanks or admiration word, or is positive; otherwise "other". docs/inbox.md
gives its limits.

**Priority** (0–100) adds up, each part capped: intent (complaint 30, bug 25, question 20, purchase
15, other 5, praise 0), sentiment (negative 20, neutral 5), the person's reach (≥ 100,000 followers
25, ≥ 10,000 18, ≥ 1,000 10), their history (a returning person 5), and waiting time (≥ 24 h 20,
≥ 4 h 12, ≥ 1 h 6). :func:`explain` words the same inputs in the reader's language, as one line:
"complaint · negative · 12,400 followers · waiting 3 h".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = [
    "LEVELS",
    "classify_intents",
    "explain",
    "level",
    "priority",
    "waiting_words",
]

# --- intent ---------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_APP = _words(
    r"app", r"appli", r"application", r"site", r"site web", r"website", r"qr code", r"login",
    r"mise a jour", r"update", r"android", r"ios", r"iphone",
)  # fmt: skip
_FAILURE = _words(
    r"bug\w*", r"plante\w*", r"crash\w*", r"erreur", r"error", r"impossible", r"can'?t", r"cannot",
    r"won'?t", r"ne marche\w*", r"marche pas", r"fonctionne pas", r"doesn'?t work", r"not working",
    r"broken", r"ne s'affiche\w*", r"bloque\w*", r"freez\w*", r"panne",
)  # fmt: skip
_COMPLAINT = _words(
    r"decevant\w*", r"disappoint\w*", r"nul+e?", r"terrible", r"inadmissible", r"unacceptable",
    r"scandal\w*", r"rembours\w*", r"refund\w*", r"arnaque\w*", r"scam\w*", r"deux fois", r"twice",
    r"double (?:paiement|prelevement|charge)\w*", r"debite\w*", r"charged", r"jamais plus",
    r"never again", r"honte", r"shame\w*", r"attente", r"waited", r"aucune reponse",
    r"no answer", r"no reply", r"injoignable", r"unreachable", r"plainte", r"complain\w*",
    r"lent\w*", r"slow", r"tiede", r"lukewarm", r"brule", r"burnt", r"ou est ma", r"where is my",
    r"late", r"en retard", r"retard\w*", r"delay\w*", r"missing", r"manquant\w*", r"wrong",
    r"pas recu\w*", r"never (?:arrived|received)", r"not received", r"jamais recu\w*",
    r"casse\w*", r"abime\w*", r"damaged",
)  # fmt: skip
_QUESTION_START = re.compile(
    r"^(?:@\w+\s+)*(?:est-ce|comment|pourquoi|quand|ou|quel\w*|combien|qui|vous|avez|peut-on|"
    r"puis-je|how|why|when|where|what|which|who|do|does|did|can|could|is|are|will|would)\b"
)
_QUESTION = _words(r"est-ce que", r"savez-vous", r"quelqu'un sait", r"anyone know", r"does anyone")
_PURCHASE = _words(
    r"acheter", r"achete\w*", r"commander", r"buy\w*", r"to order", r"pre-?order\w*", r"prix",
    r"price\w*", r"tarif\w*", r"coffret", r"abonnement", r"subscri\w*", r"envie de tester",
    r"want to try", r"carte cadeau", r"gift card",
)  # fmt: skip
_PRAISE = _words(
    r"merci\w*", r"thanks?", r"thank you", r"bravo", r"top", r"genial\w*", r"great", r"love\w*",
    r"adore\w*", r"parfait\w*", r"perfect", r"amazing", r"meilleur\w*", r"best", r"super",
    r"excellent\w*", r"delicieu\w*", r"delicious",
)  # fmt: skip


def _fallback_intent(text: str, sentiment: str) -> str:
    folded = _fold(text)
    failure = bool(_FAILURE.search(folded))
    if failure and _APP.search(folded):
        return "bug"
    if failure or _COMPLAINT.search(folded):
        return "complaint"
    if _PURCHASE.search(folded):
        return "purchase"
    if "?" in folded or _QUESTION_START.search(folded.strip()) or _QUESTION.search(folded):
        return "question"
    if sentiment == "negative":
        return "complaint"
    if _PRAISE.search(folded) or sentiment == "positive":
        return "praise"
    return "other"


def classify_intents(texts: Sequence[str], sentiments: Sequence[str] | None = None) -> list[str]:
    """The intent of each message: question, complaint, bug, praise, purchase or other.
    ``sentiments`` (the engine's, when known) settle what the words leave open."""
    moods = list(sentiments) if sentiments is not None else [""] * len(texts)
    # SWITCH: return engine_text.intents(texts) once the engine's intent head has landed.
    return [_fallback_intent(text, mood) for text, mood in zip(texts, moods, strict=True)]


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
