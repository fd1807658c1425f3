"""What the Meta Graph APIs (Facebook pages, Instagram, Threads) share: errors, rate-limit headers,
paging and the media containers.

Every Graph error comes as ``{"error": {"message", "type", "code", "error_subcode",
"error_user_msg", "fbtrace_id"}}``, often with HTTP 400 whatever the cause; the ``code`` says what
happened (https://developers.facebook.com/docs/graph-api/guides/error-handling):

- 190 (102) the token expired or was revoked (subcodes 460 password changed, 463 expired, 467
  invalid), 10 and 200–299 a permission is missing → :class:`AuthExpired`;
- 4, 17, 32, 613 and the business-use-case codes 80000–80014 → a rate limit, temporary, with the
  wait read from ``estimated_time_to_regain_access`` (minutes) in ``X-Business-Use-Case-Usage``,
  ``X-App-Usage`` or ``X-Page-Usage`` when the network sends it;
- 506 duplicate post → permanent, in plain words;
- 1, 2 (unknown error, service unavailable) and 5xx → temporary; on a publishing call (``is_publish``
  says which) an :class:`OutcomeUnknown`, since the post may exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ambassade.connectors.base import AuthExpired, ConnectorError, Container, Draft, MediaUpload
from ambassade.connectors.http import (
    DeadlinePassed,
    ErrorMap,
    HttpClient,
    OutcomeUnknown,
    Response,
    parse_retry_after,
)
from ambassade.engine import jsonlines
from ambassade.engine.messages import Param

__all__ = [
    "DEFAULT_RATE_WAIT",
    "AlreadyPublished",
    "GraphNotFound",
    "KeptContainers",
    "container_key",
    "error_details",
    "error_map",
    "media_handle",
    "pages",
    "read_handle",
    "usage_wait",
    "wait_for_container",
]

#: Seconds to wait after a rate limit the network gave no time for (its windows roll over an hour).
DEFAULT_RATE_WAIT = 900.0
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80000, 80015))
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-page-usage", "x-ad-account-usage")
TOKEN_SUBCODES = {
    458: "the app was removed from the account",
    460: "the account's password changed",
    463: "it has expired",
    464: "the account is not confirmed",
    467: "it is no longer valid",
}
#: The message code of each reason above (the product words it).
TOKEN_SUBCODE_CODES = {
    458: "graph.token_app_removed",
    460: "graph.token_password_changed",
    463: "graph.token_expired",
    464: "graph.token_unconfirmed",
    467: "graph.token_invalid",
}


class GraphNotFound(ConnectorError):
    """The object does not exist (deleted, or never created): HTTP 404 or code 100 subcode 33."""

    def __init__(
        self, message: str, *, code: str = "", params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message, permanent=True, code=code, params=params)


def error_details(response: Response) -> tuple[int | None, int | None, str]:
    """``(code, subcode, message)`` of a Graph error body; the message prefers the one written for
    people (``error_user_msg``)."""
    try:
        body = jsonlines.loads(response.content)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        body = None
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None, None, ""
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = error.get("error_user_msg") or error.get("message") or ""
    return (
        code if isinstance(code, int) else None,
        subcode if isinstance(subcode, int) else None,
        str(message),
    )


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds until access comes back, from the usage headers' ``estimated_time_to_regain_access``
    (minutes; the largest given), or None when no header says."""
    waits: list[float] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            usage = jsonlines.loads(raw)
        except ValueError:  # JsonProblem: not JSON, or nested too deep
            continue
        # X-App-Usage is one object; X-Business-Use-Case-Usage maps ids to lists of objects.
        stack: list[Any] = [usage]
        while stack:
            value = stack.pop()
            if isinstance(value, Mapping):
                minutes = value.get("estimated_time_to_regain_access")
                if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                    waits.append(max(0.0, float(minutes) * 60))
                stack.extend(v for v in value.values() if isinstance(v, Mapping | list))
            elif isinstance(value, list):
                stack.extend(value)
    positive = [w for w in waits if w > 0]
    return max(positive) if positive else None


def error_map(label: str, is_publish: Callable[[Response], bool]) -> ErrorMap:
    """The classification of a Graph network's errors; ``label`` names it in messages."""

    def classify(response: Response, message: str) -> ConnectorError | None:
        status = response.status_code
        code, subcode, detail = error_details(response)
        detail = detail or message
        if code in (190, 102) or status == 401:
            why = TOKEN_SUBCODES.get(subcode or 0)
            if why:
                return AuthExpired(
                    f"{label} refused the access token: {why} ({detail}).",
                    code=TOKEN_SUBCODE_CODES[subcode or 0],
                    params={"network": label, "detail": detail},
                )
            return AuthExpired(
                f"{label} refused the access token: {detail}",
                code="graph.token_refused",
                params={"network": label, "detail": detail},
            )
        if code == 10 or (code is not None and 200 <= code <= 299):
            return AuthExpired(
                f"{label} refused access, a permission is missing: {detail}",
                code="graph.permission_missing",
                params={"network": label, "detail": detail},
            )
        if code in RATE_LIMIT_CODES or status == 429:
            wait = usage_wait(response.headers)
            if not wait:
                wait = parse_retry_after(response.headers) or DEFAULT_RATE_WAIT
            return ConnectorError(
                f"{label} limits how often Ambassade may call it: {detail}",
                permanent=False,
                retry_after=wait,
                code="graph.rate_limited",
                params={"network": label, "detail": detail},
            )
        if code == 506:
            return ConnectorError(
                f"{label} refuses a text identical to the account's previous post.",
                permanent=True,
                code="graph.duplicate",
                params={"network": label},
            )
        if code == 368:
            return ConnectorError(
                f"{label} has temporarily blocked the account from posting: {detail}",
                permanent=True,
                code="graph.blocked",
                params={"network": label, "detail": detail},
            )
        if status == 404 or (code == 100 and subcode == 33):
            return GraphNotFound(
                f"{label} knows no such page, account or post: {detail}",
                code="graph.not_found",
                params={"network": label, "detail": detail},
            )
        if status >= 500 or code in (1, 2):
            if is_publish(response):
                return OutcomeUnknown(
                    f"{label} failed ({status}): {detail}",
                    permanent=False,
                    code="graph.failed_maybe_received",
                    params={"network": label, "status": status, "detail": detail},
                )
            return ConnectorError(
                f"{label} failed ({status}): {detail}",
                permanent=False,
                code="graph.failed",
                params={"network": label, "status": status, "detail": detail},
            )
        return None

    return classify


def pages(
    http: HttpClient,
    url: str,
    params: Mapping[str, Any],
    errors: ErrorMap,
    *,
    max_pages: int,
    label: str,
) -> Iterator[list[Any]]:
    """The ``data`` list of each page of a Graph edge, following ``paging.next``.

    The next page is asked for at ``url`` with the query parameters of ``paging.next`` (cursors or
    ``until``/``__paging_token``), never at the address the network wrote: the token is only ever
    sent to the configured host. Raises a permanent error past ``max_pages`` pages: a caller
    reconciling a post cannot decide from part of a list.
    """
    query = dict(params)
    for _page in range(max_pages):
        body = http.get(url, params=query, error_map=errors).json()
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise ConnectorError(
                f"{label} returned no list of posts.",
                code="connector.bad_answer",
                params={"network": label},
            )
        yield data
        paging = body.get("paging")
        following = paging.get("next") if isinstance(paging, Mapping) else None
        if not following or not data:
            return
        nxt = {k: v for k, v in parse_qsl(urlsplit(str(following)).query) if k != "access_token"}
        query = {**{k: v for k, v in params.items() if k == "access_token"}, **nxt}
    raise ConnectorError(
        f"{label} listed more than {max_pages} pages of posts; the list could not be read to the "
        "end.",
        permanent=True,
        code="graph.too_many_pages",
        params={"network": label, "pages": max_pages},
    )


# --- media containers (Instagram, Threads) ---------------------------------------------------------

_LOCAL_HOSTS = ("localhost", "localhost.localdomain")


def media_handle(media: MediaUpload, label: str) -> str:
    """What ``upload_media`` returns for a network that fetches media itself: the file's public
    address, its kind and its description, checked now so that a post fails before any call.

    Nothing is sent: the container is created at publication, with the caption."""
    url = media.public_url
    if not url:
        raise ConnectorError(
            f"{label} fetches images and videos from a public address, and Ambassade gave none "
            f"for {media.filename}.",
            permanent=True,
            code="graph.no_public_address",
            params={"network": label, "file": media.filename},
        )
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or _is_local(host):
        raise ConnectorError(
            f"{label} cannot fetch {media.filename} from {parts.scheme}://{host}: that address is "
            "not reachable from the internet. Set AMBASSADE_BASE_URL to the public address of "
            "this server.",
            permanent=True,
            code="graph.address_not_public",
            params={
                "network": label,
                "file": media.filename,
                "address": f"{parts.scheme}://{host}",
            },
        )
    if media.content_type.startswith("video/"):
        kind = "video"
    elif media.content_type.startswith("image/"):
        kind = "image"
    else:
        raise ConnectorError(
            f"Ambassade sends only images and videos to {label}.",
            permanent=True,
            code="graph.media_kind",
            params={"network": label},
        )
    return json.dumps({"url": url, "kind": kind, "alt": media.alt_text})


def read_handle(value: str, label: str) -> dict[str, str]:
    try:
        handle = jsonlines.loads(value)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        handle = None
    if not isinstance(handle, dict) or not handle.get("url"):
        raise ConnectorError(
            f"A medium for {label} was not prepared for it.",
            permanent=True,
            code="graph.media_not_prepared",
            params={"network": label},
        )
    return {key: str(handle.get(key) or "") for key in ("url", "kind", "alt")}


def _is_local(host: str) -> bool:
    if host in _LOCAL_HOSTS or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def wait_for_container(
    read: Callable[[], tuple[str, str]],
    *,
    label: str,
    sleep: Callable[[float], None],
    max_wait: float,
    first_pause: float = 1.0,
    explain: Callable[[str], tuple[str, str, bool]] | None = None,
) -> None:
    """Poll a media container until it is ready to publish, for at most ``max_wait`` seconds.

    ``read()`` gives ``(status, detail)``. ``FINISHED`` returns; ``ERROR`` raises (permanent unless
    ``explain(detail)``, which gives the cause's message code, words and permanence, says the cause
    is passing); ``EXPIRED`` and a container still
    ``IN_PROGRESS`` at the end raise a temporary error: nothing was published, a later attempt makes
    a new container."""
    waited = 0.0
    pause = first_pause
    while True:
        try:
            status, detail = read()
        except DeadlinePassed:
            # The outbox bounds each attempt (connectors.http.deadline); nothing was published.
            raise ConnectorError(
                f"{label} was still processing the media when this attempt ran out of time "
                f"(after {int(waited)} seconds); Ambassade will try again later.",
                permanent=False,
                code="graph.still_processing",
                params={"network": label, "seconds": int(waited)},
            ) from None
        if status in ("FINISHED", "PUBLISHED"):
            return
        if status == "ERROR":
            code, words, permanent = (
                explain(detail) if explain else ("graph.media_failed", detail, True)
            )
            raise ConnectorError(
                f"{label} could not process the media: {words or 'no reason given'}.",
                permanent=permanent,
                code=code,
                params={"network": label, "detail": detail or "?"},
            )
        if status == "EXPIRED":
            raise ConnectorError(
                f"{label} let the prepared post expire before publication; Ambassade will prepare "
                "it again.",
                permanent=False,
                code="graph.container_expired",
                params={"network": label},
            )
        if waited >= max_wait:
            raise ConnectorError(
                f"{label} was still processing the media after {int(waited)} seconds; Ambassade "
                "will try again later.",
                permanent=False,
                code="graph.still_processing",
                params={"network": label, "seconds": int(waited)},
            )
        sleep(pause)
        waited += pause
        pause = min(pause * 2, 10.0)


class AlreadyPublished(Exception):
    """A container kept from an earlier attempt says it was published: the post is out."""

    def __init__(self, container: str, created: datetime) -> None:
        super().__init__(container)
        self.container = container
        self.created = created


def container_key(owner: str, params: Mapping[str, Any]) -> str:
    """What a container holds, as a key: the account and every parameter but the token. The same
    draft gives the same key on every attempt; an edited text or medium gives another."""
    shown = sorted((k, str(v)) for k, v in params.items() if k != "access_token")
    return hashlib.sha256(json.dumps([owner, shown]).encode()).hexdigest()


class KeptContainers:
    """The containers of one draft: those earlier attempts made (``Draft.containers``, which the
    outbox stores with the variant, so any worker has them), and those this attempt makes, each
    reported at once through ``Draft.on_container``, before the call that publishes it.

    The outbox bounds each attempt to a few seconds, and Instagram or Threads may take minutes to
    process a video: the next attempt, in any worker, takes the container up instead of making one
    more. A container's status says what became of it (Meta's documented ``status_code`` /
    ``status``): ``IN_PROGRESS`` wait, ``FINISHED`` ready to publish, ``PUBLISHED`` its post is out,
    ``EXPIRED`` (not published within 24 hours) or ``ERROR`` made again."""

    def __init__(self, draft: Draft) -> None:
        self._kept: dict[str, Container] = dict(draft.containers)
        self._report = draft.on_container

    def reuse_or_create(
        self,
        key: str,
        status_of: Callable[[str], str],
        create: Callable[[], str],
        *,
        publishes: bool,
    ) -> str:
        """The kept container while it is processing or ready, else a new one (reported).
        Raises :class:`AlreadyPublished` when the kept one was published.

        A kept container whose state cannot be read now (5xx, timeout, a refused token) raises
        that error: a lost call may have published it, and a new container would publish the
        post a second time. Only one the network does not know (any more) is replaced."""
        kept = self._kept.get(key)
        if kept is not None:
            try:
                status = status_of(kept.id)
            except GraphNotFound:
                status = ""
            except ConnectorError as error:
                if not error.permanent or isinstance(error, AuthExpired):
                    raise
                status = ""
            if status in ("IN_PROGRESS", "FINISHED"):
                return kept.id
            if status == "PUBLISHED":
                raise AlreadyPublished(kept.id, kept.created_at)
        made = Container(create(), datetime.now(UTC), publishes)
        self._kept[key] = made
        if self._report is not None:
            self._report(key, made)
        return made.id
