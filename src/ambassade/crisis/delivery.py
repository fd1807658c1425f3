"""Sending alerts out: e-mail through Django's mail, webhooks through the connectors' HTTP seam.

Contract (as healthchecks' transports): ``send(channel, message)`` returns None on success and raises
:class:`DeliveryError` on failure. A webhook body is built by the channel's format from one
:class:`Message`; the four formats are registered in ``FORMATS``:

- ``json``: ``{"event": …, "workspace": …, "title": …, "severity": …, "url": …, "items": […]}``, signed
  with ``X-Ambassade-Signature: sha256=<hex HMAC of the body>`` when the channel has a secret;
- ``slack``: ``{"text": …, "blocks": [section, context]}`` (incoming webhooks);
- ``mattermost``: ``{"text": …, "attachments": [{"fallback", "color", "title", "title_link", "text",
  "fields"}]}`` (incoming webhooks, Slack-style attachments);
- ``teams``: ``{"type": "message", "attachments": [{"contentType":
  "application/vnd.microsoft.card.adaptive", "content": <Adaptive Card 1.4>}]}`` (Teams workflows'
  "post to a channel when a webhook request is received").

Webhooks never reach private addresses, unless ``settings.CRISIS_WEBHOOKS_ALLOW_PRIVATE`` is set (tests
only: it is not an environment setting).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.views.decorators.debug import sensitive_variables

from ambassade.connectors import signed_webhook
from ambassade.connectors.base import ConnectorError
from ambassade.workspaces.messages import StoredMessage, coded

__all__ = ["FORMATS", "DeliveryError", "Message", "MessageItem", "send"]

COLOURS = {"low": "#6b7280", "medium": "#d97706", "high": "#dc2626", "critical": "#7f1d1d"}


class DeliveryError(Exception):
    """``str()`` is English, for logs; ``stored`` is the same message coded, worded when shown
    (the channels page, the alert's deliveries)."""

    def __init__(self, stored: StoredMessage, *, permanent: bool = False) -> None:
        super().__init__(stored.text)
        self.stored = stored
        self.permanent = permanent


@dataclass(frozen=True)
class MessageItem:
    """One alert in a message (a digest carries several)."""

    title: str
    severity: str
    url: str
    triggered_at: str
    kind: str = ""
    value: float | None = None
    baseline: float | None = None
    score: float | None = None
    mentions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Message:
    event: str  # "alert", "digest", "crisis.opened", "test"
    workspace: str
    workspace_name: str
    title: str
    severity: str
    url: str
    text: str
    items: list[MessageItem] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


def _generic(message: Message) -> dict[str, Any]:
    return {
        "event": message.event,
        "workspace": message.workspace,
        "title": message.title,
        "severity": message.severity,
        "url": message.url,
        "text": message.text,
        "items": [
            {
                "title": item.title,
                "kind": item.kind,
                "severity": item.severity,
                "url": item.url,
                "triggered_at": item.triggered_at,
                "value": item.value,
                "baseline": item.baseline,
                "score": item.score,
                "mentions": item.mentions,
            }
            for item in message.items
        ],
    }


def _md_link(url: str, label: str) -> str:
    return f"<{url}|{label}>" if url else label


def _slack(message: Message) -> dict[str, Any]:
    lines = [f"*{_md_link(message.url, message.title)}*", message.text]
    lines += [f"• {_md_link(item.url, item.title)}" for item in message.items]
    facts = " · ".join(f"{name}: {value}" for name, value in message.facts)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(filter(None, lines))}}
    ]
    if facts:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": facts}]})
    return {"text": f"{message.title} ({message.workspace_name})", "blocks": blocks}


def _mattermost(message: Message) -> dict[str, Any]:
    text = "\n".join(
        [message.text, *(f"- [{item.title}]({item.url})" for item in message.items)]
    ).strip()
    return {
        "text": f"#### {message.title}",
        "attachments": [
            {
                "fallback": message.title,
                "color": COLOURS.get(message.severity, "#6b7280"),
                "title": message.title,
                "title_link": message.url,
                "text": text,
                "fields": [
                    {"short": True, "title": name, "value": value} for name, value in message.facts
                ],
            }
        ],
    }


def _teams(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "text": message.title,
            "wrap": True,
            "color": "Attention" if message.severity in ("high", "critical") else "Default",
        },
        {"type": "TextBlock", "text": message.text, "wrap": True},
    ]
    if message.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": name, "value": value} for name, value in message.facts],
            }
        )
    for item in message.items:
        body.append({"type": "TextBlock", "text": f"[{item.title}]({item.url})", "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": "Ambassade", "url": message.url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


FORMATS: dict[str, Callable[[Message], dict[str, Any]]] = {
    "json": _generic,
    "slack": _slack,
    "mattermost": _mattermost,
    "teams": _teams,
}


def _allow_private() -> bool:
    return bool(getattr(settings, "CRISIS_WEBHOOKS_ALLOW_PRIVATE", False))


@sensitive_variables("target", "secret")
def _send_webhook(channel: Any, message: Message) -> None:
    target = channel.webhook().reveal()
    body = json.dumps(FORMATS[channel.format](message), ensure_ascii=False).encode()
    secret = target.get("secret") or ""
    try:
        signed_webhook.send_json(
            target["url"], body, secret=secret, allow_private=_allow_private(), timeout=10.0
        )
    except ConnectorError as exc:
        # The seam already keeps the URL's token parameters out of its messages; the URL path of a
        # Slack/Teams webhook is a credential too, so only the host is named.
        url = target["url"]
        error = StoredMessage(
            exc.code,
            {k: _without(v, url) if isinstance(v, str) else v for k, v in exc.params.items()},
            _without(exc.message, url),
        )
        raise DeliveryError(
            coded("channel.webhook_failed", host=channel.url_hint, error=error),
            permanent=exc.permanent,
        ) from None


def _without(text: str, url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.path and len(parts.path) > 1:
        text = text.replace(parts.path, "/[redacted]")
    return text


def _send_email(channel: Any, message: Message, recipients: list[str] | None = None) -> None:
    recipients = channel.recipient_list() if recipients is None else recipients
    if not recipients:
        raise DeliveryError(coded("channel.no_recipient"), permanent=True)
    lines = [message.text, ""]
    lines += [f"- {item.title}\n  {item.url}" for item in message.items]
    lines += [f"{name}: {value}" for name, value in message.facts]
    lines += ["", message.url]
    try:
        send_mail(
            f"[{message.workspace_name}] {message.title}",
            "\n".join(lines),
            None,
            recipients,
        )
    except OSError as exc:  # smtplib errors are OSErrors
        raise DeliveryError(coded("channel.email_failed", detail=str(exc))) from None


def send(channel: Any, message: Message, recipients: list[str] | None = None) -> None:
    """Send ``message`` through ``channel`` (an e-mail channel: to ``recipients``, by default all of
    its own); raise :class:`DeliveryError` on failure."""
    if channel.kind == "email":
        _send_email(channel, message, recipients)
    else:
        _send_webhook(channel, message)
