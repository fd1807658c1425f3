"""The agency view: every workspace a person belongs to, grouped by organisation, side by side over
a period of local days compared with the period before.

Each figure is read by the function that defines it elsewhere: the KPIs by ``kpis.READERS`` (the
catalogue's definitions, no second one here), the states (open alerts, the open crisis, waiting and
breaching conversations, failed posts) as the home dashboard reads them, the objectives by
``kpis.measure``. A cell the person's role in that workspace may not open is left out (``None``),
as on the dashboard; a cell with nothing to measure is a dash, never 0.

Measuring twenty workspaces over two periods takes a second or two (docs/benchmarks.md): each
workspace's figures are kept in the cache for ``CACHE_SECONDS`` (per workspace, role and period), so
that sorting, the CSV and coming back are immediate; the page says when they were computed and
offers to compute them again (``fresh``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambassade.analytics import kpis, reports
from ambassade.analytics.catalogue import CATALOGUE, COUNT, Metric
from ambassade.analytics.models import Kpi
from ambassade.analytics.permissions import ANALYTICS_MANAGE, ANALYTICS_VIEW
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.crisis.models import Alert, Crisis
from ambassade.crisis.permissions import ALERTS_VIEW
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation
from ambassade.inbox.models import Status as ConversationStatus
from ambassade.inbox.permissions import INBOX_VIEW
from ambassade.listening.permissions import LISTENING_VIEW
from ambassade.publishing.models import Status as PostStatus
from ambassade.publishing.models import Variant
from ambassade.publishing.permissions import PUBLISHING_VIEW
from ambassade.workspaces.models import Membership
from ambassade.workspaces.permissions import can_role

__all__ = ["CACHE_SECONDS", "COLUMNS", "Column", "Group", "Row", "build", "sort_groups"]

#: How long a workspace's figures are kept before they are computed again.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Column:
    """A column of the view: a KPI of the catalogue (``metric``: a value and its change) or a
    state read now (``metric`` empty: open alerts, waiting conversations…)."""

    code: str
    label: str | Promise
    permission: str
    metric: str = ""
    #: where its cell links: a URL name under the workspace, and a query string
    link: str = ""
    query: str = ""
    #: for a state: more is better (True), less is better (False)
    more_is_better: bool = False
    help: str | Promise = ""

    @property
    def catalogue(self) -> Metric | None:
        return CATALOGUE.get(self.metric) if self.metric else None

    @property
    def unit(self) -> str:
        metric = self.catalogue
        return metric.unit if metric else COUNT


COLUMNS: tuple[Column, ...] = (
    Column("mentions", _("Mentions"), LISTENING_VIEW, "mention_volume", "listening:stream"),
    Column("net_sentiment", _("Net sentiment"), LISTENING_VIEW, "net_sentiment", "listening:insights"),
    Column("share_of_voice", _("Share of voice"), LISTENING_VIEW, "share_of_voice", "listening:insights"),
    Column(
        "alerts",
        _("Open alerts"),
        ALERTS_VIEW,
        link="crisis:alerts",
        help=_("Alerts new or acknowledged now."),
    ),
    Column(
        "crisis",
        _("Crisis"),
        ALERTS_VIEW,
        link="crisis:crises",
        help=_("A crisis open now."),
    ),
    Column(
        "waiting",
        _("Waiting"),
        INBOX_VIEW,
        link="inbox:list",
        help=_("Unresolved conversations waiting for an answer now."),
    ),
    Column(
        "breaching",
        _("Past target"),
        INBOX_VIEW,
        link="inbox:list",
        query="view=breaching",
        help=_("Unresolved conversations past their due time now."),
    ),
    Column(
        "first_response_time",
        _("First response"),
        INBOX_VIEW,
        "first_response_time",
        "inbox:list",
    ),
    Column("posts_published", _("Posts published"), PUBLISHING_VIEW, "posts_published", "publishing:posts", "status=published"),
    Column(
        "posts_failed",
        _("Posts failed"),
        PUBLISHING_VIEW,
        link="publishing:posts",
        query="status=failed",
        help=_("Posts with a network version that failed, now."),
    ),
    Column("engagement_rate", _("Engagement rate"), ANALYTICS_VIEW, "engagement_rate", "analytics:audience"),
    Column("follower_growth", _("Follower growth"), ANALYTICS_VIEW, "follower_growth", "analytics:audience"),
    Column(
        "on_track",
        _("Objectives on track"),
        ANALYTICS_VIEW,
        link="analytics:objectives",
        more_is_better=True,
        help=_("KPIs whose period includes today that meet or keep pace with their target."),
    ),
    Column(
        "behind",
        _("Objectives behind"),
        ANALYTICS_VIEW,
        link="analytics:objectives",
        help=_("KPIs whose period includes today that are behind their target."),
    ),
)  # fmt: skip

BY_CODE = {column.code: column for column in COLUMNS}


@dataclass
class Cell:
    column: Column
    value: float | None = None
    before: float | None = None
    change: dict[str, Any] | None = None
    shown: str = "—"
    allowed: bool = True
    #: the open crisis, when the cell is the crisis column
    target: Any = None


@dataclass
class Row:
    workspace: Any
    role: str
    period: Period
    previous: Period
    cells: dict[str, Cell] = field(default_factory=dict)
    computed_at: Any = None
    client_report: Any = None
    can_manage_reports: bool = False

    @property
    def ordered(self) -> list[Cell]:
        return [self.cells[column.code] for column in COLUMNS]


@dataclass
class Group:
    organisation: Any
    rows: list[Row]
    #: the rows as HTML, written by the page (``agency_views.rows_html``)
    body: Any = ""


@dataclass
class _Now:
    """The states of the workspaces to compute, read for all of them at once: open alerts, the
    open crisis, waiting and breaching conversations, failed posts, the KPIs running today."""

    alerts: dict[int, int] = field(default_factory=dict)
    crisis: dict[int, Any] = field(default_factory=dict)
    inbox: dict[int, dict[str, int]] = field(default_factory=dict)
    failed: dict[int, int] = field(default_factory=dict)
    kpis: dict[int, list[Any]] = field(default_factory=dict)


def _read_now(workspaces: list[Any], now: Any) -> _Now:
    """What ``_states`` shows, as the home dashboard reads it, in one grouped query each."""
    pks = [workspace.pk for workspace in workspaces]
    read = _Now()
    if not pks:
        return read
    read.alerts = dict(
        Alert.objects.filter(
            workspace_id__in=pks, status__in=(Alert.Status.NEW, Alert.Status.ACKNOWLEDGED)
        )
        .order_by()
        .values_list("workspace_id")
        .annotate(n=Count("id"))
    )
    for crisis in Crisis.objects.filter(workspace_id__in=pks, status=Crisis.Status.OPEN).order_by(
        "workspace_id", "-opened_at", "-pk"
    ):
        read.crisis.setdefault(crisis.workspace_id, crisis)
    read.inbox = {
        row.pop("workspace_id"): row
        for row in Conversation.objects.filter(
            workspace_id__in=pks, status__in=ConversationStatus.unresolved()
        )
        .order_by()
        .values("workspace_id")
        .annotate(
            waiting=Count("id", filter=Q(waiting_since__isnull=False)),
            breaching=Count("id", filter=Q(due_at__lt=now)),
        )
    }
    read.failed = dict(
        Variant.objects.filter(workspace_id__in=pks, status=PostStatus.FAILED)
        .order_by()
        .values_list("workspace_id")
        .annotate(n=Count("post_id", distinct=True))
    )
    todays = {
        workspace.pk: timezone.localdate(now, timezone=_zone(workspace)) for workspace in workspaces
    }
    by_pk = {workspace.pk: workspace for workspace in workspaces}
    for kpi in Kpi.objects.filter(
        workspace_id__in=pks,
        period_start__lte=max(todays.values()),
        period_end__gte=min(todays.values()),
    ).order_by("workspace_id", "pk"):
        today = todays[kpi.workspace_id]
        if kpi.period_start <= today <= kpi.period_end:
            kpi.workspace = by_pk[kpi.workspace_id]
            read.kpis.setdefault(kpi.workspace_id, []).append(kpi)
    return read


def _states(workspace: Any, role: str, now: Any, read: _Now) -> dict[str, tuple[float | None, Any]]:
    """The figures read now (``read``), as the home dashboard reads them."""
    found: dict[str, tuple[float | None, Any]] = {}
    pk = workspace.pk
    if can_role(role, ALERTS_VIEW):
        crisis = read.crisis.get(pk)
        found["alerts"] = (float(read.alerts.get(pk, 0)), None)
        found["crisis"] = (1.0 if crisis else 0.0, {"pk": crisis.pk} if crisis else None)
    if can_role(role, INBOX_VIEW):
        inbox = read.inbox.get(pk, {})
        found["waiting"] = (float(inbox.get("waiting", 0)), None)
        found["breaching"] = (float(inbox.get("breaching", 0)), None)
    if can_role(role, PUBLISHING_VIEW):
        found["posts_failed"] = (float(read.failed.get(pk, 0)), None)
    if can_role(role, ANALYTICS_VIEW):
        measured = [kpis.measure(kpi, now) for kpi in read.kpis.get(pk, [])]
        found["on_track"] = (float(sum(1 for m in measured if m.on_track)), None)
        found["behind"] = (float(sum(1 for m in measured if m.on_track is False)), None)
    return found


def _zone(workspace: Any) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(workspace.time_zone)


def _state_text(column: Column, value: float | None) -> str:
    if value is None:
        return "—"
    if column.code == "crisis":
        return str(pgettext_lazy("a crisis", "open")) if value else "—"
    return reports.format_value(value, COUNT)


def _figures(
    workspace: Any, role: str, period: Period, previous: Period, now: Any, read: _Now
) -> dict[str, Any]:
    """Every figure of a workspace's row the role may see: plain numbers, for the cache."""
    metrics: dict[str, tuple[float | None, float | None]] = {}
    for column in COLUMNS:
        if column.metric and can_role(role, column.permission):
            reader: Callable[[Any, Period], float | None] = kpis.READERS[column.metric]
            metrics[column.code] = (reader(workspace, period), reader(workspace, previous))
    return {"metrics": metrics, "states": _states(workspace, role, now, read), "at": now}


def _row(
    membership: Membership,
    start: date,
    end: date,
    now: Any,
    fresh: bool,
    client_reports: dict[int, Any],
    read: _Now,
) -> Row:
    workspace = membership.workspace
    role = membership.role
    period, previous = _periods(workspace, start, end)
    row = Row(workspace=workspace, role=role, period=period, previous=previous)
    key = _key(membership, start, end)
    figures = None if fresh else cache.get(key)
    if figures is None:
        figures = _figures(workspace, role, period, previous, now, read)
        cache.set(key, figures, CACHE_SECONDS)
    row.computed_at = figures["at"]
    for column in COLUMNS:
        cell = Cell(column=column, allowed=can_role(role, column.permission))
        row.cells[column.code] = cell
        if not cell.allowed:
            continue
        metric = column.catalogue
        if metric is not None:
            cell.value, cell.before = figures["metrics"][column.code]
            cell.change = reports.change(cell.value, cell.before, metric)
            cell.shown = reports.format_value(cell.value, metric.unit)
        else:
            cell.value, cell.target = figures["states"].get(column.code, (None, None))
            cell.shown = _state_text(column, cell.value)
    if can_role(role, ANALYTICS_VIEW):
        row.client_report = client_reports.get(workspace.pk)
        row.can_manage_reports = can_role(role, ANALYTICS_MANAGE)
    return row


def _key(membership: Membership, start: date, end: date) -> str:
    workspace = membership.workspace
    return (
        f"analytics:agency:{workspace.pk}:{workspace.created_at.timestamp()}:{membership.role}:"
        f"{start.isoformat()}:{end.isoformat()}"
    )


def _periods(workspace: Any, start: date, end: date) -> tuple[Period, Period]:
    before_start, before_end = reports.previous_period(start, end)
    return kpis.period_of(workspace, start, end), kpis.period_of(
        workspace, before_start, before_end
    )


def _read_ahead(mine: list[Membership], start: date, end: date, now: Any, fresh: bool) -> _Now:
    """The figures of the workspaces to compute (all when ``fresh``, else those not in the
    cache) read for all of them at once: the states (``_read_now``), and the KPIs' readings per
    time zone (``kpis.read_ahead``: the columns' periods, and those of the KPIs running today)."""
    keys = {_key(membership, start, end): membership for membership in mine}
    kept = {} if fresh else cache.get_many(list(keys))
    to_compute = [membership for key, membership in keys.items() if key not in kept]
    read = _read_now([membership.workspace for membership in to_compute], now)
    for permission, what in (
        (LISTENING_VIEW, "listening"),
        (PUBLISHING_VIEW, "publishing"),
        (INBOX_VIEW, "inbox"),
        (ANALYTICS_VIEW, "audience"),
    ):
        metrics = {
            "listening": {"mention_volume", "potential_reach", "net_sentiment", "share_of_voice"},
            "publishing": {"posts_published"},
            "inbox": {"first_response_time"},
            "audience": {"follower_growth", "engagement_rate", "engagement_rate_per_follower"},
        }[what]
        periods: dict[Any, list[Period]] = {}
        for membership in to_compute:
            workspace = membership.workspace
            if not can_role(membership.role, permission):
                continue
            wanted = set(_periods(workspace, start, end))
            if can_role(membership.role, ANALYTICS_VIEW):
                wanted |= {
                    kpis.period_of(workspace, kpi.period_start, kpi.period_end)
                    for kpi in read.kpis.get(workspace.pk, [])
                    if kpi.metric in metrics
                }
            periods[workspace] = sorted(wanted, key=lambda p: (p.start, p.end))
        kpis.read_ahead(
            periods,
            listening=what == "listening",
            publishing=what == "publishing",
            inbox=what == "inbox",
            audience_figures=what == "audience",
        )
    return read


def memberships(user: Any) -> list[Membership]:
    """The person's own memberships: the only workspaces the view ever reads."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("workspace__organisation")
        .order_by("workspace__organisation__name", "workspace__organisation_id", "workspace__name")
    )


def build(
    user: Any, start: date, end: date, now: Any = None, *, fresh: bool = False
) -> list[Group]:
    """The person's workspaces measured over ``start``–``end`` (each in its own time zone),
    grouped by organisation; ``fresh`` computes every figure again instead of the cache's."""
    now = now or timezone.now()
    mine = memberships(user)
    # Each workspace's latest client report, in one query.
    client_reports: dict[int, Any] = {}
    for report in Report.objects.filter(
        workspace_id__in=[m.workspace_id for m in mine], template=ReportTemplate.CLIENT
    ).order_by("workspace_id", "-created_at", "-pk"):
        client_reports.setdefault(report.workspace_id, report)
    with kpis.reading():
        read = _read_ahead(mine, start, end, now, fresh)
        rows = [
            _row(membership, start, end, now, fresh, client_reports, read) for membership in mine
        ]
    return [
        Group(organisation=organisation, rows=list(items))
        for organisation, items in groupby(rows, key=lambda row: row.workspace.organisation)
    ]


def sort_groups(groups: list[Group], code: str, descending: bool) -> list[Group]:
    """Each organisation's workspaces sorted by a column (``name`` by the workspace's name); the
    cells with no value (nothing to measure, or not open to the person) always last."""
    if code == "name" or code not in BY_CODE:
        for group in groups:
            group.rows.sort(key=lambda row: row.workspace.name.lower(), reverse=descending)
        return groups
    for group in groups:
        present = [row for row in group.rows if row.cells[code].value is not None]
        absent = [row for row in group.rows if row.cells[code].value is None]
        present.sort(
            key=lambda row: (row.cells[code].value, row.workspace.name.lower()),
            reverse=descending,
        )
        absent.sort(key=lambda row: row.workspace.name.lower())
        group.rows = present + absent
    return groups
