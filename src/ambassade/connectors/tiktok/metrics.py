"""A TikTok account's numbers through the Display API v2, with the token of a "Connect with
TikTok" connection (Login Kit, ``connectors.oauth.tiktok``; scopes ``user.info.basic``,
``user.info.stats`` and ``video.list``):

- ``GET /v2/user/info/?fields=open_id,username,display_name,profile_deep_link,follower_count,
  following_count,video_count`` gives the account and its counters (no history: each poll's value
  is the day's snapshot);
- ``POST /v2/video/list/?fields=id,title,video_description,create_time,share_url,view_count,
  like_count,comment_count,share_count`` with ``{"max_count": 20, "cursor": …}`` lists the public
  videos, newest first (``has_more``, ``cursor``): views, likes, comments, shares.

Every answer carries ``error.code`` (``ok`` when it worked). What TikTok hides: reach,
impressions apart from views, saves (favourites), reposts, clicks, other accounts (the Display API
reads the token's own account: no competitor; the Research API that reads others is for
researchers), private and draft videos. Limits: 600 requests a minute per endpoint; a 429
(``rate_limit_exceeded``) waits as ``Retry-After`` says, else a minute. A refused or expired token
(``access_token_invalid``, ``scope_not_authorized``) asks for reconnection.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
)
from ambassade.connectors.http import Response, parse_retry_after
from ambassade.connectors.metrics import (
    AccountReport,
    AccountStats,
    PostStats,
    clean_counts,
    mapping,
)
from ambassade.engine import jsonlines

__all__ = ["TikTokMetrics"]

USER_FIELDS = (
    "open_id,username,display_name,profile_deep_link,follower_count,following_count,video_count"
)
VIDEO_FIELDS = (
    "id,title,video_description,create_time,share_url,view_count,like_count,comment_count,"
    "share_count"
)
PAGE_SIZE = 20
RATE_WAIT = 60.0
HIDDEN = frozenset({"reach", "impressions", "saves", "reposts", "clicks"})
TOKEN_CODES = frozenset({"access_token_invalid", "scope_not_authorized", "scope_permission_missed"})


def _problem(response: Response) -> tuple[str, str]:
    """``(error.code, error.message)`` of a Display API answer."""
    try:
        body = jsonlines.loads(response.content)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        return "", ""
    error = mapping(mapping(body).get("error"))
    return str(error.get("code") or ""), str(error.get("message") or "")


def _errors(response: Response, message: str) -> ConnectorError | None:
    code, detail = _problem(response)
    detail = detail or message
    if response.status_code == 401 or code in TOKEN_CODES:
        return AuthExpired(
            f"TikTok refused the access token: {detail}",
            code="connector.token_refused",
            params={"network": "TikTok", "detail": detail},
        )
    if response.status_code == 429 or code == "rate_limit_exceeded":
        return ConnectorError(
            f"TikTok asks to wait: {detail}",
            permanent=False,
            retry_after=parse_retry_after(response.headers) or RATE_WAIT,
            code="connector.rate_limited",
            params={"network": "TikTok", "detail": detail},
        )
    return None


def _bad_answer(what: str) -> ConnectorError:
    return ConnectorError(
        f"TikTok answered {what} Ambassade cannot read.",
        code="connector.bad_answer",
        params={"network": "TikTok"},
    )


def _data(body: Any, what: str) -> Mapping[str, Any]:
    """The ``data`` of a 200 answer whose ``error.code`` is ``ok``."""
    body = mapping(body)
    error = mapping(body.get("error"))
    if error.get("code") not in (None, "ok"):
        raise _bad_answer(what)
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise _bad_answer(what)
    return data


class TikTokMetrics(Connector):
    kind: ClassVar[str] = "tiktok"
    label: ClassVar[str] = "TikTok"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.METRICS})
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://open.tiktokapis.com"}

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The TikTok connection has no access token.",
                code="connection.no_token",
                params={"network": "TikTok"},
            )
        return credentials

    def read_account(
        self, credentials: Credentials, handle: str, *, since: datetime, max_posts: int = 100
    ) -> AccountReport:
        creds = self._creds(credentials)
        own = {str(creds.get(key) or "").lstrip("@").lower() for key in ("username", "open_id")}
        own.add(str(creds.get("account_name") or "").lstrip("@").lower())
        if handle and handle.lstrip("@").lower() not in own - {""}:
            raise ConnectorError(
                "Ambassade reads only the TikTok account of the connection.",
                permanent=True,
                code="metrics.own_only",
                params={"network": "TikTok"},
            )
        headers = {"Authorization": f"Bearer {creds['access_token']}"}
        api = self.endpoints["api"]
        user = mapping(
            _data(
                self.http.get(
                    f"{api}/v2/user/info/",
                    params={"fields": USER_FIELDS},
                    headers=headers,
                    error_map=_errors,
                ).json(),
                "an account",
            ).get("user")
        )
        if not user.get("open_id"):
            raise _bad_answer("an account without an id")
        counts = clean_counts(user)
        username = str(user.get("username") or "")
        stats = AccountStats(
            handle=f"@{username}" if username else str(user["open_id"]),
            id=str(user["open_id"]),
            name=str(user.get("display_name") or ""),
            url=f"https://www.tiktok.com/@{username}" if username else "",
            followers=counts.get("follower_count"),
            following=counts.get("following_count"),
            posts=counts.get("video_count"),
        )
        posts: list[PostStats] = []
        payload: dict[str, Any] = {"max_count": PAGE_SIZE}
        for _page in range(max_posts // PAGE_SIZE + 2):
            data = _data(
                self.http.post(
                    f"{api}/v2/video/list/",
                    params={"fields": VIDEO_FIELDS},
                    headers=headers,
                    json=payload,
                    error_map=_errors,
                    retry=True,  # a read: sending it again changes nothing
                ).json(),
                "a list of videos",
            )
            videos = data.get("videos", [])
            if not isinstance(videos, list):
                raise _bad_answer("a list of videos")
            older = False
            for video in videos:
                video = mapping(video)
                stamp = video.get("create_time")
                if not video.get("id") or isinstance(stamp, bool):
                    continue
                if not isinstance(stamp, int | float) or not 0 < stamp < 1e11:
                    continue
                published = datetime.fromtimestamp(stamp, UTC)
                if published < since:
                    older = True
                    continue
                if len(posts) >= max_posts:
                    break
                text = str(video.get("title") or video.get("video_description") or "")
                posts.append(
                    PostStats(
                        external_id=str(video["id"]),
                        published_at=published,
                        url=str(video.get("share_url") or ""),
                        text=text[:500],
                        metrics=clean_counts(
                            {
                                "views": video.get("view_count"),
                                "likes": video.get("like_count"),
                                "comments": video.get("comment_count"),
                                "shares": video.get("share_count"),
                            }
                        ),
                    )
                )
            cursor = data.get("cursor")
            if older or len(posts) >= max_posts or not data.get("has_more") or not videos:
                break
            if not isinstance(cursor, int) or isinstance(cursor, bool):
                break
            payload = {**payload, "cursor": cursor}
        return AccountReport(stats, posts, hidden=HIDDEN)
