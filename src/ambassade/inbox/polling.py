"""Reading the workspaces' private messages (direct messages, e-mail) into the inbox.

Each connection whose network's responder declares ``direct_messages`` gets a
:class:`~ambassade.inbox.models.MessageFeed` (:func:`ensure_feeds`). The periodic task
``inbox.poll_messages`` claims the feeds due with a conditional UPDATE (as listening claims its
sources) and reads each: ``fetch_messages(credentials, cursor)`` page after page, the items handed to
:func:`ambassade.inbox.routing.receive_private` and the cursor stored in the same transaction, so a
killed worker reads the same page again and the inbox, keyed by external id, keeps each message once.
A refused token marks the connection "needs reconnection"; other errors are kept on the feed (shown
on the inbox settings page) and the feed is tried again later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ambassade.connectors.base import AuthExpired, Capability, ConnectorError
from ambassade.connectors.responders import UnknownResponder, get_responder
from ambassade.inbox.models import MessageFeed
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Connection

__all__ = ["claim_due_feeds", "ensure_feeds", "poll_feed", "responder_class"]

log = logging.getLogger(__name__)

MAX_PAGES = 10
#: A claim lasts this long: a worker that dies while reading leaves the feed due again after it.
CLAIM_TIMEOUT = timedelta(minutes=10)


def responder_class(network: str) -> Any:
    """The class reading the network's private messages, or None when it cannot."""
    try:
        cls = get_responder(network)
    except UnknownResponder:
        return None
    return cls if Capability.DIRECT_MESSAGES in cls.capabilities else None


def ensure_feeds() -> int:
    """A feed for every connection that can read private messages (new connections included).
    Returns how many were made."""
    have = set(MessageFeed.objects.values_list("connection_id", flat=True))
    made = 0
    for connection in Connection.objects.exclude(id__in=have).only("id", "workspace_id", "network"):
        if responder_class(connection.network) is None:
            continue
        _feed, created = MessageFeed.objects.get_or_create(
            connection=connection, defaults={"workspace_id": connection.workspace_id}
        )
        made += created
    return made


def claim_due_feeds(now: datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    due = (
        MessageFeed.objects.filter(enabled=True, next_run_at__lte=now)
        .exclude(connection__status=Connection.Status.NEEDS_RECONNECTION)
        .order_by("next_run_at")
        .values_list("id", "next_run_at")[:limit]
    )
    claimed = []
    for feed_id, next_run_at in due:
        won = MessageFeed.objects.filter(id=feed_id, next_run_at=next_run_at).update(
            next_run_at=now + CLAIM_TIMEOUT
        )
        if won == 1:
            claimed.append(feed_id)
    return claimed


def _fail(
    feed: MessageFeed, now: datetime, message: Any, status: str, retry_after: float | None
) -> None:
    delay = timedelta(seconds=retry_after) if retry_after else timedelta(seconds=feed.interval)
    MessageFeed.objects.filter(id=feed.pk).update(
        last_run_at=now,
        last_status=status,
        last_error=StoredMessage.of(message),
        next_run_at=now + max(delay, timedelta(seconds=60)),
    )


def poll_feed(feed_id: int, now: datetime | None = None, *, connector: Any = None) -> int:
    """Read a feed's new private messages into the inbox. Returns how many were added.
    ``connector``: an instance to use (tests point one at a local server)."""
    from ambassade.inbox.routing import receive_private

    feed = MessageFeed.objects.select_related("connection__workspace").filter(id=feed_id).first()
    if feed is None or not feed.enabled:
        return 0
    now = now or timezone.now()
    connection = feed.connection
    if connector is None:
        cls = responder_class(connection.network)
        if cls is None:
            _fail(feed, now, coded("inbox.feed_cannot_read"), MessageFeed.Status.ERROR, None)
            return 0
        connector = cls()
    credentials = connection.secret().reveal()
    cursor = feed.cursor or None
    added = 0
    try:
        for _page in range(MAX_PAGES):
            fetched = connector.fetch_messages(credentials, cursor)
            with transaction.atomic():
                added += receive_private(connection.workspace, connection, list(fetched.items))
                MessageFeed.objects.filter(id=feed.pk).update(
                    cursor=fetched.next_cursor,
                    messages_count=F("messages_count") + len(fetched.items),
                )
                if fetched.credentials:
                    connection.set_secret(dict(fetched.credentials))
                    connection.updated_at = now
                    connection.save(update_fields=["token_ciphertext", "updated_at"])
                    credentials = dict(fetched.credentials)
            cursor = fetched.next_cursor
            if not fetched.more:
                break
    except AuthExpired as exc:
        workspace_services.mark_needs_reconnection(connection.pk, exc)
        _fail(feed, now, exc, MessageFeed.Status.NEEDS_RECONNECTION, None)
        return added
    except ConnectorError as exc:
        status = MessageFeed.Status.ERROR if exc.permanent else MessageFeed.Status.RETRYING
        _fail(feed, now, exc, status, exc.retry_after)
        return added
    except Exception as exc:
        log.exception("reading the private messages of connection %s failed", connection.pk)
        _fail(
            feed,
            now,
            coded("inbox.feed_unexpected", detail=str(exc)),
            MessageFeed.Status.ERROR,
            None,
        )
        return added
    finally:
        close = getattr(connector, "close", None)
        if close is not None:
            close()
    MessageFeed.objects.filter(id=feed.pk).update(
        last_run_at=now,
        last_success_at=now,
        last_status=MessageFeed.Status.OK,
        last_error=StoredMessage(),
        next_run_at=now + timedelta(seconds=feed.interval),
    )
    return added
