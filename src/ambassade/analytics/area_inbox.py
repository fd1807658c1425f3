"""The inbox area page: the conversations whose first message arrived in the period (the period's
cohort), how many were answered, how fast (median and 90th percentile of the first-response time,
in minutes of the clock), against their response targets, and the satisfaction answers of the
period; by network, label and assignee. Filters: network, label, assignee (``kpis.Scope``).

Response rate, first-response time and CSAT are the KPI catalogue's readers with the page's scope;
the tables use the same selection (``kpis.conversations``, ``kpis.surveys``) and the engine's
arithmetic. A conversation's first-response target is *met* when the first answer came by its due
time, *missed* (a breach) when it came later or has not come with the due time past; a
conversation without a due time has no target. The team report (inbox) gives the same times in
business hours."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from ambassade.analytics import area_charts, kpis, localtime
from ambassade.analytics.areas import (
    COUNT,
    DAY,
    MINUTES,
    PERCENT,
    TEXT,
    Area,
    Figure,
    Section,
    Table,
)
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.kpis import Scope
from ambassade.analytics.localtime import LocalDay, Micros
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.inbox.models import Conversation, Label
from ambassade.inbox.targets.models import Target
from ambassade.inbox.targets.report import percentile
from ambassade.workspaces.models import Membership
from ambassade.workspaces.networks import network_label

__all__ = ["build", "fields", "scope"]

#: A conversation's first-response target: none (no due time, or not yet due), met, missed.
NO_TARGET, MET, MISSED = 0, 1, 2


def fields(workspace: Any) -> dict[str, forms.Field]:
    # The networks of the workspace's accounts and those its conversations came from (a
    # conversation heard on X through listening has no X account behind it): every network the
    # page's tables show can be chosen.
    networks = sorted(
        set(workspace.connections.values_list("network", flat=True))
        | set(
            Conversation.objects.filter(workspace=workspace)
            .order_by()
            .values_list("network", flat=True)
            .distinct()
        )
    )
    users = get_user_model().objects.filter(
        pk__in=Membership.objects.filter(workspace=workspace).values("user_id")
    )
    return {
        "network": forms.ChoiceField(
            label=gettext_lazy("Network"),
            required=False,
            choices=[("", gettext_lazy("All networks"))]
            + [(n, network_label(n)) for n in networks],
        ),
        "label": forms.ModelChoiceField(
            label=pgettext_lazy("tag", "Label"),
            required=False,
            queryset=Label.objects.filter(workspace=workspace).order_by("name"),
            empty_label=gettext_lazy("All labels"),
        ),
        "assignee": forms.ModelChoiceField(
            label=gettext_lazy("Assignee"),
            required=False,
            queryset=users.order_by("pk"),
            empty_label=gettext_lazy("Everyone"),
        ),
    }


def scope(chosen: dict[str, Any]) -> Scope:
    label, assignee = chosen.get("label"), chosen.get("assignee")
    return Scope(
        network=chosen.get("network") or "",
        label=label.pk if label is not None else None,
        assignee=assignee.pk if assignee is not None else None,
    )


@dataclass
class Group:
    """The figures of a set of conversations and satisfaction answers."""

    received: int = 0
    answered: int = 0
    minutes: list[float] = field(default_factory=list)
    met: int = 0
    missed: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return measures.rate(self.answered, self.received)

    @property
    def median(self) -> float | None:
        return measures.median(self.minutes)

    @property
    def p90(self) -> float | None:
        return percentile(self.minutes, 0.9)

    @property
    def within(self) -> float | None:
        return measures.rate(self.met, self.met + self.missed)

    @property
    def csat(self) -> float | None:
        return measures.rate(sum(1 for s in self.scores if s >= kpis.SATISFIED), len(self.scores))

    def cells(self) -> list[Any]:
        return [
            self.received,
            self.answered,
            self.rate,
            self.median,
            self.p90,
            self.within,
            self.missed,
            self.csat,
            len(self.scores),
        ]


def _columns(first: str) -> list[tuple[str, str]]:
    return [
        (first, TEXT),
        (_("Received"), COUNT),
        (_("Answered"), COUNT),
        (_("Response rate"), PERCENT),
        (_("First response, median"), MINUTES),
        (_("First response, 90th percentile"), MINUTES),
        (_("Within target"), PERCENT),
        (_("Breaches"), COUNT),
        (_("CSAT"), PERCENT),
        (_("Satisfaction answers"), COUNT),
    ]


@dataclass
class Cohort:
    total: Group
    days: dict[date, Group]
    networks: dict[str, Group]
    labels: dict[int | None, Group]
    assignees: dict[int | None, Group]


class _State(Case):
    """A conversation's target state (an int from both drivers: no converter per row)."""

    convert_value = staticmethod(Case._convert_value_noop)  # type: ignore[assignment]


def _cohort(workspace: Any, period: Period, scope: Scope) -> Cohort:
    """The period's conversations grouped in one pass. The database gives each conversation's
    local day, first-response time (microseconds) and target state (met, missed, none), so that
    a year of 20,000 conversations comes back as small numbers rather than three datetimes
    each (docs/analytics.md, "Performance")."""
    now = timezone.now()
    first, after = period.bounds()
    selected = kpis.conversations(workspace, period, scope)
    rows = selected.order_by().values_list(
        "id",
        "network",
        "assignee_id",
        LocalDay("first_inbound_at", workspace.time_zone, first, after),
        Micros("first_response_at", "first_inbound_at"),
        _State(
            When(first_response_due_at__isnull=True, then=Value(NO_TARGET)),
            When(
                first_response_at__isnull=False,
                first_response_at__lte=F("first_response_due_at"),
                then=Value(MET),
            ),
            When(first_response_at__isnull=False, then=Value(MISSED)),
            When(first_response_due_at__lt=now, then=Value(MISSED)),
            default=Value(NO_TARGET),
            output_field=IntegerField(),
        ),
    )
    answers = kpis.surveys(workspace, period, scope)
    through = Conversation.labels.through
    labels_of: dict[int, list[int]] = defaultdict(list)
    for conversation_id, label_id in through.objects.filter(
        Q(conversation_id__in=selected.values("id"))
        | Q(conversation_id__in=answers.values("conversation_id"))
    ).values_list("conversation_id", "label_id"):
        labels_of[conversation_id].append(label_id)
    cohort = Cohort(
        Group(), defaultdict(Group), defaultdict(Group), defaultdict(Group), defaultdict(Group)
    )
    no_label: list[int | None] = [None]
    # First the conversations alike (same local day, network, assignee and labels) together,
    # then each such bunch into its groups: a few hundred bunches for 20,000 conversations.
    bunches: dict[tuple[Any, ...], list[Any]] = {}
    for conversation_id, network, assignee, day, micros, state in rows:
        labels = labels_of.get(conversation_id)
        key = (day, network, assignee, tuple(labels) if labels else None)
        bunch = bunches.get(key)
        if bunch is None:
            bunch = bunches[key] = [0, 0, 0, []]
        bunch[0] += 1
        if micros is not None:
            bunch[3].append(micros)
        if state == MET:
            bunch[1] += 1
        elif state == MISSED:
            bunch[2] += 1
    for (day, network, assignee, labels), (received, met, missed, times) in bunches.items():
        taken = [localtime.minutes(micros) for micros in times]
        groups = [
            cohort.total,
            cohort.days[localtime.day_of(day)],
            cohort.networks[network],
            cohort.assignees[assignee],
        ]
        groups += [cohort.labels[label] for label in labels or no_label]
        for group in groups:
            group.received += received
            group.answered += len(taken)
            group.minutes.extend(taken)
            group.met += met
            group.missed += missed
    for conversation_id, score, network, assignee in answers.order_by().values_list(
        "conversation_id", "score", "conversation__network", "conversation__assignee_id"
    ):
        cohort.total.scores.append(score)
        cohort.networks[network].scores.append(score)
        cohort.assignees[assignee].scores.append(score)
        for label_id in labels_of.get(conversation_id) or no_label:
            cohort.labels[label_id].scores.append(score)
    return cohort


def _from_cohort(code: str, now: float | None, before: float | None) -> Figure:
    """A catalogue indicator from the cohort already read: the same selection
    (``kpis.conversations``, ``kpis.surveys``) and arithmetic as its reader, without reading
    the conversations again (tests/analytics/test_areas.py compares the two)."""
    metric = CATALOGUE[code]
    return Figure(
        code=code,
        label=str(metric.label),
        unit=metric.unit,
        now=now,
        before=before,
        definition=str(metric.definition),
        direction=metric.direction,
    )


def _table(first: str, groups: dict[Any, Group], name: Any, empty: str) -> Table:
    table = Table(_columns(first), empty=empty)
    ordered = sorted(groups.items(), key=lambda pair: (-pair[1].received, str(name(pair[0]))))
    for key, group in ordered:
        table.rows.append([name(key), *group.cells()])
    return table


def build(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Area:
    cohort = _cohort(workspace, period, scope)
    previous = _cohort(workspace, before, scope) if before is not None else None
    figures = [
        Figure(
            "received",
            _("Conversations received"),
            COUNT,
            float(cohort.total.received),
            None if previous is None else float(previous.total.received),
            _("Conversations whose first message arrived in the period."),
            direction="",
        ),
        Figure(
            "answered",
            _("Answered"),
            COUNT,
            float(cohort.total.answered),
            None if previous is None else float(previous.total.answered),
            _("Those of them that received an answer from the brand."),
        ),
        _from_cohort("response_rate", cohort.total.rate, previous and previous.total.rate),
        _from_cohort(
            "first_response_time", cohort.total.median, previous and previous.total.median
        ),
        Figure(
            "first_response_p90",
            _("First-response time, 90th percentile"),
            MINUTES,
            cohort.total.p90,
            None if previous is None else previous.total.p90,
            _(
                "Nine answered conversations in ten had their first answer within this time "
                "(clock minutes, interpolated as a spreadsheet's PERCENTILE.INC)."
            ),
            direction="lower",
        ),
        Figure(
            "within_target",
            _("Within target"),
            PERCENT,
            cohort.total.within,
            None if previous is None else previous.total.within,
            _(
                "Conversations answered by their first-response due time, out of those whose "
                "target is decided (answered, or past due)."
            ),
        ),
        Figure(
            "breaches",
            _("Breaches"),
            COUNT,
            float(cohort.total.missed),
            None if previous is None else float(previous.total.missed),
            _("Conversations answered after their due time, or still unanswered past it."),
            direction="lower",
        ),
        _from_cohort("csat", cohort.total.csat, previous and previous.total.csat),
    ]
    day_table = Table(
        [
            (_("Day"), DAY),
            (_("Received"), COUNT),
            (_("Answered"), COUNT),
            (_("Response rate"), PERCENT),
            (_("First response, median"), MINUTES),
            (_("Breaches"), COUNT),
        ]
    )
    series: list[tuple[date, str, float]] = []
    received_label, answered_label = _("Received"), _("Answered")
    for day in period.each_day():
        group = cohort.days.get(day, Group())
        series.append((day, received_label, float(group.received)))
        series.append((day, answered_label, float(group.answered)))
    for day in reversed(period.each_day()):
        group = cohort.days.get(day, Group())
        day_table.rows.append(
            [day, group.received, group.answered, group.rate, group.median, group.missed]
        )
    description = _("Conversations received and answered per day")
    labels = dict(Label.objects.filter(workspace=workspace).values_list("id", "name"))
    users = {
        user.pk: (user.get_full_name() or user.get_username())
        for user in get_user_model().objects.filter(
            pk__in=[k for k in cohort.assignees if k is not None]
        )
    }
    targets = Table(
        [
            (_("Target"), TEXT),
            (_("Network"), TEXT),
            (pgettext("tag", "Label"), TEXT),
            (_("Priority"), TEXT),
            (_("First response within"), MINUTES),
        ],
        empty=_("No response target is set: conversations have no due time."),
    )
    for target in (
        Target.objects.filter(workspace=workspace, enabled=True)
        .select_related("label")
        .order_by("position", "pk")
    ):
        targets.rows.append(
            [
                target.name,
                network_label(target.network) if target.network else _("All networks"),
                target.label.name if target.label else _("All labels"),
                target.get_level_display() if target.level else _("Any"),
                target.first_response_minutes,
            ]
        )
    empty = _("No conversation started in this period.")
    return Area(
        figures=figures,
        sections=[
            Section(
                "days",
                _("Conversations per day"),
                day_table,
                spec=area_charts.lines(
                    series,
                    description=description,
                    y_title=_("Conversations"),
                    series_title=_("Conversations"),
                ),
                chart_label=description,
            ),
            Section(
                "networks",
                _("By network"),
                _table(_("Network"), cohort.networks, network_label, empty),
            ),
            Section(
                "labels",
                _("By label"),
                _table(
                    pgettext("tag", "Label"),
                    cohort.labels,
                    lambda key: labels.get(key, "") if key is not None else _("No label"),
                    empty,
                ),
                note=_("A conversation with several labels counts under each."),
            ),
            Section(
                "assignees",
                _("By assignee"),
                _table(
                    _("Assignee"),
                    cohort.assignees,
                    lambda key: users.get(key, "") if key is not None else _("Unassigned"),
                    empty,
                ),
                note=_("The person the conversation is assigned to now."),
            ),
            Section(
                "targets",
                _("Response targets"),
                targets,
                link=(_("Team report"), reverse("inbox_targets:report", args=[workspace.slug])),
                note=_(
                    "The first-response targets set for the inbox (the first that applies to a conversation gives its due time); the team report counts business hours."
                ),
            ),
        ],
    )
