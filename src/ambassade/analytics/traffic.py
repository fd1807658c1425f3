"""The brand site's visits, read from its web-analytics tool (Matomo, Plausible), and what they say.

Reading (``tasks.poll_accounts`` calls :func:`read_due` every 15 minutes): a site is read every
:data:`EVERY`; its first read fetches the last :data:`FIRST_DAYS` days, later ones the last
:data:`AGAIN_DAYS` (the tools revise recent days), and the days read replace the stored ones in
one transaction. A site is claimed by a conditional UPDATE of ``next_read_at`` (one reader at a
time; a killed worker's claim expires after :data:`CLAIM`); errors wait as the tool says, a refused
token waits for a person (the page shows it).

**Site visits from social** (a KPI): visits of the site whose referrer the tool classed as a
social network (Matomo's referrer type "social networks"; Plausible's channels "Organic Social",
"Paid Social" and "Organic Video"), on the tool's days of the period, over every site of the
workspace.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ambassade.analytics.audience_models import TrackedAccount, TrafficDay, TrafficSite
from ambassade.connectors.base import AuthExpired, ConnectorError
from ambassade.connectors.http import HttpClient
from ambassade.connectors.webanalytics import get_reader
from ambassade.engine.measures import Period
from ambassade.workspaces.messages import StoredMessage, coded

__all__ = [
    "by_kind",
    "daily_social",
    "read_due",
    "read_site",
    "site_visits_from_social",
    "totals",
]

log = logging.getLogger(__name__)

EVERY = timedelta(hours=6)
RETRY_AFTER = timedelta(minutes=15)
FAILED_AFTER = timedelta(days=1)
CLAIM = timedelta(minutes=10)
FIRST_DAYS = 90
AGAIN_DAYS = 7

ReaderFactory = Callable[[str], Any]


def _default_reader(tool: str) -> Any:
    return get_reader(tool)(HttpClient())


def _fail(
    site_id: int, now: datetime, message: Any, *, retry_after: float | None, permanent: bool
) -> None:
    later = now + (
        FAILED_AFTER if permanent else max(timedelta(seconds=retry_after or 0), RETRY_AFTER)
    )
    TrafficSite.objects.filter(id=site_id).update(
        status=TrackedAccount.Status.ERROR if permanent else TrackedAccount.Status.RETRYING,
        last_error=StoredMessage.of(message),
        next_read_at=later,
    )


def read_site(
    site_id: int, *, now: datetime | None = None, reader_factory: ReaderFactory | None = None
) -> bool:
    now = now or timezone.now()
    if not TrafficSite.objects.filter(id=site_id, next_read_at__lte=now).update(
        next_read_at=now + CLAIM
    ):
        return False
    site = TrafficSite.objects.get(id=site_id)
    end = now.date()
    start = end - timedelta(days=(AGAIN_DAYS if site.read_at else FIRST_DAYS) - 1)
    reader = (reader_factory or _default_reader)(site.tool)
    config = {"base_url": site.base_url, "site_id": site.site_id}
    try:
        rows = reader.visits(site.secret().reveal(), config, start, end)
    except AuthExpired as error:
        _fail(site.id, now, error, retry_after=None, permanent=True)
        return False
    except ConnectorError as error:
        log.info("traffic of site %s not read: %s", site.id, error.message)
        _fail(site.id, now, error, retry_after=error.retry_after, permanent=error.permanent)
        return False
    except Exception as error:
        log.exception("traffic of site %s failed", site.id)
        _fail(
            site.id,
            now,
            coded("metrics.unexpected", detail=type(error).__name__),
            retry_after=None,
            permanent=False,
        )
        return False
    finally:
        if reader_factory is None:
            reader.close()
    merged: dict[tuple[date, str, str], int] = defaultdict(int)
    for row in rows:
        if start <= row.day <= end:
            merged[(row.day, row.kind, row.name[:200])] += row.visits
    with transaction.atomic():
        TrafficDay.objects.filter(site=site, day__gte=start, day__lte=end).delete()
        TrafficDay.objects.bulk_create(
            TrafficDay(
                site=site,
                workspace_id=site.workspace_id,
                day=day,
                kind=kind,
                name=name,
                visits=visits,
            )
            for (day, kind, name), visits in sorted(merged.items())
        )
        TrafficSite.objects.filter(id=site.id).update(
            status=TrackedAccount.Status.OK, last_error="", read_at=now, next_read_at=now + EVERY
        )
    return True


def read_due(now: datetime | None = None, limit: int = 20) -> list[int]:
    now = now or timezone.now()
    return list(
        TrafficSite.objects.filter(next_read_at__lte=now)
        .order_by("next_read_at")
        .values_list("id", flat=True)[:limit]
    )


def _days(workspace: Any, period: Period) -> Any:
    return TrafficDay.objects.filter(
        workspace=workspace, day__gte=period.start, day__lte=period.end
    )


def site_visits_from_social(workspace: Any, period: Period) -> float | None:
    if not TrafficSite.objects.filter(workspace=workspace).exists():
        return None
    total = (
        _days(workspace, period)
        .filter(kind="channel", name="social")
        .aggregate(n=Sum("visits"))["n"]
    )
    return float(total or 0)


def totals(workspace: Any, period: Period) -> dict[str, int]:
    """Visits by channel over the period, and ``all``."""
    found = dict(
        _days(workspace, period)
        .filter(kind="channel")
        .values_list("name")
        .annotate(n=Sum("visits"))
        .values_list("name", "n")
    )
    found["all"] = sum(found.values())
    return found


def by_kind(workspace: Any, period: Period, kind: str, limit: int = 20) -> list[tuple[str, int]]:
    rows = (
        _days(workspace, period)
        .filter(kind=kind)
        .values_list("name")
        .annotate(n=Sum("visits"))
        .order_by("-n", "name")
        .values_list("name", "n")
    )
    return list(rows[:limit])


def daily_social(workspace: Any, period: Period) -> list[tuple[date, str, int]]:
    """``(day, network, visits)`` of the social channel, by network."""
    rows = (
        _days(workspace, period)
        .filter(kind="social")
        .values_list("day", "name")
        .annotate(n=Sum("visits"))
        .order_by("day", "name")
        .values_list("day", "name", "n")
    )
    return list(rows)
