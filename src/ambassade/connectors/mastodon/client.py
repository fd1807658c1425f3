"""Mastodon's REST API over the seam.

Timelines and notifications are read forwards with ``min_id``: each fetch asks for the page just
after the newest id already returned (the ``prev`` link of Mastodon's ``Link`` header, or the largest
id of the page), so nothing is skipped when more than a page arrived between two polls (``more=True``
until caught up). Search has no forward paging; it is filtered by id against the cursor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    FetchResult,
    InvalidConfig,
    RawItem,
)
from ambassade.connectors.http import Response
from ambassade.connectors.mastodon.parse import notification_item, status_item

__all__ = ["MastodonConnector"]

MODES = ("hashtag", "search", "notifications")
PAGE = 40
#: The most parents asked of the server in one fetch; a reply beyond stays unlinked.
MAX_PARENT_LOOKUPS = PAGE


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings (snowflakes) but documented as opaque: compare numbers as
    numbers, then anything else by length and text."""
    return (len(value), value)


def _error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code == 401 or (
        response.status_code == 403
        and any(word in message.lower() for word in ("scope", "token", "disabled", "suspended"))
    ):
        return AuthExpired(
            f"Mastodon refused the access token: {message}",
            code="connector.token_refused",
            params={"network": "Mastodon", "detail": message},
        )
    return None


class MastodonConnector(Connector):
    """Config: ``instance`` (``https://mastodon.social``), ``mode`` (``hashtag``, ``search`` or
    ``notifications``), ``tag`` for hashtag, ``query`` for search; ``types`` for notifications
    (default ``["mention"]``). Credentials: ``access_token`` (scope ``read``); optional for hashtag."""

    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    needs_credentials: ClassVar[bool] = True
    #: Mastodon's maximum for timelines, notifications and search.
    page_size: ClassVar[int] = PAGE

    def check_config(self, config: Mapping[str, Any]) -> None:
        instance = config.get("instance")
        if not isinstance(instance, str) or not instance.startswith(("https://", "http://")):
            raise InvalidConfig(
                "The Mastodon server address must start with https://.",
                code="mastodon.server_https",
            )
        mode = config.get("mode", "hashtag")
        if mode not in MODES:
            raise InvalidConfig(
                f"The mode must be one of {', '.join(MODES)}.",
                code="source.bad_mode",
                params={"modes": ", ".join(MODES)},
            )
        if mode == "hashtag" and not str(config.get("tag") or "").lstrip("#"):
            raise InvalidConfig("A hashtag timeline needs a tag.", code="mastodon.needs_tag")
        if mode == "search" and not str(config.get("query") or "").strip():
            raise InvalidConfig(
                "A search needs a query.", code="source.needs_query", params={"network": "Mastodon"}
            )

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        mode = config.get("mode", "hashtag")
        token = str((credentials or {}).get("access_token") or "")
        if mode != "hashtag" and not token:
            raise AuthExpired(
                "Searching and reading notifications need a connected Mastodon account.",
                code="mastodon.needs_account",
            )
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        base = str(config["instance"]).rstrip("/")
        min_id = str((cursor or {}).get("min_id") or "") or None
        if mode == "search":
            return self._search(base, str(config["query"]), headers, min_id)
        if mode == "hashtag":
            tag = quote(str(config["tag"]).lstrip("#"), safe="")
            url = f"{base}/api/v1/timelines/tag/{tag}"
            params: list[tuple[str, Any]] = [("limit", self.page_size), ("min_id", min_id)]
        else:
            url = f"{base}/api/v1/notifications"
            types = config.get("types") or ["mention"]
            params = [("limit", self.page_size), ("min_id", min_id)]
            params += [("types[]", t) for t in types]
        response = self.http.get(url, params=params, headers=headers, error_map=_error_map)
        entries = response.json()
        if not isinstance(entries, list):
            raise ConnectorError(
                "Mastodon returned something other than a list.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        items: list[RawItem] = []
        ids: list[str] = []
        statuses: list[Any] = []
        for entry in entries:
            if not isinstance(entry, Mapping) or "id" not in entry:
                raise ConnectorError(
                    "Mastodon returned an entry without an id.",
                    code="connector.bad_answer",
                    params={"network": "Mastodon"},
                )
            local = str(entry["id"])
            if min_id is not None and _id_key(local) <= _id_key(min_id):
                continue  # a server (or a compatible one) that ignores min_id
            ids.append(local)
            item = notification_item(entry) if mode == "notifications" else status_item(entry)
            if item is not None:
                items.append(item)
                statuses.append(entry.get("status") if mode == "notifications" else entry)
        if not ids:
            return FetchResult([], dict(cursor or {}))
        items = self._link_parents(base, headers, statuses, items)
        newest = max(ids, key=_id_key)
        prev = response.links.get("prev")
        if prev:
            linked = parse_qs(urlsplit(prev).query).get("min_id")
            if linked and _id_key(linked[0]) >= _id_key(newest):
                newest = linked[0]
        # Without a cursor the page was the newest one: nothing newer is waiting.
        return FetchResult(
            items, {"min_id": newest}, more=min_id is not None and len(entries) >= self.page_size
        )

    def _search(
        self, base: str, query: str, headers: dict[str, str], min_id: str | None
    ) -> FetchResult:
        response = self.http.get(
            f"{base}/api/v2/search",
            params={"q": query, "type": "statuses", "limit": self.page_size, "min_id": min_id},
            headers=headers,
            error_map=_error_map,
        )
        body = response.json()
        statuses = body.get("statuses") if isinstance(body, Mapping) else None
        if not isinstance(statuses, list):
            raise ConnectorError(
                "Mastodon's search returned no status list.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        items: list[RawItem] = []
        newest = min_id
        for status in statuses:
            if not isinstance(status, Mapping) or "id" not in status:
                raise ConnectorError(
                    "Mastodon returned a status without an id.",
                    code="connector.bad_answer",
                    params={"network": "Mastodon"},
                )
            local = str(status["id"])
            if min_id is not None and _id_key(local) <= _id_key(min_id):
                continue
            item = status_item(status)
            if item is not None:
                items.append(item)
            if newest is None or _id_key(local) > _id_key(newest):
                newest = local
        items = self._link_parents(base, headers, statuses, items)
        return FetchResult(items, {"min_id": newest} if newest else {})

    def _link_parents(
        self,
        base: str,
        headers: dict[str, str],
        statuses: Sequence[Any],
        items: list[RawItem],
    ) -> list[RawItem]:
        """Name each reply's parent by its ActivityPub URI, the identity every status has here
        (``external_id``), not by the server's local ``in_reply_to_id``, so that a reply joins its
        parent's thread or conversation. A parent in the same answer is read there; another is
        asked of the server (``GET /api/v1/statuses/:id``), once each and at most
        :data:`MAX_PARENT_LOOKUPS` a fetch. A parent the server does not show (deleted, private)
        leaves the reply unlinked: a local id names nothing anywhere else."""
        uris = {
            str(status["id"]): str(status["uri"])
            for status in statuses
            if isinstance(status, Mapping) and status.get("id") and status.get("uri")
        }
        wanted = sorted(
            {item.parent_id for item in items if item.parent_id and item.parent_id not in uris},
            key=_id_key,
        )
        for local in wanted[-MAX_PARENT_LOOKUPS:]:  # the newest first kept
            try:
                parent = self.http.get(
                    f"{base}/api/v1/statuses/{quote(local, safe='')}",
                    headers=headers,
                    error_map=_error_map,
                ).json()
            except ConnectorError as exc:
                if not exc.permanent:
                    raise  # the page is read again on the next poll
                continue
            if isinstance(parent, Mapping) and parent.get("uri"):
                uris[local] = str(parent["uri"])
        return [
            replace(item, parent_id=uris.get(item.parent_id)) if item.parent_id else item
            for item in items
        ]
