"""Every write of bug reports: trackers, sending a report exactly once, following its state, the
trackers' webhooks, and the prompt to tell the customer.

Sending (:func:`send`) claims the report with a conditional UPDATE (``claimed_until``), so two
workers never send one report at once; a worker killed mid-way lets the claim lapse and
:func:`resume_stuck` gives the report to the next. An attempt after the first looks the issue up by
its marker before creating anything (the first may have been received without its answer). A
temporary error waits (the tracker's ``retry_after``, else a growing delay) up to
:data:`MAX_ATTEMPTS`; a permanent one, or credentials refused, marks the report failed with the
tracker's words.

Following (:func:`poll_due`, :func:`receive_webhook`): a state change comes back by polling every
:data:`POLL_EVERY` (GitHub, GitLab, Jira) or by the tracker's webhook at once. When an issue closes,
the conversation records it, and the person it is assigned to (else whoever reported it) is notified
and prompted to tell the customer, with a reply proposed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.bugreports.models import BugReport, Tracker
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient, OutcomeUnknown
from ambassade.connectors.trackers import (
    IssueDraft,
    IssueState,
    TrackedIssue,
    TrackerEvent,
    WebhookRefused,
    tracker_class,
)
from ambassade.connectors.trackers import Tracker as TrackerClient
from ambassade.inbox import services as inbox
from ambassade.inbox.models import Conversation, Message
from ambassade.workspaces.messages import coded
from ambassade.workspaces.models import Workspace

__all__ = [
    "CLAIM_FOR",
    "MAX_ATTEMPTS",
    "POLL_EVERY",
    "ReportError",
    "client_for",
    "closure_reply",
    "connect",
    "dismiss_prompt",
    "poll_due",
    "receive_webhook",
    "remove",
    "report",
    "resume_stuck",
    "send",
    "update",
    "webhook_secret",
]

log = logging.getLogger(__name__)

#: How long one sending attempt holds a report.
CLAIM_FOR = timedelta(minutes=2)
#: Attempts before a report that keeps meeting temporary errors is marked failed.
MAX_ATTEMPTS = 8
#: How often an open issue's state is read from its tracker.
POLL_EVERY = timedelta(minutes=10)
#: How many reports one run of :func:`poll_due` reads.
POLL_BATCH = 100


class ReportError(Exception):
    """The action cannot be done; ``str(error)`` is a translated sentence for the person."""


# --- trackers ------------------------------------------------------------------------------------


def client_for(tracker: Tracker) -> TrackerClient:
    """The connector of a tracker (tests replace this to point it at a local server)."""
    return tracker_class(tracker.kind)(HttpClient(timeout=20.0, max_retries=1))


def _clean_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    return tracker_class(kind)().check_config(config)


def connect(
    workspace: Workspace,
    *,
    kind: str,
    name: str,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    labels: str = "",
    actor: Any = None,
) -> Tracker:
    """A new tracker; ``config`` is checked by its connector (``InvalidConfig`` names the field).
    A webhook secret is made for the tracker's own webhook."""
    cleaned = _clean_config(kind, config)
    needed = tracker_class(kind).secrets
    missing = [field for field in needed if not str(credentials.get(field) or "").strip()]
    if missing:
        raise ReportError(_("Fill in %(fields)s.") % {"fields": ", ".join(missing)})
    if Tracker.objects.filter(workspace=workspace, name=name).exists():
        raise ReportError(_("Another tracker has this name."))
    tracker = Tracker(
        workspace=workspace,
        kind=kind,
        name=name,
        config=cleaned,
        labels=labels,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    secret = {field: str(credentials[field]).strip() for field in needed}
    secret["webhook_secret"] = secrets.token_urlsafe(32)
    tracker.set_secret(secret)
    tracker.save()
    return tracker


def update(
    tracker: Tracker,
    *,
    name: str,
    config: Mapping[str, Any],
    credentials: Mapping[str, str],
    labels: str = "",
) -> Tracker:
    """Change a tracker; credentials left empty are kept."""
    cleaned = _clean_config(tracker.kind, config)
    if (
        Tracker.objects.filter(workspace=tracker.workspace, name=name)
        .exclude(pk=tracker.pk)
        .exists()
    ):
        raise ReportError(_("Another tracker has this name."))
    secret = tracker.secret().reveal()
    changed = False
    for field in tracker_class(tracker.kind).secrets:
        value = str(credentials.get(field) or "").strip()
        if value:
            secret[field] = value
            changed = True
    tracker.name = name
    tracker.config = cleaned
    tracker.labels = labels
    tracker.set_secret(secret)
    if changed:
        tracker.status = Tracker.Status.CONNECTED
        tracker.last_error = ""
    tracker.updated_at = timezone.now()
    tracker.save()
    return tracker


def remove(tracker: Tracker) -> None:
    """Forget a tracker; its reports stay on their conversations, no longer followed."""
    BugReport.objects.filter(tracker=tracker, state=BugReport.State.OPEN).update(next_check_at=None)
    tracker.delete()


def webhook_secret(tracker: Tracker) -> str:
    """The secret the tracker's deliveries are checked with: the one made for its webhook, or for a
    signed webhook the signing secret both sides share."""
    secret = tracker.secret().reveal()
    key = "secret" if tracker.kind == Tracker.Kind.WEBHOOK else "webhook_secret"
    return str(secret.get(key) or "")


# --- reporting -----------------------------------------------------------------------------------


def customer_words(conversation: Conversation, limit: int = 5) -> str:
    """The person's latest messages (at most ``limit``), oldest first."""
    messages = list(
        conversation.messages.filter(direction=Message.Direction.INBOUND)
        .select_related("mention")
        .order_by("-created_at", "-id")[:limit]
    )
    return "\n\n".join(m.body for m in reversed(messages) if m.body)[:5000]


def report(
    conversation: Conversation,
    tracker: Tracker,
    *,
    title: str,
    description: str = "",
    include_quote: bool = True,
    actor: Any = None,
) -> BugReport:
    """Make a bug report and have it sent (a task; :func:`send` does the work)."""
    if tracker.workspace_id != conversation.workspace_id:
        raise ReportError(_("This tracker is not one of this workspace."))
    title = " ".join(title.split())[:255]
    if not title:
        raise ReportError(_("Give the issue a title."))
    created = BugReport.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        tracker=tracker,
        marker="amb-" + secrets.token_hex(10),
        title=title,
        description=description.strip()[:10_000],
        quote=customer_words(conversation) if include_quote else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    inbox.record_event(conversation, actor, "bug_reported", title=title, tracker=tracker.name)
    from ambassade.bugreports import tasks

    transaction.on_commit(lambda: tasks.send_report(created.pk))
    return created


def _link(report: BugReport) -> str:
    from django.conf import settings

    path = reverse(
        "inbox:conversation",
        kwargs={
            "workspace_slug": report.conversation.workspace.slug,
            "conversation_id": report.conversation_id,
        },
    )
    return f"{settings.BASE_URL}{path}"


def _draft(report: BugReport) -> IssueDraft:
    tracker = report.tracker
    return IssueDraft(
        title=report.title,
        description=report.description,
        quote=report.quote,
        link=_link(report),
        marker=report.marker,
        labels=tuple(tracker.label_list) if tracker is not None else (),
    )


def _claim(report_id: int, now: datetime) -> bool:
    return bool(
        BugReport.objects.filter(pk=report_id, state=BugReport.State.SENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1, updated_at=now)
    )


def send(report_id: int, *, now: datetime | None = None) -> float | None:
    """One attempt at sending a report. Returns the seconds to wait before the next attempt when
    one is needed, else None (sent, failed for good, or another worker holds it)."""
    now = now or timezone.now()
    if not _claim(report_id, now):
        return None
    found = BugReport.objects.select_related("tracker", "conversation__workspace").get(pk=report_id)
    tracker = found.tracker
    if tracker is None:
        _fail(found, coded("bugreport.tracker_removed"))
        return None
    if tracker.status == Tracker.Status.NEEDS_RECONNECTION:
        # Credentials it refused are not tried again: new ones first (the trackers' page).
        _fail(found, coded("bugreport.needs_credentials", tracker=tracker.name))
        return None
    client = client_for(tracker)
    try:
        credentials = tracker.secret().reveal()
        issue = None
        if found.attempts > 1:
            # An earlier attempt may have created it without hearing back.
            issue = client.find_issue(tracker.config, credentials, found.marker)
        if issue is None:
            issue = client.create_issue(tracker.config, credentials, _draft(found))
    except OutcomeUnknown:
        return _again(found, None, now, coded("bugreport.outcome_unknown"))
    except AuthExpired as error:
        Tracker.objects.filter(pk=tracker.pk).update(
            status=Tracker.Status.NEEDS_RECONNECTION, last_error=error
        )
        _fail(found, error)
        return None
    except ConnectorError as error:
        if error.permanent:
            _fail(found, error)
            return None
        return _again(found, error.retry_after, now, error)
    finally:
        client.close()
    _sent(found, issue, tracker, now)
    return None


def _again(found: BugReport, retry_after: float | None, now: datetime, error: Any) -> float | None:
    if found.attempts >= MAX_ATTEMPTS:
        _fail(found, error)
        return None
    delay = (
        retry_after if retry_after is not None else min(3600.0, 30.0 * 2 ** (found.attempts - 1))
    )
    BugReport.objects.filter(pk=found.pk).update(
        claimed_until=now + timedelta(seconds=delay), error=error, updated_at=now
    )
    return delay


def _fail(found: BugReport, error: Any) -> None:
    now = timezone.now()
    BugReport.objects.filter(pk=found.pk).update(
        state=BugReport.State.FAILED, error=error, claimed_until=None, updated_at=now
    )
    inbox.record_event(found.conversation, None, "bug_report_failed", title=found.title)


def _sent(found: BugReport, issue: TrackedIssue, tracker: Tracker, now: datetime) -> None:
    client = tracker_class(tracker.kind)
    BugReport.objects.filter(pk=found.pk).update(
        state=BugReport.State.OPEN,
        ref=issue.ref[:100],
        url=_page(issue.url),
        status=issue.status[:100],
        error="",
        sent_at=now,
        claimed_until=None,
        next_check_at=now + POLL_EVERY if client.can_poll else None,
        updated_at=now,
    )
    found.refresh_from_db()
    if issue.state == IssueState.CLOSED:
        _apply(found, IssueState.CLOSED, issue.status, issue.url, now)


def _page(url: str) -> str:
    return url[:500] if url.startswith(("https://", "http://")) else ""


def resume_stuck(now: datetime | None = None) -> int:
    """Give to a worker the reports whose sending stopped (its worker died, or its wait is over)."""
    now = now or timezone.now()
    from ambassade.bugreports import tasks

    ids = list(
        BugReport.objects.filter(state=BugReport.State.SENDING)
        .filter(
            Q(claimed_until__lt=now) | Q(claimed_until__isnull=True, created_at__lt=now - CLAIM_FOR)
        )
        .values_list("pk", flat=True)[:POLL_BATCH]
    )
    for report_id in ids:
        tasks.send_report(report_id)
    return len(ids)


# --- following -----------------------------------------------------------------------------------


def poll_due(now: datetime | None = None) -> int:
    """Read the state of the open issues whose time has come; returns how many were read."""
    now = now or timezone.now()
    read = 0
    due = (
        BugReport.objects.filter(
            state=BugReport.State.OPEN,
            next_check_at__lte=now,
            tracker__status=Tracker.Status.CONNECTED,
        )
        .select_related("tracker", "conversation__workspace")
        .order_by("next_check_at")[:POLL_BATCH]
    )
    for found in due:
        claimed = BugReport.objects.filter(
            pk=found.pk, state=BugReport.State.OPEN, next_check_at=found.next_check_at
        ).update(next_check_at=now + POLL_EVERY)
        if not claimed or found.tracker is None:
            continue
        tracker = found.tracker
        client = client_for(tracker)
        try:
            issue = client.get_issue(tracker.config, tracker.secret().reveal(), found.ref)
        except AuthExpired as error:
            Tracker.objects.filter(pk=tracker.pk).update(
                status=Tracker.Status.NEEDS_RECONNECTION, last_error=error
            )
            continue
        except ConnectorError as error:
            if error.retry_after:
                BugReport.objects.filter(pk=found.pk).update(
                    next_check_at=now + timedelta(seconds=max(error.retry_after, 60))
                )
            if error.permanent:
                BugReport.objects.filter(pk=found.pk).update(error=error)
            continue
        finally:
            client.close()
        read += 1
        _apply(found, issue.state, issue.status, issue.url, now)
    return read


def _apply(found: BugReport, state: IssueState, status: str, url: str, now: datetime) -> None:
    """Record the issue's state; a closure tells the conversation and its assignee."""
    updates: dict[str, Any] = {"status": status[:100], "updated_at": now}
    if _page(url):
        updates["url"] = _page(url)
    closing = state == IssueState.CLOSED and found.state != BugReport.State.CLOSED
    reopening = state == IssueState.OPEN and found.state == BugReport.State.CLOSED
    if closing:
        updates |= {"state": BugReport.State.CLOSED, "closed_at": now, "prompt_done_at": None}
    elif reopening:
        updates |= {"state": BugReport.State.OPEN, "closed_at": None, "prompt_done_at": None}
        if found.tracker is not None and tracker_class(found.tracker.kind).can_poll:
            updates["next_check_at"] = now + POLL_EVERY
    BugReport.objects.filter(pk=found.pk).update(**updates)
    found.refresh_from_db()
    conversation = found.conversation
    if closing:
        inbox.record_event(conversation, None, "bug_closed", title=found.title, ref=found.reference)
        closure_saved_reply(conversation.workspace)  # the prompt's reply exists from now on
        _notify_closed(found)
    elif reopening:
        inbox.record_event(
            conversation, None, "bug_reopened", title=found.title, ref=found.reference
        )


def _notify_closed(found: BugReport) -> None:
    if not apps.is_installed("ambassade.crisis"):
        return
    from ambassade.crisis import services as crisis

    conversation = found.conversation
    person = conversation.assignee_id or found.created_by_id
    if person is None:
        return
    crisis.notify_people(
        conversation.workspace,
        [person],
        coded("bugreport.closed", ref=found.reference or found.title, title=found.title),
        body=coded("bugreport.closed_tell", name=conversation.contact_display or "?"),
        severity="medium",
        link=reverse(
            "inbox:conversation",
            kwargs={
                "workspace_slug": conversation.workspace.slug,
                "conversation_id": conversation.pk,
            },
        ),
    )


def receive_webhook(
    hook_id: Any, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
) -> int:
    """A delivery of a tracker's webhook: checked with the tracker's secret, then the state of the
    report it is about recorded. Returns the HTTP status to answer (404 unknown address, 401 not
    signed with the secret, 400 unreadable, 204 done or nothing to do)."""
    now = now or timezone.now()
    tracker = Tracker.objects.filter(hook_id=hook_id).first()
    if tracker is None:
        return 404
    client = tracker_class(tracker.kind)()
    try:
        client.verify_webhook(headers, body, webhook_secret(tracker), now=now)
        event = client.parse_webhook(headers, body)
    except WebhookRefused as refused:
        log.info("tracker %s refused a webhook delivery: %s", tracker.pk, refused)
        return refused.status
    if event is None or not _same_project(tracker, event):
        return 204
    # A signed webhook's receiver may speak of a report by its own id or by the one sent (marker).
    for found in (
        BugReport.objects.filter(
            tracker=tracker, state__in=[BugReport.State.OPEN, BugReport.State.CLOSED]
        )
        .filter(Q(ref=event.ref) | Q(marker=event.ref))
        .select_related("tracker", "conversation__workspace")
    ):
        _apply(found, event.state, event.status, event.url, now)
    return 204


def _same_project(tracker: Tracker, event: TrackerEvent) -> bool:
    """A webhook set on an organisation or a group may speak of other projects' issues."""
    if not event.project:
        return True
    config = tracker.config
    wanted = str(
        config.get("repository") or config.get("project") or config.get("project_key") or ""
    ).lower()
    if not wanted:
        return True
    names = {event.project.lower()}
    project = event.raw.get("project") if isinstance(event.raw, Mapping) else None
    if isinstance(project, Mapping):  # GitLab: a project is known by its path or its number
        names |= {str(project.get(key) or "").lower() for key in ("id", "path_with_namespace")}
    return wanted in names


# --- telling the customer ------------------------------------------------------------------------


#: The shortcut of the workspace's saved reply the closure prompt offers (made when missing).
CLOSURE_SHORTCUT = "issue-fixed"


def _closure_text(lang: str) -> str:
    with translation.override(lang):
        return _(
            "Hello {first_name}, good news: the problem you told us about has been fixed. Thank "
            "you for letting us know, and for your patience! {agent}"
        )


def closure_saved_reply(workspace: Any) -> Any:
    """The saved reply that tells a customer their problem is fixed: the workspace's saved reply of
    shortcut :data:`CLOSURE_SHORTCUT`, made with a default text in English and French when the
    workspace has none (a manager rewrites it on the saved replies page)."""
    from ambassade.replies.models import SavedReply

    found = SavedReply.objects.filter(workspace=workspace, shortcut=CLOSURE_SHORTCUT).first()
    if found is not None:
        return found
    with translation.override(workspace.language or "en"):
        name = _("Issue fixed")
    try:
        with transaction.atomic():
            return SavedReply.objects.create(
                workspace=workspace,
                name=name,
                shortcut=CLOSURE_SHORTCUT,
                text_en=_closure_text("en"),
                text_fr=_closure_text("fr"),
            )
    except IntegrityError:  # made at the same moment elsewhere
        return SavedReply.objects.get(workspace=workspace, shortcut=CLOSURE_SHORTCUT)


def closure_reply(report: BugReport, agent: Any = None) -> tuple[Any, str, list[str]]:
    """The reply proposed when the issue is closed: (the saved reply, its text in the
    conversation's language with the variables filled for ``agent``, the variables left to fill)."""
    from ambassade.replies import variables

    conversation = report.conversation
    saved = closure_saved_reply(conversation.workspace)
    text, missing = variables.fill(
        saved.text_for(conversation.lang), variables.values_for(conversation, agent)
    )
    return saved, text.strip(), missing


def dismiss_prompt(report: BugReport, actor: Any) -> None:
    BugReport.objects.filter(pk=report.pk, prompt_done_at__isnull=True).update(
        prompt_done_at=timezone.now()
    )
