"""`ambassade bench inbox` fills its workspace with raw INSERTs (COPY on PostgreSQL) naming the
inbox's and listening's columns: a column added to the models must not break it silently. A small
fill, on the test database, then the list it measures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from ambassade.benchmarks import inbox as bench
from ambassade.inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_it_fills_a_busy_inbox_the_list_can_read(client: Any) -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    filled = bench._fill(40, 300, now)
    workspace = filled["workspace"]
    assert filled["conversations"] == 40 and filled["messages"] == 300
    conversations = Conversation.objects.filter(workspace=workspace)
    assert Message.objects.filter(workspace=workspace).count() == 300
    # Each conversation's counts agree with its messages, and its preview is its last message.
    for c in conversations.exclude(last_message=None)[:10]:
        assert c.message_count == Message.objects.filter(conversation=c).count()
        assert c.last_message_id == Message.objects.filter(conversation=c).latest("id").pk
    assert conversations.filter(labels__isnull=False).exists()
    assert conversations.exclude(due_at=None).exists()
    client.force_login(filled["user"])
    response = client.get(reverse("inbox:list", args=[workspace.slug]), {"view": "open"})
    assert response.status_code == 200
    assert response.content.decode().count("data-inbox-row") >= 1


@pytest.mark.parametrize(("conversations", "messages"), [(20_000, 200_000), (40, 300), (7, 7)])
def test_it_gives_the_threads_exactly_the_messages_asked(conversations: int, messages: int) -> None:
    sizes = bench.thread_sizes(conversations, messages)
    assert len(sizes) == conversations and sum(sizes) == messages and min(sizes) >= 1
