"""The audience pages' filter (a period of local days and a network) and the competitor form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.connectors.metrics import METRICS_READERS, PUBLIC
from ambassade.engine.measures import MAX_DAYS
from ambassade.workspaces.dates import DateField
from ambassade.workspaces.networks import network_label

__all__ = ["CompetitorForm", "PeriodForm", "network_choices"]

DEFAULT_DAYS = 30


def network_choices(networks: Any = None) -> list[tuple[str, str]]:
    return [(network, network_label(network)) for network in sorted(networks or METRICS_READERS)]


class PeriodForm(forms.Form):
    start = DateField(label=_("From"), required=False)
    end = DateField(label=_("To"), required=False)
    network = forms.ChoiceField(label=_("Network"), required=False)

    def __init__(self, data: Any, *, today: date, networks: Any = None) -> None:
        super().__init__(data)
        self.today = today
        self.fields["network"].choices = [("", _("All networks")), *network_choices(networks)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if end < start:
            self.add_error("end", _("The period ends before it starts."))
        elif (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", _("A period covers at most %(days)s days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date, str]:
        """The period asked for, or the last 30 days when the filter is invalid."""
        if self.is_valid():
            return (
                self.cleaned_data["start"],
                self.cleaned_data["end"],
                self.cleaned_data["network"],
            )
        return self.today - timedelta(days=DEFAULT_DAYS - 1), self.today, ""


class CompetitorForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=lambda: network_choices(PUBLIC))
    handle = forms.CharField(
        label=_("Account"),
        max_length=200,
        help_text=_(
            "Mastodon @name@server, Bluesky handle, YouTube @name or UC…, Reddit u/name or r/community."
        ),
    )
    label = forms.CharField(label=_("Name"), max_length=120, required=False)

    def clean_handle(self) -> str:
        value = str(self.cleaned_data.get("handle") or "").strip()
        if any(char.isspace() for char in value):
            raise forms.ValidationError(_("An account name has no spaces."))
        return value
