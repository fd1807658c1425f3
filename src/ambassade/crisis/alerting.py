"""Alert rules and channels, and telling people about alerts: in-app notifications, e-mail and
webhooks (one alert at once, or low-severity ones in an hourly digest), alert status and read marks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ambassade.crisis import audit, delivery, signals_feed
from ambassade.crisis.models import Alert, AlertRule, Channel, Notification, Severity
from ambassade.crisis.permissions import ALERTS_VIEW
from ambassade.workspaces.locale import by_language
from ambassade.workspaces.messages import coded, words
from ambassade.workspaces.models import Membership, Workspace
from ambassade.workspaces.permissions import ACTIONS
from ambassade.workspaces.services import ServiceError, record_audit

log = logging.getLogger(__name__)


def _absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


# --- rules and channels ------------------------------------------------------------------------


def save_rule(rule: AlertRule, actor: Any, channels: Iterable[Channel] | None = None) -> AlertRule:
    with transaction.atomic():
        rule.save()
        if channels is not None:
            rule.channels.set([c for c in channels if c.workspace_id == rule.workspace_id])
        record_audit(rule.workspace, actor, audit.RULE_SAVED, rule)
    return rule


def delete_rule(rule: AlertRule, actor: Any) -> None:
    with transaction.atomic():
        record_audit(rule.workspace, actor, audit.RULE_DELETED, rule)
        rule.delete()


def save_channel(
    channel: Channel, actor: Any, *, url: str = "", secret: str | None = None
) -> Channel:
    """Save a channel; a webhook's URL (and secret) are encrypted, kept when left empty."""
    if channel.kind == Channel.Kind.WEBHOOK and (url or secret is not None):
        current = {"url": "", "secret": ""}
        if channel.secret_ciphertext:
            current = channel.webhook().reveal()
        channel.set_webhook(url or current["url"], current["secret"] if secret is None else secret)
    with transaction.atomic():
        channel.save()
        record_audit(channel.workspace, actor, audit.CHANNEL_SAVED, channel)
    return channel


def delete_channel(channel: Channel, actor: Any) -> None:
    with transaction.atomic():
        record_audit(channel.workspace, actor, audit.CHANNEL_DELETED, channel)
        channel.delete()


# --- delivery ----------------------------------------------------------------------------------


def _recipients(workspace: Workspace) -> list[Any]:
    roles = ACTIONS[ALERTS_VIEW].roles
    return [
        m.user
        for m in Membership.objects.filter(
            workspace=workspace, role__in=roles, user__is_active=True
        )
        .select_related("user")
        .order_by("id")
    ]


def _alert_url(alert: Alert) -> str:
    return _absolute(
        reverse(
            "crisis:alert",
            kwargs={"workspace_slug": alert.workspace.slug, "alert_id": alert.id},
        )
    )


def _item(alert: Alert) -> delivery.MessageItem:
    mentions = [
        {"id": m.pk, "url": m.url, "author": m.author_handle, "text": m.text[:280]}
        for m in signals_feed.mentions_by_id(alert.workspace, alert.mention_ids[:10])
    ]
    return delivery.MessageItem(
        title=words(alert.title),
        severity=alert.severity,
        url=_alert_url(alert),
        triggered_at=alert.triggered_at.isoformat(),
        kind=alert.kind,
        value=alert.value,
        baseline=alert.baseline,
        score=alert.score,
        mentions=mentions,
    )


def _facts(alert: Alert) -> list[tuple[str, str]]:
    facts = [(_("Severity"), str(Severity(alert.severity).label))]
    if alert.value is not None:
        facts.append((_("Value"), f"{alert.value:g}"))
    if alert.baseline is not None:
        facts.append((_("Expected"), f"{alert.baseline:g}"))
    if alert.score is not None:
        facts.append((_("Score"), f"{alert.score:.2f}"))
    return facts


def _send_all(
    channels: Iterable[Channel], build: Callable[[], delivery.Message], language: str
) -> list[dict[str, Any]]:
    """Send the message ``build()`` makes through each channel: to a webhook in the workspace's
    ``language``, by e-mail to each recipient in theirs (``workspaces.locale.by_language``)."""
    results = []
    for channel in channels:
        if not channel.enabled:
            continue
        result: dict[str, Any] = {
            "channel": channel.id,
            "name": channel.name,
            "at": timezone.now().isoformat(),
        }
        try:
            if channel.kind == Channel.Kind.EMAIL:
                for each, recipients in by_language(channel.recipient_list(), language).items():
                    with translation.override(each):
                        delivery.send(channel, build(), recipients)
            else:
                with translation.override(language):
                    delivery.send(channel, build())
        except delivery.DeliveryError as exc:
            log.warning("alert channel %s failed: %s", channel.id, exc)
            result |= {"ok": False, "error": exc.stored.to_json()}
            Channel.objects.filter(id=channel.id).update(last_error=exc.stored)
        else:
            result["ok"] = True
            if channel.last_error:
                Channel.objects.filter(id=channel.id).update(last_error="")
        results.append(result)
    return results


def deliver_alert(alert_id: int) -> bool:
    """Notify and send one alert through its rule's channels. Idempotent: claims the alert first."""
    claimed = Alert.objects.filter(id=alert_id, delivered_at=None, pending_digest=False).update(
        delivered_at=timezone.now()
    )
    if not claimed:
        return False
    alert = Alert.objects.select_related("workspace", "rule").get(id=alert_id)
    rule = alert.rule
    workspace = alert.workspace
    with translation.override(workspace.language):
        if rule is None or rule.notify_in_app:
            Notification.objects.bulk_create(
                Notification(
                    workspace=workspace,
                    user=user,
                    alert=alert,
                    severity=alert.severity,
                    title=alert.title,
                )
                for user in _recipients(workspace)
            )
        if rule is not None:

            def message() -> delivery.Message:  # in the language active where it is sent
                return delivery.Message(
                    event="alert",
                    workspace=workspace.slug,
                    workspace_name=workspace.name,
                    title=words(alert.title),
                    severity=alert.severity,
                    url=_alert_url(alert),
                    text=str(AlertRule.Kind(alert.kind).label),
                    items=[_item(alert)],
                    facts=_facts(alert),
                )

            results = _send_all(rule.channels.all(), message, workspace.language)
            Alert.objects.filter(id=alert_id).update(deliveries=results)
    return True


def send_digest(workspace_id: int) -> int:
    """Send the workspace's waiting digest alerts, grouped: one message per channel and one
    notification per person. Each alert is claimed, so it goes out in one digest only."""
    workspace = Workspace.objects.get(id=workspace_id)
    waiting = list(
        Alert.objects.filter(workspace=workspace, pending_digest=True).values_list("id", flat=True)
    )
    claimed = [
        alert_id
        for alert_id in waiting
        if Alert.objects.filter(id=alert_id, pending_digest=True).update(
            pending_digest=False, delivered_at=timezone.now()
        )
    ]
    if not claimed:
        return 0
    alerts = list(
        Alert.objects.filter(id__in=claimed).select_related("rule").order_by("triggered_at", "id")
    )
    with translation.override(workspace.language):
        title = coded("alert.digest", count=len(alerts))
        url = _absolute(reverse("crisis:alerts", kwargs={"workspace_slug": workspace.slug}))
        if any(a.rule is None or a.rule.notify_in_app for a in alerts):
            body = coded("alert.digest_titles", titles=[a.title for a in alerts])
            Notification.objects.bulk_create(
                Notification(
                    workspace=workspace, user=user, severity=Severity.LOW, title=title, body=body
                )
                for user in _recipients(workspace)
            )
        channels = {c.id: c for a in alerts if a.rule for c in a.rule.channels.all()}

        def message() -> delivery.Message:  # in the language active where it is sent
            return delivery.Message(
                event="digest",
                workspace=workspace.slug,
                workspace_name=workspace.name,
                title=words(title),
                severity=Severity.LOW,
                url=url,
                text=_("Alerts grouped since the last digest."),
                items=[_item(a) for a in alerts],
            )

        results = _send_all(channels.values(), message, workspace.language)
        Alert.objects.filter(id__in=claimed).update(deliveries=results)
    return len(alerts)


def send_test(channel: Channel) -> None:
    """Send a test message through ``channel``; raises :class:`delivery.DeliveryError`."""
    workspace = channel.workspace
    with translation.override(workspace.language):
        delivery.send(
            channel,
            delivery.Message(
                event="test",
                workspace=workspace.slug,
                workspace_name=workspace.name,
                title=_("Test message from Ambassade"),
                severity=Severity.LOW,
                url=_absolute(reverse("crisis:alerts", kwargs={"workspace_slug": workspace.slug})),
                text=_("This channel receives the alerts of %(workspace)s.")
                % {"workspace": workspace.name},
            ),
        )


def severity_reason(alert: Alert) -> str:
    """Why a spike alert has its severity, in the current language (empty for other alerts)."""
    rarity = (alert.details or {}).get("rarity")
    spike = alert.kind in (AlertRule.Kind.VOLUME_SPIKE, AlertRule.Kind.NEGATIVITY_SPIKE)
    if not spike or rarity is None or alert.value is None or alert.baseline is None:
        return ""
    if rarity >= 1000:
        rare = _("more than 1,000 times rarer than what the default sensitivity alerts on")
    elif rarity >= 100:
        rare = _("more than 100 times rarer than what the default sensitivity alerts on")
    elif rarity >= 10:
        rare = _("more than 10 times rarer than what the default sensitivity alerts on")
    else:
        rare = _("about as rare as what the default sensitivity alerts on")
    return _(
        "%(value)s in an hour against about %(expected)s expected (%(ratio)s times as many), "
        "%(rarity)s."
    ) % {
        "value": number_format(alert.value, 0),
        "expected": number_format(alert.baseline, 1),
        "ratio": number_format(alert.value / max(alert.baseline, 1.0), 1),
        "rarity": rare,
    }


def set_alert_status(alert: Alert, status: str, actor: Any) -> Alert:
    if status not in Alert.Status.values:
        raise ServiceError(_("Unknown alert status."))
    Alert.objects.filter(id=alert.id).update(
        status=status, status_changed_at=timezone.now(), status_changed_by=actor
    )
    alert.refresh_from_db()
    return alert


def notify_people(
    workspace: Workspace,
    user_ids: Iterable[int],
    title: Any,
    *,
    body: Any = "",
    severity: str = Severity.MEDIUM,
    link: str = "",
) -> int:
    """Put one line in the notification centre of each of ``user_ids`` who is an active member of
    ``workspace`` (once each): what another app has to tell people, a failed post for one.
    ``title`` and ``body`` are coded messages (or text); ``link`` is the path of the workspace page
    opening it leads to. Returns how many were notified."""
    members = set(
        Membership.objects.filter(
            workspace=workspace, user__in=list(user_ids), user__is_active=True
        ).values_list("user_id", flat=True)
    )
    prefix = f"/w/{workspace.slug}/"
    Notification.objects.bulk_create(
        Notification(
            workspace=workspace,
            user_id=user_id,
            severity=severity,
            title=title,
            body=body,
            link=link if link.startswith(prefix) else "",
        )
        for user_id in sorted(members)
    )
    return len(members)


def mark_read(
    user: Any, workspace: Workspace, notification_ids: Iterable[int] | None = None
) -> int:
    rows = Notification.objects.filter(user=user, workspace=workspace, read_at=None)
    if notification_ids is not None:
        rows = rows.filter(id__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def unread_count(user: Any, workspace: Workspace) -> int:
    return Notification.objects.filter(user=user, workspace=workspace, read_at=None).count()
