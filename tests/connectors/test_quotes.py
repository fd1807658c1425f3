"""Which post a message quotes or reposts, as each network's documented API says it
(``RawItem.quoted_id``): Bluesky's record embeds, Mastodon 4.4's quotes, X's referenced posts."""

from __future__ import annotations

from typing import Any

from ambassade.connectors.bluesky.parse import post_item
from ambassade.connectors.mastodon.parse import status_item
from ambassade.connectors.x.parse import search_items

QUOTED_AT = "at://did:plc:brand0000000000000000000/app.bsky.feed.post/3kquoted"


def bluesky(embed: Any) -> Any:
    record: dict[str, Any] = {"text": "Look at this", "createdAt": "2026-12-01T10:00:00Z"}
    if embed is not None:
        record["embed"] = embed
    return post_item(
        {
            "uri": "at://did:plc:ana00000000000000000000000/app.bsky.feed.post/3kana",
            "record": record,
            "author": {"did": "did:plc:ana00000000000000000000000", "handle": "ana.bsky.social"},
        }
    )


def test_it_reads_bluesky_record_embeds() -> None:
    strong = {"uri": QUOTED_AT, "cid": "bafyquoted"}
    assert bluesky({"$type": "app.bsky.embed.record", "record": strong}).quoted_id == QUOTED_AT
    with_media = {
        "$type": "app.bsky.embed.recordWithMedia",
        "record": {"$type": "app.bsky.embed.record", "record": strong},
        "media": {"$type": "app.bsky.embed.images", "images": []},
    }
    assert bluesky(with_media).quoted_id == QUOTED_AT
    # Not a post: a feed generator, a link card, nothing, or a broken embed.
    feed = "at://did:plc:brand0000000000000000000/app.bsky.feed.generator/coffee"
    assert bluesky({"$type": "app.bsky.embed.record", "record": {"uri": feed}}).quoted_id is None
    card = {"$type": "app.bsky.embed.external", "external": {"uri": "https://cafe.example/"}}
    assert bluesky(card).quoted_id is None
    assert bluesky(None).quoted_id is None
    assert bluesky({"$type": "app.bsky.embed.record", "record": "nonsense"}).quoted_id is None


def mastodon(quote: Any) -> Any:
    status: dict[str, Any] = {
        "id": "1101",
        "uri": "https://piaille.fr/users/ana/statuses/1101",
        "url": "https://piaille.fr/@ana/1101",
        "created_at": "2026-12-01T10:00:00.000Z",
        "content": "<p>So true</p>",
        "account": {"acct": "ana@piaille.fr", "username": "ana"},
    }
    if quote is not None:
        status["quote"] = quote
    return status_item(status)


def test_it_reads_mastodon_quotes_only_once_accepted() -> None:
    quoted = {"id": "55", "uri": "https://cafe.social/users/brand/statuses/55"}
    accepted = mastodon({"state": "accepted", "quoted_status": quoted})
    assert accepted.quoted_id == "https://cafe.social/users/brand/statuses/55"
    assert mastodon({"state": "pending", "quoted_status": None}).quoted_id is None
    assert mastodon({"state": "revoked", "quoted_status": quoted}).quoted_id is None
    # A shallow quote names the status by the server's local id only: nothing to match it with.
    assert mastodon({"state": "accepted", "quoted_status_id": "55"}).quoted_id is None
    assert mastodon(None).quoted_id is None


def test_it_reads_x_quoted_and_reposted_posts() -> None:
    def tweet(refs: list[dict[str, str]]) -> Any:
        body = {
            "data": [
                {
                    "id": "1900",
                    "text": "RT this",
                    "author_id": "7",
                    "created_at": "2026-12-01T10:00:00.000Z",
                    "referenced_tweets": refs,
                }
            ],
            "includes": {"users": [{"id": "7", "username": "ana"}]},
        }
        return search_items(body)[0]

    assert tweet([{"type": "quoted", "id": "1800"}]).quoted_id == "1800"
    assert tweet([{"type": "retweeted", "id": "1801"}]).quoted_id == "1801"
    replied = tweet([{"type": "replied_to", "id": "1700"}])
    assert replied.quoted_id is None and replied.parent_id == "1700"
    both = tweet([{"type": "replied_to", "id": "1700"}, {"type": "quoted", "id": "1800"}])
    assert (both.parent_id, both.quoted_id) == ("1700", "1800")
