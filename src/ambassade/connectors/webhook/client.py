"""Authenticating and reading a webhook delivery. The HTTP endpoint is a view of the listening app;
it calls :func:`parse_webhook` with the raw body, the headers and the source's secret, and answers
with :attr:`WebhookError.status` when it raises.

A sender proves it knows the source's secret in one of two ways:

- ``X-Ambassade-Signature: sha256=<hex>``: the HMAC-SHA256 of the raw body keyed with the secret
  (what a script or n8n computes; the body cannot be altered on the way);
- ``Authorization: Bearer <secret>`` (what Zapier's and Make's plain webhooks can send).

Both are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors.base import Capability, Connector, ConnectorError, RawItem
from ambassade.connectors.webhook.parse import PayloadProblem, items_from_payload
from ambassade.engine import jsonlines

__all__ = [
    "MAX_BODY",
    "SIGNATURE_HEADER",
    "WebhookConnector",
    "WebhookError",
    "parse_webhook",
    "sign",
]

SIGNATURE_HEADER = "X-Ambassade-Signature"
MAX_BODY = 1024 * 1024


class WebhookError(ConnectorError):
    """A delivery refused: ``status`` is the HTTP status the endpoint answers with (400, 401, 413)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message, permanent=True)
        self.status = status


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body`` (for senders, tests and the UI's example)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _authenticated(body: bytes, headers: Mapping[str, str], secret: str) -> bool:
    lower = {k.lower(): v for k, v in headers.items()}
    signature = lower.get(SIGNATURE_HEADER.lower())
    if signature is not None:
        return hmac.compare_digest(signature.strip().encode(), sign(body, secret).encode())
    authorization = lower.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return hmac.compare_digest(token.strip().encode(), secret.encode())
    return False


def parse_webhook(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    source: str = "webhook",
    received_at: datetime | None = None,
) -> list[RawItem]:
    """The delivery's items, all or none. Raises :class:`WebhookError`."""
    if not secret:
        raise WebhookError("This webhook has no secret configured.", status=401)
    if len(body) > MAX_BODY:
        raise WebhookError(f"The payload is larger than {MAX_BODY} bytes.", status=413)
    if not _authenticated(body, headers, secret):
        raise WebhookError(
            f"The delivery is not authenticated: send {SIGNATURE_HEADER}: sha256=<HMAC of the body> "
            "or Authorization: Bearer <secret>.",
            status=401,
        )
    try:
        payload: Any = jsonlines.loads(body)
    except jsonlines.JsonProblem as exc:  # deep nesting included: never a RecursionError
        raise WebhookError(f"The payload is refused: {exc.message}.", status=400) from None
    try:
        return items_from_payload(
            payload, source=source, received_at=received_at or datetime.now(UTC)
        )
    except PayloadProblem as problem:
        raise WebhookError(f"The payload was refused: {problem}.", status=400) from None


class WebhookConnector(Connector):
    """Push delivery: no fetch. Config: none. Credentials: ``secret`` (see :meth:`new_secret`)."""

    kind: ClassVar[str] = "webhook"
    label: ClassVar[str] = "Webhook"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.LISTEN})
    delivery: ClassVar[str] = "push"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    def parse(self, body: bytes, headers: Mapping[str, str], secret: str) -> list[RawItem]:
        return parse_webhook(body, headers, secret, source=self.kind)
