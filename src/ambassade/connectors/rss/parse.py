"""A feed's bytes to RawItems (feedparser), with Google Alerts' redirect links unwrapped and each
item's network read from its link (:func:`network_of`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser  # type: ignore[import-untyped]

from ambassade.connectors._guard import parser
from ambassade.connectors._text import html_to_text, sanitize_html
from ambassade.connectors.base import Author, ConnectorError, ItemKind, RawItem

__all__ = ["network_of", "parse_feed", "unwrap_link"]

#: The networks whose addresses an item's link can be on: each network, then its hosts (``www.``,
#: ``m.`` and the other subdomains included). An item that links to a YouTube video is stored as a
#: YouTube mention.
_NETWORK_HOSTS = """
youtube    youtube.com youtu.be
reddit     reddit.com redd.it
x          x.com twitter.com
bluesky    bsky.app
linkedin   linkedin.com lnkd.in
facebook   facebook.com fb.com fb.watch
instagram  instagram.com
tiktok     tiktok.com
threads    threads.net threads.com
"""
NETWORK_HOSTS: dict[str, str] = {
    host: line.split()[0]
    for line in _NETWORK_HOSTS.strip().splitlines()
    for host in line.split()[1:]
}
#: A status on a Mastodon server: ``/@name/<id>`` (its web address) or ``/users/name/statuses/<id>``.
#: Any server can host Mastodon, so a link of this shape counts only in a feed Mastodon generated
#: (its ``<generator>`` says ``Mastodon vX``: a profile's ``/@name.rss``, a tag's feed).
MASTODON_STATUS = re.compile(r"^/(?:@[^/]+|users/[^/]+/statuses)/\d+/?$")


def unwrap_link(link: str) -> str:
    """Google Alerts links point to ``https://www.google.com/url?...&url=<the article>``."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    if parts.path == "/url" and (host == "google.com" or host.endswith(".google.com")):
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            if query.get(key) and query[key][0].startswith(("http://", "https://")):
                return query[key][0]
    return link


def network_of(link: str, generator: str = "") -> str | None:
    """The network ``link`` is an address of (``youtube``, ``x``, ``mastodon``…), or None for any
    other site. ``generator`` is the feed's ``<generator>``: a Mastodon status is recognised only
    in a feed Mastodon made."""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    for domain, network in NETWORK_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return network
    if generator.strip().lower().startswith("mastodon") and MASTODON_STATUS.match(parts.path):
        return "mastodon"
    return None


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning.
        value = dict.get(entry, key)
        if value:
            year, month, day, hour, minute, second = value[:6]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return None


def _lang(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().replace("_", "-").split("-")[0].lower() or None


@parser("The feed")
def parse_feed(
    content: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    source: str = "rss",
    kind: ItemKind = ItemKind.ARTICLE,
    fetched_at: datetime | None = None,
) -> list[RawItem]:
    """Every entry of the feed, newest first as the feed gives them. An entry whose link is on a
    known network (:func:`network_of`) has that network as its ``source``, the others ``source``.
    Raises a permanent :class:`ConnectorError` when the bytes are not a feed at all."""
    fetched_at = fetched_at or datetime.now(UTC)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    parsed = feedparser.parse(content, response_headers=response_headers)
    if not parsed.entries and not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        raise ConnectorError(
            "The address did not return an RSS or Atom feed"
            + (f" ({str(reason).strip()})." if reason else "."),
            permanent=True,
            code="rss.not_a_feed_because" if reason else "rss.not_a_feed",
            params={"detail": str(reason).strip()} if reason else {},
        )
    generator = str(parsed.feed.get("generator") or "")
    feed_lang = _lang(parsed.feed.get("language")) or _lang(
        response_headers.get("content-language")
    )
    items: list[RawItem] = []
    for entry in parsed.entries:
        link = unwrap_link(str(entry.get("link") or ""))
        title = html_to_text(str(entry.get("title") or ""))
        body_html = ""
        entry_lang = None
        contents = entry.get("content") or []
        if contents:
            body_html = str(contents[0].get("value") or "")
            entry_lang = _lang(contents[0].get("language"))
        if not body_html:
            body_html = str(entry.get("summary") or "")
            detail = entry.get("summary_detail") or {}
            entry_lang = entry_lang or _lang(detail.get("language"))
        body_text = html_to_text(body_html)
        text = title if not body_text or body_text == title else f"{title}\n\n{body_text}".strip()
        external_id = str(entry.get("id") or link or "")
        if not external_id:
            external_id = "sha1:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
        detail = entry.get("author_detail") or {}
        author_name = html_to_text(str(entry.get("author") or detail.get("name") or ""))
        metrics: dict[str, int] = {}
        comments = entry.get("slash_comments")
        # ASCII digits only ('²'.isdigit() is true, int('²') fails), and within a 64-bit integer.
        plain = isinstance(comments, str) and comments.isascii() and comments.isdigit()
        if plain and len(comments) <= 18:
            metrics["comments"] = int(comments)
        items.append(
            RawItem(
                source=network_of(link, generator) or source,
                external_id=external_id,
                url=link,
                text=text,
                html=sanitize_html(body_html) if body_html else None,
                author=Author(
                    handle=author_name,
                    name=author_name,
                    url=str(detail.get("href") or ""),
                ),
                created_at=_when(entry) or fetched_at,
                lang=entry_lang or feed_lang,
                kind=kind,
                metrics=metrics,
                raw={
                    "id": entry.get("id"),
                    "link": entry.get("link"),
                    "title": entry.get("title"),
                    "published": entry.get("published"),
                    "updated": dict.get(entry, "updated"),
                    "author": entry.get("author"),
                    "tags": [t.get("term") for t in entry.get("tags") or [] if t.get("term")],
                    "feed_title": parsed.feed.get("title"),
                },
            )
        )
    return items
