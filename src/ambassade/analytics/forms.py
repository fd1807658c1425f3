from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambassade.analytics.catalogue import CATALOGUE, MINUTES, PERCENT, SCORE, choices
from ambassade.analytics.models import Objective
from ambassade.engine.measures import MAX_DAYS
from ambassade.workspaces.dates import DateField

#: A KPI's target: far beyond any real count, and finite.
MAX_TARGET = 1e12


class ObjectiveForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Objective
        fields = ["name", "type", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class KpiForm(forms.Form):
    metric = forms.ChoiceField(label=_("Indicator"), choices=choices)
    target = forms.FloatField(
        label=pgettext_lazy("KPI", "Target"), min_value=-MAX_TARGET, max_value=MAX_TARGET
    )
    period_start = DateField(label=_("From"))
    period_end = DateField(label=_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if end < start:
                self.add_error("period_end", _("The period ends before it starts."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "period_end",
                    _("A period covers at most %(days)s days.") % {"days": MAX_DAYS},
                )
        metric = CATALOGUE.get(data.get("metric", ""))
        target = data.get("target")
        if metric is not None and target is not None:
            if metric.unit == PERCENT and not 0 <= target <= 100:
                self.add_error("target", _("A percentage target is between 0 and 100."))
            elif metric.unit == SCORE and not -100 <= target <= 100:
                self.add_error("target", _("A net sentiment target is between −100 and 100."))
            elif metric.unit not in (SCORE,) and target < 0:
                self.add_error("target", _("This target cannot be negative."))
            elif metric.unit == MINUTES and target == 0:
                self.add_error("target", _("A response-time target is at least one minute."))
        return data
