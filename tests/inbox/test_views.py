"""The inbox pages: list and conversation, actions, permissions, untrusted text escaped, presence."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassade.inbox import services
from ambassade.inbox.models import Conversation, Label, Status
from tests.inbox.conftest import days_ago, item


@pytest.fixture
def conversation(personas: Any, source: Any, ingest: Any) -> Conversation:
    ingest(
        source,
        [
            item(
                "1",
                "@brand_a <script>alert(1)</script> my order is late",
                handle="ana<b>",
                followers=12400,
            )
        ],
    )
    return Conversation.objects.get()


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(f"inbox:{name}", args=[personas.workspace_a.slug, *args])


def test_it_lists_conversations_with_their_explanation_escaped(
    personas: Any, conversation: Conversation, client: Any
) -> None:
    client.force_login(personas.bob)
    response = client.get(url(personas, "list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "Ana&lt;B&gt;" in html and "<B>" not in html
    assert "complaint · " in html and "12,400 followers" in html


def test_it_words_the_list_in_french(
    personas: Any, conversation: Conversation, client: Any
) -> None:
    client.force_login(personas.bob)
    response = client.get(url(personas, "list"), HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "Boîte de réception" in html
    assert "réclamation" in html and "12\xa0400 abonnés" in html
    # The views are lists (plural); one conversation's status is singular.
    assert "<span>Ouvertes</span>" in html and "<span>Résolues</span>" in html
    services.set_status(conversation, Status.RESOLVED, personas.bob)
    page = client.get(url(personas, "conversation", conversation.pk), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<span class="badge status-resolved">Résolue</span>' in page.content.decode()


def test_it_shows_a_conversation_and_marks_it_open(
    personas: Any, conversation: Conversation, client: Any
) -> None:
    client.force_login(personas.bob)
    response = client.get(url(personas, "conversation", conversation.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_it_reads_a_page_of_the_list_in_a_fixed_number_of_queries(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    client.force_login(personas.bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(personas, "list")).status_code == 200
        return len(queries)

    ingest(source, [item(f"a{i}", f"@brand_a question {i}?", handle=f"p{i}") for i in range(3)])
    few = count()
    ingest(source, [item(f"b{i}", f"@brand_a question {i}?", handle=f"q{i}") for i in range(30)])
    assert count() == few


def test_it_pages_with_a_cursor(personas: Any, source: Any, ingest: Any, client: Any) -> None:
    from ambassade.inbox import listing

    ingest(
        source,
        [item(f"{i}", f"@brand_a hi {i}", handle=f"p{i}", at=days_ago(i / 100)) for i in range(7)],
    )
    base = Conversation.objects.filter(workspace=personas.workspace_a)
    seen: list[str] = []
    after = ""
    for _page in range(10):
        page = listing.list_conversations(
            base, listing.parse_filters({}), personas.bob, after=after, size=3
        )
        seen += [c.thread_key for c in page.conversations]
        after = page.next_cursor
        if not after:
            break
    assert seen == [str(i) for i in range(7)]


def test_it_takes_assigns_labels_and_resolves(
    personas: Any, conversation: Conversation, client: Any
) -> None:
    label = Label.objects.create(workspace=personas.workspace_a, name="Refund")
    client.force_login(personas.bob)
    client.post(url(personas, "take", conversation.pk))
    client.post(url(personas, "labels", conversation.pk), {"label": label.pk})
    client.post(url(personas, "status", conversation.pk), {"status": "resolved"})
    conversation.refresh_from_db()
    assert conversation.assignee == personas.bob
    assert list(conversation.labels.all()) == [label]
    assert conversation.status == Status.RESOLVED and conversation.resolved_at is not None
    client.post(url(personas, "assign", conversation.pk), {"user": personas.alice.pk, "team": ""})
    conversation.refresh_from_db()
    assert conversation.assignee == personas.alice
    codes = list(conversation.events.values_list("code", flat=True))
    assert codes == ["assigned", "labelled", "status", "assigned"]


def test_it_refuses_actions_to_roles_that_may_only_read(
    personas: Any, conversation: Conversation, client: Any, people: dict[str, Any]
) -> None:
    client.force_login(people["analyst"])
    assert client.get(url(personas, "conversation", conversation.pk)).status_code == 200
    assert (
        client.post(url(personas, "status", conversation.pk), {"status": "resolved"}).status_code
        == 403
    )
    assert client.post(url(personas, "take", conversation.pk)).status_code == 403
    assert client.get(url(personas, "settings")).status_code == 403
    conversation.refresh_from_db()
    assert conversation.status != Status.RESOLVED and conversation.assignee is None


def test_it_shows_who_else_has_the_conversation_open(
    personas: Any, conversation: Conversation, client: Any
) -> None:
    client.force_login(personas.alice)
    client.get(url(personas, "conversation", conversation.pk))
    client.force_login(personas.bob)
    response = client.post(url(personas, "presence", conversation.pk), {"replying": "1"})
    assert "Alice Martin is viewing this conversation" in response.content.decode()
    client.force_login(personas.alice)
    response = client.post(url(personas, "presence", conversation.pk))
    assert "Bob Durand is writing a reply" in response.content.decode()


def test_it_applies_a_bulk_action(personas: Any, source: Any, ingest: Any, client: Any) -> None:
    ingest(source, [item(f"{i}", f"@brand_a hi {i}", handle=f"p{i}") for i in range(3)])
    ids = list(Conversation.objects.values_list("pk", flat=True))
    client.force_login(personas.bob)
    client.post(url(personas, "bulk"), {"action": "resolve", "ids": ids[:2]})
    assert Conversation.objects.filter(status=Status.RESOLVED).count() == 2


def test_it_sends_a_mention_to_the_inbox_from_the_mention_page(
    personas: Any, source: Any, ingest: Any, client: Any
) -> None:
    from ambassade.listening.models import Mention

    ingest(source, [item("1", "Is their cold brew any good?", handle="ana")])
    mention = Mention.objects.get()
    client.force_login(personas.bob)
    page = reverse("listening:mention", args=[personas.workspace_a.slug, mention.pk])
    assert "Send to the inbox" in client.get(page).content.decode()
    response = client.post(
        reverse("inbox:send_mention", args=[personas.workspace_a.slug, mention.pk])
    )
    conversation = Conversation.objects.get()
    assert response["Location"] == url(personas, "conversation", conversation.pk)
    assert "Open in the inbox" in client.get(page).content.decode()


def test_it_wakes_snoozed_conversations(personas: Any, conversation: Conversation) -> None:
    from datetime import timedelta

    from django.utils import timezone

    services.snooze(conversation, timezone.now() + timedelta(hours=1), personas.bob)
    assert services.wake_snoozed(timezone.now()) == 0
    assert services.wake_snoozed(timezone.now() + timedelta(hours=2)) == 1
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.snoozed_until is None


def test_the_views_counts_are_read_in_one_statement_and_bounded(
    personas: Any, monkeypatch: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ambassade.inbox import listing

    now = timezone.now()
    made = [
        ("new", personas.bob, now - timedelta(hours=1)),  # breaching, mine
        ("open", None, now + timedelta(hours=1)),
        ("waiting", personas.bob, None),
        ("snoozed", None, now - timedelta(hours=1)),  # not in the open views
        ("resolved", personas.bob, None),
        ("open", None, now - timedelta(minutes=5)),  # breaching, unassigned
    ]
    for number, (status, assignee, due_at) in enumerate(made):
        conversation = Conversation.objects.create(
            workspace=personas.workspace_a,
            network="mastodon",
            channel="mention",
            thread_key=f"t{number}",
            status=status,
            assignee=assignee,
            last_message_at=now - timedelta(minutes=number),
        )
        # As the response-time targets would have set it (no target here: they would clear it).
        Conversation.objects.filter(pk=conversation.pk).update(due_at=due_at)
    Conversation.objects.create(  # another workspace's
        workspace=personas.workspace_b, network="mastodon", thread_key="b", status="open"
    )
    base = Conversation.objects.filter(workspace=personas.workspace_a)
    with CaptureQueriesContext(connection) as queries:
        counts = listing.view_counts(base, personas.bob)
    assert counts == {"open": 4, "mine": 2, "unassigned": 2, "breaching": 2}
    assert len(queries) == 1
    monkeypatch.setattr(listing, "COUNT_LIMIT", 3)
    assert listing.view_counts(base, personas.bob)["open"] == 3


def test_sqlite_gets_the_statistics_its_planner_needs(personas: Any) -> None:
    from ambassade.inbox import listing

    for number, status in enumerate(["open", "resolved", "resolved"]):
        Conversation.objects.create(
            workspace=personas.workspace_a, network="x", thread_key=f"s{number}", status=status
        )
    ran = listing.refresh_statistics()
    assert ran == (connection.vendor == "sqlite")
    if ran:
        with connection.cursor() as cursor:
            cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'inbox_conversation'")
            found = {row[0] for row in cursor.fetchall()}
        assert {"conv_open_recent", "conv_open_priority", "conv_open_assignee"} <= found
