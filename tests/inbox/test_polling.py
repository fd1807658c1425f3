"""Private messages read from a connection's feed (capability ``direct_messages``): into the inbox,
once, the cursor kept with them; errors kept on the feed; a refused token asks for reconnection."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.connectors.base import AuthExpired, ConnectorError, FetchResult, ItemKind
from ambassade.inbox import polling
from ambassade.inbox.models import Conversation, Message, MessageFeed
from ambassade.listening.models import Mention
from tests.inbox.conftest import BRAND, days_ago, item


class FakeMessenger:
    """Pages of private messages, as ``Messenger.fetch_messages`` gives them."""

    def __init__(self, pages: list[Any]) -> None:
        self.pages = pages
        self.cursors: list[Any] = []

    def fetch_messages(self, credentials: Any, cursor: Any) -> FetchResult:
        self.cursors.append(cursor)
        page = self.pages.pop(0)
        if isinstance(page, Exception):
            raise page
        items, more = page
        return FetchResult(items=items, next_cursor={"page": len(self.cursors)}, more=more)


def dm(external_id: str, text: str, handle: str = "ana", **extra: Any) -> Any:
    return item(external_id, text, handle=handle, kind=ItemKind.MESSAGE, thread_id="t-ana", **extra)


@pytest.fixture
def feed(personas: Any) -> MessageFeed:
    assert polling.ensure_feeds() == 1  # Mastodon reads private messages
    assert polling.ensure_feeds() == 0
    return MessageFeed.objects.get(connection=personas.connection)


def test_it_reads_private_messages_into_the_inbox_once(personas: Any, feed: MessageFeed) -> None:
    messenger = FakeMessenger(
        [
            ([dm("m1", "Bonjour, une question privée", at=days_ago(1))], True),
            ([dm("m2", "Bonjour Ana !", handle=BRAND, at=days_ago(0.9))], False),
        ]
    )
    assert polling.claim_due_feeds() == [feed.pk]
    assert polling.claim_due_feeds() == []  # claimed
    assert polling.poll_feed(feed.pk, connector=messenger) == 2
    feed.refresh_from_db()
    assert feed.cursor == {"page": 2} and feed.last_status == "ok" and feed.messages_count == 2
    conversation = Conversation.objects.get()
    assert (conversation.channel, conversation.connection) == ("message", personas.connection)
    assert [m.direction for m in conversation.messages.all()] == ["inbound", "outbound"]
    assert not Mention.objects.exists()
    # Read again from the start (a worker died before storing the cursor): nothing twice.
    again = FakeMessenger([([dm("m1", "Bonjour, une question privée", at=days_ago(1))], False)])
    MessageFeed.objects.filter(pk=feed.pk).update(cursor={})
    polling.poll_feed(feed.pk, connector=again)
    assert Message.objects.count() == 2


def test_it_keeps_an_error_on_the_feed(personas: Any, feed: MessageFeed) -> None:
    messenger = FakeMessenger([ConnectorError("Rate limited", retry_after=120)])
    polling.poll_feed(feed.pk, connector=messenger)
    feed.refresh_from_db()
    assert feed.last_status == "retrying" and "Rate limited" in str(feed.last_error)


def test_a_refused_token_asks_for_reconnection(personas: Any, feed: MessageFeed) -> None:
    polling.poll_feed(feed.pk, connector=FakeMessenger([AuthExpired("Token revoked")]))
    personas.connection.refresh_from_db()
    assert personas.connection.status == "needs_reconnection"
    assert polling.claim_due_feeds() == []
