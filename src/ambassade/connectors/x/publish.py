"""Publishing to X with the v2 API and a user's OAuth 2.0 token.

Credentials: ``access_token`` (OAuth 2.0 user context, scopes ``tweet.write tweet.read users.read
media.write``), optional ``user_id`` and ``username`` (else read from ``GET /2/users/me``).

- ``POST /2/media/upload`` (multipart ``media`` + ``media_category``) then ``POST
  /2/media/metadata`` with the ``alt_text``; the post names the media ids.
- ``POST /2/tweets`` (``{"text", "media": {"media_ids"}}``) answers 201 with ``data.id``.
- X takes no idempotency key; a 5xx after the post was sent is an unknown outcome, reconciled by
  reading ``GET /2/users/:id/tweets``. X refuses a duplicate text with 403: permanent, in plain words.
- Rate limits: 429 with ``x-rate-limit-reset`` (epoch seconds), read by the HTTP seam.

Answering people (issue 12):

- ``reply``: ``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``. X refuses a reply where the
  author limited who may answer (403): permanent, in plain words. ``find_reply`` reads the
  account's posts since the attempt (``GET /2/users/:id/tweets`` with ``referenced_tweets``) and
  keeps those replying to the parent.
- ``conversation``: the post (``GET /2/tweets/:id``), its conversation's first post, and the
  replies found by recent search (``conversation_id:…``, ``GET /2/tweets/search/recent``): search
  covers seven days, so an older conversation is incomplete, and a plan without search is refused
  (403 ``client-not-enrolled``: permanent).
- Direct messages: ``POST /2/dm_conversations/with/:participant_id/messages`` (or
  ``/2/dm_conversations/:id/messages`` into a known conversation), read with ``GET /2/dm_events``
  (30 days) and ``GET /2/dm_conversations/with/:participant_id/dm_events``. User context only,
  scopes ``dm.read dm.write tweet.read users.read``; X's documentation lists the Direct Messages
  endpoints for its paid access levels. No idempotency key: a lost message is looked for in the
  conversation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from ambassade.connectors import _multipart
from ambassade.connectors._paging import Page, sweep
from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Author,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    Draft,
    FetchResult,
    ItemKind,
    MediaUpload,
    Published,
    RawItem,
    Reply,
    Thread,
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


def _problem(response: Response) -> str:
    """The last part of X's problem ``type`` (``…/problems/client-not-enrolled``), or ``reason``."""
    try:
        body = response.json()
    except ConnectorError:
        return ""
    if not isinstance(body, Mapping):
        return ""
    return str(body.get("reason") or str(body.get("type") or "").rsplit("/", 1)[-1])


def _error_map(response: Response, message: str) -> ConnectorError | None:
    status = response.status_code
    detail = _detail(response, message)
    if status == 401:
        return AuthExpired(
            f"X refused the access token: {detail}",
            code="connector.token_refused",
            params={"network": "X", "detail": detail},
        )
    if status == 403 and _problem(response) == "client-not-enrolled":
        return ConnectorError(
            f"X's access level of this app does not include this endpoint: {detail}",
            permanent=True,
            code="x.access_level",
            params={"detail": detail},
        )
    if status == 403 and (
        _problem(response) == "unsupported-authentication" or "scope" in detail.lower()
    ):
        return AuthExpired(
            f"The X access lacks a permission Ambassade needs: {detail}",
            code="x.scope_missing",
            params={"detail": detail},
        )
    if status == 403 and "/dm_conversations" in response.url:
        return ConnectorError(
            f"X refuses the direct message: {detail}",
            permanent=True,
            code="x.message_refused",
            params={"detail": detail},
        )
    if status == 403 and "duplicate" in detail.lower():
        return ConnectorError(
            "X refuses a text identical to a recent post.",
            permanent=True,
            code="connector.duplicate",
            params={"network": "X"},
        )
    if status == 403 and "repl" in detail.lower():
        return ConnectorError(
            f"X refuses this reply: {detail}",
            permanent=True,
            code="x.reply_refused",
            params={"detail": detail},
        )
    if status in (400, 403):
        return ConnectorError(
            f"X refused the post: {detail}",
            permanent=True,
            code="connector.post_refused",
            params={"network": "X", "detail": detail},
        )
    if status >= 500 and (
        response.url.rstrip("/").endswith("/2/tweets")
        or response.url.rstrip("/").endswith("/messages")
    ):
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
        {
            Capability.PUBLISH,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
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

    # --- answering people ----------------------------------------------------------------------

    def _get(self, creds: Mapping[str, Any], path: str, params: Mapping[str, Any]) -> Any:
        return self.http.get(
            f"{self.endpoints['api']}{path}",
            params=params,
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        """The account's posts since ``since`` that reply to the parent (X takes no key)."""
        creds = self._creds(credentials)
        user = self._user(creds)
        params: dict[str, Any] = {
            "max_results": 100,
            "tweet.fields": "created_at,referenced_tweets,conversation_id",
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        found: list[RawItem] = []
        for _page in range(RECENT_PAGES):
            body = self._get(creds, f"/2/users/{user['id']}/tweets", params)
            for tweet in body.get("data") or [] if isinstance(body, Mapping) else []:
                refs = tweet.get("referenced_tweets") if isinstance(tweet, Mapping) else None
                if not any(
                    isinstance(ref, Mapping)
                    and ref.get("type") == "replied_to"
                    and str(ref.get("id")) == reply.in_reply_to
                    for ref in refs or []
                ):
                    continue
                item = self._item({**creds, "username": user["username"]}, tweet)
                if item is not None and item.created_at >= since:
                    found.append(item)
            meta = body.get("meta") if isinstance(body, Mapping) else None
            token = meta.get("next_token") if isinstance(meta, Mapping) else None
            if not token:
                break
            params = {**params, "pagination_token": str(token)}
        return found

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        creds = self._creds(credentials)
        fields = {
            "tweet.fields": "created_at,conversation_id,referenced_tweets,author_id,public_metrics",
            "expansions": "author_id",
            "user.fields": "username,name,public_metrics",
        }
        body = self._get(creds, f"/2/tweets/{external_id}", fields)
        asked = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(asked, Mapping) or not asked.get("id"):
            raise ConnectorError(
                "X answered without the post.",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        users = _users(body)
        root_id = str(asked.get("conversation_id") or asked["id"])
        tweets: dict[str, Mapping[str, Any]] = {str(asked["id"]): asked}
        complete = True
        if root_id != str(asked["id"]):
            try:
                root = self._get(creds, f"/2/tweets/{root_id}", fields)
            except ConnectorError as error:
                if not error.permanent or isinstance(error, AuthExpired):
                    raise
                complete = False  # deleted or protected: the thread starts below it
            else:
                if isinstance(root.get("data"), Mapping):
                    tweets[root_id] = root["data"]
                    users.update(_users(root))
        params: dict[str, Any] = {
            **fields,
            "query": f"conversation_id:{root_id}",
            "max_results": 100,
        }
        for _page in range(RECENT_PAGES):
            page = self._get(creds, "/2/tweets/search/recent", params)
            for tweet in page.get("data") or [] if isinstance(page, Mapping) else []:
                if isinstance(tweet, Mapping) and tweet.get("id"):
                    tweets.setdefault(str(tweet["id"]), tweet)
            users.update(_users(page))
            meta = page.get("meta") if isinstance(page, Mapping) else None
            token = meta.get("next_token") if isinstance(meta, Mapping) else None
            if not token:
                break
            params = {**params, "next_token": str(token)}
        else:
            complete = False
        items = [
            item
            for item in (self._thread_item(creds, tweet, users) for tweet in tweets.values())
            if item is not None
        ]
        items.sort(key=lambda item: (item.created_at, len(item.external_id), item.external_id))
        if root_id not in tweets:
            complete = False
        elif datetime.now(UTC) - items[0].created_at > SEARCH_REACH:
            complete = False  # recent search only reaches seven days back
        return Thread(root_id=root_id, items=items, complete=complete)

    def _thread_item(
        self, creds: Mapping[str, Any], tweet: Mapping[str, Any], users: Mapping[str, Any]
    ) -> RawItem | None:
        item = self._item(creds, tweet)
        if item is None:
            return None
        parent = next(
            (
                str(ref.get("id"))
                for ref in tweet.get("referenced_tweets") or []
                if isinstance(ref, Mapping) and ref.get("type") == "replied_to"
            ),
            None,
        )
        user = users.get(str(tweet.get("author_id") or ""), {})
        handle = str(user.get("username") or "")
        followers = (user.get("public_metrics") or {}).get("followers_count")
        return RawItem(
            source="x",
            external_id=item.external_id,
            url=f"https://x.com/{handle or 'i/web'}/status/{item.external_id}",
            text=item.text,
            created_at=item.created_at,
            author=Author(
                handle=handle,
                name=str(user.get("name") or ""),
                id=str(tweet.get("author_id") or ""),
                url=f"https://x.com/{handle}" if handle else "",
                followers=followers if isinstance(followers, int) else None,
            ),
            parent_id=parent,
            thread_id=str(tweet.get("conversation_id") or "") or None,
            kind=ItemKind.REPLY if parent else ItemKind.POST,
            metrics=item.metrics,
            raw=dict(tweet),
        )

    # --- direct messages --------------------------------------------------------------------------

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        creds = self._creds(credentials)
        if message.conversation_id:
            path = f"/2/dm_conversations/{message.conversation_id}/messages"
        else:
            path = f"/2/dm_conversations/with/{message.recipient}/messages"
        body = self.http.post(
            f"{self.endpoints['api']}{path}",
            headers=self._headers(creds),
            json={"text": message.text},
            error_map=_error_map,
        ).json()
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, Mapping) or not data.get("dm_event_id"):
            raise ConnectorError(
                "X answered without the message sent.",
                code="connector.bad_answer",
                params={"network": "X"},
            )
        conversation = str(data.get("dm_conversation_id") or "")
        return Published(
            f"dm:{data['dm_event_id']}",
            f"https://x.com/messages/{conversation}" if conversation else "",
            datetime.now(UTC),
        )

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        creds = self._creds(credentials)
        me = self._user(creds)["id"]
        if message.conversation_id:
            path = f"/2/dm_conversations/{message.conversation_id}/dm_events"
        else:
            path = f"/2/dm_conversations/with/{message.recipient}/dm_events"
        body = self._get(creds, path, {**DM_FIELDS, "max_results": 100})
        return [
            item for item in _dm_items(body) if item.author.id == me and item.created_at >= since
        ]

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        """``GET /2/dm_events`` (newest first, 30 days), read incrementally by the sweep of
        :mod:`.._paging`: the first fetch takes the newest page."""
        creds = self._creds(credentials)

        def load(token: str | None, mark: float | int | None) -> Page:
            body = self._get(
                creds,
                "/2/dm_events",
                {**DM_FIELDS, "max_results": 100, "pagination_token": token},
            )
            meta = body.get("meta") if isinstance(body, Mapping) else None
            token = meta.get("next_token") if isinstance(meta, Mapping) else None
            return Page(_dm_items(body), str(token) if token else None)

        return sweep(cursor, load, lambda item: item.created_at.timestamp())


#: Recent search reaches this far back.
SEARCH_REACH = timedelta(days=7)
DM_FIELDS = {
    "dm_event.fields": "id,text,event_type,dm_conversation_id,created_at,sender_id",
    "event_types": "MessageCreate",
    "expansions": "sender_id",
    "user.fields": "username,name",
}


def _users(body: Any) -> dict[str, Mapping[str, Any]]:
    includes = body.get("includes") if isinstance(body, Mapping) else None
    users = includes.get("users") if isinstance(includes, Mapping) else None
    return {
        str(user["id"]): user
        for user in users or []
        if isinstance(user, Mapping) and user.get("id")
    }


def _dm_items(body: Any) -> list[RawItem]:
    events = body.get("data", []) if isinstance(body, Mapping) else None
    if not isinstance(events, list):
        raise ConnectorError(
            "X returned no list of direct message events.",
            code="connector.bad_answer",
            params={"network": "X"},
        )
    users = _users(body)
    items = []
    for event in events:
        if not isinstance(event, Mapping) or event.get("event_type") != "MessageCreate":
            continue
        created = parse_datetime(event.get("created_at"))
        if created is None or not event.get("id"):
            continue
        sender = str(event.get("sender_id") or "")
        user = users.get(sender, {})
        conversation = str(event.get("dm_conversation_id") or "")
        items.append(
            RawItem(
                source="x",
                external_id=f"dm:{event['id']}",
                url=f"https://x.com/messages/{conversation}" if conversation else "",
                text=str(event.get("text") or ""),
                created_at=created,
                author=Author(
                    handle=str(user.get("username") or ""),
                    name=str(user.get("name") or ""),
                    id=sender,
                ),
                thread_id=f"dm:{conversation}" if conversation else None,
                kind=ItemKind.MESSAGE,
                raw=dict(event),
            )
        )
    return items
