"""A response as the seam hands it over, and what keeps tokens out of messages and logs: URLs with
their token-like parameters redacted, the wait a network asks for (``Retry-After`` and kin), the
network's own explanation of an error."""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ambassade.connectors.base import ConnectorError

__all__ = [
    "REDACTED",
    "SENSITIVE_PARAMS",
    "ErrorMap",
    "Response",
    "message_from",
    "parse_retry_after",
    "redact_url",
]

SENSITIVE_PARAMS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "auth",
        "client_secret",
        "code",
        "code_verifier",
        "fb_exchange_token",
        "key",
        "password",
        "refresh_token",
        "secret",
        "sig",
        "signature",
        "token",
        "token_auth",  # Matomo's
    }
)
REDACTED = "[redacted]"


class Response:
    """A fully read response. ``json()`` raises a temporary :class:`ConnectorError` on a malformed
    body instead of a parsing exception."""

    __slots__ = ("content", "headers", "status_code", "url")

    def __init__(self, status_code: int, headers: httpx.Headers, content: bytes, url: str) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content
        self.url = url

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        for part in ctype.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    @property
    def links(self) -> dict[str, str]:
        """The ``Link`` header by relation (``next``, ``prev``…), addresses resolved against the URL."""
        found: dict[str, str] = {}
        for part in self.headers.get_list("link", split_commas=True):
            target, _, params = part.partition(";")
            target = target.strip().strip("<>")
            for param in params.split(";"):
                name, _, value = param.strip().partition("=")
                if name.lower() == "rel" and target:
                    for rel in value.strip('"').split():
                        found[rel.lower()] = str(httpx.URL(self.url).join(target))
        return found

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
            raise ConnectorError(
                f"The network answered {redact_url(self.url)} with a body that is not valid JSON.",
                permanent=False,
                code="http.not_json",
                params={"url": redact_url(self.url)},
            ) from None

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {redact_url(self.url)}>"


#: A connector's classification of its network's errors: return an exception or None for the default.
ErrorMap = Callable[[Response, str], ConnectorError | None]


def redact_url(url: str) -> str:
    """The URL with the values of token-like query parameters (and any user:password) hidden."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rpartition("@")[2]
    query = urlencode(
        [
            (k, REDACTED if k.lower() in SENSITIVE_PARAMS else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="[]",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or HTTP date) or the ``X-RateLimit-Reset``
    family (epoch seconds, seconds from now, or an ISO 8601 time as Mastodon sends), or None."""
    now = time.time() if now is None else now
    lower = {k.lower(): v for k, v in headers.items()}
    value = lower.get("retry-after")
    if value is not None:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                return max(0.0, when.timestamp() - now)
    for name in ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"):
        value = lower.get(name)
        if value is None:
            continue
        value = value.strip()
        try:
            number = float(value)
        except ValueError:
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, when.timestamp() - now)
        # Epoch seconds (X, GitHub) or a delay (Reddit, IETF RateLimit): epochs are large.
        return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)
    return None


class _RedactHttpxLog(logging.Filter):
    """httpx logs every request URL at INFO level; token query parameters must not reach the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactHttpxLog())


def message_from(response: Response) -> str:
    """The network's own explanation, from the usual JSON error shapes or the body's start."""
    try:
        body: Any = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            for key in ("message", "description"):
                if isinstance(error.get(key), str):
                    return str(error[key])
        for key in ("error_description", "message", "detail", "error", "title"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            for key in ("message", "detail"):
                if isinstance(errors[0].get(key), str):
                    return str(errors[0][key])
    ctype = response.headers.get("content-type", "")
    if body is None and response.content and "html" not in ctype:
        return response.text.strip()[:200]
    return httpx.codes.get_reason_phrase(response.status_code) or "error"
