"""The community area page: the members (the brand's staff left out) and how many joined, how many
were active (the KPI), the classes of their stored scores, the top members, event attendance and
e-mailing results. Filter: network (members with an identity on it).

A member *joins* when first seen (their first mention; for one added by hand or from a customer
file, when added). Ambassadors, detractors, rising and dormant members are counted each day the
scores are stored (``community/history.py``, :class:`~ambassade.community.models.ClassCount`): the
figures are the counts of the period's last counted day, compared with the comparison period's,
and "Classes over time" draws them day by day. The counts are the whole community's: with a
network chosen, the figures are today's counts of its members, without comparison."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ambassade.analytics import area_charts, kpis, localtime, loyalty
from ambassade.analytics.areas import (
    COUNT,
    DAY,
    DECIMAL,
    PERCENT,
    TEXT,
    Area,
    Figure,
    Section,
    Table,
)
from ambassade.analytics.catalogue import CATALOGUE
from ambassade.analytics.kpis import Scope
from ambassade.analytics.localtime import LocalDay
from ambassade.community import history
from ambassade.community.models import ClassCount, Identity, Member
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.events.models import Event, Rsvp
from ambassade.mailing.models import Campaign, Recipient
from ambassade.workspaces.networks import network_label

__all__ = ["build", "fields", "scope"]

TOP = 10
CLASSES = ("ambassador", "detractor", "rising", "dormant")


def fields(workspace: Any) -> dict[str, forms.Field]:
    networks = sorted(
        set(
            Identity.objects.filter(workspace=workspace)
            .order_by()  # the model's ordering would make DISTINCT per identity
            .values_list("network", flat=True)
            .distinct()
        )
    )
    return {
        "network": forms.ChoiceField(
            label=gettext_lazy("Network"),
            required=False,
            choices=[("", gettext_lazy("All networks"))]
            + [(n, network_label(n)) for n in networks],
        )
    }


def scope(chosen: dict[str, Any]) -> Scope:
    return Scope(network=chosen.get("network") or "")


def members(workspace: Any, scope: Scope) -> Any:
    """The community's members, the brand's staff left out, with ``joined``: first seen, else
    added."""
    rows = Member.objects.filter(workspace=workspace, staff=False)
    if scope.network:
        rows = rows.filter(
            pk__in=Identity.objects.filter(workspace=workspace, network=scope.network).values(
                "member_id"
            )
        )
    return rows.annotate(joined=Coalesce("first_seen_at", "created_at"))


def _counts(workspace: Any, scope: Scope, period: Period, before: Period | None) -> dict[str, Any]:
    """The members at the end of the period and of the one before, those who joined in each,
    those there before the period (the growth chart's start), and the classes of the stored
    scores: one aggregate of conditional counts instead of seven reads."""
    first, after = period.bounds()
    joined = Coalesce("first_seen_at", "created_at")

    def between(start: Any, end: Any) -> Any:
        return Count("id", filter=Q(GreaterThanOrEqual(joined, start), LessThan(joined, end)))

    wanted: dict[str, Any] = {
        "members": Count("id", filter=Q(LessThan(joined, after))),
        "joined": between(first, after),
        "base": Count("id", filter=Q(LessThan(joined, first))),
        "scored": Max("scored_at"),
        **{key: Count("id", filter=Q(**{key: True})) for key in CLASSES},
    }
    if before is not None:
        earlier, earlier_after = before.bounds()
        wanted["members_before"] = Count("id", filter=Q(LessThan(joined, earlier_after)))
        wanted["joined_before"] = between(earlier, earlier_after)
    return dict(members(workspace, scope).aggregate(**wanted))


def _growth(workspace: Any, period: Period, scope: Scope, base: int) -> Section:
    """Members per local day: those who joined each day, counted by the database by local day
    (``localtime.LocalDay``), added to those there before the period."""
    first, after = period.bounds()
    per_day: dict[date, int] = defaultdict(int)
    for day, joined in (
        members(workspace, scope)
        .filter(joined__gte=first, joined__lt=after)
        .annotate(
            day=LocalDay(Coalesce("first_seen_at", "created_at"), workspace.time_zone, first, after)
        )
        .order_by()
        .values_list("day")
        .annotate(n=Count("id"))
    ):
        per_day[localtime.day_of(day)] += joined
    total = base
    series: list[tuple[date, str, float]] = []
    running: dict[date, int] = {}
    label = _("Members")
    for day in period.each_day():
        total += per_day.get(day, 0)
        running[day] = total
        series.append((day, label, float(total)))
    table = Table([(_("Day"), DAY), (_("New members"), COUNT), (_("Members"), COUNT)])
    for day in reversed(period.each_day()):
        table.rows.append([day, per_day.get(day, 0), running[day]])
    description = _("Members of the community at the end of each day")
    return Section(
        "growth",
        _("Members"),
        table,
        spec=area_charts.lines(
            series, description=description, y_title=_("Members"), series_title=_("Members")
        ),
        chart_label=description,
    )


def _classes(counts: dict[str, Any]) -> tuple[Section, dict[str, int], Any]:
    names = {
        "ambassador": _("Ambassadors"),
        "detractor": _("Detractors"),
        "rising": _("Rising"),
        "dormant": _("Dormant"),
    }
    table = Table([(_("Class"), TEXT), (_("Members"), COUNT)])
    for key in CLASSES:
        table.rows.append([names[key], counts[key]])
    description = _("Members in each class of the stored scores")
    scored = counts["scored"]
    note = (
        _(
            "Today's counts, from the scores stored on %(date)s (the counts of earlier days are "
            "under “Classes over time”)."
        )
        % {"date": date_filter(scored, "DATE_FORMAT")}
        if scored
        else _("The members have not been scored yet: these classes are empty until they are.")
    )
    section = Section(
        "classes",
        _("Ambassadors, detractors, rising and dormant members"),
        table,
        spec=area_charts.bars(
            [(str(names[key]), float(counts[key])) for key in CLASSES],
            description=description,
            x_title=_("Members"),
            name_title=_("Class"),
        ),
        chart_label=description,
        note=note,
    )
    return section, {key: counts[key] for key in CLASSES}, scored


#: A class count's fields, in the order of ``CLASSES``, then the active members.
COUNTED = {
    "ambassador": "ambassadors",
    "detractor": "detractors",
    "rising": "rising",
    "dormant": "dormant",
}


def _counted(workspace: Any, period: Period) -> list[ClassCount]:
    return history.class_counts(workspace.pk, period.start, period.end)


def _over_time(workspace: Any, period: Period, scope: Scope, counted: list[ClassCount]) -> Section:
    labels = {
        "ambassadors": _("Ambassadors"),
        "detractors": _("Detractors"),
        "rising": _("Rising"),
        "dormant": _("Dormant"),
        "active": _("Active (seen in the last 30 days)"),
    }
    table = Table(
        [(_("Day"), DAY)]
        + [(str(label), COUNT) for label in labels.values()]
        + [(_("Members"), COUNT)],
        empty=_("No count was stored in this period."),
    )
    series: list[tuple[date, str, float]] = []
    for row in counted:
        for field, label in labels.items():
            series.append((row.day, str(label), float(getattr(row, field))))
    for row in reversed(counted):
        table.rows.append([row.day, *(getattr(row, f) for f in labels), row.members])
    description = _("Members in each class at the end of each day the scores were stored")
    note = _(
        "Counted each time the scores are stored (every 15 minutes for active members, every "
        "night for everyone), the day's last count kept; the brand's staff left out."
    )
    if scope.network:
        note += " " + _("These are the whole community's counts: none is kept per network.")
    return Section(
        "classes_history",
        _("Classes over time"),
        table,
        spec=area_charts.lines(
            series, description=description, y_title=_("Members"), series_title=_("Class")
        )
        if counted
        else "",
        chart_label=description,
        note=note,
    )


def _top(workspace: Any, scope: Scope) -> Section:
    table = Table(
        [
            (_("Member"), TEXT),
            (_("Engagement"), DECIMAL),
            (_("Level"), COUNT),
            (_("Mentions"), COUNT),
            (_("Reach"), COUNT),
            (_("Classes"), TEXT),
            (_("Last seen"), DAY),
        ],
        empty=_("No member yet."),
    )
    zone = ZoneInfo(workspace.time_zone)
    names = {
        "ambassador": _("ambassador"),
        "detractor": _("detractor"),
        "rising": _("rising"),
        "dormant": _("dormant"),
    }
    for member in members(workspace, scope).order_by("-love", "-id")[:TOP]:
        table.rows.append(
            [
                str(member),
                member.love,
                member.level,
                member.mention_count,
                member.reach,
                ", ".join(str(names[key]) for key in CLASSES if getattr(member, key)),
                member.last_seen_at.astimezone(zone).date() if member.last_seen_at else None,
            ]
        )
    return Section(
        "top_members",
        _("Top members"),
        table,
        note=_("By their stored engagement score; the brand's staff left out."),
    )


def _events(workspace: Any, period: Period) -> Section:
    first, after = period.bounds()
    table = Table(
        [
            (_("Event"), TEXT),
            (_("Starts"), DAY),
            (_("Confirmed"), COUNT),
            (_("Waiting list"), COUNT),
            (_("Cancelled"), COUNT),
            (_("Checked in"), COUNT),
            (_("Attendance"), PERCENT),
        ],
        empty=_("No event in this period."),
    )
    zone = ZoneInfo(workspace.time_zone)
    events = (
        Event.objects.filter(workspace=workspace, starts_at__gte=first, starts_at__lt=after)
        .annotate(
            confirmed=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.CONFIRMED)),
            waiting=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITLISTED)),
            cancelled=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.CANCELLED)),
            checked=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
        )
        .order_by("starts_at")
    )
    for event in events:
        # In the reader's language; the other one where the team left it empty.
        title = event.title or event.title_en or event.title_fr
        table.rows.append(
            [
                str(title),
                event.starts_at.astimezone(zone).date(),
                event.confirmed,
                event.waiting,
                event.cancelled,
                event.checked,
                measures.rate(event.checked, event.confirmed),
            ]
        )
    return Section(
        "events",
        _("Events"),
        table,
        note=_("Events starting in the period; attendance: people checked in ÷ confirmed places."),
    )


def _mailings(workspace: Any, period: Period) -> Section:
    first, after = period.bounds()
    table = Table(
        [
            (_("E-mailing"), TEXT),
            (_("Sent on"), DAY),
            (pgettext("e-mails", "Sent"), COUNT),
            (_("Bounced"), COUNT),
            (_("Opened"), PERCENT),
            (_("Clicked"), PERCENT),
            (_("Unsubscribed"), COUNT),
        ],
        empty=_("No e-mailing sent in this period."),
    )
    zone = ZoneInfo(workspace.time_zone)
    campaigns = (
        Campaign.objects.filter(workspace=workspace, started_at__gte=first, started_at__lt=after)
        .annotate(
            sent=Count("recipients", filter=Q(recipients__state=Recipient.State.SENT)),
            bounced=Count("recipients", filter=Q(recipients__bounced_at__isnull=False)),
            opened=Count("recipients", filter=Q(recipients__opened_at__isnull=False)),
            clicked=Count("recipients", filter=Q(recipients__clicked_at__isnull=False)),
            unsubscribed=Count("recipients", filter=Q(recipients__unsubscribed_at__isnull=False)),
        )
        .order_by("started_at")
    )
    for campaign in campaigns:
        table.rows.append(
            [
                campaign.name,
                campaign.started_at.astimezone(zone).date(),
                campaign.sent,
                campaign.bounced,
                measures.rate(campaign.opened, campaign.sent) if campaign.track_opens else None,
                measures.rate(campaign.clicked, campaign.sent) if campaign.track_clicks else None,
                campaign.unsubscribed,
            ]
        )
    return Section(
        "mailings",
        _("E-mailings"),
        table,
        note=_(
            "E-mailings started in the period: opened and clicked as a share of the e-mails sent "
            "(a dash where the e-mailing did not count them; opens counted by a pixel are a floor)."
        ),
    )


def build(workspace: Any, period: Period, before: Period | None, scope: Scope) -> Area:
    counts = _counts(workspace, scope, period, before)
    classes, classes_counts, _scored = _classes(counts)
    counted = _counted(workspace, period)
    earlier = _counted(workspace, before) if before is not None else []
    active = CATALOGUE["active_members"]
    figures = [
        Figure(
            "members",
            _("Members"),
            COUNT,
            float(counts["members"]),
            None if before is None else float(counts["members_before"]),
            _("Members of the community at the end of the period (the brand's staff left out)."),
        ),
        Figure(
            "new_members",
            _("New members"),
            COUNT,
            float(counts["joined"]),
            None if before is None else float(counts["joined_before"]),
            _("Members first seen in the period (or added then, for those never seen)."),
        ),
        Figure(
            "active_members",
            str(active.label),
            active.unit,
            kpis.active_members(workspace, period, scope),
            None if before is None else kpis.active_members(workspace, before, scope),
            str(active.definition),
        ),
    ]
    readers: dict[str, Callable[[Period], float | None]] = {
        "retention": lambda when: loyalty.retention(workspace, when, scope),
        "event_attendance": lambda when: loyalty.event_attendance(workspace, when),
    }
    for code, read in readers.items():
        metric = CATALOGUE[code]
        figures.append(
            Figure(
                code,
                str(metric.label),
                metric.unit,
                read(period),
                None if before is None else read(before),
                str(metric.definition),
            )
        )
    labels = {
        "ambassador": _("Ambassadors"),
        "detractor": _("Detractors"),
        "rising": _("Rising"),
        "dormant": _("Dormant"),
    }
    last = counted[-1] if counted and not scope.network else None
    for key in CLASSES:
        if last is not None:
            field = COUNTED[key]
            figures.append(
                Figure(
                    key,
                    str(labels[key]),
                    COUNT,
                    float(getattr(last, field)),
                    float(getattr(earlier[-1], field)) if earlier else None,
                    _("Members in this class on the period's last counted day."),
                    direction="lower" if key in ("detractor", "dormant") else "higher",
                    note=_("on %(date)s") % {"date": date_filter(last.day, "SHORT_DATE_FORMAT")},
                )
            )
            continue
        figures.append(
            Figure(
                key,
                str(labels[key]),
                COUNT,
                float(classes_counts[key]),
                None,
                classes.note,
                direction="lower" if key in ("detractor", "dormant") else "higher",
                note=_("today"),
                compared=False,
            )
        )
    return Area(
        figures=figures,
        sections=[
            _growth(workspace, period, scope, int(counts["base"])),
            classes,
            _over_time(workspace, period, scope, counted),
            _top(workspace, scope),
            _events(workspace, period),
            _mailings(workspace, period),
        ],
    )
