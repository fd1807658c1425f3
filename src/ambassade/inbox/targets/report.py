"""The team report (reads only): volume in and out, first-response and resolution times (median and
90th percentile, in business hours), the share of conversations within their targets, and
satisfaction, for a period, overall and per person, network and week (docs/inbox.md, "Team report").

What is counted where:

- **in / out**: the messages from people (inbound) and from the brand (outbound, sent from
  Ambassade or natively) written in the period. Per person, "out" counts the replies a person sent
  from Ambassade (a native reply has no sender: it counts in the totals, under nobody) and "in"
  the messages of the conversations assigned to them.
- **conversations**: those whose first message came in the period (the period's cohort). Their
  first-response time is the business time from that message to the brand's first answer, for
  those answered; their first-response target was met when the answer came by its due time, and
  missed when it came later or not at all with the due time past (not decided yet otherwise).
- **resolution**: the conversations resolved in the period, from their first message to the
  resolution, and against their resolution due time.
- Person: the conversation's assignee now; network: its network; week: the ISO week (Monday to
  Sunday in the workspace's time zone) of the message, the first message or the resolution.

Percentiles interpolate linearly between the two nearest values (as spreadsheets' PERCENTILE.INC
and numpy's default do), so the CSV's figures can be checked in a spreadsheet.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from ambassade.engine.scheduling import BusinessCalendar, business_time_between
from ambassade.inbox.models import Conversation, Message, Status, Team
from ambassade.inbox.targets import services
from ambassade.workspaces.models import Workspace

__all__ = [
    "Figures",
    "Period",
    "Report",
    "build_report",
    "csat_scores",
    "percentile",
    "register_csat_reader",
]

NOBODY = 0  # the key of what no person did (unassigned conversations, native replies)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0–1) of ``values`` by linear interpolation (PERCENTILE.INC); None when
    there is nothing to measure."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Period:
    start: date
    end: date  # included
    zone: ZoneInfo

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), self.zone)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), self.zone)

    def week_of(self, instant: datetime) -> date:
        local = instant.astimezone(self.zone).date()
        return local - timedelta(days=local.weekday())

    def weeks(self) -> list[date]:
        first = self.start - timedelta(days=self.start.weekday())
        return [first + timedelta(weeks=n) for n in range((self.end - first).days // 7 + 1)]


@dataclass
class Figures:
    """One row of the report."""

    inbound: int = 0
    outbound: int = 0
    conversations: int = 0
    first_response: list[float] = field(default_factory=list)  # business seconds
    resolution: list[float] = field(default_factory=list)
    first_met: int = 0
    first_missed: int = 0
    resolution_met: int = 0
    resolution_missed: int = 0
    resolved: int = 0
    csat_total: float = 0.0
    csat_count: int = 0

    @property
    def first_p50(self) -> float | None:
        return percentile(self.first_response, 0.5)

    @property
    def first_p90(self) -> float | None:
        return percentile(self.first_response, 0.9)

    @property
    def resolution_p50(self) -> float | None:
        return percentile(self.resolution, 0.5)

    @property
    def resolution_p90(self) -> float | None:
        return percentile(self.resolution, 0.9)

    @property
    def first_within(self) -> float | None:
        """Share of decided first responses that met their target (0–1)."""
        decided = self.first_met + self.first_missed
        return self.first_met / decided if decided else None

    @property
    def resolution_within(self) -> float | None:
        decided = self.resolution_met + self.resolution_missed
        return self.resolution_met / decided if decided else None

    @property
    def csat(self) -> float | None:
        return self.csat_total / self.csat_count if self.csat_count else None


@dataclass
class Report:
    period: Period
    total: Figures
    people: list[tuple[Any, Figures]]  # (user or None, figures)
    networks: list[tuple[str, Figures]]
    weeks: list[tuple[date, Figures]]
    business_hours: bool
    csat_available: bool


def _scope(workspace: Workspace, network: str, team: Team | None) -> QuerySet[Conversation]:
    qs = Conversation.objects.filter(workspace=workspace)
    if network:
        qs = qs.filter(network=network)
    if team is not None:
        members = list(team.members.values_list("pk", flat=True))
        qs = qs.filter(Q(team=team) | Q(assignee_id__in=members))
    return qs


#: Where satisfaction answers come from: ``reader(workspace, since, until, conversations)`` gives
#: (conversation id, when answered, score 1–5) for the answers given in [since, until) to the
#: conversations of the queryset. The satisfaction app registers one (:func:`register_csat_reader`);
#: without one, the Survey model of an installed ``satisfaction`` app is read; without either, the
#: report says there is no survey yet.
CsatReader = Callable[
    [Workspace, datetime, datetime, QuerySet[Conversation]], Iterable[tuple[int, datetime, float]]
]
_CSAT_READERS: list[CsatReader] = []


def register_csat_reader(reader: CsatReader | None) -> None:
    """Make ``reader`` the source of satisfaction answers (None: back to the default)."""
    _CSAT_READERS.clear()
    if reader is not None:
        _CSAT_READERS.append(reader)


def _surveys(
    workspace: Workspace, since: datetime, until: datetime, conversations: QuerySet[Conversation]
) -> Iterable[tuple[int, datetime, float]]:
    survey = apps.get_model("satisfaction", "Survey")
    return survey.objects.filter(
        workspace=workspace,
        conversation__in=conversations,
        score__isnull=False,
        answered_at__gte=since,
        answered_at__lt=until,
    ).values_list("conversation_id", "answered_at", "score")


def csat_scores(
    workspace: Workspace, period: Period, conversations: QuerySet[Conversation]
) -> Iterable[tuple[int, datetime, float]] | None:
    """(conversation id, when, score 1–5) of the satisfaction answers of the period, or None while
    no satisfaction survey exists in this installation (the report then shows "—")."""
    if _CSAT_READERS:
        reader = _CSAT_READERS[0]
    elif apps.is_installed("ambassade.satisfaction"):
        reader = _surveys
    else:
        return None
    return reader(workspace, period.since, period.until, conversations)


def build_report(
    workspace: Workspace,
    period: Period,
    *,
    network: str = "",
    team: Team | None = None,
    now: datetime | None = None,
) -> Report:
    now = now or timezone.now()
    calendar: BusinessCalendar = services.calendar_for(workspace)
    scope = _scope(workspace, network, team)
    since, until = period.since, period.until
    total = Figures()
    people: dict[int, Figures] = defaultdict(Figures)
    networks: dict[str, Figures] = defaultdict(Figures)
    weeks: dict[date, Figures] = {week: Figures() for week in period.weeks()}

    def rows(person: int | None, net: str, week: date) -> list[Figures]:
        found = [total, people[person or NOBODY], networks[net]]
        if week in weeks:
            found.append(weeks[week])
        return found

    # Messages of the period, counted in SQL by day (local), direction, network, assignee, sender.
    messages = (
        Message.objects.filter(
            workspace=workspace,
            conversation__in=scope,
            created_at__gte=since,
            created_at__lt=until,
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
        )
        .annotate(day=TruncDate("created_at", tzinfo=period.zone))
        .values(
            "day", "direction", "conversation__network", "conversation__assignee_id", "sender_id"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in messages:
        day = row["day"]
        week = day - timedelta(days=day.weekday())
        n = row["n"]
        net = row["conversation__network"]
        if row["direction"] == Message.Direction.INBOUND:
            for figures in rows(row["conversation__assignee_id"], net, week):
                figures.inbound += n
        else:
            for figures in rows(row["sender_id"], net, week):
                figures.outbound += n

    # The period's conversations: first response.
    fields = (
        "pk",
        "network",
        "assignee_id",
        "first_inbound_at",
        "first_response_at",
        "first_response_due_at",
        "resolved_at",
        "resolution_due_at",
        "status",
    )
    started = scope.filter(first_inbound_at__gte=since, first_inbound_at__lt=until).values(*fields)
    for c in started.order_by():
        for figures in rows(c["assignee_id"], c["network"], period.week_of(c["first_inbound_at"])):
            figures.conversations += 1
            if c["first_response_at"] is not None:
                figures.first_response.append(
                    business_time_between(
                        calendar, c["first_inbound_at"], c["first_response_at"]
                    ).total_seconds()
                )
            due = c["first_response_due_at"]
            if due is not None:
                if c["first_response_at"] is not None:
                    if c["first_response_at"] <= due:
                        figures.first_met += 1
                    else:
                        figures.first_missed += 1
                elif due <= now:
                    figures.first_missed += 1

    # Conversations resolved in the period: resolution.
    resolved = scope.filter(
        status=Status.RESOLVED, resolved_at__gte=since, resolved_at__lt=until
    ).values(*fields)
    for c in resolved.order_by():
        if c["first_inbound_at"] is None:
            continue
        for figures in rows(c["assignee_id"], c["network"], period.week_of(c["resolved_at"])):
            figures.resolved += 1
            figures.resolution.append(
                business_time_between(
                    calendar, c["first_inbound_at"], c["resolved_at"]
                ).total_seconds()
            )
            due = c["resolution_due_at"]
            if due is not None:
                if c["resolved_at"] <= due:
                    figures.resolution_met += 1
                else:
                    figures.resolution_missed += 1

    scores = csat_scores(workspace, period, scope)
    if scores is not None:
        owners = dict(scope.values_list("pk", "assignee_id"))
        nets = dict(scope.values_list("pk", "network"))
        for conversation_id, at, score in scores:
            if conversation_id not in owners:
                continue
            for figures in rows(owners[conversation_id], nets[conversation_id], period.week_of(at)):
                figures.csat_total += score
                figures.csat_count += 1

    users = {
        u.pk: u for u in get_user_model().objects.filter(pk__in=[k for k in people if k != NOBODY])
    }
    people_rows = sorted(
        ((users.get(key), figures) for key, figures in people.items()),
        key=lambda pair: (
            pair[0] is None,
            str(pair[0].get_full_name() or pair[0].email) if pair[0] else "",
        ),
    )
    return Report(
        period=period,
        total=total,
        people=people_rows,
        networks=sorted(networks.items()),
        weeks=sorted(weeks.items()),
        business_hours=calendar is not services.ALWAYS,
        csat_available=scores is not None,
    )
