"""Polls one feed with a conditional GET (ETag / Last-Modified kept in the cursor) and returns the
entries it has not returned before (their ids are kept in the cursor, newest first, bounded)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ambassade.connectors.base import (
    Capability,
    Connector,
    Credentials,
    Cursor,
    FetchResult,
    InvalidConfig,
    ItemKind,
)
from ambassade.connectors.rss.parse import parse_feed

__all__ = ["RssConnector"]

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
#: How many entry ids the cursor remembers; feeds show far fewer at a time.
SEEN_LIMIT = 1000


class RssConnector(Connector):
    """Config: ``url`` (the feed), optional ``kind`` (``article`` by default; ``review`` for a review
    site's feed, ``post`` for a forum). Credentials: none, or ``username``/``password`` for HTTP basic
    authentication."""

    kind: ClassVar[str] = "rss"
    label: ClassVar[str] = "RSS / Atom"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})

    def check_config(self, config: Mapping[str, Any]) -> None:
        url = config.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise InvalidConfig(
                "The feed address must start with http:// or https://.", code="rss.address"
            )
        if "kind" in config and config["kind"] not in {k.value for k in ItemKind}:
            raise InvalidConfig(
                f"Unknown item kind {config['kind']!r}.",
                code="source.bad_kind",
                params={"kind": str(config["kind"])},
            )

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        cursor = dict(cursor or {})
        headers = {"Accept": ACCEPT}
        if isinstance(cursor.get("etag"), str):
            headers["If-None-Match"] = str(cursor["etag"])
        if isinstance(cursor.get("modified"), str):
            headers["If-Modified-Since"] = str(cursor["modified"])
        basic = None
        if credentials and credentials.get("username"):
            basic = (str(credentials["username"]), str(credentials.get("password", "")))
        response = self.http.get(str(config["url"]), headers=headers, basic_auth=basic, ok=(304,))
        if response.status_code == 304:
            return FetchResult([], cursor)
        items = parse_feed(
            response.content,
            dict(response.headers),
            source=self.kind,
            kind=ItemKind(config.get("kind", ItemKind.ARTICLE)),
        )
        seen_before = [str(s) for s in cursor.get("seen", []) or [] if isinstance(s, str)]
        known = set(seen_before)
        fresh = [item for item in items if item.external_id not in known]
        current = [item.external_id for item in items]
        seen: list[str] = list(dict.fromkeys(current + seen_before))[:SEEN_LIMIT]
        next_cursor: Cursor = {"seen": seen}
        if response.headers.get("etag"):
            next_cursor["etag"] = response.headers["etag"]
        if response.headers.get("last-modified"):
            next_cursor["modified"] = response.headers["last-modified"]
        return FetchResult(fresh, next_cursor)
