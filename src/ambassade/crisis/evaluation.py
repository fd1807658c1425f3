"""Evaluating the alert rules. Two entry points, both idempotent:

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

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from ambassade.crisis import signals_feed
from ambassade.crisis.mode import open_crisis_of
from ambassade.crisis.models import Alert, AlertRule, CrisisEvent, SeriesState
from ambassade.crisis.signals_feed import HOUR, CountFn, floor_hour
from ambassade.engine.signals import SpikeDetector, SpikeSettings
from ambassade.workspaces.messages import StoredMessage, coded
from ambassade.workspaces.models import Workspace

#: A new series is warmed up on this much history before its first live hour.
BACKFILL = timedelta(days=14)
#: A spike found while catching up is alerted only if its hour is this recent.
LIVE = timedelta(hours=3)
MAX_MENTION_IDS = 200


def _after_commit(fn: Callable[[], Any]) -> None:
    transaction.on_commit(fn)


# --- evaluation --------------------------------------------------------------------------------


def trigger(
    rule: AlertRule,
    *,
    dedup_key: str,
    title: StoredMessage,
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
            title=title,
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
                        title=coded("alert.influencer", author=handle, followers=followers),
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
                    title=coded("alert.query_match", query=name),
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
    end = floor_hour(now)
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
        counts = count(
            workspace,
            start,
            end,
            query_ids=[query_id] if query_id else [],
            negative=metric == "negative",
        )
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
                workspace,
                hour,
                hour + HOUR,
                query_ids=[query_id] if query_id else [],
                negative=metric == "negative",
            )
            about = names.get(query_id, f"#{query_id}") if query_id else workspace.name
            title = coded(
                "alert.volume_spike" if metric == "volume" else "alert.negativity_spike",
                value=round(value),
                expected=round(expected),
                about=about,
            )
            for rule in rules:
                alert = trigger(
                    rule,
                    dedup_key=key,
                    title=title,
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
