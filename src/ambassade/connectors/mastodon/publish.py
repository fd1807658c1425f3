"""Publishing to Mastodon: media with a description, statuses with an ``Idempotency-Key``, read-back.

- ``POST /api/v2/media`` (multipart ``file`` + ``description``, the alt text). It answers 200 when the
  file is ready or 202 with ``url: null`` while it is processed; ``GET /api/v1/media/:id`` answers 206
  until it is ready. A status that names media still in processing is refused with 422, which is
  temporary here.
- ``POST /api/v1/statuses`` with the header ``Idempotency-Key``: the server keeps the key for an hour
  and answers a repeated request with the status it already created, so the outbox may resend the
  same key after an unknown outcome within that hour (``idempotent``, ``idempotency_window``). A
  thread's other parts are replies (``in_reply_to_id``), each with a key derived from the draft's.
- ``GET /api/v2/instance`` gives the server's limits (``max_characters``, media types and sizes),
  which the composer counts against.
- ``GET /api/v1/statuses/:id`` reads a status back; ``GET /api/v1/accounts/:id/statuses`` lists the
  account's own recent statuses for reconciliation (the account id comes from the connection, or from
  ``GET /api/v1/accounts/verify_credentials``).

Credentials: ``access_token`` (scopes ``write:statuses write:media read:statuses``), ``instance`` (the
server's address) or an ``account_name`` like ``@brand@mastodon.social`` to derive it from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

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
from ambassade.connectors.http import Response
from ambassade.connectors.mastodon.client import _error_map as _listening_error_map
from ambassade.connectors.mastodon.parse import status_item
from ambassade.connectors.publishers import part_key
from ambassade.engine.publishing import Limits

__all__ = ["MastodonPublisher"]

PAGE = 40


def _error_map(response: Response, message: str) -> ConnectorError | None:
    mapped = _listening_error_map(response, message)
    if mapped is not None:
        return mapped
    if response.status_code == 422 and "processing" in message.lower():
        return ConnectorError(
            f"Mastodon is still processing the media ({message}).",
            permanent=False,
            retry_after=30,
            code="mastodon.processing",
            params={"detail": message},
        )
    if response.status_code == 422:
        return ConnectorError(
            f"Mastodon refused the post: {message}",
            permanent=True,
            code="connector.post_refused",
            params={"network": "Mastodon", "detail": message},
        )
    return None


def instance_of(credentials: Mapping[str, Any]) -> str:
    instance = str(credentials.get("instance") or "").rstrip("/")
    if instance:
        return instance
    account = str(credentials.get("account_name") or "").lstrip("@")
    _, _, host = account.partition("@")
    if not host:
        raise ConnectorError(
            "The Mastodon connection names no server: its account must look like @name@server.",
            permanent=True,
            code="mastodon.no_server",
        )
    return f"https://{host}"


class MastodonPublisher(Connector):
    kind: ClassVar[str] = "mastodon"
    label: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.PUBLISH, Capability.REPLY}
    )
    needs_credentials: ClassVar[bool] = True
    #: The server deduplicates statuses by Idempotency-Key for an hour; keep a margin.
    idempotent: ClassVar[bool] = True
    idempotency_window: ClassVar[int] = 50 * 60

    refreshed: dict[str, Any] | None = None

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _creds(credentials: Credentials) -> Mapping[str, Any]:
        if not credentials or not credentials.get("access_token"):
            raise AuthExpired(
                "The Mastodon connection has no access token.",
                code="connection.no_token",
                params={"network": "Mastodon"},
            )
        return credentials

    def _headers(self, creds: Mapping[str, Any], **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds['access_token']}", **extra}

    def _url(self, creds: Mapping[str, Any], path: str) -> str:
        return instance_of(creds) + path

    # --- Publisher -------------------------------------------------------------------------------

    def limits(self, credentials: Credentials) -> Limits:
        """The server's own limits (``GET /api/v2/instance``): ``max_characters`` differs from one
        server to another (500 by default, thousands on some)."""
        creds = self._creds(credentials)
        response = self.http.get(self._url(creds, "/api/v2/instance"), error_map=_error_map)
        body = response.json()
        if not isinstance(body, Mapping):
            raise ConnectorError(
                "Mastodon described its server in an unexpected format.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return Limits.from_mastodon_instance(body)

    def upload_media(self, credentials: Credentials, media: MediaUpload) -> str:
        creds = self._creds(credentials)
        body = self._multipart(media)
        response = self.http.post(
            self._url(creds, "/api/v2/media"),
            headers=self._headers(creds, **{"Content-Type": body[0]}),
            content=body[1],
            error_map=_error_map,
            retry=True,  # an orphan attachment is harmless and expires on the server
        )
        data = response.json()
        if not isinstance(data, Mapping) or not data.get("id"):
            raise ConnectorError(
                "Mastodon answered the upload without a media id.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return str(data["id"])

    @staticmethod
    def _multipart(media: MediaUpload) -> tuple[str, bytes]:
        boundary = "ambassade-" + "b7f3c1d2e4a5968"
        name = media.filename.replace('"', "").replace("\r", "").replace("\n", "") or "file"
        parts = [
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: {media.content_type}\r\n\r\n'
            ).encode()
            + media.data
            + b"\r\n"
        ]
        if media.alt_text:
            parts.append(
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'
                    f"{media.alt_text}\r\n"
                ).encode()
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return f"multipart/form-data; boundary={boundary}", b"".join(parts)

    def publish(self, credentials: Credentials, draft: Draft) -> Published:
        """The post, and its thread's other parts as replies to it, each with its own key derived
        from the draft's: a retry finds the parts already created instead of adding them again."""
        creds = self._creds(credentials)
        first: Published | None = None
        parent = draft.options.get("in_reply_to_id")
        for index, text in enumerate([draft.text, *draft.thread]):
            payload: dict[str, Any] = {
                "status": text,
                "media_ids": list(draft.media_ids) if index == 0 else [],
            }
            for key in ("visibility", "language", "spoiler_text", "sensitive"):
                if key in draft.options:
                    payload[key] = draft.options[key]
            if parent:
                payload["in_reply_to_id"] = parent
            response = self.http.post(
                self._url(creds, "/api/v1/statuses"),
                headers=self._headers(
                    creds, **{"Idempotency-Key": part_key(draft.idempotency_key, index)}
                ),
                json=payload,
                error_map=_error_map,
            )
            published = self._published(response.json())
            parent = published.external_id
            first = first or published
        assert first is not None
        return first

    def reply(self, credentials: Credentials, reply: Reply) -> Published:
        return self.publish(
            credentials,
            Draft(
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                options={"in_reply_to_id": reply.in_reply_to},
            ),
        )

    @staticmethod
    def _published(status: Any) -> Published:
        if not isinstance(status, Mapping) or not status.get("id"):
            raise ConnectorError(
                "Mastodon answered without the created status.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        created = parse_datetime(status.get("created_at"))
        if created is None:
            raise ConnectorError(
                "Mastodon answered with a status without a valid date.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        return Published(
            external_id=str(status["id"]),
            url=str(status.get("url") or status.get("uri") or ""),
            published_at=created,
        )

    def read_back(self, credentials: Credentials, external_id: str) -> RawItem | None:
        creds = self._creds(credentials)
        response = self.http.get(
            self._url(creds, f"/api/v1/statuses/{external_id}"),
            headers=self._headers(creds),
            error_map=_error_map,
            ok=(404,),
        )
        if response.status_code == 404:
            return None
        return status_item(response.json())

    def account_id(self, creds: Mapping[str, Any]) -> str:
        if creds.get("account_id"):
            return str(creds["account_id"])
        account = self.http.get(
            self._url(creds, "/api/v1/accounts/verify_credentials"),
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(account, Mapping) or not account.get("id"):
            raise ConnectorError(
                "Mastodon did not say which account the token belongs to.",
                code="connector.no_account_id",
                params={"network": "Mastodon"},
            )
        return str(account["id"])

    def recent_posts(self, credentials: Credentials, since: datetime) -> Sequence[RawItem]:
        creds = self._creds(credentials)
        statuses = self.http.get(
            self._url(creds, f"/api/v1/accounts/{self.account_id(creds)}/statuses"),
            params={"limit": PAGE, "exclude_reblogs": "true"},
            headers=self._headers(creds),
            error_map=_error_map,
        ).json()
        if not isinstance(statuses, list):
            raise ConnectorError(
                "Mastodon returned something other than a list of statuses.",
                code="connector.bad_answer",
                params={"network": "Mastodon"},
            )
        items = []
        for status in statuses:
            item = status_item(status)
            if item is not None and item.created_at >= since:
                # The local id, which read_back and the post's page use.
                items.append(replace(item, external_id=str(status["id"])))
        return items
