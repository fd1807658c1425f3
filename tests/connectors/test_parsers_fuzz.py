"""Any payload, however broken, gives RawItems or a ConnectorError: never another exception."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambassade.connectors.base import ConnectorError, RawItem
from ambassade.connectors.bluesky.parse import post_item
from ambassade.connectors.hackernews.parse import hit_item
from ambassade.connectors.mastodon.parse import notification_item, status_item
from ambassade.connectors.reddit.parse import listing_items
from ambassade.connectors.rss.parse import parse_feed
from ambassade.connectors.x.parse import search_items
from ambassade.connectors.youtube.parse import comment_thread_item, items_of, video_item

# The keys the parsers look for, so that random payloads reach deep into them.
KEYS = [
    "id",
    "uri",
    "url",
    "created_at",
    "content",
    "account",
    "acct",
    "status",
    "reblog",
    "language",
    "objectID",
    "created_at_i",
    "comment_text",
    "title",
    "author",
    "_tags",
    "parent_id",
    "story_id",
    "data",
    "includes",
    "users",
    "author_id",
    "public_metrics",
    "referenced_tweets",
    "lang",
    "text",
    "snippet",
    "topLevelComment",
    "publishedAt",
    "videoId",
    "authorChannelId",
    "value",
    "items",
    "children",
    "kind",
    "name",
    "created_utc",
    "body",
    "permalink",
    "after",
    "record",
    "createdAt",
    "indexedAt",
    "reply",
    "parent",
    "root",
    "langs",
    "handle",
    "did",
    "likeCount",
    "note_tweet",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2025-06-11T08:00:00Z", "t3", "t1", "comment", "1749628800", "fr", "x" * 3]),
)
payloads = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6),
    ),
    max_leaves=25,
)

PARSERS: dict[str, Callable[[Any], object]] = {
    "mastodon.status": status_item,
    "mastodon.notification": notification_item,
    "hackernews": hit_item,
    "x": search_items,
    "youtube.items": items_of,
    "youtube.video": video_item,
    "youtube.comment": comment_thread_item,
    "reddit": listing_items,
    "bluesky": post_item,
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=payloads)
def test_a_parser_never_raises_anything_but_connector_error(name: str, payload: Any) -> None:
    try:
        result = PARSERS[name](payload)
    except ConnectorError:
        return
    items = result[0] if isinstance(result, tuple) else result
    if isinstance(items, list):
        assert all(isinstance(i, RawItem | dict) for i in items)


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_the_feed_parser_never_raises_anything_but_connector_error(data: bytes) -> None:
    try:
        parse_feed(b"<rss version='2.0'><channel><item>" + data + b"</item></channel></rss>")
        parse_feed(data)
    except ConnectorError:
        pass


ITEM_KEYS = [
    "id",
    "text",
    "created_at",
    "url",
    "html",
    "lang",
    "kind",
    "author",
    "metrics",
    "items",
]
webhook_payloads = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from([*ITEM_KEYS, "handle", "followers", "likes"]), inner, max_size=6
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(payload=webhook_payloads)
def test_the_webhook_refuses_any_bad_payload_with_a_webhook_error(payload: Any) -> None:
    import json

    from ambassade.connectors.webhook import WebhookError, parse_webhook

    body = json.dumps(payload).encode()
    try:
        items = parse_webhook(body, {"Authorization": "Bearer s3cret-value"}, "s3cret-value")
    except WebhookError as error:
        assert error.status == 400
        return
    assert all(isinstance(i, RawItem) for i in items)


@settings(max_examples=60, deadline=None)
@given(body=st.text(alphabet='ab,"\n\r;01:-T Z', max_size=120))
def test_the_file_import_refuses_any_bad_file_with_an_import_error(body: str) -> None:
    from ambassade.connectors.fileimport import FileImportError, parse_file

    data = ("t,d\n" + body).encode()
    try:
        parse_file(data, format="csv", mapping={"text": "t", "created_at": "d"})
        parse_file(body.encode(), format="jsonl", mapping={"text": "t", "created_at": "d"})
    except FileImportError:
        pass
