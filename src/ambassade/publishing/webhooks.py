"""The outbox's status-change webhook: every change of a variant's status is POSTed as JSON to the
address the workspace set, signed, by a Huey task with bounded retries.

- :func:`set_webhook` / :func:`regenerate_secret` / :func:`remove_webhook` (owners and managers, from
  the outbox page); the address and the secret are encrypted with the vault, the secret is shown
  once, when it is made, and never logged or audited.
- :func:`emit` is called by the outbox's state machine after each transition; it writes one
  :class:`WebhookDelivery` per event (its body built at that moment, so a retry resends the same
  event) and enqueues ``publishing.deliver_webhook`` once the transaction commits.
- :func:`deliver` claims a delivery (conditional UPDATE), POSTs it through the connectors' HTTP seam
  (``connectors.signed_webhook``, shared with the crisis alerts; private addresses refused unless
  ``settings.PUBLISHING_WEBHOOKS_ALLOW_PRIVATE``, which only tests set), and records the receiver's
  HTTP status. A 2xx is delivered; no answer, 408, 429 or 5xx is tried again after 10 s, 1, 5, 30
  minutes and 2 hours, then failed; any other status fails at once.

Body (``event`` is ``variant.status_changed``, ``variant.held``, ``variant.resumed`` or ``test``)::

    {"event": …, "delivery": 12, "occurred_at": "2026-03-02T09:00:00Z",
     "workspace": {"slug": …, "name": …},
     "post": {"id": …, "url": "https://…/w/<slug>/publishing/<id>/"},
     "variant": {"id": …, "network": "mastodon", "network_label": "Mastodon", "account": …,
                 "status": "failed", "status_label": "Failed", "error": <the page's message>,
                 "remote_url": …, "scheduled_at": …, "published_at": …}}

Headers: ``X-Ambassade-Event``, ``X-Ambassade-Delivery``, ``X-Ambassade-Timestamp`` (Unix seconds)
and ``X-Ambassade-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from ambassade.connectors import signed_webhook
from ambassade.connectors.base import ConnectorError
from ambassade.publishing import audit
from ambassade.publishing.models import OutboxWebhook, Status, Variant, WebhookDelivery
from ambassade.workspaces.messages import StoredMessage, coded, words_in
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.services import ServiceError, record_audit

__all__ = [
    "EVENT_HELD",
    "EVENT_RESUMED",
    "EVENT_STATUS",
    "EVENT_TEST",
    "deliver",
    "due_deliveries",
    "emit",
    "recent_deliveries",
    "regenerate_secret",
    "remove_webhook",
    "send_test",
    "set_webhook",
    "webhook_for",
]

log = logging.getLogger(__name__)

EVENT_STATUS = "variant.status_changed"
EVENT_HELD = "variant.held"
EVENT_RESUMED = "variant.resumed"
EVENT_TEST = "test"
#: Waits before the 2nd, 3rd… attempt; after the last, the delivery has failed.
BACKOFF = (
    timedelta(seconds=10),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: A task that claimed a delivery and died lets another try after this long.
LEASE = timedelta(minutes=1)
TIMEOUT = 10.0
RETRY_STATUSES = frozenset({408, 429})


# --- settings ------------------------------------------------------------------------------------


def webhook_for(workspace: Workspace) -> OutboxWebhook | None:
    return OutboxWebhook.objects.filter(workspace=workspace).first()


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError(_("The webhook address must start with https:// (or http://)."))
    if len(url) > 500:
        raise ServiceError(_("The webhook address is longer than 500 characters."))
    return url


@sensitive_variables("secret")
def set_webhook(workspace: Workspace, url: str, actor: Any) -> str | None:
    """Set the address. Returns the new secret when one was made (first setting), else None: the
    secret is kept when only the address changes."""
    url = _check_url(url)
    with transaction.atomic():
        webhook = OutboxWebhook.objects.select_for_update().filter(workspace=workspace).first()
        made = None
        if webhook is None:
            made = secrets.token_urlsafe(32)
            webhook = OutboxWebhook(workspace=workspace)
            secret = made
        else:
            secret = webhook.target().reveal()["secret"]
        webhook.set_target(url, secret)
        webhook.enabled = True
        webhook.updated_at = timezone.now()
        webhook.save()
        record_audit(
            workspace, actor, audit.WEBHOOK_SET, None, details={"address": webhook.url_hint}
        )
    return made


@sensitive_variables("secret")
def regenerate_secret(workspace: Workspace, actor: Any) -> str:
    """A new signing secret (the old one stops being valid at once); returned to be shown once."""
    webhook = webhook_for(workspace)
    if webhook is None:
        raise ServiceError(_("Set a webhook address first."))
    secret = secrets.token_urlsafe(32)
    webhook.set_target(webhook.target().reveal()["url"], secret)
    webhook.updated_at = timezone.now()
    webhook.save(update_fields=["secret_ciphertext", "url_hint", "updated_at"])
    record_audit(workspace, actor, audit.WEBHOOK_SECRET_CHANGED, None)
    return secret


def remove_webhook(workspace: Workspace, actor: Any) -> bool:
    removed, _counts = OutboxWebhook.objects.filter(workspace=workspace).delete()
    if removed:
        record_audit(workspace, actor, audit.WEBHOOK_REMOVED, None)
    return bool(removed)


def recent_deliveries(workspace: Workspace, limit: int = 20) -> list[WebhookDelivery]:
    return list(
        WebhookDelivery.objects.filter(workspace=workspace)
        .select_related("variant")
        .order_by("-created_at", "-id")[:limit]
    )


# --- events --------------------------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def _variant_body(variant: Variant) -> dict[str, Any]:
    connection = variant.connection
    with translation.override(variant.workspace.language):
        label = str(Status(variant.status).label)
        network_label = str(connection.network_label)
    return {
        "id": variant.id,
        "network": connection.network,
        "network_label": network_label,
        "account": connection.account_name,
        "status": variant.status,
        "status_label": label,
        "error": words_in(variant.workspace.language, variant.error),
        "remote_url": variant.remote_url or None,
        "scheduled_at": _iso(variant.scheduled_at),
        "published_at": _iso(variant.published_at),
    }


def _body(
    workspace: Workspace, event: str, now: datetime, variant: Variant | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event": event,
        "occurred_at": _iso(now),
        "workspace": {"slug": workspace.slug, "name": workspace.name},
    }
    if variant is not None:
        path = reverse("publishing:post", args=[workspace.slug, variant.post_id])
        body["post"] = {"id": variant.post_id, "url": f"{django_settings.BASE_URL}{path}"}
        body["variant"] = _variant_body(variant)
    return body


def _enqueue(ids: list[int]) -> None:
    from ambassade.publishing import tasks

    for delivery_id in ids:
        tasks.deliver_webhook(delivery_id)


def emit(variant_ids: Iterable[int], event: str = EVENT_STATUS) -> list[int]:
    """Record an event for each variant whose workspace has a webhook; deliver after commit.
    Cheap when no workspace has one (one query)."""
    ids = list(variant_ids)
    if not ids:
        return []
    variants = list(
        Variant.objects.filter(id__in=ids, workspace__outbox_webhook__enabled=True).select_related(
            "workspace", "connection", "post"
        )
    )
    if not variants:
        return []
    now = timezone.now()
    created = [
        WebhookDelivery.objects.create(
            workspace=variant.workspace,
            variant=variant,
            event=event,
            payload=_body(variant.workspace, event, now, variant),
            next_attempt_at=now,
        ).id
        for variant in variants
    ]
    transaction.on_commit(lambda: _enqueue(created))
    return created


def send_test(workspace: Workspace, actor: Any) -> WebhookDelivery:
    """A test event (the latest variant's current state when there is one, so that the receiver
    sees a real body), delivered like any other."""
    if webhook_for(workspace) is None:
        raise ServiceError(_("Set a webhook address first."))
    now = timezone.now()
    variant = (
        Variant.objects.filter(workspace=workspace)
        .exclude(status=Status.DRAFT)
        .select_related("workspace", "connection", "post")
        .order_by("-id")
        .first()
    )
    delivery = WebhookDelivery.objects.create(
        workspace=workspace,
        variant=variant,
        event=EVENT_TEST,
        payload=_body(workspace, EVENT_TEST, now, variant),
        next_attempt_at=now,
    )
    record_audit(workspace, actor, audit.WEBHOOK_TESTED, None)
    transaction.on_commit(lambda: _enqueue([delivery.id]))
    return delivery


# --- delivery ------------------------------------------------------------------------------------


def due_deliveries(now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending deliveries whose time has come (a retry, or one whose task was lost)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _without_path(text: str, url: str) -> str:
    """The address's path may be a credential (a Slack-style URL): only its host is named."""
    path = urlsplit(url).path
    return text.replace(path, "/[redacted]") if path and len(path) > 1 else text


def deliver(delivery_id: int, now: datetime | None = None) -> datetime | None:
    """Try one delivery once. Returns when to try again (None: delivered, failed or not ours).

    The error it stores is written in the workspace's language (the worker has none of its own),
    as the outbox's messages are."""
    language = (
        WebhookDelivery.objects.filter(id=delivery_id)
        .values_list("workspace__language", flat=True)
        .first()
    )
    with translation.override(language or None):
        return _deliver(delivery_id, now)


@sensitive_variables("target", "secret")
def _deliver(delivery_id: int, now: datetime | None = None) -> datetime | None:
    now = now or timezone.now()
    row = (
        WebhookDelivery.objects.filter(
            id=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        )
        .values("attempts", "workspace_id", "payload", "event")
        .first()
    )
    if row is None:
        return None
    attempt = row["attempts"] + 1
    if not WebhookDelivery.objects.filter(
        id=delivery_id, state=WebhookDelivery.State.PENDING, attempts=row["attempts"]
    ).update(attempts=attempt, next_attempt_at=now + LEASE, last_attempt_at=now):
        return None
    webhook = OutboxWebhook.objects.filter(workspace_id=row["workspace_id"], enabled=True).first()
    if webhook is None:
        WebhookDelivery.objects.filter(id=delivery_id).update(
            state=WebhookDelivery.State.FAILED,
            next_attempt_at=None,
            error=coded("webhook.removed"),
        )
        return None
    target = webhook.target().reveal()
    body = json.dumps({**row["payload"], "delivery": delivery_id}, ensure_ascii=False).encode()
    status_code: int | None = None
    try:
        response = signed_webhook.send_json(
            target["url"],
            body,
            secret=target["secret"],
            timestamp=int(now.timestamp()),
            headers={
                "X-Ambassade-Event": row["event"],
                "X-Ambassade-Delivery": str(delivery_id),
            },
            allow_private=bool(
                getattr(django_settings, "PUBLISHING_WEBHOOKS_ALLOW_PRIVATE", False)
            ),
            timeout=TIMEOUT,
            ok=range(200, 600),
        )
        status_code = response.status_code
        if 200 <= status_code < 300:
            WebhookDelivery.objects.filter(id=delivery_id).update(
                state=WebhookDelivery.State.DELIVERED,
                status_code=status_code,
                error="",
                next_attempt_at=None,
            )
            return None
        error = coded("webhook.receiver_status", status=status_code)
        temporary = status_code >= 500 or status_code in RETRY_STATUSES
    except ConnectorError as exc:
        url = target["url"]
        error = StoredMessage(
            exc.code,
            {k: _without_path(v, url) if isinstance(v, str) else v for k, v in exc.params.items()},
            _without_path(exc.message, url),
        )
        temporary = not exc.permanent
    if temporary and attempt < MAX_ATTEMPTS:
        again = now + BACKOFF[attempt - 1]
        WebhookDelivery.objects.filter(id=delivery_id).update(
            status_code=status_code, error=error, next_attempt_at=again
        )
        return again
    WebhookDelivery.objects.filter(id=delivery_id).update(
        state=WebhookDelivery.State.FAILED,
        status_code=status_code,
        error=error,
        next_attempt_at=None,
    )
    log.warning("webhook delivery %s failed after %s attempt(s)", delivery_id, attempt)
    return None
