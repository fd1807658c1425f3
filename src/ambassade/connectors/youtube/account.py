"""Answering YouTube comments as the channel, with the channel owner's OAuth token.

Listening reads comments with an API key; answering needs a user's OAuth 2.0 token with the scope
``https://www.googleapis.com/auth/youtube.force-ssl``. Credentials: ``access_token``; optionally
``refresh_token``, ``client_id`` and ``client_secret`` (a 401 then renews the token once at
Google's token endpoint, and the new one is left in ``refreshed`` for the vault), and
``channel_id`` (else read once with ``channels.list?mine=true``).

- ``reply`` to a comment: ``comments.insert`` (``POST /youtube/v3/comments?part=snippet``,
  ``snippet.parentId`` and ``snippet.textOriginal``). YouTube threads are one level deep: a reply
  to a reply goes under its top-level comment (``snippet.parentId`` of the reply, read with
  ``comments.list?id=…``), as YouTube's own site does. A comment on a video (``video:<id>``, or
  ``parent_kind=post``) is a new thread: ``commentThreads.insert`` with ``videoId`` and
  ``topLevelComment``. Each insert costs 50 quota units of the project's 10,000 a day.
- Refusals: comments disabled on the video (403 ``commentsDisabled``), a parent gone (404
  ``parentCommentNotFound``, ``videoNotFound``), a text refused (400 ``commentTextTooLong``,
  ``processingFailure``), a token without the scope (403 ``insufficientPermissions``: reconnect),
  the quota spent (403 ``quotaExceeded``: wait until midnight Pacific time).
- ``conversation``: the top-level comment (``commentThreads.list?id=…``) and all its replies
  (``comments.list?parentId=…``, 100 a page), oldest first.
- ``find_reply``: the channel's own replies under the same top-level comment since the attempt
  (YouTube takes no idempotency key).
- YouTube has no private messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from ambassade.connectors._guard import parser
from ambassade.connectors._text import as_int, html_to_text, parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Author,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    ItemKind,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.http import OutcomeUnknown, Response
from ambassade.connectors.youtube.client import _error_map as _key_error_map
from ambassade.connectors.youtube.client import _reasons
from ambassade.connectors.youtube.parse import WATCH, comment_thread_item, items_of

__all__ = ["YoutubeAccount"]

#: Pages of 100 replies read at most for one thread.
MAX_PAGES = 10
REFUSALS = {
    "commentsDisabled": "youtube.comments_disabled",
    "parentCommentNotFound": "youtube.parent_gone",
    "videoNotFound": "youtube.parent_gone",
    "commentNotFound": "youtube.parent_gone",
    "commentTextTooLong": "youtube.text_refused",
    "processingFailure": "youtube.text_refused",
    "invalidCommentMetadata": "youtube.text_refused",
    "forbidden": "youtube.comment_forbidden",
}


class _Unauthorized(AuthExpired):
    """A 401: the access token expired; one renewal may cure it."""


def _error_map(response: Response, message: str) -> ConnectorError | None:
    reasons = _reasons(response)
    if response.status_code == 401:
        return _Unauthorized(
            f"YouTube refused the access token: {message}",
            code="connector.token_refused",
            params={"network": "YouTube", "detail": message},
        )
    if "insufficientPermissions" in reasons or "ACCESS_TOKEN_SCOPE_INSUFFICIENT" in reasons:
        return AuthExpired(
            "The YouTube access does not allow commenting: reconnect the channel and allow "
            "managing comments (youtube.force-ssl).",
            code="youtube.scope_missing",
        )
    for reason in reasons:
        if reason in REFUSALS:
            return ConnectorError(
                f"YouTube refuses the comment ({reason}): {message}",
                permanent=True,
                code=REFUSALS[reason],
                params={"detail": message},
            )
    mapped = _key_error_map(response, message)  # the quota and rate limits
    return None if isinstance(mapped, AuthExpired) else mapped


def _token_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code in (400, 401):
        return AuthExpired(
            f"Google refused the refresh token: {message}",
            code="oauth.grant_revoked",
            params={"network": "YouTube", "detail": f" ({message})"},
        )
    return None


@parser("YouTube")
def comment_item(comment: Any, *, thread_id: str = "") -> RawItem:
    """A ``youtube#comment`` resource (a top-level comment or a reply)."""
    if not isinstance(comment, Mapping) or not comment.get("id"):
        raise ConnectorError(
            "YouTube answered without the comment.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    snippet = comment.get("snippet") or {}
    created = parse_datetime(snippet.get("publishedAt"))
    if created is None:
        raise ConnectorError(
            f"YouTube comment {comment['id']} has no publishedAt.",
            code="connector.bad_answer",
            params={"network": "YouTube"},
        )
    channel = snippet.get("authorChannelId") or {}
    author_channel = str(channel.get("value") or "") if isinstance(channel, Mapping) else ""
    display = str(snippet.get("authorDisplayName") or "")
    parent = str(snippet.get("parentId") or "")
    video = str(snippet.get("videoId") or "")
    comment_id = str(comment["id"])
    likes = as_int(snippet.get("likeCount"))
    return RawItem(
        source="youtube",
        external_id=f"comment:{comment_id}",
        url=(WATCH.format(video) + f"&lc={comment_id}") if video else "",
        text=str(snippet.get("textOriginal") or "")
        or html_to_text(str(snippet.get("textDisplay") or "")),
        author=Author(
            handle=display.lstrip("@") or author_channel,
            name=display,
            id=author_channel,
            url=str(snippet.get("authorChannelUrl") or ""),
        ),
        created_at=created,
        parent_id=f"comment:{parent}" if parent else (f"video:{video}" if video else None),
        thread_id=thread_id or parent or comment_id,
        kind=ItemKind.REPLY if parent else ItemKind.COMMENT,
        metrics={"likes": likes} if likes is not None else {},
        raw=dict(comment),
    )


class YoutubeAccount(Connector):
    kind: ClassVar[str] = "youtube"
    label: ClassVar[str] = "YouTube"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.REPLY, Capability.CONVERSATION}
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {
        "api": "https://www.googleapis.com/youtube/v3",
        "token": "https://oauth2.googleapis.com/token",
    }

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._creds: dict[str, Any] | None = None

    # --- token ----------------------------------------------------------------------------------

    def _credentials(self, credentials: Credentials) -> dict[str, Any]:
        if self._creds is None:
            if not credentials or not credentials.get("access_token"):
                raise AuthExpired(
                    "The YouTube connection has no access token.",
                    code="connection.no_token",
                    params={"network": "YouTube"},
                )
            self._creds = dict(credentials)
        return self._creds

    def _renew(self, creds: dict[str, Any]) -> dict[str, Any]:
        if not all(creds.get(k) for k in ("refresh_token", "client_id", "client_secret")):
            raise AuthExpired(
                "The YouTube access token expired and cannot be renewed: reconnect the channel.",
                code="connection.no_token",
                params={"network": "YouTube"},
            )
        body = self.http.post(
            self.endpoints["token"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": creds["refresh_token"],
                "client_id": creds["client_id"],
                "client_secret": creds["client_secret"],
            },
            retry=True,
            error_map=_token_error_map,
        ).json()
        if not isinstance(body, Mapping) or not body.get("access_token"):
            raise AuthExpired(
                "Google gave no access token.", code="oauth.no_token", params={"network": "YouTube"}
            )
        fresh = {**creds, "access_token": str(body["access_token"])}
        self._creds = self.refreshed = fresh
        return fresh

    def _call(self, credentials: Credentials, method: str, path: str, **kwargs: Any) -> Any:
        creds = self._credentials(credentials)
        for attempt in (0, 1):
            try:
                return self.http.request(
                    method,
                    f"{self.endpoints['api']}{path}",
                    headers={"Authorization": f"Bearer {creds['access_token']}"},
                    error_map=_error_map,
                    **kwargs,
                ).json()
            except _Unauthorized:
                if attempt:
                    raise
                creds = self._renew(creds)
        raise AssertionError("unreachable")

    def _channel(self, credentials: Credentials) -> str:
        creds = self._credentials(credentials)
        if not creds.get("channel_id"):
            body = self._call(
                credentials, "GET", "/channels", params={"part": "id", "mine": "true"}
            )
            mine = items_of(body)
            if not mine or not mine[0].get("id"):
                raise ConnectorError(
                    "YouTube did not say which channel the token belongs to.",
                    code="connector.no_account_id",
                    params={"network": "YouTube"},
                )
            creds["channel_id"] = str(mine[0]["id"])
        return str(creds["channel_id"])

    # --- reply ----------------------------------------------------------------------------------

    def _top(self, credentials: Credentials, comment_id: str) -> str:
        """The top-level comment of a thread: the comment itself, or a reply's parent."""
        body = self._call(
            credentials, "GET", "/comments", params={"part": "snippet", "id": comment_id}
        )
        found = items_of(body)
        if not found:
            raise ConnectorError(
                f"YouTube no longer has the comment {comment_id}.",
                permanent=True,
                code="youtube.parent_gone",
                params={"detail": comment_id},
            )
        parent = (found[0].get("snippet") or {}).get("parentId")
        return str(parent or comment_id)

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        target = reply.in_reply_to
        if target.startswith("video:") or reply.parent_kind is ItemKind.POST:
            video = target.removeprefix("video:")
            body = self._insert(
                credentials,
                "/commentThreads",
                {
                    "snippet": {
                        "videoId": video,
                        "topLevelComment": {"snippet": {"textOriginal": reply.text}},
                    }
                },
            )
            comment = (
                (body.get("snippet") or {}).get("topLevelComment")
                if isinstance(body, Mapping)
                else None
            )
            item = comment_item(comment, thread_id=str(body.get("id") or ""))
        else:
            top = self._top(credentials, target.removeprefix("comment:"))
            body = self._insert(
                credentials,
                "/comments",
                {"snippet": {"parentId": top, "textOriginal": reply.text}},
            )
            item = comment_item(body, thread_id=top)
        return Published(item.external_id, item.url, item.created_at)

    def _insert(self, credentials: Credentials, path: str, resource: dict[str, Any]) -> Any:
        try:
            return self._call(credentials, "POST", path, params={"part": "snippet"}, json=resource)
        except ConnectorError as error:
            if not error.permanent and error.code == "http.server_failed":
                # Sent, and the server failed: the comment may exist. Read before any retry.
                raise OutcomeUnknown(
                    error.message,
                    code="connector.failed_maybe_received",
                    params={"network": "YouTube", "status": 500, "detail": error.message},
                ) from None
            raise

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        me = self._channel(credentials)
        target = reply.in_reply_to
        if target.startswith("video:") or reply.parent_kind is ItemKind.POST:
            body = self._call(
                credentials,
                "GET",
                "/commentThreads",
                params={
                    "part": "snippet",
                    "videoId": target.removeprefix("video:"),
                    "order": "time",
                    "maxResults": 100,
                    "textFormat": "plainText",
                },
            )
            items = [comment_thread_item(thread) for thread in items_of(body)]
        else:
            items = self._replies(
                credentials, self._top(credentials, target.removeprefix("comment:"))
            )[0]
        return [item for item in items if item.author.id == me and item.created_at >= since]

    def _replies(self, credentials: Credentials, top: str) -> tuple[list[RawItem], bool]:
        found: list[RawItem] = []
        token: str | None = None
        for _page in range(MAX_PAGES):
            body = self._call(
                credentials,
                "GET",
                "/comments",
                params={
                    "part": "snippet",
                    "parentId": top,
                    "maxResults": 100,
                    "textFormat": "plainText",
                    "pageToken": token,
                },
            )
            found += [comment_item(c, thread_id=top) for c in items_of(body)]
            token = body.get("nextPageToken") if isinstance(body, Mapping) else None
            if not token:
                return found, True
        return found, False

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        if external_id.startswith("video:"):
            raise ConnectorError(
                "A YouTube video's comments are many threads: open one of its comments.",
                permanent=True,
                code="youtube.video_is_not_a_thread",
            )
        top = self._top(credentials, external_id.removeprefix("comment:"))
        body = self._call(
            credentials,
            "GET",
            "/commentThreads",
            params={"part": "snippet", "id": top, "textFormat": "plainText"},
        )
        threads = items_of(body)
        if not threads:
            raise ConnectorError(
                f"YouTube no longer has the comment {top}.",
                permanent=True,
                code="youtube.parent_gone",
                params={"detail": top},
            )
        head = comment_thread_item(threads[0])
        replies, complete = self._replies(credentials, top)
        replies.sort(key=lambda item: item.created_at)
        return Thread(root_id=head.external_id, items=[head, *replies], complete=complete)
