"""Answering people on Reddit, as the connected user (the publisher's connection and token).

- ``reply``: ``POST /api/comment`` (``api_type=json``, ``thing_id`` a post ``t3_…`` or a comment
  ``t1_…``, ``text`` in Markdown), scope ``submit``. Reddit answers ``json.data.things[0]``, the new
  comment, or refusals in ``json.errors`` inside a 200 (``THREAD_LOCKED``, ``DELETED_COMMENT``,
  ``TOO_OLD`` for an archived post, ``RATELIMIT``). No idempotency key: ``find_reply`` reads the
  user's comments (``GET /user/{name}/comments``, scope ``history``) for one under the same parent.
- ``conversation``: ``GET /comments/{post}`` (``sort=old``), or for a comment ``GET
  /comments/{post}?comment={id}&context=8`` (its ancestors, itself and its replies); ``more``
  placeholders (replies Reddit did not send) make the thread incomplete.
- Private messages: ``POST /api/compose`` (``to``, ``subject``, ``text``), scope
  ``privatemessages``; Reddit answers without the message's id, which is then read from ``GET
  /message/sent``. ``fetch_messages`` reads ``/message/messages`` (received) and
  ``/message/sent``; comment replies and mentions in the inbox are not private messages and are
  left to listening. Reddit's chat (the newer "chats") has no public API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ambassade.connectors._paging import Page, sweep
from ambassade.connectors._text import parse_datetime, sanitize_html
from ambassade.connectors.base import (
    Author,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    FetchResult,
    ItemKind,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.reddit.parse import SITE, listing_items

if TYPE_CHECKING:
    from ambassade.connectors.reddit.publish import RedditPublisher

__all__ = [
    "conversation",
    "fetch_messages",
    "find_message",
    "find_reply",
    "reply",
    "send_message",
]

#: Pages of 100 read at most when looking for a lost answer.
FIND_PAGES = 5
#: Reddit's limit on a private message's subject.
MAX_SUBJECT = 100
#: How many ancestors of a comment are asked for (Reddit's ``context``: 0 to 8).
CONTEXT = 8

REFUSALS = {
    "THREAD_LOCKED": "reddit.thread_locked",
    "DELETED_COMMENT": "reddit.parent_deleted",
    "DELETED_LINK": "reddit.parent_deleted",
    "TOO_OLD": "reddit.archived",
    "USER_DOESNT_EXIST": "reddit.user_unknown",
    "NOT_WHITELISTED_BY_USER_MESSAGE": "reddit.user_refuses",
}


def _refuse(result: Mapping[str, Any], pub: RedditPublisher, creds: Mapping[str, Any]) -> None:
    errors = result.get("errors")
    if not isinstance(errors, list) or not errors:
        return
    first = errors[0] if isinstance(errors[0], list) else [str(errors[0])]
    name = str(first[0]) if first else "ERROR"
    detail = str(first[1]) if len(first) > 1 and first[1] else name
    if name in REFUSALS:
        raise ConnectorError(
            f"Reddit refuses the answer ({name}): {detail}",
            permanent=True,
            code=REFUSALS[name],
            params={"detail": detail},
        )
    pub._raise_errors(result, "", str(creds.get("username") or ""))


def reply(pub: RedditPublisher, credentials: Credentials, reply: Reply) -> Published:
    creds = pub._credentials(credentials, subreddit=False)
    response = pub._call(
        credentials,
        "POST",
        "/api/comment",
        data={"api_type": "json", "thing_id": _fullname(reply), "text": reply.text},
    )
    result = pub._result(response)
    _refuse(result, pub, creds)
    data = result.get("data") if isinstance(result.get("data"), Mapping) else {}
    things = data.get("things") if isinstance(data, Mapping) else None
    thing = things[0] if isinstance(things, list) and things else None
    if not isinstance(thing, Mapping) or not isinstance(thing.get("data"), Mapping):
        raise ConnectorError(
            "Reddit answered the comment without it.",
            code="connector.bad_answer_maybe_received",
            params={"network": "Reddit"},
        )
    comment = thing["data"]
    name = str(comment.get("name") or f"t1_{comment.get('id')}")
    created = parse_datetime(comment.get("created_utc")) or datetime.now(UTC)
    return Published(name, SITE + str(comment.get("permalink") or ""), created)


def _fullname(reply: Reply) -> str:
    target = reply.in_reply_to
    if target.startswith(("t1_", "t3_")):
        return target
    return ("t3_" if reply.parent_kind is ItemKind.POST else "t1_") + target


def find_reply(
    pub: RedditPublisher, credentials: Credentials, reply: Reply, since: datetime
) -> list[RawItem]:
    creds = pub._credentials(credentials, subreddit=False)
    parent = _fullname(reply)
    found: list[RawItem] = []
    after: str | None = None
    for _page in range(FIND_PAGES):
        body = pub._call(
            credentials,
            "GET",
            f"/user/{creds['username']}/comments",
            params={"sort": "new", "limit": 100, "raw_json": 1, "after": after},
        ).json()
        items, after = listing_items(body, source="reddit")
        found += [i for i in items if i.parent_id == parent and i.created_at >= since]
        if not after or not items or min(i.created_at for i in items) < since:
            break
    return found


def conversation(pub: RedditPublisher, credentials: Credentials, external_id: str) -> Thread:
    pub._credentials(credentials, subreddit=False)
    if external_id.startswith("t3_"):
        post, comment = external_id[3:], None
    else:
        comment = external_id.removeprefix("t1_")
        info = pub._call(
            credentials, "GET", "/api/info", params={"id": f"t1_{comment}", "raw_json": 1}
        ).json()
        items, _after = listing_items(info, source="reddit")
        if not items or not items[0].thread_id:
            raise ConnectorError(
                f"Reddit no longer shows the comment {external_id}.",
                permanent=True,
                code="reddit.comment_gone",
                params={"id": external_id},
            )
        post = items[0].thread_id.removeprefix("t3_")
    params: dict[str, Any] = {"sort": "old", "limit": 500, "raw_json": 1}
    if comment:
        params |= {"comment": comment, "context": CONTEXT}
    body = pub._call(credentials, "GET", f"/comments/{post}", params=params).json()
    if not isinstance(body, list) or len(body) != 2:
        raise ConnectorError(
            "Reddit answered the thread in an unexpected format.",
            code="connector.bad_answer",
            params={"network": "Reddit"},
        )
    head, _after = listing_items(body[0], source="reddit")
    state = {"complete": True}
    comments = _walk(body[1], state)
    items = head + comments
    complete = state["complete"]
    if comment and comments and comments[0].parent_id != f"t3_{post}":
        complete = False  # the comment sits deeper than the context Reddit gives
    return Thread(root_id=items[0].external_id, items=items, complete=complete)


def _walk(listing: Any, state: dict[str, bool]) -> list[RawItem]:
    """Comments of a listing and their ``replies`` listings, depth first (Reddit's order)."""
    data = listing.get("data") if isinstance(listing, Mapping) else None
    children = data.get("children") if isinstance(data, Mapping) else None
    found: list[RawItem] = []
    for child in children or []:
        if not isinstance(child, Mapping):
            continue
        if child.get("kind") == "more":
            state["complete"] = False
            continue
        if child.get("kind") != "t1":
            continue
        items, _after = listing_items({"data": {"children": [child]}}, source="reddit")
        found += items
        replies = (child.get("data") or {}).get("replies")
        if isinstance(replies, Mapping):
            found += _walk(replies, state)
    return found


# --- private messages ------------------------------------------------------------------------------


def _username(pub: RedditPublisher, credentials: Credentials, recipient: str) -> str:
    """A username, from a username (``u/`` or not) or an account's fullname (``t2_…``)."""
    recipient = recipient.strip().removeprefix("/").removeprefix("u/")
    if not recipient.startswith("t2_"):
        return recipient
    body = pub._call(
        credentials, "GET", "/api/user_data_by_account_ids", params={"ids": recipient}
    ).json()
    user = body.get(recipient) if isinstance(body, Mapping) else None
    if not isinstance(user, Mapping) or not user.get("name"):
        raise ConnectorError(
            f"Reddit does not know the account {recipient}.",
            permanent=True,
            code="reddit.user_unknown",
            params={"detail": recipient},
        )
    return str(user["name"])


def _subject(message: DirectMessage) -> str:
    subject = " ".join((message.subject or message.text).split())
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1].rstrip() + "…"
    return subject or "…"


def send_message(
    pub: RedditPublisher, credentials: Credentials, message: DirectMessage
) -> Published:
    creds = pub._credentials(credentials, subreddit=False)
    to = _username(pub, credentials, message.recipient)
    sent_at = datetime.fromtimestamp(pub._clock(), UTC)
    response = pub._call(
        credentials,
        "POST",
        "/api/compose",
        data={"api_type": "json", "to": to, "subject": _subject(message), "text": message.text},
    )
    _refuse(pub._result(response), pub, creds)
    # Reddit gives no id: the message is the newest sent to the same person with the same text.
    try:
        for item in _sent(pub, credentials, to, sent_at.replace(microsecond=0)):
            if item.text.strip() == message.text.strip():
                return Published(item.external_id, item.url, item.created_at)
    except ConnectorError:
        pass  # sent all the same; only its id is unknown
    return Published("", "", sent_at)


def _sent(
    pub: RedditPublisher, credentials: Credentials, to: str, since: datetime
) -> list[RawItem]:
    body = pub._call(
        credentials, "GET", "/message/sent", params={"limit": 100, "raw_json": 1}
    ).json()
    return [
        item
        for item in _messages(body)
        if str(item.raw.get("dest") or "").casefold() == to.casefold()
        and item.created_at >= since - _CLOCK_MARGIN
    ]


def find_message(
    pub: RedditPublisher, credentials: Credentials, message: DirectMessage, since: datetime
) -> list[RawItem]:
    pub._credentials(credentials, subreddit=False)
    to = _username(pub, credentials, message.recipient)
    return [item for item in _sent(pub, credentials, to, since) if item.created_at >= since]


def fetch_messages(
    pub: RedditPublisher, credentials: Credentials, cursor: Cursor | None
) -> FetchResult:
    """Received (``/message/messages``) and sent (``/message/sent``) private messages, each box read
    incrementally with the newest-first sweep; the cursor keeps one sweep per box."""
    pub._credentials(credentials, subreddit=False)
    cursor = dict(cursor or {})
    items: list[RawItem] = []
    next_cursor: dict[str, Any] = {}
    more = False
    for box in ("messages", "sent"):

        def load(token: str | None, mark: float | int | None, box: str = box) -> Page:
            body = pub._call(
                credentials,
                "GET",
                f"/message/{box}",
                params={"limit": 100, "raw_json": 1, "after": token},
            ).json()
            data = body.get("data") if isinstance(body, Mapping) else None
            after = data.get("after") if isinstance(data, Mapping) else None
            return Page(_messages(body), str(after) if after else None)

        result = sweep(cursor.get(box), load, lambda item: item.created_at.timestamp())
        items += result.items
        next_cursor[box] = result.next_cursor
        more = more or result.more
    items.sort(key=lambda item: item.created_at)
    return FetchResult(items, next_cursor, more=more, credentials=pub.refreshed)


#: Between this machine's clock and Reddit's.
_CLOCK_MARGIN = timedelta(minutes=2)


def _messages(body: Any) -> list[RawItem]:
    """Private messages (t4) of a listing; comment replies delivered to the inbox are left out."""
    data = body.get("data") if isinstance(body, Mapping) else None
    children = data.get("children") if isinstance(data, Mapping) else None
    if not isinstance(children, list):
        raise ConnectorError(
            "Reddit returned something other than a Listing.",
            code="connector.bad_answer",
            params={"network": "Reddit"},
        )
    items = []
    for child in children:
        thing = child.get("data") if isinstance(child, Mapping) else None
        if (
            not isinstance(child, Mapping)
            or child.get("kind") != "t4"
            or not isinstance(thing, Mapping)
            or thing.get("was_comment")
        ):
            continue
        item = _message(thing)
        if item is not None:
            items.append(item)
    return items


def _message(thing: Mapping[str, Any]) -> RawItem | None:
    created = parse_datetime(thing.get("created_utc"))
    name = str(thing.get("name") or "")
    if created is None or not name:
        return None
    author = str(thing.get("author") or "")
    subject = str(thing.get("subject") or "")
    body = str(thing.get("body") or "")
    html = thing.get("body_html")
    first = str(thing.get("first_message_name") or "") or name
    return RawItem(
        source="reddit",
        external_id=name,
        url=f"{SITE}/message/messages/{first.removeprefix('t4_')}",
        text=body,
        html=sanitize_html(str(html)) if html else None,
        author=Author(
            handle=author,
            name=author,
            id=str(thing.get("author_fullname") or ""),
            url=f"{SITE}/user/{author}" if author else "",
        ),
        created_at=created,
        parent_id=str(thing.get("parent_id") or "") or None,
        thread_id=first,
        kind=ItemKind.MESSAGE,
        raw={**dict(thing), "subject": subject},
    )
