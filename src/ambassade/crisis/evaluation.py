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

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from ambassade.crisis import signals_feed
from ambassade.crisis.mode import open_crisis_of
from ambassade.crisis.models import SEVERITY_RANK, Alert, AlertRule, CrisisEvent, SeriesState
from ambassade.crisis.signals_feed import HOUR, CountFn, floor_hour
from ambassade.engine.signals import Observation, SpikeDetector, SpikeSettings
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
    severity: str | None = None,
    now: datetime | None = None,
    value: float | None = None,
    baseline: float | None = None,
    score: float | None = None,
    series: str = "",
    period_start: datetime | None = None,
    mention_ids: Sequence[int] = (),
    details: dict[str, Any] | None = None,
) -> Alert | None:
    """Raise an alert for ``rule`` (of ``severity``, the rule's own by default), unless the same
    condition already alerted within the cool-down: then fold this occurrence into that alert and
    return None."""
    severity = severity or rule.severity
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
            severity=severity,
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
            pending_digest=rule.alert_in_digest(severity),
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
    """Evaluate the per-mention rules on mentions just stored: each rule looks only at the mentions
    of its queries (all of them when it watches all mentions). Re-evaluating the same mentions within
    a cool-down folds into the same alerts."""
    if not mentions:
        return []
    now = now or timezone.now()
    alerts: list[Alert | None] = []
    names: dict[int, str] | None = None
    with translation.override(workspace.language):
        for rule in _rules(workspace, AlertRule.Kind.INFLUENCER):
            threshold = rule.min_followers or 0
            scope = set(rule.query_ids)
            for mention in mentions:
                followers = mention.author_followers
                if followers is None or followers < threshold:
                    continue
                if scope and not scope & mention.query_ids:
                    continue
                if names is None:
                    names = signals_feed.query_names(workspace)
                about = sorted(scope & mention.query_ids if scope else mention.query_ids)
                handle = mention.author_handle or "?"
                if about:
                    title = coded(
                        "alert.influencer_about",
                        author=handle,
                        followers=followers,
                        about=_queries(names, about),
                    )
                else:
                    title = coded("alert.influencer_any", author=handle, followers=followers)
                alerts.append(
                    trigger(
                        rule,
                        dedup_key=f"author:{handle.lower()}",
                        title=title,
                        now=now,
                        value=float(followers),
                        mention_ids=[mention.id],
                        details={"author": handle, "text": mention.text[:280], "queries": about},
                    )
                )
        for rule in _rules(workspace, AlertRule.Kind.QUERY_MATCH):
            scope = set(rule.query_ids)
            matched = [m for m in mentions if scope & m.query_ids]
            if not matched:
                continue
            if names is None:
                names = signals_feed.query_names(workspace)
            found = sorted(set[int]().union(*(scope & m.query_ids for m in matched)))
            title = coded("alert.query_matches", count=len(found), queries=_queries(names, found))
            alerts.append(
                trigger(
                    rule,
                    dedup_key=f"query:{scope_key(rule.query_ids)}",
                    title=title,
                    now=now,
                    value=float(len(matched)),
                    mention_ids=[m.id for m in matched],
                    details={"queries": found},
                )
            )
    return [a for a in alerts if a is not None]


def scope_key(query_ids: Sequence[int]) -> str:
    """A short, stable name for a set of queries: ``all`` (none), ``12``, ``3+7``, or a hash when
    the list is long."""
    if not query_ids:
        return "all"
    key = "+".join(str(q) for q in sorted(set(query_ids)))
    return key if len(key) <= 40 else "h" + hashlib.sha256(key.encode()).hexdigest()[:16]


def series_key(metric: str, query_ids: Sequence[int], sensitivity: int) -> str:
    return f"{metric}:{scope_key(query_ids)}:s{sensitivity}"


Spec = tuple[str, tuple[int, ...], int]


def _scope(rule: AlertRule) -> tuple[int, ...]:
    return tuple(sorted({int(q) for q in rule.query_ids}))


def _specs(workspace: Workspace) -> set[Spec]:
    rules = AlertRule.objects.filter(
        workspace=workspace,
        enabled=True,
        kind__in=[AlertRule.Kind.VOLUME_SPIKE, AlertRule.Kind.NEGATIVITY_SPIKE],
    )
    return {
        (
            "volume" if rule.kind == AlertRule.Kind.VOLUME_SPIKE else "negative",
            _scope(rule),
            rule.sensitivity,
        )
        for rule in rules
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
    query_ids: tuple[int, ...],
    sensitivity: int,
    *,
    now: datetime,
    count: CountFn,
) -> list[Alert]:
    key = series_key(metric, query_ids, sensitivity)
    end = floor_hour(now)
    live: list[tuple[datetime, Observation]] = []
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
            workspace, start, end, query_ids=list(query_ids), negative=metric == "negative"
        )
        for hour in signals_feed.hours(start, end):
            seen = detector.observe(hour, float(counts.get(hour, 0)))
            row.last_value, row.last_score = seen.value, seen.score
            if hour + HOUR >= end - LIVE:
                live.append((hour, seen))
        row.state = detector.state()
        row.fed_until = end
        row.updated_at = timezone.now()
        row.save()
    alerts = []
    kind = AlertRule.Kind.VOLUME_SPIKE if metric == "volume" else AlertRule.Kind.NEGATIVITY_SPIKE
    rules = [
        rule
        for rule in _rules(workspace, kind)
        if _scope(rule) == query_ids and rule.sensitivity == sensitivity
    ]
    spikes = [(hour, seen) for hour, seen in live if seen.alert]
    later = [(hour, seen) for hour, seen in live if not seen.alert and seen.severity() != "low"]
    if not (spikes or later) or not rules:
        return []
    names = signals_feed.query_names(workspace) if query_ids else {}
    with translation.override(workspace.language):
        about = _queries(names, query_ids) if query_ids else coded("alert.scope_all")
        for hour, seen in spikes:
            mention_ids = signals_feed.recent_mention_ids(
                workspace,
                hour,
                hour + HOUR,
                query_ids=list(query_ids),
                negative=metric == "negative",
            )
            for rule in rules:
                alert = trigger(
                    rule,
                    dedup_key=key,
                    title=_spike_title(metric, seen, about),
                    severity=seen.severity(),
                    now=now,
                    value=seen.value,
                    baseline=round(max(0.0, seen.expected), 2),
                    score=round(seen.score, 3),
                    series=key,
                    period_start=hour,
                    mention_ids=mention_ids,
                    details={"rarity": _finite(seen.rarity), "queries": list(query_ids)},
                )
                if alert is not None:
                    alerts.append(alert)
        quiet = timedelta(seconds=_detector_settings(metric, sensitivity).quiet_period)
        for hour, seen in later:
            for rule in rules:
                _escalate(rule, key, hour, seen, _spike_title(metric, seen, about), now, quiet)
    return alerts


def _queries(names: dict[int, str], query_ids: Sequence[int]) -> list[StoredMessage]:
    """Listening queries by name, each quoted the reader's way when worded."""
    return [coded("alert.query", query=names.get(q, f"#{q}")) for q in query_ids]


def _spike_title(metric: str, seen: Observation, about: Any) -> StoredMessage:
    return coded(
        "alert.volume_spike" if metric == "volume" else "alert.negativity_spike",
        value=round(seen.value),
        expected=round(max(0.0, seen.expected)),
        about=about,
    )


def _escalate(
    rule: AlertRule,
    key: str,
    hour: datetime,
    seen: Observation,
    title: StoredMessage,
    now: datetime,
    quiet: timedelta,
) -> bool:
    """A later hour of an episode is more serious than the hour its alert was raised on: the
    detector stays quiet for the episode, so raise that alert's severity and figures (its start stays)
    and tell people again. Returns whether it escalated."""
    severity = seen.severity()
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .filter(rule=rule, dedup_key=key, triggered_at__gt=now - quiet, period_start__lt=hour)
            .order_by("-triggered_at")
            .first()
        )
        if alert is None or SEVERITY_RANK[severity] <= SEVERITY_RANK[alert.severity]:
            return False
        pending = rule.alert_in_digest(severity)
        Alert.objects.filter(id=alert.id).update(
            severity=severity,
            title=title,
            value=seen.value,
            baseline=round(max(0.0, seen.expected), 2),
            score=round(seen.plain_score, 3),
            last_seen_at=now,
            details={**alert.details, "rarity": _finite(seen.rarity), "peak_at": hour.isoformat()},
            delivered_at=None,
            pending_digest=pending,
        )
        crisis = open_crisis_of(rule.workspace)
        if crisis is not None:
            CrisisEvent.objects.create(
                workspace=rule.workspace,
                crisis=crisis,
                at=now,
                kind=CrisisEvent.Kind.ALERT,
                text=title,
                value=seen.value,
                data={"alert": alert.id, "escalated": severity},
            )
    if not pending:
        alert_id = alert.id
        _after_commit(lambda: _enqueue_delivery(alert_id))
    return True


def _finite(value: float) -> float:
    # JSON has no infinity; beyond 1e300 the difference does not matter to anyone.
    return min(value, 1e300)
