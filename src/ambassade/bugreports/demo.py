"""The demo's bug reports: a GitHub tracker (a demo one, without real credentials: marked as
needing new ones, so nothing is ever sent to GitHub from the demo) and the double-charge incident
reported from a conversation, its issue closed, so that the conversation prompts its assignee to
tell the customer. Running it again makes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TextIO

from django.db.models import Q
from django.utils import timezone

from ambassade.bugreports import services
from ambassade.bugreports.models import BugReport, Tracker
from ambassade.inbox import services as inbox
from ambassade.inbox.models import Conversation, Event
from ambassade.workspaces.messages import coded

TRACKER = "Café Lumière app (GitHub)"


def ensure_demo_bugreports(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> int:
    """Make the demo tracker and its report (once). Returns how many reports the workspace has."""
    now = now or timezone.now()
    if Tracker.objects.filter(workspace=workspace).exists():
        return BugReport.objects.filter(workspace=workspace).count()
    tracker = services.connect(
        workspace,
        kind="github",
        name=TRACKER,
        config={"repository": "cafe-lumiere/app"},
        credentials={"token": "demo-token-without-access"},
        labels="bug, from-inbox",
        actor=owner,
    )
    Tracker.objects.filter(pk=tracker.pk).update(status=Tracker.Status.NEEDS_RECONNECTION)
    incident = (
        Conversation.objects.filter(workspace=workspace, assignee__isnull=False)
        .filter(Q(labels__name__in=["Refund", "Remboursement"]) | Q(intent="complaint"))
        .order_by("-first_inbound_at", "-id")
        .first()
    )
    if incident is None:
        return 0
    french = (incident.lang or "").startswith("fr")
    title = (
        "Double prélèvement sur les paiements par carte"
        if french
        else ("Double charge on card payments")
    )
    sent_at = min((incident.first_inbound_at or now) + timedelta(minutes=30), now)
    closed_at = min(sent_at + timedelta(hours=5), now)
    report = BugReport.objects.create(
        workspace=workspace,
        conversation=incident,
        tracker=tracker,
        marker=f"amb-demo{workspace.pk:016d}",
        title=title,
        description="",
        quote=services.customer_words(incident),
        state=BugReport.State.CLOSED,
        ref="42",
        url="https://github.com/cafe-lumiere/app/issues/42",
        status="completed",
        created_by=incident.assignee,
        created_at=sent_at,
        sent_at=sent_at,
        closed_at=closed_at,
        updated_at=closed_at,
    )
    for at, event in (
        (
            sent_at,
            inbox.record_event(
                incident, incident.assignee, "bug_reported", title=title, tracker=TRACKER
            ),
        ),
        (
            closed_at,
            inbox.record_event(incident, None, "bug_closed", title=title, ref=report.reference),
        ),
    ):
        Event.objects.filter(pk=event.pk).update(created_at=at)
    Tracker.objects.filter(pk=tracker.pk).update(
        last_error=coded("tracker.credentials_refused", tracker="GitHub", detail="Bad credentials")
    )
    out.write("  1 bug report, its issue closed\n")
    return 1
