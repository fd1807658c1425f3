"""Publishing to X with the v2 API and a user's OAuth 2.0 token.

Credentials: ``access_token`` (OAuth 2.0 user context, scopes ``tweet.write tweet.read users.read
media.write``), optional ``user_id`` and ``username`` (else read from ``GET /2/users/me``).

- ``POST /2/media/upload`` (multipart ``media`` + ``media_category``) then ``POST
  /2/media/metadata`` with the ``alt_text``; the post names the media ids.
- ``POST /2/tweets`` (``{"text", "media": {"media_ids"}}``) answers 201 with ``data.id``.
- X takes no idempotency key; a 5xx after the post was sent is an unknown outcome, reconciled by
  reading ``GET /2/users/:id/tweets``. X refuses a duplicate text with 403: permanent, in plain words.
- Rate limits: 429 with ``x-rate-limit-reset`` (epoch seconds), read by the HTTP seam.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors import _multipart
from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Draft,
    MediaUpload,
    Published,
    RawItem,
    Reply,
)
from ambassade.connectors.http import OutcomeUnknown, Response

__all__ = ["XPublisher"]


def _detail(response: Response, message: str) -> str:
    try:
        body = response.json()
    except ConnectorError:
        return message
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            return str(errors[0].get("message") or errors[0].get("detail") or message)
        return str(body.get("detail") or message)
    return message


def _error_map(response: Response, message: str) -> ConnectorError | None:
    status = response.status_code
    detail = _detail(response, message)
    if status == 401:
        return AuthExpired(
            f"X refused the access token: {detail}",
            code="connector.token_refused",
            params={"network": "X", "detail": detail},
        )
    if status == 403 and "duplicate" in detail.lower():
        return ConnectorError(
            "X refuses a text identical to a recent post.",
            permanent=True,
            code="connector.duplicate",
            params={"network": "X"},
        )
    if status in (400, 403):
        return ConnectorError(
            f"X refused the post: {detail}",
            permanent=True,
            code="connector.post_refused",
            params={"network": "X", "detail": detail},
        )
    if status >= 500 and response.url.rstrip("/").endswith("/2/tweets"):
        return OutcomeUnknown(
            f"X failed ({status}): {detail}",
            permanent=False,
            code="connector.failed_maybe_received",
            params={"network": "X", "status": status, "detail": detail},
        )
    return None


# Pages of 100 posts read back when reconciling a post whose outcome is unknown.
RECENT_PAGES = 20


class XPublisher(Connector):
    kind: ClassVar[str] = "x"
    label: ClassVar[str] = "X"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY}
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://api.x.com"}
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0

    refreshed: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._me: dict[str, str] | None = None

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            # An app-only bearer token listens but cannot post: not a reason to flag the
            # connection (listening keeps working), a person must connect a user token.
            raise ConnectorError(
                "This X connection has no user access token: it can listen, not publish.",
                permanent=True,
                code="x.listen_only",
            )
        return credentials

    def _headers(self, creds: Mapping[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds['access_token']}"}

    def _user(self, creds: Mapping[str, Any]) -> dict[str, str]:
        if self._me is None:
            if creds.get("user_id"):
                self._me = {
                    "id": str(creds["user_id"]),
                    "username": str(creds.get("username") or ""),
                }
            else:
                body = self.http.get(
                    f"{self.endpoints['api']}/2/users/me",
                    headers=self._headers(creds),
                    error_map=_error_map,
                ).json()
                data = body.get("data") if isinstance(body, Mapping) else None
                if not isinstance(data, Mapping) or not data.get("id"):
                    raise ConnectorError(
                        "X did not say which account the token belongs to.",
                        code="connector.no_account_id",
                        params={"network": "X"},
                    )
                self._me = {"id": str(data["id"]), "username": str(data.get("username") or "")}
        return self._me

    def _url(self, creds: Mapping[str, Any], tweet_id: str) -> str:
        username = str(creds.get("username") or (self._me or {}).get("username") or "")
        return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        creds = self._creds(credentials)
        category = (
            "tweet_gif"
            if media.content_type == "image/gif"
            else "tweet_video"
            if media.content_type.startswith("video/")
            else "tweet_image"
        )
        content_type, body = _multipart.encode(
            [
                ("media", media.filename, media.content_type, media.data),
                ("media_category", None, None, category.encode()),
            ]
        )
        uploaded = self.http.post(
            f"{self.endpoints['api']}/2/media/upload",
            headers={**self._headers(creds), "Content-Type": content_type},
            content=body,
            error_map=_error_map,
            retry=True,  # an unused upload expires
        ).json()
        data = uploaded.get("data") if isinstance(uploaded, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("id"):
            raise ConnectorError(
                "X answered the upload without a media id.",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        media_id = str(data["id"])
        if media.alt_text:
            self.http.post(
                f"{self.endpoints['api']}/2/media/metadata",
                headers=self._headers(creds),
                json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text[:1000]}}},
                error_map=_error_map,
                retry=True,
            )
        return media_id

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._creds(credentials)
        payload: dict[str, Any] = {"text": draft.text}
        if draft.media_ids:
            payload["media"] = {"media_ids": list(draft.media_ids)}
        if draft.options.get("in_reply_to_tweet_id"):
            payload["reply"] = {"in_reply_to_tweet_id": draft.options["in_reply_to_tweet_id"]}
        body = self.http.post(
            f"{self.endpoints['api']}/2/tweets",
            headers=self._headers(creds),
            json=payload,
            error_map=_error_map,
        ).json()
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("id"):
            raise ConnectorError(
                "X answered without the created post.",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        return Published(str(data["id"]), self._url(creds, str(data["id"])), datetime.now(UTC))

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        return self.publish(
            credentials,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={"in_reply_to_tweet_id": reply.in_reply_to},
            ),
        )

    def _item(self, creds: Mapping[str, Any], tweet: Any) -> RawItem | None:
        if not isinstance(tweet, Mapping) or not tweet.get("id"):
            return None
        created = parse_datetime(tweet.get("created_at"))
        if created is None:
            return None
        public = tweet.get("public_metrics")
        metrics = {
            name: int(public[key])
            for name, key in (
                ("likes", "like_count"),
                ("reposts", "retweet_count"),
                ("replies", "reply_count"),
                ("quotes", "quote_count"),
            )
            if isinstance(public, Mapping) and isinstance(public.get(key), int)
        }
        return RawItem(
            source="x",
            external_id=str(tweet["id"]),
            url=self._url(creds, str(tweet["id"])),
            text=str(tweet.get("text") or ""),
            created_at=created,
            metrics=metrics,
            raw=dict(tweet),
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        body = self.http.get(
            f"{self.endpoints['api']}/2/tweets/{external_id}",
            params={"tweet.fields": "created_at,public_metrics"},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        return self._item(creds, body.get("data") if isinstance(body, Mapping) else None)

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        """Every post of the account since ``since``, following X's pages to the end.

        Reconciliation decides from this list whether a post whose answer was lost went out: a
        post missed on an unread page would be published twice (found by `ambassade bench
        outbox`). Beyond RECENT_PAGES pages the answer is not known, so it raises rather than
        return a partial list.
        """
        creds = self._creds(credentials)
        user = self._user(creds)
        params: dict[str, str | int] = {
            "max_results": 100,
            "tweet.fields": "created_at",
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        tweets: list[Any] = []
        for _page in range(RECENT_PAGES):
            body = self.http.get(
                f"{self.endpoints['api']}/2/users/{user['id']}/tweets",
                params=params,
                headers=self._headers(creds),
                error_map=_error_map,
            ).json()
            page = body.get("data", []) if isinstance(body, Mapping) else None
            if not isinstance(page, list):
                raise ConnectorError(
                    "X returned no list of posts.",
                    code="connector.bad_answer",
                    params={"network": "X"},
                )
            tweets.extend(page)
            meta = body.get("meta")
            token = meta.get("next_token") if isinstance(meta, Mapping) else None
            if not token:
                break
            params = {**params, "pagination_token": str(token)}
        else:
            raise ConnectorError(
                f"The account posted more than {RECENT_PAGES * 100} times since "
                f"{since:%Y-%m-%d %H:%M} UTC; X's list of its posts could not be read to the end.",
                permanent=True,
                code="connector.too_many_recent",
                params={
                    "network": "X",
                    "count": RECENT_PAGES * 100,
                    "since": f"{since:%Y-%m-%d %H:%M}",
                },
            )
        items = [self._item({**creds, "username": user["username"]}, tweet) for tweet in tweets]
        return [item for item in items if item is not None and item.created_at >= since]
