"""The client of the seam (see the package's docstring): timeouts, retries with backoff, redirects
followed by hand and checked hop by hop, credentials kept to their origin, errors classified into
``ConnectorError``, ``AuthExpired`` and :class:`OutcomeUnknown`."""

from __future__ import annotations

import base64
import ipaddress
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http.addresses import allowed_private, default_resolver, is_ip, is_public
from ambassade.connectors.http.deadlines import Deadline, DeadlinePassed, current_deadline
from ambassade.connectors.http.responses import (
    REDACTED,
    SENSITIVE_PARAMS,
    ErrorMap,
    Response,
    message_from,
    parse_retry_after,
    redact_url,
)
from ambassade.engine.messages import Param

__all__ = ["DEFAULT_USER_AGENT", "HttpClient", "OutcomeUnknown"]

# The seam's log keeps the name it had as one module.
logger = logging.getLogger("ambassade.connectors.http")

DEFAULT_USER_AGENT = "Ambassade/0.1 (+https://github.com/ambassade; community listening)"
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Resolver = Callable[[str, int], Iterable[str]]
#: The message code of a request sent without an answer, by the code of what happened.
MAYBE_RECEIVED = {
    "http.timeout": "http.timeout_maybe_received",
    "http.connection_failed": "http.connection_failed_maybe_received",
    "http.cannot_connect": "http.cannot_connect_maybe_received",
}


class OutcomeUnknown(ConnectorError):
    """A non-idempotent request was sent and no answer came back: it may or may not have taken
    effect. The caller reconciles (reads the network) before trying again."""


class HttpClient:
    """One per worker (it keeps connections alive); thread-safe as httpx.Client is."""

    def __init__(
        self,
        *,
        timeout: float = 15.0,
        user_agent: str = DEFAULT_USER_AGENT,
        allow_private: bool = False,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        resolver: Resolver | None = None,
        transport: httpx.BaseTransport | None = None,
        proxy: str | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self._timeout = timeout
        self._sleep = sleep
        self._resolver = resolver or default_resolver
        # trust_env=False: no proxy or netrc picked up behind the administrator's back.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            trust_env=False,
            transport=transport,
            proxy=proxy,
        )

    def __repr__(self) -> str:
        return f"<HttpClient allow_private={self.allow_private}>"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public API ---------------------------------------------------------------------------

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        basic_auth: tuple[str, str] | None = None,
        retry: bool | None = None,
        error_map: ErrorMap | None = None,
        ok: Iterable[int] = (),
    ) -> Response:
        """Send one request and return the response if its status is 2xx (or listed in ``ok``, for
        example 304 for a conditional GET); otherwise raise the classified :class:`ConnectorError`."""
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS if retry is None else retry
        secrets = self._secrets(params, headers, {**(data or {}), **_dict(json)}, basic_auth)
        request_headers = dict(headers or {})
        if basic_auth:
            token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
            request_headers["Authorization"] = f"Basic {token}"
            secrets.append(token)
        current = httpx.URL(url)
        cleaned = _clean_params(params)
        if cleaned:
            current = current.copy_merge_params(tuple(cleaned))
        attempt = 0
        redirects = 0
        while True:
            started = time.monotonic()
            bound = current_deadline()
            timeout = None
            if bound is not None:
                left = bound.left()
                if left < Deadline.MIN_LEFT:
                    raise DeadlinePassed(
                        f"Not sent to {redact_url(str(current))}: the attempt ran out of time.",
                        permanent=False,
                        code="http.out_of_time",
                        params={"url": redact_url(str(current))},
                    )
                timeout = min(left, self._timeout)
            try:
                response = self._send_once(
                    method, current, request_headers, data, json, content, secrets, timeout, bound
                )
            except _Transient as exc:
                if idempotent and attempt < self.max_retries:
                    self._pause(attempt, None)
                    attempt += 1
                    continue
                if not idempotent and exc.sent:
                    raise OutcomeUnknown(
                        f"{exc.message} The request may have been received; check before retrying.",
                        permanent=False,
                        code=MAYBE_RECEIVED[exc.code],
                        params=exc.params,
                    ) from None
                raise ConnectorError(
                    exc.message, permanent=False, code=exc.code, params=exc.params
                ) from None
            logger.debug(
                "%s %s -> %s in %.2fs",
                method,
                redact_url(str(current)),
                response.status_code,
                time.monotonic() - started,
            )
            status = response.status_code
            if status in (301, 302, 303, 307, 308) and "location" in response.headers:
                if method not in ("GET", "HEAD") or redirects >= self.max_redirects:
                    raise ConnectorError(
                        f"{redact_url(str(current))} redirects too many times or for a {method}.",
                        permanent=True,
                        code="http.redirects",
                        params={"url": redact_url(str(current)), "method": method},
                    )
                current = current.join(response.headers["location"])
                redirects += 1
                # Credentials stay with their origin: a redirect to another host, another port of
                # the same host, or down to plain http does not carry them.
                if _origin(current) != _origin(httpx.URL(url)):
                    request_headers = {
                        k: v
                        for k, v in request_headers.items()
                        if k.lower() not in SENSITIVE_HEADERS
                    }
                continue
            if 200 <= status < 300 or status in ok:
                return response
            retry_after = parse_retry_after(response.headers)
            if (
                status in RETRY_STATUSES
                and idempotent
                and attempt < self.max_retries
                and (retry_after is None or retry_after <= self.max_backoff)
            ):
                self._pause(attempt, retry_after)
                attempt += 1
                continue
            raise self._classify(response, method, error_map, secrets, retry_after)

    # --- internals ------------------------------------------------------------------------------

    def _send_once(
        self,
        method: str,
        url: httpx.URL,
        headers: dict[str, str],
        data: Mapping[str, Any] | None,
        json_body: Any,
        content: bytes | None,
        secrets: list[str],
        timeout: float | None = None,
        bound: Deadline | None = None,
    ) -> Response:
        if url.scheme not in ("http", "https"):
            raise ConnectorError(
                f"Only http and https addresses can be fetched, not {url.scheme!r}.",
                permanent=True,
                code="http.scheme",
                params={"scheme": url.scheme},
            )
        send_url = url
        send_headers = dict(headers)
        extensions: dict[str, Any] = {}
        if not self.allow_private:
            address = self._checked_address(url)
            send_url = url.copy_with(host=address)
            host = url.raw_host.decode("ascii")  # IDNA-encoded, as it goes on the wire
            if ":" in host:
                host = f"[{host}]"
            send_headers["Host"] = host if url.port is None else f"{host}:{url.port}"
            if url.scheme == "https" and not is_ip(url.host):
                extensions["sni_hostname"] = url.raw_host.decode("ascii")
        request = self._client.build_request(
            method,
            send_url,
            headers=send_headers,
            data=data,
            json=json_body,
            content=content,
            extensions=extensions,
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else httpx.Timeout(timeout),
        )
        shown = redact_url(str(url))
        try:
            response = self._client.send(request, stream=True)
            try:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if bound is not None and bound.passed():
                        raise httpx.ReadTimeout("the attempt's deadline passed")
                    if len(body) > self.max_bytes:
                        raise ConnectorError(
                            f"The answer from {shown} is larger than {self.max_bytes} bytes.",
                            permanent=True,
                            code="http.too_large",
                            params={"url": shown, "limit": self.max_bytes},
                        )
            finally:
                response.close()
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            reason = _scrub(_reason(exc), secrets)
            raise _Transient(
                f"Could not connect to {shown}: {reason}.",
                "http.cannot_connect",
                {"url": shown, "detail": reason},
                sent=False,
            ) from None
        except httpx.TimeoutException:
            raise _Transient(
                f"{shown} did not answer in time.", "http.timeout", {"url": shown}, sent=True
            ) from None
        except httpx.TransportError as exc:
            reason = _scrub(_reason(exc), secrets)
            raise _Transient(
                f"The connection to {shown} failed: {reason}.",
                "http.connection_failed",
                {"url": shown, "detail": reason},
                sent=True,
            ) from None
        return Response(response.status_code, response.headers, bytes(body), str(url))

    def _checked_address(self, url: httpx.URL) -> str:
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = list(dict.fromkeys(self._resolver(host, port)))
            except (OSError, UnicodeError):
                raise ConnectorError(
                    f"The host name {host} could not be resolved.",
                    permanent=False,
                    code="http.unresolved",
                    params={"host": host},
                ) from None
        if not addresses:
            raise ConnectorError(
                f"The host name {host} could not be resolved.",
                permanent=False,
                code="http.unresolved",
                params={"host": host},
            )
        for address in addresses:
            if not is_public(address) and not allowed_private(host, address):
                raise ConnectorError(
                    f"{host} is a private address ({address}): connectors reach it only if an "
                    "administrator allows it with AMBASSADE_ALLOWED_PRIVATE_HOSTS.",
                    permanent=True,
                    code="http.private_address",
                    params={"host": host, "address": address},
                )
        return addresses[0]

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = retry_after
        else:
            delay = min(self.max_backoff, self.backoff * (2**attempt))
            delay *= 0.5 + random.random() / 2  # jitter, so that workers do not retry in step
        bound = current_deadline()
        if bound is not None:
            delay = min(delay, bound.left())
        self._sleep(delay)

    def _classify(
        self,
        response: Response,
        method: str,
        error_map: ErrorMap | None,
        secrets: list[str],
        retry_after: float | None,
    ) -> ConnectorError:
        message = _scrub(message_from(response), secrets)
        if error_map is not None:
            mapped = error_map(response, message)
            if mapped is not None:
                return mapped
        status = response.status_code
        where = f"{method} {redact_url(response.url)}"
        if status == 401:
            return AuthExpired(
                f"The network refused the credentials ({status}): {message}",
                code="http.credentials_refused",
                params={"status": status, "detail": message},
            )
        if status == 429:
            return ConnectorError(
                f"Rate limited by the network ({where}): {message}",
                permanent=False,
                retry_after=retry_after,
                code="http.rate_limited",
                params={"where": where, "detail": message},
            )
        if status >= 500:
            return ConnectorError(
                f"The network failed ({status} on {where}): {message}",
                permanent=False,
                retry_after=retry_after,
                code="http.server_failed",
                params={"status": status, "where": where, "detail": message},
            )
        return ConnectorError(
            f"The network refused the request ({status} on {where}): {message}",
            permanent=True,
            code="http.refused",
            params={"status": status, "where": where, "detail": message},
        )

    @staticmethod
    def _secrets(
        params: Mapping[str, Any] | list[tuple[str, Any]] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, Any] | None,
        basic_auth: tuple[str, str] | None,
    ) -> list[str]:
        found: list[str] = []
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        pairs += list((data or {}).items())
        for key, value in pairs:
            if key.lower() in SENSITIVE_PARAMS and value:
                found.append(str(value))
        for key, value in (headers or {}).items():
            if key.lower() in SENSITIVE_HEADERS and value:
                found.append(value)
                found.append(value.split(" ", 1)[-1])
        if basic_auth:
            found.extend(part for part in basic_auth if part)
        return [s for s in found if len(s) >= 4]


class _Transient(Exception):
    def __init__(self, message: str, code: str, params: Mapping[str, Param], *, sent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params
        self.sent = sent


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    """Scheme, host and port (the scheme's default when none is written)."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return url.scheme, url.host.lower(), port


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _clean_params(
    params: Mapping[str, Any] | list[tuple[str, Any]] | None,
) -> list[tuple[str, str]] | None:
    if params is None:
        return None
    pairs = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out.append((key, str(value)))
    return out
