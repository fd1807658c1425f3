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

The seam is split by concern: :mod:`.client` (the client, retries, redirects, errors),
:mod:`.responses` (a read response, redaction of URLs, ``Retry-After``), :mod:`.addresses` (which
addresses a connector may reach) and :mod:`.deadlines` (an attempt's time bound). Connectors import
from here.
"""

from __future__ import annotations

from ambassade.connectors.http.addresses import allow_private_destinations
from ambassade.connectors.http.client import DEFAULT_USER_AGENT, HttpClient, OutcomeUnknown
from ambassade.connectors.http.deadlines import Deadline, DeadlinePassed, deadline
from ambassade.connectors.http.responses import ErrorMap, Response, parse_retry_after, redact_url

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
