"""The contract of an issue tracker: create an issue, read its state, find it again, and read the
tracker's webhook deliveries.

A tracker is where a community manager sends a bug report to the technical team (GitHub, GitLab,
Jira Cloud, or any system behind a signed webhook). Like a network connector, it speaks through the
one HTTP seam and raises :class:`~ambassade.connectors.base.ConnectorError` (``permanent``,
``retry_after``) or :class:`~ambassade.connectors.base.AuthExpired`, with a ``code`` in the
``tracker`` namespace; ``config`` is the tracker connection's settings (repository, project…),
``credentials`` the decrypted secret of the workspace's vault, never logged.

Creating an issue is not idempotent: each draft carries a ``marker`` (a unique reference written
into the issue's text) so that, when a creation's outcome is unknown (:class:`OutcomeUnknown`), the
app looks the issue up with :meth:`Tracker.find_issue` before trying again.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ambassade.connectors.base import AuthExpired, ConnectorError, Credentials, InvalidConfig
from ambassade.connectors.http import ErrorMap, HttpClient, Response, parse_retry_after
from ambassade.engine import jsonlines

__all__ = [
    "IssueDraft",
    "IssueState",
    "NumberedTracker",
    "TrackedIssue",
    "Tracker",
    "TrackerEvent",
    "WebhookRefused",
    "error_map",
    "hmac_sha256",
    "longest_run",
    "parse_time",
    "same_secret",
]

MARKER = re.compile(r"amb-[0-9a-z]{8,40}")


class IssueState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class IssueDraft:
    """What the community manager reports. ``description`` is the manager's own text; ``quote``
    the customer's words (untrusted: each tracker shows it as literal text, never as markup);
    ``link`` the conversation in Ambassade; ``marker`` a unique ``amb-…`` reference."""

    title: str
    description: str = ""
    quote: str = ""
    link: str = ""
    marker: str = ""
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.marker and not MARKER.fullmatch(self.marker):
            raise ValueError(
                f"a marker is amb- and 8 to 40 lower-case letters or digits: {self.marker!r}"
            )


@dataclass(frozen=True, slots=True)
class TrackedIssue:
    """An issue as the tracker shows it. ``ref`` identifies it in its project (GitHub's number,
    GitLab's iid, Jira's key, the id a webhook receiver gave); ``url`` is its page for people;
    ``status`` the tracker's own word for its state (``open``, ``In Progress``, ``Done``…)."""

    ref: str
    url: str
    state: IssueState
    status: str
    title: str = ""
    updated_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrackerEvent:
    """A webhook delivery about one issue: its ``ref`` in ``project`` (the repository, project path
    or key it belongs to, to tell the workspace's connections apart) and its new state."""

    ref: str
    project: str
    state: IssueState
    status: str
    url: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class WebhookRefused(Exception):
    """A delivery that is not the tracker's (bad or missing signature, stale timestamp) or cannot be
    read. ``status`` is the HTTP answer to give (401, 400); the message names what is wrong."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class Tracker:
    """Base class of the trackers: subclasses set ``kind`` and ``label`` and implement the methods.

    ``endpoints`` overrides the tracker's base address (tests point it at a local server); without
    it the address comes from ``config`` (a GitLab or Jira site) or the tracker's public API."""

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    #: Whether :meth:`get_issue` can read an issue's state (False: the state only comes by webhook).
    can_poll: ClassVar[bool] = True
    #: The names of the credentials' fields this tracker needs, in the order a form shows them.
    secrets: ClassVar[tuple[str, ...]] = ("token",)

    def __init__(
        self, http: HttpClient | None = None, *, endpoints: Mapping[str, str] | None = None
    ) -> None:
        self._http = http
        self._own_http: HttpClient | None = None
        self.endpoints = dict(endpoints or {})

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            if self._own_http is None:
                self._own_http = HttpClient()
            return self._own_http
        return self._http

    def close(self) -> None:
        if self._own_http is not None:
            self._own_http.close()
            self._own_http = None

    # --- to implement -----------------------------------------------------------------------

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The config cleaned, or :class:`InvalidConfig` naming the field."""
        raise NotImplementedError

    def create_issue(
        self, config: Mapping[str, Any], credentials: Credentials, draft: IssueDraft
    ) -> TrackedIssue:
        raise NotImplementedError

    def get_issue(
        self, config: Mapping[str, Any], credentials: Credentials, ref: str
    ) -> TrackedIssue:
        raise NotImplementedError

    def find_issue(
        self, config: Mapping[str, Any], credentials: Credentials, marker: str
    ) -> TrackedIssue | None:
        """The issue whose text carries ``marker``, or None (after an unknown outcome)."""
        raise NotImplementedError

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime | None = None
    ) -> None:
        """Raise :class:`WebhookRefused` unless the delivery is signed with ``secret``."""
        raise NotImplementedError

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackerEvent | None:
        """The issue event a verified delivery carries, or None (a ping, another kind of event)."""
        raise NotImplementedError

    # --- shared helpers ---------------------------------------------------------------------

    def secret(self, credentials: Credentials, name: str = "token") -> str:
        value = (credentials or {}).get(name)
        if not isinstance(value, str) or not value.strip():
            raise AuthExpired(
                f"The {self.label} connection has no {name}.",
                code="tracker.no_credentials",
                params={"tracker": self.label, "field": name},
            )
        return value.strip()

    def base_url(self, config: Mapping[str, Any], key: str, default: str = "") -> str:
        base = self.endpoints.get("base") or str(config.get(key) or default)
        return base.rstrip("/")

    def error_map(self) -> ErrorMap:
        return error_map(self.label)


class NumberedTracker(Tracker):
    """A tracker whose issues are numbered within a project and created and read over REST at
    ``_issues_url(config)`` (GitHub, GitLab). Subclasses give the address, the headers, how an
    issue reads (``_issue``) and the tracker's explanation of an error (``_detail``)."""

    #: The issue's field that holds its text.
    body_field: ClassVar[str] = "body"

    def _headers(self, credentials: Credentials) -> dict[str, str]:
        raise NotImplementedError

    def _issues_url(self, config: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def _issue(self, item: Any) -> TrackedIssue:
        raise NotImplementedError

    def _labels(self, labels: tuple[str, ...]) -> Any:
        """The labels as the tracker takes them (a list; GitLab: one comma-separated text)."""
        return list(labels)

    def _detail(self, response: Response, message: str) -> str:
        return message

    def error_map(self) -> ErrorMap:
        return error_map(self.label, self._detail)

    def create_issue(
        self, config: Mapping[str, Any], credentials: Credentials, draft: IssueDraft
    ) -> TrackedIssue:
        payload: dict[str, Any] = {"title": draft.title, self.body_field: markdown_body(draft)}
        if draft.labels:
            payload["labels"] = self._labels(draft.labels)
        response = self.http.post(
            self._issues_url(config),
            headers=self._headers(credentials),
            json=payload,
            error_map=self.error_map(),
        )
        return self._issue(response.json())

    def get_issue(
        self, config: Mapping[str, Any], credentials: Credentials, ref: str
    ) -> TrackedIssue:
        if not (ref.isascii() and ref.isdigit()):
            raise ConnectorError(
                f"A {self.label} issue is a number, not {ref!r}.",
                permanent=True,
                code="tracker.bad_reference",
                params={"tracker": self.label, "ref": ref[:100]},
            )
        response = self.http.get(
            f"{self._issues_url(config)}/{ref}",
            headers=self._headers(credentials),
            error_map=self.error_map(),
        )
        return self._issue(response.json())


def hmac_sha256(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (False for a missing value or an empty expected secret)."""
    return (
        bool(given)
        and bool(expected)
        and hmac.compare_digest(str(given).encode(), expected.encode())
    )


def header(headers: Mapping[str, str], name: str) -> str | None:
    lower = name.lower()
    for key, value in headers.items():
        if key.lower() == lower:
            return value
    return None


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as the trackers write it (``Z``, ``+00:00`` or Jira's ``+0000``), in UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text[-1:] in "Zz":
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def longest_run(text: str, char: str) -> int:
    """The longest run of ``char`` in ``text`` (to fence a quote with a longer one)."""
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def markdown_body(draft: IssueDraft, *, heading: str = "Customer's words") -> str:
    """The issue text for GitHub and GitLab: the manager's description, the customer's words in a
    fenced block (a longer fence than any in the text, so nothing in them is markup, no @mention
    pings anyone), the link to the conversation and the marker."""
    parts = []
    if draft.description.strip():
        parts.append(draft.description.strip())
    if draft.quote.strip():
        fence = "`" * max(3, longest_run(draft.quote, "`") + 1)
        parts.append(f"**{heading}**\n\n{fence}text\n{draft.quote.strip()}\n{fence}")
    footer = []
    if draft.link:
        footer.append(f"Conversation: <{draft.link}>")
    if draft.marker:
        footer.append(f"Ambassade reference: `{draft.marker}`")
    if footer:
        parts.append("\n".join(footer))
    return "\n\n".join(parts)


def error_map(label: str, detail: Callable[[Response, str], str] | None = None) -> ErrorMap:
    """A tracker's errors: 401 credentials refused, 403 permission (or a rate limit when the
    tracker says so), 404 not found, 400/409/410/422 refused as invalid, 429 rate limited with the
    wait the tracker gave. ``detail`` reads the tracker's own explanation from the body."""

    def classify(response: Response, message: str) -> ConnectorError | None:
        status = response.status_code
        text = detail(response, message) if detail else message
        params = {"tracker": label, "detail": text}
        remaining = header(response.headers, "x-ratelimit-remaining")
        if status == 429 or (status == 403 and (remaining == "0" or "rate limit" in text.lower())):
            return ConnectorError(
                f"{label} asks to wait before the next request: {text}",
                permanent=False,
                retry_after=parse_retry_after(response.headers),
                code="tracker.rate_limited",
                params=params,
            )
        if status == 401:
            return AuthExpired(
                f"{label} refused the credentials: {text}",
                code="tracker.credentials_refused",
                params=params,
            )
        if status == 403:
            return AuthExpired(
                f"{label} refused: the credentials lack a permission ({text})",
                code="tracker.forbidden",
                params=params,
            )
        if status == 404:
            return ConnectorError(
                f"{label} cannot find it: {text}",
                permanent=True,
                code="tracker.not_found",
                params=params,
            )
        if status in (400, 409, 410, 422):
            return ConnectorError(
                f"{label} refused the issue: {text}",
                permanent=True,
                code="tracker.invalid",
                params=params,
            )
        return None

    return classify


def invalid(field: str, code: str, message: str, **params: str) -> InvalidConfig:
    return InvalidConfig(message, code=code, params={"field": field, **params})


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook body as a JSON object, or :class:`WebhookRefused` (400)."""
    try:
        value = jsonlines.loads(body)
    except ValueError:  # JsonProblem: not JSON, or nested too deep
        raise WebhookRefused("The delivery is not valid JSON.", 400) from None
    if not isinstance(value, dict):
        raise WebhookRefused("The delivery is not a JSON object.", 400)
    return value


def check_https(value: object, field: str, label: str) -> str:
    """An https:// address without credentials, query or fragment."""
    text = str(value or "").strip().rstrip("/")
    parts = urlsplit(text)
    if (
        parts.scheme != "https"
        or not parts.hostname
        or parts.username
        or parts.query
        or parts.fragment
    ):
        raise invalid(
            field,
            "tracker.bad_address",
            f"The {label} address must be an https:// address, not {text!r}.",
            tracker=label,
            value=text[:200],
        )
    return text
