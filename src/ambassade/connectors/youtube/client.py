"""``search.list`` (order=date, ``publishedAfter`` the mark) and ``commentThreads.list``
(order=time), newest first, one page per fetch through :func:`ambassade.connectors._paging.sweep`.

Quota: a search costs 100 units and a commentThreads page 1 of the 10,000 a key gets per day; when it
is spent YouTube answers 403 ``quotaExceeded`` and the error's ``retry_after`` runs to the quota's
reset, midnight Pacific time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from ambassade.connectors._paging import Mark, Page, sweep
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
from ambassade.connectors.youtube.parse import comment_thread_item, items_of, video_item

__all__ = ["YoutubeConnector", "seconds_to_quota_reset"]

MODES = ("search", "video_comments", "channel_comments")
AUTH_REASONS = {
    "keyInvalid",
    "keyExpired",
    "authError",
    "ipRefererBlocked",
    "accessNotConfigured",
    "API_KEY_INVALID",  # google.rpc.ErrorInfo reasons, in the error's "details"
    "API_KEY_EXPIRED",
    "API_KEY_SERVICE_BLOCKED",
}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}


def seconds_to_quota_reset(now: datetime | None = None) -> float:
    pacific = ZoneInfo("America/Los_Angeles")
    local = (now or datetime.now(UTC)).astimezone(pacific)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), pacific)
    return (midnight - local).total_seconds()


def _reasons(response: Response) -> set[str]:
    """Google's error reasons, from ``error.errors[]`` and ``error.details[]`` (ErrorInfo)."""
    try:
        error = response.json()["error"]
    except (ConnectorError, LookupError, TypeError):
        return set()
    found: set[str] = set()
    for key in ("errors", "details"):
        for entry in error.get(key) or [] if isinstance(error, Mapping) else []:
            if isinstance(entry, Mapping) and entry.get("reason"):
                found.add(str(entry["reason"]))
    return found


def _error_map(response: Response, message: str) -> ConnectorError | None:
    reasons = _reasons(response)
    if reasons & AUTH_REASONS or response.status_code == 401:
        return AuthExpired(
            f"YouTube refused the API key: {message}",
            code="youtube.key_refused",
            params={"detail": message},
        )
    if reasons & QUOTA_REASONS:
        return ConnectorError(
            f"The YouTube API quota of this key is spent for today: {message}",
            retry_after=seconds_to_quota_reset(),
            code="youtube.quota",
            params={"detail": message},
        )
    if reasons & RATE_REASONS:
        return ConnectorError(
            f"YouTube rate limit: {message}",
            retry_after=60,
            code="connector.rate_limited",
            params={"network": "YouTube", "detail": message},
        )
    return None


class YoutubeConnector(Connector):
    """Config: ``mode`` — ``search`` (``query``; optional ``language``, ``region``),
    ``video_comments`` (``video_id``) or ``channel_comments`` (``channel_id``: every comment on the
    channel's videos). Credentials: ``api_key``."""

    kind: ClassVar[str] = "youtube"
    label: ClassVar[str] = "YouTube"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {
        "api": "https://www.googleapis.com/youtube/v3"
    }

    def check_config(self, config: Mapping[str, Any]) -> None:
        mode = config.get("mode", "search")
        if mode not in MODES:
            raise InvalidConfig(
                f"The mode must be one of {', '.join(MODES)}.",
                code="source.bad_mode",
                params={"modes": ", ".join(MODES)},
            )
        needed = {
            "search": "query",
            "video_comments": "video_id",
            "channel_comments": "channel_id",
        }[mode]
        if not str(config.get(needed) or "").strip():
            raise InvalidConfig(
                f"The {mode} mode needs {needed}.",
                code="youtube.mode_needs",
                params={"mode": mode, "needed": needed},
            )

    def fetch(
        self, config: Mapping[str, Any], credentials: Credentials, cursor: Cursor | None
    ) -> FetchResult:
        self.check_config(config)
        key = str((credentials or {}).get("api_key") or "")
        if not key:
            raise AuthExpired(
                "A YouTube source needs a connection with an API key.",
                code="youtube.needs_connection",
            )
        mode = config.get("mode", "search")
        api = self.endpoints["api"]

        def load(token: str | None, mark: Mark | None) -> Page:
            params: dict[str, Any]
            if mode == "search":
                params = {
                    "part": "snippet",
                    "q": config["query"],
                    "type": "video",
                    "order": "date",
                    "maxResults": 50,
                    "relevanceLanguage": config.get("language"),
                    "regionCode": config.get("region"),
                }
                if mark is not None:
                    after = datetime.fromtimestamp(mark, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    params["publishedAfter"] = after
                url = f"{api}/search"
            else:
                params = {
                    "part": "snippet",
                    "order": "time",
                    "maxResults": 100,
                    "textFormat": "plainText",
                }
                if mode == "video_comments":
                    params["videoId"] = config["video_id"]
                else:
                    params["allThreadsRelatedToChannelId"] = config["channel_id"]
                url = f"{api}/commentThreads"
            params["pageToken"] = token
            params["key"] = key
            body = self.http.get(url, params=params, error_map=_error_map).json()
            items: list[RawItem] = []
            for entry in items_of(body):
                item = (
                    video_item(entry, source=self.kind)
                    if mode == "search"
                    else comment_thread_item(entry, source=self.kind)
                )
                if item is not None:
                    items.append(item)
            next_token = body.get("nextPageToken")
            return Page(items, str(next_token) if next_token else None)

        return sweep(cursor, load, lambda item: item.created_at.timestamp())
