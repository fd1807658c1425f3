"""Alerts about a person (an influencer alert names its author and quotes the mention), for the
community's RGPD erasure: the alert stays (its kind, severity and time are the brand's history)
without the person's handle, words or mentions, and so do the notifications made from it."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from ambassade.crisis.models import Alert, Notification
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]

ERASED = "—"


def _alerts(workspace: Workspace, handles: set[str], mention_ids: set[int]) -> list[Alert]:
    keys = {f"author:{handle.lower()}" for handle in handles} | {
        f"author:@{handle.lower()}" for handle in handles
    }
    found = []
    for alert in Alert.objects.filter(workspace=workspace).only(
        "id", "mention_ids", "dedup_key", "title", "details"
    ):
        if alert.dedup_key in keys or mention_ids & set(alert.mention_ids or []):
            found.append(alert)
    return found


def _scrub(message: Any, strings: set[str]) -> StoredMessage:
    stored = StoredMessage.of(message)
    params = {
        name: ERASED
        if isinstance(value, str) and value.strip().lstrip("@").lower() in strings
        else value
        for name, value in stored.params.items()
    }
    if stored.code:  # its English text made again from the scrubbed parameters
        return coded(stored.code, **params)
    text = stored.text
    for value in sorted(strings, key=len, reverse=True):
        text = re.sub("@?" + re.escape(value), ERASED, text, flags=re.IGNORECASE)
    return StoredMessage(text=text)


def export_person(
    workspace: Workspace, handles: set[str], mention_ids: list[int]
) -> list[dict[str, Any]]:
    return [
        {"alert": alert.pk, "title": str(alert.title), "details": alert.details}
        for alert in _alerts(workspace, handles, set(mention_ids))
    ]


def erase_person(workspace: Workspace, handles: set[str], mention_ids: list[int]) -> int:
    strings = {handle.lower() for handle in handles}
    ids = set(mention_ids)
    alerts = _alerts(workspace, handles, ids)
    with transaction.atomic():
        for alert in alerts:
            Alert.objects.filter(pk=alert.pk).update(
                title=_scrub(alert.title, strings),
                details={},
                mention_ids=[m for m in alert.mention_ids or [] if m not in ids],
                dedup_key=f"erased:{alert.pk}",
            )
            for notification in Notification.objects.filter(alert_id=alert.pk):
                Notification.objects.filter(pk=notification.pk).update(
                    title=_scrub(notification.title, strings),
                    body=_scrub(notification.body, strings),
                )
    return len(alerts)
