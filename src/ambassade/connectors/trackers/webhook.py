"""A bug report sent to any system as a signed webhook (the technical team's own tool, Zapier, n8n…).

Sending: ``POST`` of a JSON body to the configured ``url``, signed as every webhook Ambassade sends
(``ambassade.connectors.signed_webhook``): ``X-Ambassade-Timestamp: <Unix seconds>`` and
``X-Ambassade-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``. The body::

    {"event": "bug_report.created", "id": "amb-…", "title": "…", "description": "…",
     "quote": "the customer's words", "link": "https://…/conversation", "labels": ["…"]}

``id`` is an idempotency key: a delivery repeated after a lost answer carries the same one, and
the receiver treats it as the same report. The receiver may answer ``{"id": "…", "url": "…"}``
(its own reference and page); otherwise the report is known by its ``id``.

Status back: the receiver ``POST``s to the connection's address in Ambassade a body
``{"id": "…", "state": "open" | "closed", "status": "its own word", "url": "…"}`` signed the same
way with the same secret; deliveries more than five minutes old are refused (replays).
There is nothing to poll.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from ambassade.connectors.base import ConnectorError, Credentials
from ambassade.connectors.signed_webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from ambassade.connectors.trackers.base import (
    IssueDraft,
    IssueState,
    TrackedIssue,
    Tracker,
    TrackerEvent,
    WebhookRefused,
    check_https,
    error_map,
    header,
    json_object,
    same_secret,
)

__all__ = ["MAX_AGE", "WebhookTracker"]

#: Status deliveries older (or further in the future) than this many seconds are refused.
MAX_AGE = 300


class WebhookTracker(Tracker):
    kind: ClassVar[str] = "webhook"
    label: ClassVar[str] = "Webhook"
    can_poll: ClassVar[bool] = False
    secrets: ClassVar[tuple[str, ...]] = ("secret",)

    def __init__(self, *args: Any, clock: Any = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return {"url": check_https(config.get("url"), "url", self.label)}

    def create_issue(
        self, config: Mapping[str, Any], credentials: Credentials, draft: IssueDraft
    ) -> TrackedIssue:
        secret = self.secret(credentials, "secret")
        body = json.dumps(
            {
                "event": "bug_report.created",
                "id": draft.marker,
                "title": draft.title,
                "description": draft.description,
                "quote": draft.quote,
                "link": draft.link,
                "labels": list(draft.labels),
            },
            ensure_ascii=False,
        ).encode()
        stamp = int(self._clock())
        url = self.endpoints.get("base") or str(config["url"])
        response = self.http.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                TIMESTAMP_HEADER: str(stamp),
                SIGNATURE_HEADER: signature(secret, body, stamp),
            },
            error_map=error_map(self.label),
        )
        answer: Any = None
        if response.content.strip():
            try:
                answer = response.json()
            except ConnectorError:
                answer = None  # a receiver may answer "OK": the report is known by its id
        answer = answer if isinstance(answer, dict) else {}
        ref = answer.get("id")
        return TrackedIssue(
            ref=str(ref) if isinstance(ref, str | int) and str(ref) else draft.marker,
            url=_page(answer.get("url")),
            state=IssueState.OPEN,
            status=str(answer.get("status") or ""),
            title=draft.title,
        )

    def get_issue(
        self, config: Mapping[str, Any], credentials: Credentials, ref: str
    ) -> TrackedIssue:
        raise ConnectorError(
            "A webhook receiver cannot be asked for a report's state; it sends it.",
            permanent=True,
            code="tracker.cannot_poll",
            params={"tracker": self.label},
        )

    def find_issue(
        self, config: Mapping[str, Any], credentials: Credentials, marker: str
    ) -> TrackedIssue | None:
        # Nothing to look up: sending again is safe, the receiver de-duplicates by id.
        return None

    def verify_webhook(
        self, headers: Mapping[str, str], body: bytes, secret: str, *, now: datetime | None = None
    ) -> None:
        stamp = header(headers, TIMESTAMP_HEADER) or ""
        # ASCII digits only ('²'.isdigit() is true and int() refuses it), and few of them.
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            raise WebhookRefused(f"The {TIMESTAMP_HEADER} header is missing.")
        moment = (now or datetime.now(UTC)).timestamp()
        if abs(moment - int(stamp)) > MAX_AGE:
            raise WebhookRefused(f"The {TIMESTAMP_HEADER} header is more than five minutes off.")
        if not same_secret(header(headers, SIGNATURE_HEADER), signature(secret, body, int(stamp))):
            raise WebhookRefused(f"The {SIGNATURE_HEADER} signature is missing or wrong.")

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> TrackerEvent | None:
        payload = json_object(body)
        ref = payload.get("id")
        state = payload.get("state")
        if not isinstance(ref, str | int) or not str(ref):
            raise WebhookRefused('The delivery has no "id".', 400)
        if state not in ("open", "closed"):
            raise WebhookRefused('"state" must be "open" or "closed".', 400)
        return TrackerEvent(
            ref=str(ref),
            project="",
            state=IssueState(state),
            status=str(payload.get("status") or state)[:100],
            url=_page(payload.get("url")),
            raw=payload,
        )


def _page(value: object) -> str:
    """A page address a receiver gave, if it is an http(s) one (it is shown as a link)."""
    text = str(value or "")
    return text[:500] if text.startswith(("https://", "http://")) else ""
