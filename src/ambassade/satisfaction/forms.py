from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.satisfaction.models import MAX_DELAY_MINUTES, SatisfactionSettings
from ambassade.workspaces.dates import DateField


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    delay_minutes = forms.IntegerField(
        label=_("Minutes to wait after resolution"),
        min_value=0,
        max_value=MAX_DELAY_MINUTES,
        help_text=_("A conversation opened again meanwhile is not asked. 0: at once."),
    )

    class Meta:
        model = SatisfactionSettings
        fields = ["enabled", "delay_minutes"]


class ResultsForm(forms.Form):
    start = DateField(label=_("From"), required=False)
    end = DateField(label=_("To (included)"), required=False)
    by = forms.ChoiceField(
        label=_("Per"),
        choices=[
            ("agent", _("Person")),
            ("network", _("Network")),
            ("week", _("Week")),
            ("month", _("Month")),
        ],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end comes before the start."))
        return data


class ScoreForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, required=False
    )
    comment = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)
