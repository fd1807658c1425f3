"""The segment builder's form: each criterion of ``engine.segments`` as inputs, turned into the
definition's JSON (:meth:`SegmentForm.definition`) and the engine's coded errors put back under
the input they are about (:meth:`SegmentForm.add_segment_error`)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Consent, CustomField
from ambassade.engine.segments import FIELD_OPERATORS, SegmentError
from ambassade.workspaces.messages import words

__all__ = ["CONDITIONS", "OPERATORS", "SegmentForm", "form_data"]

#: Rows of custom field conditions the builder offers.
CONDITIONS = 5
OPERATORS: dict[str, Any] = {
    "eq": _("is"),
    "ne": _("is not"),
    "contains": _("contains"),
    "lt": _("is below / before"),
    "lte": _("is at most / on or before"),
    "gt": _("is above / after"),
    "gte": _("is at least / on or after"),
    "is": _("is (yes or no)"),
    "in": _("is one of (commas)"),
    "not_in": _("is none of (commas)"),
    "set": _("has a value"),
    "unset": _("has no value"),
}
RANGES = {
    "love": _("Engagement"),
    "sentiment": _("Sentiment (−1 to 1)"),
    "influence": _("Influence"),
    "followers": _("Reach (followers)"),
}
_WHERE = re.compile(r"fields\.(\d+)\.(field|op|value)")


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"),
        required=False,
        choices=[
            ("1", _("1 (inner orbit)")),
            ("2", _("2")),
            ("3", _("3")),
            ("4", _("4 (outer orbit)")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    classes = forms.MultipleChoiceField(
        label=_("Classes (any of them)"),
        required=False,
        choices=[
            ("ambassador", _("Ambassadors")),
            ("detractor", _("Detractors")),
            ("rising", _("Rising")),
            ("dormant", _("Worth re-engaging")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    tags_any = forms.CharField(
        label=_("With any of these tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )
    tags_all = forms.CharField(label=_("With all of these tags"), required=False, max_length=1000)
    tags_none = forms.CharField(label=_("Without these tags"), required=False, max_length=1000)
    networks = forms.MultipleChoiceField(
        label=_("Has an account on"), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Language"), required=False, widget=forms.CheckboxSelectMultiple
    )
    seen_within_days = forms.CharField(
        label=_("Active in the last … days"), required=False, max_length=10
    )
    not_seen_for_days = forms.CharField(
        label=_("Inactive for … days or more"),
        required=False,
        max_length=10,
        help_text=_("Members never seen (from a customer file) count as inactive."),
    )
    consents = forms.MultipleChoiceField(
        label=_("Has given consent to"),
        required=False,
        choices=Consent.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    staff = forms.ChoiceField(
        label=_("Staff of the brand"),
        choices=[
            ("exclude", _("Left out")),
            ("include", _("Included")),
            ("only", _("Only staff")),
        ],
    )
    has_email = forms.ChoiceField(
        label=_("E-mail address"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Known")), ("no", _("Unknown"))],
    )

    def __init__(
        self,
        *args: Any,
        fields: list[CustomField] | None = None,
        networks: list[str] | None = None,
        languages: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.custom = fields or []
        for name, label in RANGES.items():
            self.fields[f"{name}_min"] = forms.CharField(
                label=_("%(what)s, at least") % {"what": label}, required=False, max_length=30
            )
            self.fields[f"{name}_max"] = forms.CharField(
                label=_("%(what)s, at most") % {"what": label}, required=False, max_length=30
            )
        network_field = self.fields["networks"]
        assert isinstance(network_field, forms.ChoiceField)
        network_field.choices = [(n, n) for n in networks or []]
        language_field = self.fields["languages"]
        assert isinstance(language_field, forms.ChoiceField)
        language_field.choices = [(code, code.upper()) for code in languages or []]
        field_choices = [("", "—"), *((f.key, f.label) for f in self.custom)]
        operators = sorted(
            {op for ops in FIELD_OPERATORS.values() for op in ops}, key=list(OPERATORS).index
        )
        for number in range(1, CONDITIONS + 1):
            self.fields[f"cond_field_{number}"] = forms.ChoiceField(
                label=_("Field"), required=False, choices=field_choices
            )
            self.fields[f"cond_op_{number}"] = forms.ChoiceField(
                label=_("Comparison"),
                required=False,
                choices=[(op, OPERATORS[op]) for op in operators],
            )
            self.fields[f"cond_value_{number}"] = forms.CharField(
                label=_("Value"), required=False, max_length=1000
            )

    def range_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(label, self[f"{name}_min"], self[f"{name}_max"]) for name, label in RANGES.items()]

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"cond_field_{n}"], self[f"cond_op_{n}"], self[f"cond_value_{n}"])
            for n in range(1, CONDITIONS + 1)
        ]

    def definition(self) -> dict[str, Any]:
        """The definition's JSON from the cleaned data (the engine checks it)."""
        data = self.cleaned_data
        found: dict[str, Any] = {}
        for name in RANGES:
            bounds = {
                side: data.get(f"{name}_{side}", "").strip()
                for side in ("min", "max")
                if data.get(f"{name}_{side}", "").strip()
            }
            if bounds:
                found[name] = bounds
        found["levels"] = [int(level) for level in data.get("levels") or []]
        for name in ("classes", "networks", "languages", "consents"):
            found[name] = list(data.get(name) or [])
        found["tags"] = {
            part: _split(data.get(f"tags_{part}", "")) for part in ("any", "all", "none")
        }
        for name in ("seen_within_days", "not_seen_for_days"):
            if (data.get(name) or "").strip():
                found[name] = data[name].strip()
        found["staff"] = data.get("staff") or "exclude"
        if data.get("has_email"):
            found["has_email"] = data["has_email"] == "yes"
        conditions = []
        for number in range(1, CONDITIONS + 1):
            key = data.get(f"cond_field_{number}")
            if not key:
                continue
            op = data.get(f"cond_op_{number}") or ""
            value: Any = data.get(f"cond_value_{number}", "")
            if op in ("in", "not_in"):
                value = _split(value)
            conditions.append({"field": key, "op": op, "value": value})
        found["fields"] = conditions
        return found

    def add_segment_error(self, error: SegmentError, rows: list[int]) -> None:
        """Put the engine's error under its input (``rows``: the builder's row of each
        condition, as conditions of empty rows were skipped)."""
        where = str(error.params.get("where", ""))
        match = _WHERE.fullmatch(where)
        if match:
            index = int(match.group(1)) - 1
            number = rows[index] if 0 <= index < len(rows) else 1
            self.add_error(f"cond_{match.group(2)}_{number}", words(error))
            return
        name = where.replace(".", "_")
        self.add_error(name if name in self.fields else None, words(error))

    def condition_numbers(self) -> list[int]:
        return [n for n in range(1, CONDITIONS + 1) if self.cleaned_data.get(f"cond_field_{n}")]


def form_data(definition: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as the builder's initial values."""
    initial: dict[str, Any] = {}
    for name in RANGES:
        for side, value in (definition.get(name) or {}).items():
            initial[f"{name}_{side}"] = f"{value:g}" if isinstance(value, float) else value
    initial["levels"] = [str(level) for level in definition.get("levels", [])]
    for name in ("classes", "networks", "languages", "consents"):
        initial[name] = definition.get(name, [])
    for part, values in (definition.get("tags") or {}).items():
        initial[f"tags_{part}"] = ", ".join(values)
    for name in ("seen_within_days", "not_seen_for_days"):
        if name in definition:
            initial[name] = definition[name]
    initial["staff"] = definition.get("staff", "exclude")
    if "has_email" in definition:
        initial["has_email"] = "yes" if definition["has_email"] else "no"
    for number, condition in enumerate(definition.get("fields", []), 1):
        initial[f"cond_field_{number}"] = condition.get("field")
        initial[f"cond_op_{number}"] = condition.get("op")
        value = condition.get("value", "")
        initial[f"cond_value_{number}"] = (
            ", ".join(value)
            if isinstance(value, list)
            else "yes"
            if value is True
            else "no"
            if value is False
            else value
        )
    return initial
