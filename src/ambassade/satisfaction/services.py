"""Every write of satisfaction surveys, and the results other apps read (:func:`summary`).

- :func:`ask` — make the survey of a resolved conversation (once) and hand its question to the
  sender (below); :func:`ask_due` does it for every conversation whose time has come (a periodic
  task, claimed by the survey's unique conversation).
- :func:`answer` — record the score and comment given on the public page.
- :func:`summary` — results per person, network or period (the results page and the team report).

**Sending.** The question goes out as a reply on the conversation's own channel, through the
replies' exactly-once outbox: the sender registered with ``register_sender`` (this app's
``ready()`` registers :func:`send_through_replies`) queues it, in the transaction that makes the
survey, so a crash leaves both or neither. The survey is *being sent* until the reply joins the
thread (``replies.signals.reply_recorded``: *sent*, with its message) or the outbox gives up
(``reply_failed``: *not sent*, until "Send again" on the reply succeeds). When Ambassade cannot
answer on the conversation (a network it does not answer on, no single account, the person's
address unknown), the survey stays *waiting to be sent* and the conversation's side panel offers
the question, with its link, to insert into a reply by hand.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.inbox import services as inbox
from ambassade.inbox.models import Conversation, Message, Status
from ambassade.satisfaction.models import (
    CHANGE_WINDOW,
    MAX_DELAY_MINUTES,
    SatisfactionSettings,
    Survey,
)
from ambassade.workspaces.models import Workspace

__all__ = [
    "Answered",
    "Row",
    "SurveyError",
    "answer",
    "ask",
    "ask_due",
    "current_sender",
    "mark_sent",
    "prepare_question",
    "public_url",
    "question_text",
    "register_sender",
    "reply_failed",
    "reply_recorded",
    "send_through_replies",
    "settings_for",
    "summary",
    "survey_for_token",
    "update_settings",
]

_SALT = "ambassade.satisfaction.survey"
#: How many conversations one run of :func:`ask_due` handles (the next run takes the rest).
BATCH = 200

#: ``sender(conversation, text)`` queues the question exactly once and returns what carries it: the
#: reply queued (its survey is *being sent* until the reply joins the thread), an outbound message
#: already in the thread (*sent*), or None when it cannot go (*waiting*, for a person).
Sender = Callable[[Conversation, str], Any]
_SENDER: list[Sender] = []


class SurveyError(Exception):
    """The answer cannot be recorded; ``str(error)`` is a sentence for the person answering."""


def register_sender(sender: Sender | None) -> None:
    """Set (or, with None, remove) the function that sends a question as a reply on the
    conversation's channel (:data:`Sender`)."""
    _SENDER[:] = [sender] if sender is not None else []


def current_sender() -> Sender | None:
    return _SENDER[0] if _SENDER else None


def send_through_replies(conversation: Conversation, text: str) -> Any:
    """The sender this app registers: the question as an automatic reply of the replies' outbox."""
    from ambassade.replies import services as replies

    return replies.queue_automatic(conversation, text)


def settings_for(workspace: Workspace) -> SatisfactionSettings:
    found = SatisfactionSettings.objects.filter(workspace=workspace).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return SatisfactionSettings.objects.create(workspace=workspace)
    except IntegrityError:
        return SatisfactionSettings.objects.get(workspace=workspace)


def update_settings(
    workspace: Workspace, *, enabled: bool, delay_minutes: int
) -> SatisfactionSettings:
    if not 0 <= delay_minutes <= MAX_DELAY_MINUTES:
        raise SurveyError(
            _("The delay is between 0 and %(most)s minutes.") % {"most": MAX_DELAY_MINUTES}
        )
    found = settings_for(workspace)
    now = timezone.now()
    if enabled and not found.enabled:
        found.enabled_at = now  # conversations resolved before are never asked
    found.enabled = enabled
    found.delay_minutes = delay_minutes
    found.updated_at = now
    found.save()
    return found


# --- tokens --------------------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(the public token, the hash to store): a random 192-bit value, signed."""
    raw = secrets.token_urlsafe(24)
    return signing.Signer(salt=_SALT, sep=".").sign(raw), _hash(raw)


def survey_for_token(token: str) -> Survey | None:
    """The survey of a public token, or None (altered, unknown)."""
    try:
        raw = signing.Signer(salt=_SALT, sep=".").unsign(token)
    except signing.BadSignature:
        return None
    return (
        Survey.objects.select_related("workspace", "conversation").filter(token_hash=_hash(raw))
    ).first()


def public_url(token: str, base: str | None = None) -> str:
    """The survey's public address (on ``settings.BASE_URL`` unless ``base`` is given)."""
    root = django_settings.BASE_URL if base is None else base
    return root.rstrip("/") + reverse("satisfaction:survey", kwargs={"survey_token": token})


# --- asking --------------------------------------------------------------------------------------


def survey_language(conversation: Conversation) -> str:
    return "fr" if (conversation.lang or "").lower().startswith("fr") else "en"


def question_text(lang: str, url: str) -> str:
    """The question, in the conversation's language, with the address of the page."""
    with translation.override(lang):
        return _(
            "Thank you for writing to us. How satisfied are you with our answer? Tell us in one "
            "click: %(url)s"
        ) % {"url": url}


@dataclass(frozen=True)
class Asked:
    survey: Survey
    #: The question with its link: the public token exists only here and in the message sent.
    text: str


def ask(
    conversation: Conversation,
    *,
    base_url: str | None = None,
    now: datetime | None = None,
    send: bool = True,
) -> Asked | None:
    """Make the conversation's survey and hand its question to the sender (unless ``send`` is
    False: the demo's past surveys). None when it was asked before (one survey per
    conversation)."""
    now = now or timezone.now()
    token, token_hash = _new_token()
    lang = survey_language(conversation)
    text = question_text(lang, public_url(token, base_url))
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                workspace_id=conversation.workspace_id,
                conversation=conversation,
                token_hash=token_hash,
                lang=lang,
                network=conversation.network,
                agent_id=conversation.assignee_id,
                created_at=now,
            )
            carrier = _SENDER[0](conversation, text) if _SENDER and send else None
            if isinstance(carrier, Message):
                survey.status, survey.message, survey.sent_at = Survey.Status.SENT, carrier, now
            elif carrier is not None:
                survey.status, survey.reply = Survey.Status.SENDING, carrier
            if carrier is not None:
                survey.save(update_fields=["status", "message", "sent_at", "reply"])
    except IntegrityError:
        return None
    if survey.status == Survey.Status.SENT:
        inbox.record_event(conversation, None, "satisfaction_asked")
    return Asked(survey, text)


def reply_recorded(reply: Any, message: Message, **_: Any) -> None:
    """The reply carrying a question joined its thread: the survey is sent (once)."""
    survey = Survey.objects.filter(reply_id=reply.pk).select_related("conversation").first()
    if survey is None or survey.status not in (Survey.Status.SENDING, Survey.Status.FAILED):
        return
    changed = Survey.objects.filter(
        pk=survey.pk, status__in=[Survey.Status.SENDING, Survey.Status.FAILED]
    ).update(
        status=Survey.Status.SENT,
        message=message,
        sent_at=reply.published_at or timezone.now(),
        error="",
    )
    if changed:
        inbox.record_event(survey.conversation, None, "satisfaction_asked")


def reply_failed(reply: Any, error: Any, **_: Any) -> None:
    """The outbox gave up on the reply carrying a question (a person may send it again)."""
    Survey.objects.filter(reply_id=reply.pk, status=Survey.Status.SENDING).update(
        status=Survey.Status.FAILED, error=error
    )


def due(now: datetime | None = None) -> QuerySet[Conversation]:
    """Resolved conversations of workspaces that ask, whose delay has passed, never asked, and
    resolved since the workspace turned asking on."""
    now = now or timezone.now()
    rows = Conversation.objects.none()
    for found in SatisfactionSettings.objects.filter(enabled=True, enabled_at__isnull=False):
        rows = rows | Conversation.objects.filter(
            workspace_id=found.workspace_id,
            status=Status.RESOLVED,
            resolved_at__gte=found.enabled_at,
            resolved_at__lte=now - timedelta(minutes=found.delay_minutes),
            survey__isnull=True,
        )
    return rows


def ask_due(*, base_url: str | None = None, now: datetime | None = None) -> int:
    """Ask every conversation whose time has come (all workspaces); returns how many."""
    asked = 0
    for conversation in due(now).order_by("resolved_at", "id")[:BATCH]:
        if ask(conversation, base_url=base_url, now=now) is not None:
            asked += 1
    return asked


def prepare_question(survey: Survey, *, base_url: str | None = None) -> str:
    """The question of a survey not sent yet, with a new link (the public token is stored nowhere
    in clear, so preparing it again replaces the link: only the one sent works)."""
    if survey.status != Survey.Status.PENDING:
        raise SurveyError(_("This survey was sent already."))
    token, token_hash = _new_token()
    Survey.objects.filter(pk=survey.pk).update(token_hash=token_hash)
    survey.token_hash = token_hash
    return question_text(survey.lang, public_url(token, base_url))


def mark_sent(survey: Survey, *, message: Message | None = None, actor: Any = None) -> Survey:
    """The question went out (by hand, or by the sender)."""
    if survey.status == Survey.Status.PENDING:
        now = timezone.now()
        changed = Survey.objects.filter(pk=survey.pk, status=Survey.Status.PENDING).update(
            status=Survey.Status.SENT, sent_at=now, message=message
        )
        survey.refresh_from_db()
        if changed:
            inbox.record_event(survey.conversation, actor, "satisfaction_asked")
    return survey


# --- answering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answered:
    survey: Survey
    changed: bool


def answer(
    survey: Survey, *, score: int | None, comment: str | None = None, now: datetime | None = None
) -> Answered:
    """Record a score (1–5) and/or a comment. The first answer is kept until changed; it can be
    changed for ``CHANGE_WINDOW``; an expired survey takes nothing."""
    now = now or timezone.now()
    if survey.expired(now) and survey.answered_at is None:
        raise SurveyError(_("This survey has expired."))
    if not survey.can_change(now):
        raise SurveyError(_("Your answer can no longer be changed."))
    if score is not None and not 1 <= score <= 5:
        raise SurveyError(_("Choose a score from 1 to 5."))
    if score is None and survey.score is None:
        raise SurveyError(_("Choose a score from 1 to 5."))
    changed = survey.answered_at is not None
    previous = survey.score
    fields: dict[str, Any] = {"status": Survey.Status.ANSWERED}
    if score is not None:
        fields["score"] = score
    if comment is not None:
        fields["comment"] = comment.strip()[:2000]
    if changed:
        fields["changed_at"] = now
    else:
        fields["answered_at"] = now
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(**fields)
        survey.refresh_from_db()
        if score is not None and (not changed or score != previous):
            code = "satisfaction_changed" if changed else "satisfaction_answered"
            inbox.record_event(survey.conversation, None, code, score=score)
    return Answered(survey, changed)


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """Results of one group: ``key`` (a user id, a network, the first day of a period, or "all"),
    ``asked`` surveys made, ``answered``, ``average`` score, ``satisfied`` share (4 or 5) of the
    answers, in percent."""

    key: Any
    asked: int
    answered: int
    average: float | None
    satisfied: float | None

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.answered / self.asked if self.asked else None


BY = ("agent", "network", "week", "month", "all")


def summary(
    workspace: Workspace,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    by: str = "all",
    network: str = "",
    agent_id: int | None = None,
) -> list[Row]:
    """CSAT per person (``agent``: who had the conversation when it was resolved), ``network``,
    ``week``, ``month`` or over ``all``, for the surveys made in [start, end). The team report reads
    this too."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}")
    rows = Survey.objects.filter(workspace=workspace)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    if end is not None:
        rows = rows.filter(created_at__lt=end)
    if network:
        rows = rows.filter(network=network)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    key = {
        "agent": "agent_id",
        "network": "network",
        "week": "period",
        "month": "period",
        "all": None,
    }[by]
    if by == "week":
        rows = rows.annotate(period=TruncWeek("created_at"))
    elif by == "month":
        rows = rows.annotate(period=TruncMonth("created_at"))
    measures = {
        "asked": Count("id"),
        "answered": Count("id", filter=Q(score__isnull=False)),
        "average": Avg("score"),
        "happy": Count("id", filter=Q(score__gte=4)),
    }
    if key is None:
        groups = [{"key": "all", **rows.aggregate(**measures)}]
    else:
        groups = [
            {"key": group[key], **group}
            for group in rows.values(key).annotate(**measures).order_by(key)
        ]
    return [
        Row(
            key=group["key"],
            asked=group["asked"],
            answered=group["answered"],
            average=round(group["average"], 2) if group["average"] is not None else None,
            satisfied=100.0 * group["happy"] / group["answered"] if group["answered"] else None,
        )
        for group in groups
        if group["asked"]
    ]


def change_window_days() -> int:
    return CHANGE_WINDOW.days
