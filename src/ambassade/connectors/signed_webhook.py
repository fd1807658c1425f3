"""Ambassade's own outgoing webhooks (crisis alerts, outbox status changes): a JSON body POSTed
through the HTTP seam (timeouts, private addresses refused, tokens kept out of errors), signed with
HMAC-SHA256 when the receiver gave us a secret.

Signature: ``X-Ambassade-Signature: sha256=<hex HMAC-SHA256(secret, message)>``, where the message
is the raw body, or, when a timestamp is sent (``X-Ambassade-Timestamp: <Unix seconds>``), the
timestamp, a dot and the body (``b"1764150000." + body``): a receiver that checks the timestamp is
recent (say within five minutes) refuses a replayed delivery.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from ambassade.connectors.http import HttpClient, Response

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "send_json", "signature"]

SIGNATURE_HEADER = "X-Ambassade-Signature"
TIMESTAMP_HEADER = "X-Ambassade-Timestamp"


def signature(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``sha256=<hex>`` of the body, or of ``f"{timestamp}."`` followed by the body."""
    message = body if timestamp is None else f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def send_json(
    url: str,
    body: bytes,
    *,
    secret: str = "",
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
    allow_private: bool = False,
    timeout: float = 10.0,
    ok: Iterable[int] = (),
) -> Response:
    """POST ``body`` (JSON, already encoded) to ``url`` once (no retry here: the caller's task
    retries with back-off). Raises ``ConnectorError`` when it is not answered with a 2xx or a
    status listed in ``ok`` (to read the receiver's status code yourself)."""
    sent = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    if timestamp is not None:
        sent[TIMESTAMP_HEADER] = str(timestamp)
    if secret:
        sent[SIGNATURE_HEADER] = signature(secret, body, timestamp)
    with HttpClient(timeout=timeout, allow_private=allow_private, max_retries=0) as client:
        return client.post(url, content=body, headers=sent, ok=ok)
