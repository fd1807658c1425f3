"""The KPIs of the community's attachment: retention, ambassadors and event attendance
(docs/analytics.md, "Objectives and KPIs"). Each reader takes the workspace, an
``engine.measures.Period`` of local days and a scope, like those of ``kpis``, and returns None when
the period holds nothing to measure (no member active before has no retention: not 0 %)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from ambassade.community.models import ClassCount, Identity, Member
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.events.models import Event, Rsvp
from ambassade.listening.models import Mention

if TYPE_CHECKING:
    from ambassade.analytics.kpis import Scope

__all__ = ["ambassadors", "event_attendance", "retention"]


def _seen(network: bool) -> str:
    """SQL: the member ``m`` wrote a mention within ``[%s, %s)`` on one of their identities (the
    probe of ``kpis.active_members``: one index seek per identity on the mentions' (workspace,
    author_handle, network, created_at) index)."""
    mention = Mention._meta.db_table
    identity = Identity._meta.db_table
    on_network = "AND i.network = %s " if network else ""
    return (
        f"EXISTS (SELECT 1 FROM {identity} i WHERE i.member_id = m.id "  # noqa: S608 (table names)
        f"AND i.handle <> '' {on_network}"
        f"AND EXISTS (SELECT 1 FROM {mention} a WHERE a.workspace_id = %s "
        "AND a.author_handle = i.handle AND a.network = i.network "
        "AND a.created_at >= %s AND a.created_at < %s))"
    )


def retention(workspace: Any, period: Period, scope: Scope | None = None) -> float | None:
    """Of the members (staff left out) active in the period of the same length just before, the
    share active again in this one, in one query. A scope's network keeps the identities on it."""
    from ambassade.analytics.audience import previous_period

    network = scope.network if scope is not None else ""
    first, after = period.bounds()
    earlier, earlier_after = previous_period(period).bounds()
    member = Member._meta.db_table
    seen = _seen(bool(network))
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {seen} THEN 1 ELSE 0 END), 0) "  # noqa: S608
        f"FROM {member} m WHERE m.workspace_id = %s AND m.staff = %s AND {seen}"
    )

    def probe(start: datetime, end: datetime) -> list[Any]:
        return [*([network] if network else []), workspace.pk, start, end]

    params = [*probe(first, after), workspace.pk, False, *probe(earlier, earlier_after)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    before, again = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    return measures.rate(again, before)


def ambassadors(workspace: Any, period: Period, scope: Scope | None = None) -> float | None:
    """The ambassadors of the last day of the period whose classes were counted (the counts kept
    each time the scores are stored); None when no day of the period was counted. The counts are
    the whole community's: a scope's network does not apply."""
    last = (
        ClassCount.objects.filter(workspace=workspace, day__gte=period.start, day__lte=period.end)
        .order_by("-day")
        .values_list("ambassadors", flat=True)
        .first()
    )
    return None if last is None else float(last)


def event_attendance(
    workspace: Any, period: Period, scope: Scope | None = None, *, now: datetime | None = None
) -> float | None:
    """Confirmed places checked in ÷ confirmed places, over the events starting in the period
    that have started by ``now``: an event still to come would count as nobody there. None when
    no such event had a confirmed place. Events have no network: a scope does not apply."""
    first, after = period.bounds()
    started = min(after, now or timezone.now())
    counts = Rsvp.objects.filter(
        workspace=workspace,
        status=Rsvp.Status.CONFIRMED,
        event__in=Event.objects.filter(
            workspace=workspace, starts_at__gte=first, starts_at__lt=started
        ),
    ).aggregate(confirmed=Count("id"), checked=Count("id", filter=Q(checked_in_at__isnull=False)))
    return measures.rate(int(counts["checked"] or 0), int(counts["confirmed"] or 0))
