"""The one HTTP seam of every connector (httpx underneath).

What every call gets, so that no connector has to think about it:

- timeouts, a User-Agent, a cap on the response size;
- idempotent requests (GET, HEAD, or ``retry=True``) retried with exponential backoff and jitter on
  5xx, timeouts and dropped connections; a non-idempotent request that was sent but got no answer raises
  :class:`OutcomeUnknown`, never a blind retry;
- 429 (and 503 with a long ``Retry-After``) raises ``ConnectorError(retry_after=…)`` read from
  ``Retry-After`` (seconds or HTTP date) or ``X-RateLimit-Reset``-style headers (epoch, seconds or
  ISO 8601); 401 raises :class:`AuthExpired`; 403 and other 4xx raise a permanent error carrying the
  network's own message; a connector may pass ``error_map`` to classify its network's errors first;
- private, loopback, link-local and other non-global addresses are refused: the host is resolved, every
  address checked with :mod:`ipaddress` (an IPv6 address that carries an IPv4 one, NAT64 and
  IPv4-compatible included, is judged by that IPv4), and the connection pinned to a checked address
  (no DNS rebinding); redirects are followed by hand and checked at every hop, and credentials
  (Authorization, Cookie…) are sent only to the origin (scheme, host and port) they were given for.
  Only ``allow_private=True`` (tests, a self-hosted Mastodon on the LAN chosen by an administrator)
  lifts this;
- tokens never reach an exception, a log line or a repr: Authorization headers are never printed, token
  query parameters are shown as ``[redacted]`` and every secret sent is scrubbed from messages;
- inside ``with deadline(seconds):`` (the outbox bounds each publishing attempt so), every request's
  timeout is cut to the time left and no request starts once it has passed: :class:`DeadlinePassed`
  is raised *before* sending, a temporary error that is safe to retry.
"""

from __future__ import annotations

import base64
import email.utils
import ipaddress
import json
import logging
import random
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.engine.messages import Param

__all__ = [
    "DEFAULT_USER_AGENT",
    "Deadline",
    "DeadlinePassed",
    "ErrorMap",
    "HttpClient",
    "OutcomeUnknown",
    "Response",
    "allow_private_destinations",
    "deadline",
    "parse_retry_after",
    "redact_url",
]

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "Ambassade/0.1 (+https://github.com/ambassade; community listening)"
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
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDACTED = "[redacted]"

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


class DeadlinePassed(ConnectorError):
    """The attempt's deadline has passed (or its claim was lost): the request was **not** sent, so it
    is safe to try again later."""


class Deadline:
    """A point in time (monotonic clock) after which no request of an attempt may start, and by which
    every request of it has given up. :meth:`cancel` ends it at once (the claim was lost)."""

    #: A request is not started with less than this left: it could not get an answer anyway.
    MIN_LEFT = 0.2

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.at = clock() + seconds
        self.cancelled = False

    def left(self) -> float:
        return 0.0 if self.cancelled else max(0.0, self.at - self._clock())

    def passed(self) -> bool:
        """Whether the time is over (a cancelled deadline still lets an answer be read)."""
        return self._clock() >= self.at

    def cancel(self) -> None:
        self.cancelled = True


_DEADLINE: ContextVar[Deadline | None] = ContextVar("ambassade_http_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound every request made in this block (this thread) by ``seconds`` from now."""
    bound = Deadline(seconds)
    token = _DEADLINE.set(bound)
    try:
        yield bound
    finally:
        _DEADLINE.reset(token)


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


def _default_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


#: Ranges :mod:`ipaddress` counts as global in some Python versions but that no connector may reach:
#: the IETF protocol assignments (all of 192.0.0.0/24), the deprecated 6to4 relay anycast, the
#: local-use NAT64 prefix (RFC 8215), discard-only, documentation and deprecated site-local IPv6.
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",
        "192.88.99.0/24",
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fec0::/10",
    )
)
#: IPv6 prefixes whose last 32 bits are an IPv4 address the packets end up at: NAT64's well-known
#: prefix, IPv4-compatible (::a.b.c.d, deprecated), IPv4-mapped and IPv4-translated addresses.
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(network)
    for network in ("64:ff9b::/96", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (NAT64, IPv4-compatible, -mapped, -translated,
    6to4), or None."""
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


_ALLOWED_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
_ALLOWED_HOSTS: frozenset[str] = frozenset()


def allow_private_destinations(entries: Iterable[str]) -> None:
    """Let every client of this process reach the given private hosts or networks: host names
    (``intranet.example.lan``: whatever private address that name resolves to) and networks or
    addresses (``10.1.2.0/24``, ``192.168.1.20``: any name resolving inside them). The product
    calls this once at start with ``AMBASSADE_ALLOWED_PRIVATE_HOSTS``; ValueError names a bad entry.
    Redirects are checked hop by hop as ever: an allowed host cannot send a request elsewhere."""
    global _ALLOWED_NETWORKS, _ALLOWED_HOSTS
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    hosts: set[str] = set()
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        try:
            host = entry.lower().rstrip(".").encode("idna").decode("ascii")
        except UnicodeError:
            host = ""
        if not _HOST_NAME.fullmatch(host):
            raise ValueError(f"{entry!r} is neither a host name nor an IP address or network")
        hosts.add(host)
    _ALLOWED_NETWORKS, _ALLOWED_HOSTS = tuple(networks), frozenset(hosts)


_HOST_NAME = re.compile(
    r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)


def _allowed_private(host: str, address: str) -> bool:
    """Whether an administrator allowed ``host`` (as written in the URL, IDNA-encoded) or
    ``address`` although it is not public."""
    if host.lower().rstrip(".") in _ALLOWED_HOSTS:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _ALLOWED_NETWORKS)


def _is_public(address: str) -> bool:
    """Whether a connector may reach ``address``: globally routable, not multicast, judged by the
    IPv4 address it carries when it carries one (so ``64:ff9b::7f00:1`` is loopback)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0]
    )
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    if any(ip in network for network in _NOT_PUBLIC):
        return False
    return ip.is_global and not ip.is_multicast


def _message_from(response: Response) -> str:
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
        self._resolver = resolver or _default_resolver
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
            bound = _DEADLINE.get()
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
            if url.scheme == "https" and not _is_ip(url.host):
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
            if not _is_public(address) and not _allowed_private(host, address):
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
        bound = _DEADLINE.get()
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
        message = _scrub(_message_from(response), secrets)
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
