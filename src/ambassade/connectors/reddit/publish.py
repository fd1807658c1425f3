"""Publishing to a subreddit as a Reddit user, with that user's OAuth token.

Credentials: ``client_id`` and ``client_secret`` of the Reddit app, the user's ``refresh_token``
(authorised with ``duration=permanent`` and the scopes ``submit``, ``read`` and ``history``; answering
private messages also needs ``privatemessages``), its
``username`` and the ``subreddit`` to post in; optionally ``access_token`` with
``access_token_expires_at`` (ISO 8601), ``oauth_url`` (https://oauth.reddit.com) and ``www_url``
(https://www.reddit.com).

- Access tokens last an hour. One missing, or expiring within five minutes, is renewed with
  ``POST {www_url}/api/v1/access_token`` (HTTP Basic ``client_id:client_secret``,
  ``grant_type=refresh_token``) and left in ``refreshed`` for the vault. ``invalid_grant`` (the user
  revoked the app) is :class:`AuthExpired`; a 401 on a call renews the token once, then is.
- Every call names the app and the account in its User-Agent, as Reddit's API rules ask:
  ``ambassade/<version> by /u/<username>``.
- ``POST /api/submit`` (``api_type=json``): the title is the text's first line
  (``engine.publishing.split_title``), the rest is the self text; a body that is a single link makes
  a link post. Reddit reports refusals inside a 200 answer (``json.errors``: ``[code, message,
  field]``): ``RATELIMIT`` is temporary, with the wait read from its message; the others are
  permanent, in plain words.
- Reddit takes no idempotency key: a 5xx or a timeout after sending is an unknown outcome, reconciled
  by reading ``GET /user/{username}/submitted`` (paged with ``after``).
- ``read_back``: ``GET /api/info?id=t3_…``, with the post's score, comments and upvote ratio.
- Images (JPEG, PNG, one GIF): ``upload_media`` asks for a lease (``POST /api/media/asset.json``
  with ``filepath`` and ``mimetype``), whose ``args`` name the upload address (``action``, often
  protocol-relative) and the form ``fields``, and ``asset.asset_id``; it uploads the file as
  multipart/form-data with every field then ``file``, to Reddit's storage only (https, a
  ``reddit-uploaded-*`` bucket on amazonaws.com), with no Reddit token; the storage answers 201 with
  an XML ``<Location>``, the media URL.
- One image: ``POST /api/submit`` with ``kind=image``, ``url`` the media URL and the rest of the text
  as ``text``. Reddit answers without the post's id (it comes later on a websocket, which Ambassade
  does not open): the post is looked for in ``/user/{username}/submitted`` for FIND_WAITS, and when it
  is not listed yet the outcome is unknown, reconciled by the outbox before any new attempt.
- Two to twenty images: ``POST /api/submit_gallery_post.json`` (JSON body), items ``{media_id,
  caption, outbound_url}``; each medium's alt text becomes its item's caption (shown under the image,
  at most 180 characters). A single image post has no caption or alt text on Reddit. The answer
  carries the post's id.
- No videos: a Reddit video post needs a poster image (``video_poster_url``) that Ambassade does not
  make; the composer's Reddit rules refuse videos.
"""

from __future__ import annotations

import dataclasses
import html
import importlib.metadata
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

from ambassade.connectors import _multipart
from ambassade.connectors._text import parse_datetime
from ambassade.connectors.base import (
    AuthExpired,
    Capability,
    Connector,
    ConnectorError,
    Credentials,
    Cursor,
    DirectMessage,
    Draft,
    FetchResult,
    MediaUpload,
    Published,
    RawItem,
    Reply,
    Thread,
)
from ambassade.connectors.http import OutcomeUnknown, Response
from ambassade.connectors.reddit import answer
from ambassade.connectors.reddit.parse import listing_items
from ambassade.engine import jsonlines
from ambassade.engine.publishing import split_title

__all__ = ["RedditPublisher", "ratelimit_seconds"]

try:
    VERSION = importlib.metadata.version("ambassade")
except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
    VERSION = "dev"

#: A token expiring sooner than this is renewed before the call.
REFRESH_MARGIN = timedelta(minutes=5)
#: Pages of 100 posts read back when reconciling a post whose outcome is unknown.
RECENT_PAGES = 10
#: Pauses (seconds) between reads of the account's posts while an image post is being processed;
#: they add up to 45 seconds, within ATTEMPT_DEADLINE.
FIND_WAITS = (2.0, 3.0, 5.0, 5.0, 10.0, 10.0, 10.0)
#: How long one publishing attempt may last: the upload, the submission and the wait above.
ATTEMPT_DEADLINE = 120
#: Reddit shows at most this many characters of a gallery item's caption.
MAX_CAPTION = 180
#: The media Ambassade sends to Reddit, by type: the kind of post each makes.
MEDIA_KINDS = {"image/jpeg": "image", "image/png": "image", "image/gif": "gif"}
#: Reddit's upload buckets on Amazon S3 (the lease names one).
_UPLOAD_HOST = re.compile(r"reddit-uploaded-[a-z0-9-]+\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com")
_LOCATION = re.compile(r"<Location>\s*([^<]+?)\s*</Location>", re.IGNORECASE)
_S3_ERROR = re.compile(r"<(Code|Message)>\s*([^<]*?)\s*</\1>", re.IGNORECASE)

_URL_ONLY = re.compile(r"https?://\S+")
_WAIT = re.compile(r"(\d+)\s*(millisecond|second|minute|hour)s?", re.IGNORECASE)
_UNIT = {"millisecond": 0.001, "second": 1.0, "minute": 60.0, "hour": 3600.0}


def ratelimit_seconds(message: str) -> float | None:
    """The wait in Reddit's RATELIMIT message ("you are doing that too much. try again in 5
    minutes.", "Take a break for 2 minutes before trying again."), or None."""
    found = _WAIT.search(message)
    if found is None:
        return None
    return int(found.group(1)) * _UNIT[found.group(2).lower()]


def _token_error_map(response: Response, message: str) -> ConnectorError | None:
    if response.status_code in (400, 401, 403):
        if "invalid_grant" in message:
            return AuthExpired(
                "Reddit refused the refresh token (invalid_grant): the access was revoked.",
                code="oauth.grant_revoked",
                params={"network": "Reddit", "detail": " (invalid_grant)"},
            )
        return AuthExpired(
            f"Reddit refused the app's client id and secret: {message}",
            code="reddit.app_refused",
            params={"detail": message},
        )
    return None


#: The message code of each Reddit API error the publisher explains (the product words them).
API_ERROR_CODES = {
    "SUBREDDIT_NOEXIST": "reddit.api_subreddit_noexist",
    "SUBREDDIT_NOTALLOWED": "reddit.api_subreddit_notallowed",
    "SUBREDDIT_NOTALLOWED_BANNED": "reddit.api_subreddit_notallowed_banned",
    "NO_SELFS": "reddit.api_no_selfs",
    "NO_LINKS": "reddit.api_no_links",
    "NO_TEXT": "reddit.api_no_text",
    "TOO_LONG": "reddit.api_too_long",
}


class _Unauthorized(AuthExpired):
    """A 401: the access token expired early or was revoked; one renewal may cure it."""


def _api_error_map(response: Response, message: str) -> ConnectorError | None:
    status = response.status_code
    if status == 401:
        return _Unauthorized(f"Reddit refused the access token: {message}")
    if status == 403:
        if "insufficient_scope" in response.headers.get("www-authenticate", ""):
            return AuthExpired(
                "The Reddit access lacks a permission Ambassade needs (submit, read and history): "
                "reconnect the account and allow them.",
                code="reddit.scope_missing",
            )
        return ConnectorError(
            f"Reddit refused access: {message}",
            permanent=True,
            code="reddit.access_refused",
            params={"detail": message},
        )
    if status >= 500 and response.url.rstrip("/").endswith(_SUBMITS):
        return OutcomeUnknown(
            f"Reddit failed ({status}): {message}",
            permanent=False,
            code="connector.failed_maybe_received",
            params={"network": "Reddit", "status": status, "detail": message},
        )
    return None


_SUBMITS = ("/api/submit", "/api/submit_gallery_post.json", "/api/comment", "/api/compose")


def _storage_error_map(response: Response, message: str) -> ConnectorError | None:
    """S3 answers errors in XML: ``<Error><Code>AccessDenied</Code><Message>…``. A lease expired
    or refused is cured by a new attempt, with a new lease; a file refused (400) is not."""
    found = dict((name.lower(), value) for name, value in _S3_ERROR.findall(response.text))
    code = found.get("code") or str(response.status_code)
    detail = found.get("message") or message
    text = f"Reddit's media storage refused the file ({code}: {detail})."
    if response.status_code >= 500:
        return ConnectorError(text, permanent=False, code="reddit.refused", params={"detail": text})
    return ConnectorError(
        text, permanent=response.status_code != 403, code="reddit.refused", params={"detail": text}
    )


class RedditPublisher(Connector):
    kind: ClassVar[str] = "reddit"
    label: ClassVar[str] = "Reddit"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.PUBLISH,
            Capability.METRICS,
            Capability.REPLY,
            Capability.DIRECT_MESSAGES,
            Capability.CONVERSATION,
        }
    )
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {
        "oauth": "https://oauth.reddit.com",
        "www": "https://www.reddit.com",
    }
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0
    #: Images and GIFs, not videos: the engine's Reddit rules refuse what is not sent.
    sends_media: ClassVar[bool] = True
    #: The upload, the submission and the wait for Reddit to list an image post.
    attempt_deadline: ClassVar[int] = ATTEMPT_DEADLINE

    refreshed: dict[str, Any] | None = None

    def __init__(
        self,
        *args: Any,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock
        self._sleep = sleep
        self._creds: dict[str, Any] | None = None

    # --- credentials ----------------------------------------------------------------------------

    def _base(self, creds: Mapping[str, Any], which: str) -> str:
        return str(creds.get(f"{which}_url") or self.endpoints[which]).rstrip("/")

    def _credentials(self, credentials: Credentials, *, subreddit: bool = True) -> dict[str, Any]:
        """The connection's credentials with a fresh access token. ``subreddit``: whether the call
        needs the connection's subreddit (publishing does; answering people does not)."""
        if self._creds is None:
            creds = dict(credentials or {})
            for name in ("client_id", "refresh_token", "username"):
                if not creds.get(name):
                    raise AuthExpired(
                        f"The Reddit connection has no {name.replace('_', ' ')}.",
                        code="reddit.connection_incomplete",
                        params={"field": name},
                    )
            if subreddit and not str(creds.get("subreddit") or "").strip():
                raise ConnectorError(
                    "The Reddit connection names no subreddit.",
                    permanent=True,
                    code="reddit.no_subreddit_set",
                )
            expires = parse_datetime(creds.get("access_token_expires_at"))
            now = datetime.fromtimestamp(self._clock(), UTC)
            if not creds.get("access_token") or expires is None or expires - now < REFRESH_MARGIN:
                creds = self._refresh(creds)
            self._creds = creds
        return self._creds

    def _user_agent(self, creds: Mapping[str, Any]) -> str:
        return f"ambassade/{VERSION} by /u/{creds['username']}"

    def _refresh(self, creds: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"{self._base(creds, 'www')}/api/v1/access_token",
            data={"grant_type": "refresh_token", "refresh_token": str(creds["refresh_token"])},
            basic_auth=(str(creds["client_id"]), str(creds.get("client_secret") or "")),
            headers={"User-Agent": self._user_agent(creds)},
            retry=True,  # asking for a token twice is harmless
            error_map=_token_error_map,
        )
        body = response.json()
        if not isinstance(body, Mapping) or not body.get("access_token"):
            error = body.get("error") if isinstance(body, Mapping) else None
            if error == "invalid_grant":
                raise AuthExpired(
                    "Reddit refused the refresh token (invalid_grant): the access was revoked.",
                    code="oauth.grant_revoked",
                    params={"network": "Reddit", "detail": " (invalid_grant)"},
                )
            raise AuthExpired(
                f"Reddit gave no access token ({error or 'no reason given'}).",
                code="oauth.no_token",
                params={"network": "Reddit"},
            )
        lifetime = float(body.get("expires_in") or 3600)
        expires = datetime.fromtimestamp(self._clock() + lifetime, UTC)
        fresh = {
            **creds,
            "access_token": str(body["access_token"]),
            "access_token_expires_at": expires.isoformat(timespec="seconds"),
            "refresh_token": str(body.get("refresh_token") or creds["refresh_token"]),
        }
        self._creds = self.refreshed = fresh
        return fresh

    def _call(self, credentials: Credentials, method: str, path: str, **kwargs: Any) -> Response:
        """One API call; a 401 renews the token once (nothing was done: retrying is safe)."""
        creds = self._credentials(credentials)
        for attempt in (0, 1):
            headers = {
                "Authorization": f"Bearer {creds['access_token']}",
                "User-Agent": self._user_agent(creds),
            }
            try:
                return self.http.request(
                    method,
                    f"{self._base(creds, 'oauth')}{path}",
                    headers=headers,
                    error_map=_api_error_map,
                    **kwargs,
                )
            except _Unauthorized:
                if attempt:
                    raise
                creds = self._refresh(creds)
        raise AssertionError("unreachable")

    # --- Publisher ------------------------------------------------------------------------------

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        """The file in Reddit's storage; the id returned carries what ``publish`` needs (the asset
        id, the media URL, the kind of post and the gallery caption)."""
        content_type = media.content_type.split(";")[0].strip().lower()
        kind = MEDIA_KINDS.get(content_type)
        if kind is None:
            raise ConnectorError(
                f"Ambassade sends JPEG, PNG and GIF images to Reddit, not {content_type or 'this file'}.",
                permanent=True,
                code="reddit.image_type",
                params={"type": content_type or "?"},
            )
        lease = self._call(
            credentials,
            "POST",
            "/api/media/asset.json",
            data={
                "filepath": media.filename or f"image.{content_type.rpartition('/')[2]}",
                "mimetype": content_type,
            },
            retry=True,  # a lease not used is harmless
        ).json()
        args = lease.get("args") if isinstance(lease, Mapping) else None
        asset = lease.get("asset") if isinstance(lease, Mapping) else None
        action = args.get("action") if isinstance(args, Mapping) else None
        fields = args.get("fields") if isinstance(args, Mapping) else None
        asset_id = asset.get("asset_id") if isinstance(asset, Mapping) else None
        if not isinstance(action, str) or not isinstance(fields, list) or not asset_id:
            raise ConnectorError(
                "Reddit answered the upload request without an upload lease.",
                code="connector.bad_answer",
                params={"network": "Reddit"},
            )
        target = self._upload_target(action)
        parts: list[_multipart.Part] = []
        key = ""
        for item in fields:
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                raise ConnectorError(
                    "Reddit's upload lease has a field without a name.",
                    code="connector.bad_answer",
                    params={"network": "Reddit"},
                )
            value = str(item.get("value") or "")
            if item["name"] == "key":
                key = value
            parts.append((item["name"], None, None, value.encode()))
        parts.append(("file", media.filename or "image", content_type, media.data))
        ctype, body = _multipart.encode(parts)
        # Reddit's storage, not Reddit: no token goes there. Sending the same file to the same key
        # twice is harmless.
        stored = self.http.post(
            target,
            content=body,
            headers={"Content-Type": ctype},
            retry=True,
            error_map=_storage_error_map,
        )
        found = _LOCATION.search(stored.text)
        url = (
            unquote(html.unescape(found.group(1)))
            if found
            else f"{target.rstrip('/')}/{key}"
            if key
            else ""
        )
        if not url:
            raise ConnectorError(
                "Reddit's media storage did not say where it keeps the file.",
                code="connector.bad_answer",
                params={"network": "Reddit"},
            )
        caption = " ".join(media.alt_text.split())
        if len(caption) > MAX_CAPTION:
            caption = caption[: MAX_CAPTION - 1].rstrip() + "…"
        return json.dumps(
            {"asset_id": str(asset_id), "url": url, "kind": kind, "caption": caption},
            ensure_ascii=False,
        )

    def _upload_target(self, action: str) -> str:
        """The lease's upload address, only if it is Reddit's storage over https (a test server on
        127.0.0.1 when the HTTP client allows private addresses)."""
        target = f"https:{action}" if action.startswith("//") else action
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and _UPLOAD_HOST.fullmatch(host):
            return target
        if self.http.allow_private and host == "127.0.0.1" and parts.scheme in ("http", "https"):
            return target
        raise ConnectorError(
            f"Reddit's upload lease names an address that is not Reddit's media storage ({host}).",
            permanent=True,
            code="reddit.bad_lease",
            params={"host": host},
        )

    @staticmethod
    def _media(media_ids: Sequence[str]) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        for media_id in media_ids:
            try:
                item = jsonlines.loads(media_id)
            except ValueError:  # JsonProblem: not JSON, or nested too deep
                item = None
            if not isinstance(item, dict) or not item.get("asset_id") or not item.get("url"):
                raise ConnectorError(
                    "A medium was not uploaded to Reddit by this publisher.",
                    permanent=True,
                    code="reddit.media_not_uploaded",
                )
            found.append({key: str(value) for key, value in item.items()})
        if len(found) > 20:
            raise ConnectorError(
                "A Reddit gallery takes at most 20 images.",
                permanent=True,
                code="reddit.gallery_too_long",
                params={"limit": 20},
            )
        if len(found) > 1 and any(item.get("kind") != "image" for item in found):
            raise ConnectorError(
                "A Reddit gallery takes JPEG and PNG images only; a GIF goes alone.",
                permanent=True,
                code="reddit.gallery_gif",
            )
        return found

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._credentials(credentials)
        media = self._media(draft.media_ids)
        title, body = split_title(draft.text)
        if not title:
            raise ConnectorError(
                "A Reddit post needs a title: its first line.",
                permanent=True,
                code="reddit.needs_title",
            )
        subreddit = self._subreddit(creds)
        if len(media) > 1:
            return self._publish_gallery(credentials, subreddit, title, body, media)
        data: dict[str, str] = {
            "api_type": "json",
            "sr": subreddit,
            "title": title,
            "sendreplies": "true",
            "resubmit": "true",
        }
        if media:
            data |= {"kind": "image", "url": media[0]["url"]}
            if body:
                data["text"] = body
        elif _URL_ONLY.fullmatch(body):
            data |= {"kind": "link", "url": body}
        else:
            data |= {"kind": "self", "text": body}
        started = self._clock()
        response = self._call(credentials, "POST", "/api/submit", data=data)
        result = self._result(response)
        self._raise_errors(result, subreddit, str(creds["username"]))
        created = result.get("data")
        if isinstance(created, Mapping) and created.get("name"):
            name = str(created["name"])
            url = str(created.get("url") or f"https://www.reddit.com/comments/{name[3:]}/")
            return Published(name, url, datetime.fromtimestamp(self._clock(), UTC))
        if not media:
            raise OutcomeUnknown(
                "Reddit answered the post without its identifier.",
                code="connector.bad_answer_maybe_received",
                params={"network": "Reddit"},
            )
        return self._find_submitted(credentials, title, body, started)

    @staticmethod
    def _result(response: Response) -> Mapping[str, Any]:
        try:
            answer = response.json()
        except ConnectorError:
            answer = None
        result = answer.get("json") if isinstance(answer, Mapping) else None
        if not isinstance(result, Mapping):
            # It may have been taken all the same: read the account before any retry.
            raise OutcomeUnknown(
                "Reddit answered the post with something unexpected.",
                code="connector.bad_answer_maybe_received",
                params={"network": "Reddit"},
            )
        return result

    def _publish_gallery(
        self,
        credentials: Credentials,
        subreddit: str,
        title: str,
        body: str,
        media: Sequence[Mapping[str, str]],
    ) -> Published:
        payload: dict[str, Any] = {
            "api_type": "json",
            "show_error_list": True,
            "sr": subreddit,
            "title": title,
            "sendreplies": True,
            "nsfw": False,
            "spoiler": False,
            "items": [
                {
                    "media_id": item["asset_id"],
                    "caption": item.get("caption", ""),
                    "outbound_url": "",
                }
                for item in media
            ],
        }
        if body:
            payload["text"] = body
        response = self._call(credentials, "POST", "/api/submit_gallery_post.json", json=payload)
        result = self._result(response)
        creds = self._credentials(credentials)
        self._raise_errors(result, subreddit, str(creds["username"]))
        created = result.get("data")
        post_id = str(created.get("id") or "") if isinstance(created, Mapping) else ""
        if not post_id:
            raise OutcomeUnknown(
                "Reddit answered the gallery without its identifier.",
                code="connector.bad_answer_maybe_received",
                params={"network": "Reddit"},
            )
        name = post_id if post_id.startswith("t3_") else f"t3_{post_id}"
        url = str(created.get("url") or "") if isinstance(created, Mapping) else ""
        return Published(
            name,
            url or f"https://www.reddit.com/comments/{name[3:]}/",
            datetime.fromtimestamp(self._clock(), UTC),
        )

    def _find_submitted(
        self, credentials: Credentials, title: str, body: str, started: float
    ) -> Published:
        """The image post just submitted, once Reddit lists it. Reddit took it: whatever goes wrong
        now is an unknown outcome for the outbox to reconcile, never a reason to submit again."""
        # A margin for the difference between this machine's clock and Reddit's.
        since = datetime.fromtimestamp(started, UTC) - timedelta(minutes=5)
        for wait in FIND_WAITS:
            self._sleep(wait)
            try:
                items = self.recent_posts(credentials, since)
            except ConnectorError as error:  # an expired access too: the post may be there
                raise OutcomeUnknown(
                    f"Reddit took the image post; reading it back failed: {error.message}",
                    permanent=False,
                    code="reddit.read_back_failed",
                    params={"detail": error.message},
                ) from None
            for item in items:
                raw = item.raw
                if (
                    str(raw.get("title") or "").strip() == title
                    and str(raw.get("selftext") or "").strip() == body.strip()
                    and not raw.get("is_self")
                ):
                    return Published(item.external_id, item.url, item.created_at)
        raise OutcomeUnknown(
            "Reddit took the image post but has not listed it yet; Ambassade will look for it "
            "again before any new attempt.",
            permanent=False,
            code="reddit.image_not_listed",
        )

    @staticmethod
    def _subreddit(creds: Mapping[str, Any]) -> str:
        return str(creds["subreddit"]).strip().removeprefix("/").removeprefix("r/").strip("/")

    @staticmethod
    def _raise_errors(result: Mapping[str, Any], subreddit: str, username: str) -> None:
        errors = result.get("errors")
        if not isinstance(errors, list) or not errors:
            return
        first = errors[0] if isinstance(errors[0], list) else [str(errors[0])]
        code = str(first[0]) if first else "ERROR"
        message = str(first[1]) if len(first) > 1 and first[1] else code
        field = str(first[2]) if len(first) > 2 and first[2] else ""
        if code == "RATELIMIT":
            wait = result.get("ratelimit")
            seconds = float(wait) if isinstance(wait, int | float) else ratelimit_seconds(message)
            raise ConnectorError(
                f"Reddit asks to wait before posting again: {message}",
                permanent=False,
                retry_after=seconds if seconds is not None else 600.0,
                code="connector.rate_limited",
                params={"network": "Reddit", "detail": message},
            )
        plain = {
            "SUBREDDIT_NOEXIST": f"The subreddit r/{subreddit} does not exist.",
            "SUBREDDIT_NOTALLOWED": f"u/{username} is not allowed to post in r/{subreddit}.",
            "SUBREDDIT_NOTALLOWED_BANNED": f"u/{username} is banned from r/{subreddit}.",
            "NO_SELFS": f"r/{subreddit} does not accept text posts, only links.",
            "NO_LINKS": f"r/{subreddit} does not accept links, only text posts.",
            "NO_TEXT": f"Reddit needs a {field or 'text'} for this post in r/{subreddit}.",
            "TOO_LONG": f"The {field or 'text'} is too long for Reddit: {message}.",
        }
        raise ConnectorError(
            plain.get(code, f"{message} ({code})."),
            permanent=True,
            code=API_ERROR_CODES.get(code, "reddit.api_error"),
            params={
                "subreddit": subreddit,
                "username": username,
                "field": field or "text",
                "detail": message,
                "error": code,
            },
        )

    # --- answering people (reddit/answer.py) ------------------------------------------------------

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        return answer.reply(self, credentials, reply)

    def find_reply(self, credentials: Credentials, reply: Reply, since: datetime) -> list[RawItem]:
        return answer.find_reply(self, credentials, reply, since)

    def conversation(self, credentials: Credentials, external_id: str) -> Thread:
        return answer.conversation(self, credentials, external_id)

    def send_message(self, credentials: Credentials, message: DirectMessage) -> Published:
        return answer.send_message(self, credentials, message)

    def find_message(
        self, credentials: Credentials, message: DirectMessage, since: datetime
    ) -> list[RawItem]:
        return answer.find_message(self, credentials, message, since)

    def fetch_messages(self, credentials: Credentials, cursor: Cursor | None) -> FetchResult:
        return answer.fetch_messages(self, credentials, cursor)

    @staticmethod
    def _item(item: RawItem) -> RawItem:
        """The post with the metrics the outbox keeps: score, comments (as replies) and the share of
        upvotes in percent."""
        raw = item.raw
        metrics: dict[str, int] = {}
        for name, key in (("score", "score"), ("replies", "num_comments")):
            value = raw.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                metrics[name] = value
        ratio = raw.get("upvote_ratio")
        if isinstance(ratio, int | float) and not isinstance(ratio, bool):
            metrics["upvote_percent"] = round(float(ratio) * 100)
        return dataclasses.replace(item, metrics=metrics)

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        name = external_id if external_id.startswith("t3_") else f"t3_{external_id}"
        body = self._call(
            credentials, "GET", "/api/info", params={"id": name, "raw_json": 1}
        ).json()
        items, _after = listing_items(body, source=self.kind)
        for item in items:
            if item.external_id == name:
                return self._item(item)
        return None

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        """The account's posts in its subreddit since ``since``, every page of them (newest first,
        ``after`` pointing to older ones): a post missed on an unread page would go out twice.
        Beyond RECENT_PAGES pages the answer is not known, so it raises."""
        creds = self._credentials(credentials)
        subreddit = self._subreddit(creds).casefold()
        path = f"/user/{quote(str(creds['username']), safe='')}/submitted"
        found: list[RawItem] = []
        after: str | None = None
        for _page in range(RECENT_PAGES):
            body = self._call(
                credentials,
                "GET",
                path,
                params={"sort": "new", "limit": 100, "raw_json": 1, "after": after},
            ).json()
            items, after = listing_items(body, source=self.kind)
            found += [item for item in items if item.created_at >= since]
            if not after or not items or min(item.created_at for item in items) < since:
                break
        else:
            raise ConnectorError(
                f"The account posted more than {RECENT_PAGES * 100} times since "
                f"{since:%Y-%m-%d %H:%M} UTC; Reddit's list of its posts could not be read to the "
                "end.",
                permanent=True,
                code="connector.too_many_recent",
                params={
                    "network": "Reddit",
                    "count": RECENT_PAGES * 100,
                    "since": f"{since:%Y-%m-%d %H:%M}",
                },
            )
        return [
            self._item(item)
            for item in found
            if str(item.raw.get("subreddit") or "").casefold() == subreddit
        ]
