"""Algolia HN Search hits to RawItems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, html_to_text, parse_datetime, sanitize_html
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["hit_item"]

ITEM_URL = "https://news.ycombinator.com/item?id={}"
USER_URL = "https://news.ycombinator.com/user?id={}"


@parser("Hacker News")
def hit_item(hit: Any, *, source: str = "hackernews") -> RawItem:
    if not isinstance(hit, Mapping) or not hit.get("objectID"):
        raise ConnectorError(
            "Hacker News returned a hit without an objectID.",
            code="connector.bad_answer",
            params={"network": "Hacker News"},
        )
    created_at = parse_datetime(hit.get("created_at_i")) or parse_datetime(hit.get("created_at"))
    if created_at is None:
        raise ConnectorError(
            f"Hacker News hit {hit['objectID']} has no creation time.",
            code="connector.bad_answer",
            params={"network": "Hacker News"},
        )
    tags = hit.get("_tags") or []
    is_comment = "comment" in tags or hit.get("comment_text") is not None
    body_html = str(hit.get("comment_text") or hit.get("story_text") or "")
    body = html_to_text(body_html)
    if is_comment:
        text = body
    else:
        parts = [str(hit.get("title") or ""), str(hit.get("url") or ""), body]
        text = "\n\n".join(part for part in parts if part)
    author = str(hit.get("author") or "")
    parent = hit.get("parent_id")
    story = hit.get("story_id")
    metrics = {
        name: value
        for name, key in (("points", "points"), ("comments", "num_comments"))
        if (value := as_int(hit.get(key))) is not None
    }
    return RawItem(
        source=source,
        external_id=str(hit["objectID"]),
        url=ITEM_URL.format(hit["objectID"]),
        text=text,
        html=sanitize_html(body_html) if body_html else None,
        author=Author(
            handle=author, name=author, id=author, url=USER_URL.format(author) if author else ""
        ),
        created_at=created_at,
        parent_id=str(parent) if parent and is_comment else None,
        thread_id=str(story) if story else None,
        kind=ItemKind.COMMENT if is_comment else ItemKind.POST,
        metrics=metrics,
        raw=dict(hit),
    )
