"""Every write of the crisis app: rules and channels, evaluating rules, delivering alerts, and the
crisis mode (open, work, close, post-mortem report).

Rule evaluation has two entry points, both idempotent:

- :func:`evaluate_mentions`, called by listening's routing hook with the mentions an ingest just
  stored: "mention by an influential author" and "match of a query" rules;
- :func:`feed_series`, called after each ingest and every hour: the complete hours not fed yet of each
  watched series (volume or negative mentions, of the workspace or of one query) go through the spike
  detector, whose state is kept in :class:`SeriesState`; spike rules alert on its decision.

:func:`trigger` applies the cool-down: the same condition (a rule and a ``dedup_key``) alerts at most
once per cool-down; repeats within it are folded into the first alert. Deliveries run in tasks after the
transaction commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambassade.crisis import audit, delivery, outbox, signals_feed
from ambassade.crisis.models import (
    Alert,
    AlertRule,
    Channel,
    Crisis,
    CrisisChecklistItem,
    CrisisEvent,
    EscalationContact,
    HoldingStatement,
    Notification,
    PlaybookTemplate,
    Section,
    SeriesState,
    Severity,
)
from ambassade.crisis.permissions import ALERTS_VIEW
from ambassade.engine.signals import SpikeDetector, SpikeSettings
from ambassade.workspaces.models import Membership, Workspace
from ambassade.workspaces.permissions import ACTIONS
from ambassade.workspaces.services import ServiceError, record_audit

log = logging.getLogger(__name__)

__all__ = [
    "ServiceError",
    "close_crisis",
    "deliver_alert",
    "ensure_defaults",
    "evaluate_mentions",
    "feed_series",
    "open_crisis",
    "send_digest",
    "trigger",
]

#: A new series is warmed up on this much history before its first live hour.
BACKFILL = timedelta(days=14)
#: A spike found while catching up is alerted only if its hour is this recent.
LIVE = timedelta(hours=3)
MAX_MENTION_IDS = 200
HOUR = timedelta(hours=1)

CountFn = Callable[..., dict[datetime, int]]


def _after_commit(fn: Callable[[], Any]) -> None:
    transaction.on_commit(fn)


def _absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def _floor_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


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


# --- evaluation --------------------------------------------------------------------------------


def trigger(
    rule: AlertRule,
    *,
    dedup_key: str,
    title: str,
    now: datetime | None = None,
    value: float | None = None,
    baseline: float | None = None,
    score: float | None = None,
    series: str = "",
    period_start: datetime | None = None,
    mention_ids: Sequence[int] = (),
    details: dict[str, Any] | None = None,
) -> Alert | None:
    """Raise an alert for ``rule``, unless the same condition already alerted within the cool-down:
    then fold this occurrence into that alert and return None."""
    now = now or timezone.now()
    with transaction.atomic():
        # The rule's row lock serialises evaluations of one rule, so two workers cannot both alert.
        AlertRule.objects.select_for_update().filter(id=rule.id).first()
        since = now - timedelta(minutes=rule.cooldown_minutes)
        existing = (
            Alert.objects.select_for_update()
            .filter(rule=rule, dedup_key=dedup_key, triggered_at__gt=since)
            .order_by("-triggered_at")
            .first()
        )
        if existing is not None:
            merged = list(dict.fromkeys([*existing.mention_ids, *mention_ids]))[:MAX_MENTION_IDS]
            Alert.objects.filter(id=existing.id).update(
                repeats=existing.repeats + 1, last_seen_at=now, mention_ids=merged
            )
            return None
        alert = Alert.objects.create(
            workspace=rule.workspace,
            rule=rule,
            kind=rule.kind,
            severity=rule.severity,
            title=title[:300],
            triggered_at=now,
            last_seen_at=now,
            value=value,
            baseline=baseline,
            score=score,
            series=series,
            period_start=period_start,
            mention_ids=list(dict.fromkeys(mention_ids))[:MAX_MENTION_IDS],
            details=details or {},
            dedup_key=dedup_key,
            pending_digest=rule.in_digest,
        )
        crisis = open_crisis_of(rule.workspace)
        if crisis is not None:
            CrisisEvent.objects.create(
                workspace=rule.workspace,
                crisis=crisis,
                at=now,
                kind=CrisisEvent.Kind.ALERT,
                text=alert.title,
                value=value,
                data={"alert": alert.id},
            )
    if not alert.pending_digest:
        alert_id = alert.id
        _after_commit(lambda: _enqueue_delivery(alert_id))
    return alert


def _enqueue_delivery(alert_id: int) -> None:
    from ambassade.crisis import tasks

    tasks.deliver_alert(alert_id)


def _rules(workspace: Workspace, kind: str) -> list[AlertRule]:
    return list(
        AlertRule.objects.filter(workspace=workspace, kind=kind, enabled=True).select_related(
            "workspace"
        )
    )


def evaluate_mentions(
    workspace: Workspace, mentions: Sequence[signals_feed.MentionFacts], now: datetime | None = None
) -> list[Alert]:
    """Evaluate the per-mention rules on mentions just stored. Re-evaluating the same mentions
    within a cool-down folds into the same alerts."""
    if not mentions:
        return []
    now = now or timezone.now()
    alerts: list[Alert | None] = []
    with translation.override(workspace.language):
        for rule in _rules(workspace, AlertRule.Kind.INFLUENCER):
            threshold = rule.min_followers or 0
            for mention in mentions:
                followers = mention.author_followers
                if followers is None or followers < threshold:
                    continue
                handle = mention.author_handle or "?"
                alerts.append(
                    trigger(
                        rule,
                        dedup_key=f"author:{handle.lower()}",
                        title=_("%(author)s (%(followers)s followers) mentioned the brand")
                        % {"author": handle, "followers": f"{followers:,}".replace(",", "\u202f")},
                        now=now,
                        value=float(followers),
                        mention_ids=[mention.id],
                        details={"author": handle, "text": mention.text[:280]},
                    )
                )
        names = None
        for rule in _rules(workspace, AlertRule.Kind.QUERY_MATCH):
            if rule.query_id is None:
                continue
            matched = [m for m in mentions if rule.query_id in m.query_ids]
            if not matched:
                continue
            if names is None:
                names = signals_feed.query_names(workspace)
            name = names.get(rule.query_id, f"#{rule.query_id}")
            alerts.append(
                trigger(
                    rule,
                    dedup_key=f"query:{rule.query_id}",
                    title=_("New mentions match the query “%(query)s”") % {"query": name},
                    now=now,
                    value=float(len(matched)),
                    mention_ids=[m.id for m in matched],
                    details={"query": name},
                )
            )
    return [a for a in alerts if a is not None]


def series_key(metric: str, query_id: int | None, sensitivity: int) -> str:
    return f"{metric}:{query_id or 'all'}:s{sensitivity}"


def _specs(workspace: Workspace) -> set[tuple[str, int | None, int]]:
    rules = AlertRule.objects.filter(
        workspace=workspace,
        enabled=True,
        kind__in=[AlertRule.Kind.VOLUME_SPIKE, AlertRule.Kind.NEGATIVITY_SPIKE],
    ).values_list("kind", "query_id", "sensitivity")
    return {
        ("volume" if kind == AlertRule.Kind.VOLUME_SPIKE else "negative", query_id, sensitivity)
        for kind, query_id, sensitivity in rules
    }


def feed_series(
    workspace: Workspace,
    now: datetime | None = None,
    count: CountFn = signals_feed.hourly_counts,
) -> list[Alert]:
    """Feed every complete hour not fed yet of each watched series to its detector, and alert the
    spike rules on its decisions. Idempotent: an hour is fed once."""
    now = now or timezone.now()
    alerts: list[Alert] = []
    for spec in sorted(_specs(workspace), key=str):
        alerts += _feed_one(workspace, *spec, now=now, count=count)
    if open_crisis_of(workspace) is not None:
        record_crisis_metrics(workspace, now=now, count=count)
    return alerts


def _detector_settings(metric: str, sensitivity: int) -> SpikeSettings:
    # Volume dropping to nothing is worth knowing (a broken source looks like that too); fewer
    # negative mentions is not news.
    return SpikeSettings(sensitivity=sensitivity, direction="both" if metric == "volume" else "up")


def _feed_one(
    workspace: Workspace,
    metric: str,
    query_id: int | None,
    sensitivity: int,
    *,
    now: datetime,
    count: CountFn,
) -> list[Alert]:
    key = series_key(metric, query_id, sensitivity)
    end = _floor_hour(now)
    spikes: list[tuple[datetime, float, float, float]] = []
    with transaction.atomic():
        row, _created = SeriesState.objects.get_or_create(workspace=workspace, key=key)
        row = SeriesState.objects.select_for_update().get(id=row.id)
        start = row.fed_until or (end - BACKFILL)
        if start >= end:
            return []
        settings_ = _detector_settings(metric, sensitivity)
        detector = (
            SpikeDetector.from_state(row.state, settings_)
            if row.state
            else SpikeDetector(settings_)
        )
        counts = count(workspace, start, end, query_id=query_id, negative=metric == "negative")
        for hour in signals_feed.hours(start, end):
            value = float(counts.get(hour, 0))
            expected = max(0.0, detector.level)
            score, alarm = detector.update(hour, value)
            row.last_value, row.last_score = value, score
            if alarm and hour + HOUR >= end - LIVE:
                spikes.append((hour, value, expected, score))
        row.state = detector.state()
        row.fed_until = end
        row.updated_at = timezone.now()
        row.save()
    alerts = []
    kind = AlertRule.Kind.VOLUME_SPIKE if metric == "volume" else AlertRule.Kind.NEGATIVITY_SPIKE
    rules = [
        rule
        for rule in _rules(workspace, kind)
        if rule.query_id == query_id and rule.sensitivity == sensitivity
    ]
    if not spikes or not rules:
        return []
    names = signals_feed.query_names(workspace) if query_id else {}
    with translation.override(workspace.language):
        for hour, value, expected, score in spikes:
            mention_ids = signals_feed.recent_mention_ids(
                workspace, hour, hour + HOUR, query_id=query_id, negative=metric == "negative"
            )
            about = names.get(query_id, f"#{query_id}") if query_id else workspace.name
            if metric == "volume":
                title = _(
                    "Unusual volume of mentions: %(value)d in an hour (about %(expected)d expected) — %(about)s"
                )
            else:
                title = _(
                    "Unusual number of negative mentions: %(value)d in an hour (about %(expected)d expected) — %(about)s"
                )
            for rule in rules:
                alert = trigger(
                    rule,
                    dedup_key=key,
                    title=title % {"value": value, "expected": round(expected), "about": about},
                    now=now,
                    value=value,
                    baseline=round(expected, 2),
                    score=round(score, 3),
                    series=key,
                    period_start=hour,
                    mention_ids=mention_ids,
                )
                if alert is not None:
                    alerts.append(alert)
    return alerts


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
        title=alert.title,
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


def _send_all(channels: Iterable[Channel], message: delivery.Message) -> list[dict[str, Any]]:
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
            delivery.send(channel, message)
        except delivery.DeliveryError as exc:
            log.warning("alert channel %s failed: %s", channel.id, exc)
            result |= {"ok": False, "error": str(exc)}
            Channel.objects.filter(id=channel.id).update(last_error=str(exc)[:1000])
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
            message = delivery.Message(
                event="alert",
                workspace=workspace.slug,
                workspace_name=workspace.name,
                title=alert.title,
                severity=alert.severity,
                url=_alert_url(alert),
                text=str(AlertRule.Kind(alert.kind).label),
                items=[_item(alert)],
                facts=_facts(alert),
            )
            results = _send_all(rule.channels.all(), message)
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
        title = _("Digest: %(count)d low-severity alerts") % {"count": len(alerts)}
        url = _absolute(reverse("crisis:alerts", kwargs={"workspace_slug": workspace.slug}))
        if any(a.rule is None or a.rule.notify_in_app for a in alerts):
            body = "\n".join(a.title for a in alerts)
            Notification.objects.bulk_create(
                Notification(
                    workspace=workspace, user=user, severity=Severity.LOW, title=title, body=body
                )
                for user in _recipients(workspace)
            )
        channels = {c.id: c for a in alerts if a.rule for c in a.rule.channels.all()}
        message = delivery.Message(
            event="digest",
            workspace=workspace.slug,
            workspace_name=workspace.name,
            title=title,
            severity=Severity.LOW,
            url=url,
            text=_("Alerts grouped since the last digest."),
            items=[_item(a) for a in alerts],
        )
        results = _send_all(channels.values(), message)
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


def set_alert_status(alert: Alert, status: str, actor: Any) -> Alert:
    if status not in Alert.Status.values:
        raise ServiceError(_("Unknown alert status."))
    Alert.objects.filter(id=alert.id).update(
        status=status, status_changed_at=timezone.now(), status_changed_by=actor
    )
    alert.refresh_from_db()
    return alert


def mark_read(
    user: Any, workspace: Workspace, notification_ids: Iterable[int] | None = None
) -> int:
    rows = Notification.objects.filter(user=user, workspace=workspace, read_at=None)
    if notification_ids is not None:
        rows = rows.filter(id__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


def unread_count(user: Any, workspace: Workspace) -> int:
    return Notification.objects.filter(user=user, workspace=workspace, read_at=None).count()


# --- crisis mode -------------------------------------------------------------------------------


HOLDING_STATEMENTS = [
    (
        "fr",
        "Nous avons connaissance de la situation",
        "Nous avons connaissance des messages publiés au sujet de {brand}. Nous prenons la situation "
        "très au sérieux et vérifions les faits. Nous reviendrons vers vous au plus vite avec des "
        "informations précises.",
    ),
    (
        "fr",
        "Réponse individuelle",
        "Bonjour, merci pour votre message. Nous comprenons votre inquiétude et regardons "
        "ce qui s'est passé. Pouvez-vous nous écrire en message privé pour que nous puissions "
        "suivre votre cas personnellement ?",
    ),
    (
        "en",
        "We are aware of the situation",
        "We are aware of the posts about {brand}. We take this very seriously and are checking the "
        "facts. We will come back to you as soon as we have accurate information.",
    ),
    (
        "en",
        "Individual reply",
        "Hello, thank you for your message. We understand your concern and are looking into what "
        "happened. Could you send us a direct message so that we can follow up on your case "
        "personally?",
    ),
]


def _default_playbook() -> list[dict[str, str]]:
    return [
        {"section": Section.CALL, "text": _("Tell the head of communication")},
        {"section": Section.CALL, "text": _("Call the legal adviser if the facts are disputed")},
        {"section": Section.CALL, "text": _("Warn customer service of the expected questions")},
        {"section": Section.PREPARE, "text": _("Collect the facts: what, when, who is affected")},
        {
            "section": Section.PREPARE,
            "text": _("Check the held posts and reschedule or cancel them"),
        },
        {"section": Section.PREPARE, "text": _("Adapt a holding statement")},
        {"section": Section.VALIDATE, "text": _("Statement approved by the head of communication")},
        {"section": Section.VALIDATE, "text": _("Statement approved by the legal adviser")},
        {"section": Section.VALIDATE, "text": _("Statement published and pinned")},
    ]


def ensure_defaults(workspace: Workspace) -> PlaybookTemplate:
    """Create the workspace's default playbook and holding statements once (idempotent)."""
    with translation.override(workspace.language):
        playbook, created = PlaybookTemplate.objects.get_or_create(
            workspace=workspace, defaults={"items": _default_playbook()}
        )
    if created and not HoldingStatement.objects.filter(workspace=workspace).exists():
        HoldingStatement.objects.bulk_create(
            HoldingStatement(
                workspace=workspace,
                language=language,
                title=title,
                text=text.format(brand=workspace.name),
            )
            for language, title, text in HOLDING_STATEMENTS
        )
    return playbook


def save_playbook(
    workspace: Workspace, items: list[dict[str, str]], actor: Any
) -> PlaybookTemplate:
    playbook = ensure_defaults(workspace)
    clean = [
        {"section": item["section"], "text": item["text"].strip()[:300]}
        for item in items
        if item.get("section") in Section.values and item.get("text", "").strip()
    ]
    PlaybookTemplate.objects.filter(id=playbook.id).update(items=clean, updated_at=timezone.now())
    record_audit(workspace, actor, audit.PLAYBOOK_SAVED, None)
    playbook.refresh_from_db()
    return playbook


def save_statement(statement: HoldingStatement, actor: Any) -> HoldingStatement:
    statement.updated_at = timezone.now()
    statement.save()
    return statement


def delete_statement(statement: HoldingStatement, actor: Any) -> None:
    statement.delete()


def save_contact(contact: EscalationContact, actor: Any) -> EscalationContact:
    contact.save()
    return contact


def delete_contact(contact: EscalationContact, actor: Any) -> None:
    contact.delete()


def open_crisis_of(workspace: Workspace) -> Crisis | None:
    return Crisis.objects.filter(workspace=workspace, status=Crisis.Status.OPEN).first()


def _event(
    crisis: Crisis, kind: str, text: str = "", actor: Any = None, **extra: Any
) -> CrisisEvent:
    return CrisisEvent.objects.create(
        workspace=crisis.workspace,
        crisis=crisis,
        kind=kind,
        text=text,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=extra.pop("at", None) or timezone.now(),
        **extra,
    )


def open_crisis(
    workspace: Workspace,
    actor: Any,
    *,
    title: str = "",
    severity: str = Severity.HIGH,
    alert: Alert | None = None,
) -> Crisis:
    """Open a crisis (by hand, or from ``alert``): hold the outbox, copy the playbook into a checklist,
    and notify the escalation contacts and the team once the transaction commits."""
    if alert is not None and alert.workspace_id != workspace.id:
        raise ServiceError(_("This alert belongs to another workspace."))
    playbook = ensure_defaults(workspace)
    with translation.override(workspace.language):
        title = (title or (alert.title if alert else "") or _("Crisis")).strip()[:200]
        try:
            with transaction.atomic():
                crisis = Crisis.objects.create(
                    workspace=workspace,
                    title=title,
                    severity=severity,
                    alert=alert,
                    opened_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise ServiceError(_("A crisis is already open in this workspace.")) from None
        with transaction.atomic():
            _event(crisis, CrisisEvent.Kind.OPENED, title, actor)
            if alert is not None:
                _event(
                    crisis,
                    CrisisEvent.Kind.ALERT,
                    alert.title,
                    None,
                    at=alert.triggered_at,
                    value=alert.value,
                    data={"alert": alert.id, "baseline": alert.baseline, "score": alert.score},
                )
                if alert.status == Alert.Status.NEW:
                    set_alert_status(alert, Alert.Status.ACKNOWLEDGED, actor)
            order = {Section.CALL: 0, Section.PREPARE: 1, Section.VALIDATE: 2}
            items = sorted(
                enumerate(playbook.items),
                key=lambda pair: (order.get(pair[1]["section"], 9), pair[0]),
            )
            CrisisChecklistItem.objects.bulk_create(
                CrisisChecklistItem(
                    workspace=workspace,
                    crisis=crisis,
                    section=item["section"],
                    text=item["text"],
                    position=position,
                )
                for position, (_index, item) in enumerate(items)
            )
            if outbox.pause(workspace, _("Crisis: %(title)s") % {"title": title}, actor):
                _event(
                    crisis,
                    CrisisEvent.Kind.OUTBOX,
                    _("Outbox paused: scheduled posts are held."),
                    actor,
                )
            record_audit(workspace, actor, audit.CRISIS_OPENED, crisis)
    crisis_id = crisis.id
    _after_commit(lambda: _enqueue_crisis_notice(crisis_id))
    return crisis


def _enqueue_crisis_notice(crisis_id: int) -> None:
    from ambassade.crisis import tasks

    tasks.notify_crisis_opened(crisis_id)


def notify_crisis_opened(crisis_id: int) -> int:
    """E-mail the escalation contacts and notify the team, once (claimed by the timeline event)."""
    crisis = Crisis.objects.select_related("workspace").get(id=crisis_id)
    workspace = crisis.workspace
    with transaction.atomic():
        Crisis.objects.select_for_update().filter(id=crisis.id).first()
        if crisis.events.filter(kind=CrisisEvent.Kind.CONTACTS).exists():
            return 0
        contacts = list(workspace.escalation_contacts.filter(notify=True).exclude(email=""))
        with translation.override(workspace.language):
            names = ", ".join(c.name for c in contacts) or _("nobody")
            _event(
                crisis,
                CrisisEvent.Kind.CONTACTS,
                _("Escalation contacts notified: %(names)s") % {"names": names},
            )
            url = _absolute(
                reverse(
                    "crisis:crisis",
                    kwargs={"workspace_slug": workspace.slug, "crisis_id": crisis.id},
                )
            )
            Notification.objects.bulk_create(
                Notification(
                    workspace=workspace,
                    user=user,
                    crisis=crisis,
                    severity=crisis.severity,
                    title=_("Crisis opened: %(title)s") % {"title": crisis.title},
                )
                for user in _recipients(workspace)
            )
    with translation.override(workspace.language):
        subject = _("[%(workspace)s] Crisis opened: %(title)s") % {
            "workspace": workspace.name,
            "title": crisis.title,
        }
        body = _(
            "A crisis was opened for %(workspace)s: %(title)s.\n"
            "Severity: %(severity)s. Scheduled posts are held.\n\n%(url)s"
        ) % {
            "workspace": workspace.name,
            "title": crisis.title,
            "severity": Severity(crisis.severity).label,
            "url": url,
        }
    sent = 0
    for contact in contacts:
        try:
            send_mail(subject, body, None, [contact.email])
            sent += 1
        except OSError:
            log.exception("could not e-mail escalation contact %s", contact.id)
    # The team's channels hear it too (Slack, Teams…), whatever rule they serve.
    with translation.override(workspace.language):
        message = delivery.Message(
            event="crisis.opened",
            workspace=workspace.slug,
            workspace_name=workspace.name,
            title=_("Crisis opened: %(title)s") % {"title": crisis.title},
            severity=crisis.severity,
            url=url,
            text=_("Scheduled posts are held until a manager resumes the outbox."),
            facts=[(_("Severity"), str(Severity(crisis.severity).label))],
        )
        _send_all(Channel.objects.filter(workspace=workspace, enabled=True), message)
    return sent


def _check_open(crisis: Crisis) -> None:
    if not crisis.is_open:
        raise ServiceError(_("This crisis is closed."))


def set_item_done(item: CrisisChecklistItem, done: bool, actor: Any) -> CrisisChecklistItem:
    _check_open(item.crisis)
    now = timezone.now()
    if done:
        changed = CrisisChecklistItem.objects.filter(id=item.id, done_at=None).update(
            done_at=now, done_by=actor
        )
    else:
        changed = CrisisChecklistItem.objects.filter(id=item.id, done_at__isnull=False).update(
            done_at=None, done_by=None
        )
    if changed:
        text = (_("Done: %(item)s") if done else _("Reopened: %(item)s")) % {"item": item.text}
        _event(
            item.crisis,
            CrisisEvent.Kind.CHECKLIST,
            text,
            actor,
            data={"item": item.id, "done": done},
        )
    item.refresh_from_db()
    return item


def log_action(crisis: Crisis, text: str, actor: Any) -> CrisisEvent:
    _check_open(crisis)
    text = text.strip()
    if not text:
        raise ServiceError(_("Describe the action taken."))
    return _event(crisis, CrisisEvent.Kind.NOTE, text[:2000], actor)


def log_statement(
    crisis: Crisis, statement: HoldingStatement, actor: Any, where: str = ""
) -> CrisisEvent:
    _check_open(crisis)
    if statement.workspace_id != crisis.workspace_id:
        raise ServiceError(_("This statement belongs to another workspace."))
    text = statement.title + (f" — {where.strip()}" if where.strip() else "")
    return _event(
        crisis,
        CrisisEvent.Kind.STATEMENT,
        text,
        actor,
        data={"statement": statement.id, "language": statement.language, "text": statement.text},
    )


def resume_outbox(crisis: Crisis, actor: Any) -> bool:
    resumed = outbox.resume(crisis.workspace, actor)
    if resumed:
        _event(crisis, CrisisEvent.Kind.OUTBOX, _("Outbox resumed: held posts go out."), actor)
    return resumed


def reschedule_held_post(crisis: Crisis, post: Any, when: datetime, actor: Any) -> None:
    outbox.reschedule(post, actor, when)
    _event(
        crisis,
        CrisisEvent.Kind.OUTBOX,
        _("Held post rescheduled to %(when)s")
        % {"when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M")},
        actor,
        data={"post": post.pk},
    )


def unschedule_held_post(crisis: Crisis, post: Any, actor: Any) -> None:
    outbox.unschedule(post, actor)
    _event(
        crisis,
        CrisisEvent.Kind.OUTBOX,
        _("Held post taken back to draft"),
        actor,
        data={"post": post.pk},
    )


def record_crisis_metrics(
    workspace: Workspace, now: datetime | None = None, count: CountFn = signals_feed.hourly_counts
) -> int:
    """Add the complete hours' volume and negative mentions since the last recorded to the open
    crisis's timeline (idempotent)."""
    crisis = open_crisis_of(workspace)
    if crisis is None:
        return 0
    end = _floor_hour(now or timezone.now())
    last = crisis.events.filter(kind=CrisisEvent.Kind.VOLUME).order_by("-at").first()
    start = last.at + HOUR if last else _floor_hour(crisis.opened_at) - 6 * HOUR
    if start >= end:
        return 0
    volume = count(workspace, start, end, query_id=None, negative=False)
    negative = count(workspace, start, end, query_id=None, negative=True)
    events = []
    for hour in signals_feed.hours(start, end):
        events.append(
            CrisisEvent(
                workspace=workspace,
                crisis=crisis,
                at=hour,
                kind=CrisisEvent.Kind.VOLUME,
                value=volume.get(hour, 0),
            )
        )
        events.append(
            CrisisEvent(
                workspace=workspace,
                crisis=crisis,
                at=hour,
                kind=CrisisEvent.Kind.NEGATIVITY,
                value=negative.get(hour, 0),
            )
        )
    CrisisEvent.objects.bulk_create(events)
    return len(events) // 2


def close_crisis(crisis: Crisis, actor: Any, *, summary: str = "", resume: bool = True) -> Crisis:
    """Close the crisis, resume the outbox if asked, and freeze the post-mortem report."""
    now = timezone.now()
    with transaction.atomic():
        changed = Crisis.objects.filter(id=crisis.id, status=Crisis.Status.OPEN).update(
            status=Crisis.Status.CLOSED,
            closed_at=now,
            closed_by=actor if getattr(actor, "is_authenticated", False) else None,
            summary=summary.strip(),
        )
        if not changed:
            raise ServiceError(_("This crisis is already closed."))
        crisis.refresh_from_db()
        with translation.override(crisis.workspace.language):
            if resume:
                resume_outbox(crisis, actor)
            _event(crisis, CrisisEvent.Kind.CLOSED, crisis.title, actor)
            record_audit(crisis.workspace, actor, audit.CRISIS_CLOSED, crisis)
    crisis.report_html = build_report(crisis)
    Crisis.objects.filter(id=crisis.id).update(report_html=crisis.report_html)
    return crisis


def report_context(crisis: Crisis) -> dict[str, Any]:
    events = list(crisis.events.select_related("actor").order_by("at", "id"))
    metrics: dict[datetime, dict[str, float]] = {}
    for event in events:
        if event.kind in (CrisisEvent.Kind.VOLUME, CrisisEvent.Kind.NEGATIVITY):
            metrics.setdefault(event.at, {"volume": 0.0, "negative": 0.0})[
                "volume" if event.kind == CrisisEvent.Kind.VOLUME else "negative"
            ] = event.value or 0.0
    peak = max((m["volume"] for m in metrics.values()), default=0.0)
    hours_rows = [
        {
            "at": at,
            "volume": int(m["volume"]),
            "negative": int(m["negative"]),
            "volume_pct": round(100 * m["volume"] / peak) if peak else 0,
            "negative_pct": round(100 * m["negative"] / peak) if peak else 0,
        }
        for at, m in sorted(metrics.items())
    ]
    checklist = list(crisis.checklist.select_related("done_by"))
    end = crisis.closed_at or timezone.now()
    return {
        "crisis": crisis,
        "workspace": crisis.workspace,
        "timeline": [
            e
            for e in events
            if e.kind not in (CrisisEvent.Kind.VOLUME, CrisisEvent.Kind.NEGATIVITY)
        ],
        "hours": hours_rows,
        "peak": int(peak),
        "total_volume": int(sum(m["volume"] for m in metrics.values())),
        "total_negative": int(sum(m["negative"] for m in metrics.values())),
        "checklist": checklist,
        "done_count": sum(1 for item in checklist if item.done_at),
        "duration_hours": (end - crisis.opened_at).total_seconds() / 3600,
        "statements": [e for e in events if e.kind == CrisisEvent.Kind.STATEMENT],
        "alerts": list(
            Alert.objects.filter(
                workspace=crisis.workspace,
                triggered_at__gte=crisis.opened_at - timedelta(hours=24),
                triggered_at__lte=end,
            )
        ),
        "generated_at": timezone.now(),
    }


def build_report(crisis: Crisis) -> str:
    """The post-mortem as a standalone HTML document, in the workspace's language and time zone."""
    workspace = crisis.workspace
    with translation.override(workspace.language), timezone.override(workspace.time_zone):
        return render_to_string("crisis/report.html", report_context(crisis))


def report_pdf(crisis: Crisis) -> bytes:
    """The report as PDF (rendered once from the frozen HTML, then kept)."""
    if crisis.report_pdf:
        return bytes(crisis.report_pdf)
    html = crisis.report_html or build_report(crisis)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=None).write_pdf()
    if not crisis.is_open:
        Crisis.objects.filter(id=crisis.id).update(report_pdf=pdf)
    return bytes(pdf)
