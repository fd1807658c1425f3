"""Forms of the response-time targets and the team report. Times and dates are ISO (the browser's
own pickers), durations a number and a unit."""

from __future__ import annotations

import zoneinfo
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.inbox.listing import networks_of
from ambassade.inbox.models import Label, Team
from ambassade.inbox.targets.models import BusinessHours, Holiday, Level, Target
from ambassade.workspaces import dates
from ambassade.workspaces.models import Workspace
from ambassade.workspaces.networks import network_label

WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
#: Openings per weekday in the form (a morning and an afternoon, or one overnight shift and more).
RANGES = 2
#: A target longer than this is a typing error (a year of business time).
MAX_MINUTES = 366 * 24 * 60
#: The longest period a report covers.
MAX_REPORT_DAYS = 366


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    return [
        (name, name)
        for name in sorted(zoneinfo.available_timezones())
        if "/" in name or name == "UTC"
    ]


def _field_name(day: int, n: int, end: str) -> str:
    return f"day{day}_{n}_{end}"


class HoursForm(forms.ModelForm):
    """Business hours: on or off, the zone, and up to two openings per weekday. An end at or before
    its start ends the next day (22:00–06:00); 00:00–00:00 is the whole day."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())

    class Meta:
        model = BusinessHours
        fields = ["enabled", "time_zone", "due_soon_minutes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours: BusinessHours = self.instance
        self.fields["time_zone"].choices = zone_choices()
        self.fields["time_zone"].initial = hours.zone_name()
        if not hours.time_zone:
            self.initial["time_zone"] = hours.zone_name()
        self.fields["due_soon_minutes"].widget = forms.NumberInput(attrs={"min": 1, "max": 1440})
        by_day: dict[int, list[Any]] = {day: [] for day in range(7)}
        for opening in hours.openings():
            by_day[opening.weekday].append(opening)
        for day in range(7):
            for n in range(RANGES):
                found = by_day[day][n] if n < len(by_day[day]) else None
                for end in ("start", "end"):
                    name = _field_name(day, n, end)
                    self.fields[name] = dates.TimeField(
                        label=f"{WEEKDAY_NAMES[day]} {n + 1} {end}", required=False
                    )
                    if found is not None:
                        self.initial[name] = getattr(found, end)

    def weekday_rows(self) -> list[tuple[Any, list[tuple[Any, Any]]]]:
        """(weekday name, [(start field, end field)…]) for the template's table."""
        return [
            (
                WEEKDAY_NAMES[day],
                [
                    (self[_field_name(day, n, "start")], self[_field_name(day, n, "end")])
                    for n in range(RANGES)
                ],
            )
            for day in range(7)
        ]

    def clean_due_soon_minutes(self) -> int:
        value = self.cleaned_data["due_soon_minutes"]
        if not 1 <= value <= 1440:
            raise forms.ValidationError(_("Give a number of minutes from 1 to 1440."))
        return int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        week = []
        for day in range(7):
            for n in range(RANGES):
                start_name, end_name = _field_name(day, n, "start"), _field_name(day, n, "end")
                start: time | None = data.get(start_name)
                end: time | None = data.get(end_name)
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    self.add_error(
                        start_name if start is None else end_name,
                        _("%(day)s: give both the opening and the closing time.")
                        % {"day": WEEKDAY_NAMES[day]},
                    )
                    continue
                if start == end and start != time(0):
                    self.add_error(
                        end_name,
                        _(
                            "%(day)s: an opening closes when it opens. For the whole day, give "
                            "00:00 to 00:00."
                        )
                        % {"day": WEEKDAY_NAMES[day]},
                    )
                    continue
                week.append(
                    {"weekday": day, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
                )
        if data.get("enabled") and not week and not self.errors:
            raise forms.ValidationError(
                _(
                    "Give at least one opening, or switch business hours off: a week without any "
                    "opening has no time to count."
                )
            )
        self.week = week
        return data

    def save(self, commit: bool = True) -> BusinessHours:
        hours: BusinessHours = super().save(commit=False)
        hours.week = self.week
        if commit:
            hours.save()
        return hours


class HolidayForm(forms.ModelForm):
    day = dates.DateField(label=_("Date"))

    class Meta:
        model = Holiday
        fields = ["day", "name", "yearly"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.instance.workspace = workspace

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, yearly = data.get("day"), bool(data.get("yearly"))
        if (
            day
            and Holiday.objects.filter(workspace=self.workspace, day=day, yearly=yearly).exists()
        ):
            raise forms.ValidationError(_("This holiday is already there."))
        return data

    def validate_unique(self) -> None:  # the workspace is not a field: checked in clean()
        pass


UNITS = (("minutes", _("minutes")), ("hours", _("hours")))


class DurationField(forms.MultiValueField):
    """A number and a unit (minutes or hours), given back in minutes; empty: no target."""

    widget: forms.MultiWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.IntegerField(min_value=1, max_value=MAX_MINUTES, required=False),
            forms.ChoiceField(choices=UNITS, required=False),
        )
        widget = forms.MultiWidget(
            widgets=[forms.NumberInput(attrs={"min": 1}), forms.Select(choices=UNITS)]
        )
        super().__init__(fields, widget=widget, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[Any]) -> int | None:
        if not data_list or data_list[0] in (None, ""):
            return None
        minutes = int(data_list[0]) * (60 if data_list[1] == "hours" else 1)
        if minutes > MAX_MINUTES:
            raise forms.ValidationError(_("A target is at most a year."))
        return minutes


def _split(minutes: int | None) -> list[Any]:
    if not minutes:
        return [None, "minutes"]
    if minutes % 60 == 0:
        return [minutes // 60, "hours"]
    return [minutes, "minutes"]


class TargetForm(forms.ModelForm):
    first_response = DurationField(label=_("First response within"))
    next_response = DurationField(
        label=_("Next response within"),
        help_text=_("When the person writes again after an answer."),
    )
    resolution = DurationField(
        label=_("Resolution within"), help_text=_("From the person's first message.")
    )
    network = forms.ChoiceField(label=_("Network"), required=False, choices=())

    class Meta:
        model = Target
        fields = ["name", "network", "label", "level", "enabled"]

    field_order = [
        "name",
        "first_response",
        "next_response",
        "resolution",
        "network",
        "label",
        "level",
        "enabled",
    ]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        target: Target = self.instance
        for kind in ("first_response", "next_response", "resolution"):
            self.initial[kind] = _split(getattr(target, f"{kind}_minutes"))
        known = set(networks_of(workspace.pk))
        known.update(
            workspace.connections.values_list("network", flat=True)
            if hasattr(workspace, "connections")
            else []
        )
        if target.network:
            known.add(target.network)
        self.fields["network"].choices = [("", _("Any network"))] + [
            (code, network_label(code)) for code in sorted(known)
        ]
        self.fields["label"].queryset = Label.objects.filter(workspace=workspace)
        self.fields["label"].empty_label = _("Any label")
        self.fields["level"].choices = [("", _("Any priority")), *Level.choices]
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(kind) for kind in ("first_response", "next_response", "resolution")
        ):
            raise forms.ValidationError(_("Give at least one of the three targets."))
        return data

    def save(self, commit: bool = True) -> Target:
        target: Target = super().save(commit=False)
        for kind in ("first_response", "next_response", "resolution"):
            setattr(target, f"{kind}_minutes", self.cleaned_data.get(kind))
        if commit:
            target.save()
        return target


class ReportForm(forms.Form):
    """The report's period (ISO dates, both included), network and team."""

    start = dates.DateField(label=_("From"), required=False)
    end = dates.DateField(label=_("To"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False, choices=())
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)

    def __init__(self, *args: Any, workspace: Workspace, today: date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        networks = networks_of(workspace.pk)
        self.fields["network"].choices = [("", _("All networks"))] + [
            (code, network_label(code)) for code in sorted(networks)
        ]
        self.fields["team"].queryset = Team.objects.filter(workspace=workspace)
        self.fields["team"].empty_label = _("Everybody")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=27)
        if start > end:
            self.add_error("end", _("The end comes before the start."))
        elif (end - start).days >= MAX_REPORT_DAYS:
            self.add_error("start", _("A report covers at most 366 days."))
        data["start"], data["end"] = start, end
        return data
