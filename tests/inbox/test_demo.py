"""The demo's inbox: conversations from the demo stream in French and English, the double-charge
incident among them, answered natively and from Ambassade, private messages, statuses; made by the
product's routing, and nothing more on a second run."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Count

from ambassade.bugreports.models import BugReport, Tracker
from ambassade.config.demo import ensure_demo_content
from ambassade.inbox.models import Conversation, Message
from ambassade.listening.models import Mention
from ambassade.satisfaction import services as satisfaction
from ambassade.satisfaction.models import Survey
from tests.test_demo_content import NOW, demo  # noqa: F401  (fixture)


def test_the_demo_has_a_living_inbox(demo: Any) -> None:  # noqa: F811
    ensure_demo_content(demo, io.StringIO(), now=NOW)
    conversations = Conversation.objects.filter(workspace=demo)
    assert conversations.count() > 20
    assert {"fr", "en"} <= set(conversations.values_list("lang", flat=True))
    assert conversations.filter(labels__name="Refund").count() > 5  # the incident
    assert {"mention", "routed", "message"} <= set(conversations.values_list("channel", flat=True))
    native = Message.objects.filter(
        direction="outbound", origin="network", conversation__workspace=demo
    )
    written = Message.objects.filter(
        direction="outbound", origin="ambassade", conversation__workspace=demo
    )
    assert native.exists() and written.exists()
    assert all(m.mention is not None for m in native)
    assert conversations.filter(first_response_at__isnull=False).count() > 10
    statuses = set(conversations.values_list("status", flat=True))
    assert {"new", "waiting", "resolved", "snoozed"} <= statuses
    # Auto-assigned in turn to the owner and the teammate.
    loads = dict(conversations.values_list("assignee__email").annotate(n=Count("id")))
    first, second = loads.values()
    assert abs(first - second) <= 1
    # The direct messages are the inbox's own, never mentions.
    private = Message.objects.filter(conversation__channel="message", conversation__workspace=demo)
    assert private.count() == 3 and all(m.mention is None and m.text for m in private)
    assert not Mention.objects.filter(workspace=demo, external_id__startswith="demo-dm-").exists()
    # Satisfaction results and a closed bug report (their apps' demos; nothing sent anywhere:
    # the demo tracker has no real credentials).
    (overall,) = satisfaction.summary(demo)
    assert overall.asked > 3 and 0 < overall.answered < overall.asked
    (report,) = BugReport.objects.filter(workspace=demo)
    assert report.needs_telling and report.conversation.assignee is not None
    assert report.next_check_at is None
    assert Tracker.objects.get(workspace=demo).status == Tracker.Status.NEEDS_RECONNECTION
    before = (conversations.count(), Message.objects.count(), Survey.objects.count())
    out = io.StringIO()
    ensure_demo_content(demo, out)
    assert (conversations.count(), Message.objects.count(), Survey.objects.count()) == before
    assert BugReport.objects.count() == 1
    # Saved replies for the incident and the usual cases, in both languages, made once.
    from ambassade.replies.models import SavedReply
    from ambassade.replies.services import saved_replies_for

    assert SavedReply.objects.filter(workspace=demo).count() == 5
    incident = conversations.filter(labels__name="Refund", lang="fr").first()
    filled = {f.saved.shortcut: f for f in saved_replies_for(incident, incident.assignee)}
    assert filled["double"].text.startswith("Bonjour ") and "débit" in filled["double"].text
