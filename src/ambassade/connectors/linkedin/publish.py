"""Publishing to a LinkedIn organisation page through the versioned Posts API.

Credentials: ``access_token`` (3-legged OAuth, scope ``w_organization_social`` and
``r_organization_social``) and ``organization`` (``urn:li:organization:…`` or its number).

- Every call sends ``LinkedIn-Version`` (``YYYYMM``) and ``X-Restli-Protocol-Version: 2.0.0``. A
  retired version answers **426**: a permanent error telling the administrator to update Ambassade
  (or set ``api_version`` in the credentials to a supported month).
- ``POST /rest/posts`` answers 201 with the post's URN in the ``x-restli-id`` header. ``commentary`` is
  *little text*: the reserved characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` are escaped by
  ``engine.publishing.escape_little_text`` (hashtags and links kept), otherwise LinkedIn silently cuts
  the text at the first one.
- A text identical to a recent post is refused with **422** ("duplicate"): permanent, in plain words.
- Images: ``POST /rest/images?action=initializeUpload``, then ``PUT`` of the bytes to the returned
  ``uploadUrl``; the post carries ``content.media`` with the image URN and its ``altText``.
- LinkedIn takes no idempotency key; a 5xx after the post was sent is an unknown outcome, reconciled
  by reading ``GET /rest/posts?q=author`` (the page's recent posts).
- Metrics: likes and comments from ``GET /rest/socialActions/{urn}`` (``r_organization_social``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

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
from ambassade.engine import jsonlines
from ambassade.engine.publishing import escape_little_text, unescape_little_text

__all__ = ["API_VERSION", "LinkedInPublisher"]

#: The Posts API version sent by default; LinkedIn supports each month for about a year.
API_VERSION = "202509"


def _body(response: Response) -> Mapping[str, Any]:
    try:
        body = jsonlines.loads(response.content)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        return {}
    return body if isinstance(body, Mapping) else {}


def _media(media_id: str) -> dict[str, str]:
    """The image and its alt text as :meth:`LinkedInPublisher.upload_media` wrote them."""
    try:
        handle = jsonlines.loads(media_id)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        handle = None
    if not isinstance(handle, Mapping) or not isinstance(handle.get("id"), str):
        raise ConnectorError(
            "A medium was not uploaded to LinkedIn by this publisher.",
            permanent=True,
            code="connector.media_not_uploaded",
            params={"network": "LinkedIn"},
        )
    return {key: str(value) for key, value in handle.items() if isinstance(value, str)}


def _error_map(response: Response, message: str) -> ConnectorError | None:
    body = _body(response)
    code = str(body.get("code") or "")
    status = response.status_code
    if status == 401 or code in ("REVOKED_ACCESS_TOKEN", "EXPIRED_ACCESS_TOKEN"):
        return AuthExpired(
            f"LinkedIn refused the access token: {message}",
            code="linkedin.token_refused",
            params={"detail": message},
        )
    if status == 403:
        return AuthExpired(
            f"LinkedIn refused access to the page (a missing permission or role): {message}",
            code="linkedin.page_refused",
            params={"detail": message},
        )
    if status == 426:
        return ConnectorError(
            f"LinkedIn no longer supports the API version Ambassade uses ({message}). Update "
            "Ambassade.",
            permanent=True,
            code="linkedin.version",
            params={"detail": message},
        )
    if status == 422 and "duplicate" in message.lower():
        return ConnectorError(
            "LinkedIn refuses a text identical to a recent post of the page.",
            permanent=True,
            code="connector.duplicate",
            params={"network": "LinkedIn"},
        )
    if status >= 500 and response.url.rstrip("/").endswith("/rest/posts"):
        return OutcomeUnknown(
            f"LinkedIn failed ({status}): {message}",
            permanent=False,
            code="connector.failed_maybe_received",
            params={"network": "LinkedIn", "status": status, "detail": message},
        )
    return None


def _social_metrics(actions: Any) -> dict[str, int]:
    """Likes and comments from a socialActions summary; a count LinkedIn did not give is left out,
    never taken as zero."""
    metrics: dict[str, int] = {}
    if not isinstance(actions, Mapping):
        return metrics
    for name, summary, keys in (
        ("likes", "likesSummary", ("totalLikes", "aggregatedTotalLikes")),
        ("replies", "commentsSummary", ("aggregatedTotalComments", "totalFirstLevelComments")),
    ):
        values = actions.get(summary)
        if not isinstance(values, Mapping):
            continue
        for key in keys:
            value = values.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                metrics[name] = value
                break
    return metrics


class LinkedInPublisher(Connector):
    kind: ClassVar[str] = "linkedin"
    label: ClassVar[str] = "LinkedIn"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.PUBLISH})
    needs_credentials: ClassVar[bool] = True
    default_endpoints: ClassVar[Mapping[str, str]] = {"api": "https://api.linkedin.com"}
    idempotent: ClassVar[bool] = False
    idempotency_window: ClassVar[int] = 0

    refreshed: dict[str, Any] | None = None

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The LinkedIn connection has no access token.",
                code="connection.no_token",
                params={"network": "LinkedIn"},
            )
        if not credentials.get("organization"):
            raise ConnectorError(
                "The LinkedIn connection names no page.",
                permanent=True,
                code="connection.no_page",
                params={"network": "LinkedIn"},
            )
        return credentials

    @staticmethod
    def _organization(creds: Mapping[str, Any]) -> str:
        value = str(creds["organization"])
        return value if value.startswith("urn:li:") else f"urn:li:organization:{value}"

    def _headers(self, creds: Mapping[str, Any]) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {creds['access_token']}",
            "LinkedIn-Version": str(creds.get("api_version") or API_VERSION),
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        creds = self._creds(credentials)
        if not media.content_type.startswith("image/"):
            raise ConnectorError(
                "Ambassade sends only images to LinkedIn.",
                permanent=True,
                code="linkedin.images_only",
            )
        init = self.http.post(
            f"{self.endpoints['api']}/rest/images",
            params={"action": "initializeUpload"},
            headers=self._headers(creds),
            json={"initializeUploadRequest": {"owner": self._organization(creds)}},
            error_map=_error_map,
            retry=True,  # an image never attached is harmless
        ).json()
        value = init.get("value") if isinstance(init, Mapping) else None
        if not isinstance(value, Mapping) or not value.get("uploadUrl") or not value.get("image"):
            raise ConnectorError(
                "LinkedIn answered the upload request without an address.",
                code="connector.bad_answer",
                params={"network": "LinkedIn"},
            )
        self.http.request(
            "PUT",
            str(value["uploadUrl"]),
            headers={"Authorization": f"Bearer {creds['access_token']}"},
            content=media.data,
            error_map=_error_map,
            retry=True,
        )
        return json.dumps({"id": str(value["image"]), "altText": media.alt_text[:4086]})

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        creds = self._creds(credentials)
        body: dict[str, Any] = {
            "author": self._organization(creds),
            "commentary": escape_little_text(draft.text, keep_hashtags=True),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if draft.media_ids:
            if len(draft.media_ids) > 1:
                raise ConnectorError(
                    "Ambassade sends one image per LinkedIn post.",
                    permanent=True,
                    code="linkedin.one_image",
                )
            body["content"] = {"media": _media(draft.media_ids[0])}
        response = self.http.post(
            f"{self.endpoints['api']}/rest/posts",
            headers=self._headers(creds),
            json=body,
            error_map=_error_map,
        )
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise ConnectorError(
                "LinkedIn answered without the new post's identifier.",
                code="connector.bad_answer",
                params={"network": "LinkedIn"},
            )
        return Published(urn, self._url(urn), datetime.now(UTC))

    @staticmethod
    def _url(urn: str) -> str:
        return f"https://www.linkedin.com/feed/update/{urn}/"

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        raise ConnectorError(
            "Replying on LinkedIn is not supported yet.",
            permanent=True,
            code="connector.no_replies",
            params={"network": "LinkedIn"},
        )

    def _item(self, post: Any) -> RawItem | None:
        if not isinstance(post, Mapping) or not post.get("id"):
            return None
        stamp = post.get("publishedAt") or post.get("createdAt")
        if not isinstance(stamp, int | float):
            return None
        urn = str(post["id"])
        return RawItem(
            source="linkedin",
            external_id=urn,
            url=self._url(urn),
            text=unescape_little_text(str(post.get("commentary") or "")),
            created_at=datetime.fromtimestamp(stamp / 1000, UTC),
            raw=dict(post),
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        """The post, with its likes and comments (as replies) from ``GET
        /rest/socialActions/{urn}``, which the page token's ``r_organization_social`` allows.
        Reshares, impressions and clicks are only in ``organizationalEntityShareStatistics``,
        which needs the page-admin scope ``rw_organization_admin``: they are not read. A token
        without ``r_organization_social`` is refused socialActions (403): the post comes back
        without metrics then, not as an error."""
        creds = self._creds(credentials)
        urn = quote(external_id, safe="")
        response = self.http.get(
            f"{self.endpoints['api']}/rest/posts/{urn}",
            headers=self._headers(creds),
            error_map=_error_map,
            ok=(404,),
        )
        item = None if response.status_code == 404 else self._item(response.json())
        if item is None:
            return None
        actions = self.http.get(
            f"{self.endpoints['api']}/rest/socialActions/{urn}",
            headers=self._headers(creds),
            error_map=_error_map,
            ok=(403,),
        )
        if actions.status_code == 403:
            return item
        return dataclasses.replace(item, metrics=_social_metrics(actions.json()))

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        creds = self._creds(credentials)
        body = self.http.get(
            f"{self.endpoints['api']}/rest/posts",
            params={
                "author": self._organization(creds),
                "q": "author",
                "count": 20,
                "sortBy": "LAST_MODIFIED",
            },
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        elements = body.get("elements") if isinstance(body, Mapping) else None
        if not isinstance(elements, list):
            raise ConnectorError(
                "LinkedIn returned no list of posts.",
                code="connector.bad_answer",
                params={"network": "LinkedIn"},
            )
        items = [self._item(post) for post in elements]
        return [item for item in items if item is not None and item.created_at >= since]
