"""Answers written from each network's API documentation (the fields the readers use, in the
documented shapes and types: YouTube's counts are strings, Reddit's dates epoch seconds)."""

from __future__ import annotations

from typing import Any


def mastodon_account(**extra: Any) -> dict[str, Any]:
    return {
        "id": "109302",
        "username": "cafe_lumiere",
        "acct": "cafe_lumiere",
        "display_name": "Café Lumière",
        "url": "https://mastodon.example/@cafe_lumiere",
        "uri": "https://mastodon.example/users/cafe_lumiere",
        "created_at": "2022-11-08T00:00:00.000Z",
        "followers_count": 1234,
        "following_count": 56,
        "statuses_count": 789,
        **extra,
    }


def mastodon_status(local_id: str, created_at: str, **counts: Any) -> dict[str, Any]:
    return {
        "id": local_id,
        "created_at": created_at,
        "uri": f"https://mastodon.example/users/cafe_lumiere/statuses/{local_id}",
        "url": f"https://mastodon.example/@cafe_lumiere/{local_id}",
        "content": "<p>Nouvelle carte d&#39;hiver</p>",
        "visibility": "public",
        "reblog": None,
        "replies_count": counts.get("replies", 0),
        "reblogs_count": counts.get("reblogs", 0),
        "favourites_count": counts.get("favourites", 0),
    }


def bluesky_profile() -> dict[str, Any]:
    return {
        "did": "did:plc:cafelumiere",
        "handle": "cafelumiere.bsky.social",
        "displayName": "Café Lumière",
        "followersCount": 2048,
        "followsCount": 12,
        "postsCount": 345,
        "indexedAt": "2024-01-01T00:00:00.000Z",
    }


def bluesky_post(
    rkey: str, created_at: str, did: str = "did:plc:cafelumiere", **counts: Any
) -> dict[str, Any]:
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafyrei" + rkey,
        "author": {"did": did, "handle": "cafelumiere.bsky.social"},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Le café du jour",
            "createdAt": created_at,
        },
        "replyCount": counts.get("replies", 0),
        "repostCount": counts.get("reposts", 0),
        "likeCount": counts.get("likes", 0),
        "quoteCount": counts.get("quotes", 0),
        "indexedAt": created_at,
    }


def youtube_channel(hidden: bool = False) -> dict[str, Any]:
    return {
        "kind": "youtube#channelListResponse",
        "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
        "items": [
            {
                "kind": "youtube#channel",
                "id": "UCcafelumiere0000000000a",
                "snippet": {
                    "title": "Café Lumière",
                    "customUrl": "@cafelumiere",
                    "publishedAt": "2020-01-01T00:00:00Z",
                },
                "contentDetails": {
                    "relatedPlaylists": {"likes": "", "uploads": "UUcafelumiere0000000000a"}
                },
                "statistics": {
                    "viewCount": "123456",
                    "subscriberCount": "12300",
                    "hiddenSubscriberCount": hidden,
                    "videoCount": "42",
                },
            }
        ],
    }


def youtube_playlist(
    videos: list[tuple[str, str]], next_token: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#playlistItemListResponse",
        "items": [
            {
                "kind": "youtube#playlistItem",
                "id": "PI" + vid,
                "contentDetails": {"videoId": vid, "videoPublishedAt": at},
            }
            for vid, at in videos
        ],
        "pageInfo": {"totalResults": len(videos), "resultsPerPage": 50},
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def youtube_video(
    vid: str, at: str, views: str, likes: str | None, comments: str
) -> dict[str, Any]:
    statistics = {"viewCount": views, "favoriteCount": "0", "commentCount": comments}
    if likes is not None:  # absent when the owner hides likes
        statistics["likeCount"] = likes
    return {
        "kind": "youtube#video",
        "id": vid,
        "snippet": {"publishedAt": at, "title": f"Vidéo {vid}"},
        "statistics": statistics,
    }


def reddit_user() -> dict[str, Any]:
    return {
        "kind": "t2",
        "data": {
            "name": "cafelumiere",
            "id": "abc12",
            "total_karma": 5000,
            "subreddit": {
                "display_name": "u_cafelumiere",
                "title": "Café Lumière",
                "subscribers": 321,
            },
        },
    }


def reddit_listing(
    posts: list[tuple[str, float, int, int]], after: str | None = None
) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "children": [
                {
                    "kind": "t3",
                    "data": {
                        "name": f"t3_{pid}",
                        "id": pid,
                        "title": f"Post {pid}",
                        "created_utc": created,
                        "score": score,
                        "num_comments": comments,
                        "upvote_ratio": 0.9,
                        "view_count": None,
                        "permalink": f"/r/cafe/comments/{pid}/post/",
                    },
                }
                for pid, created, score, comments in posts
            ],
        },
    }
