from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Consent, CustomField
from ambassade.workspaces.dates import DateInput

SORTS = {
    "reach": ("-reach", "-id"),
    "mentions": ("-mention_count", "-id"),
    "love": ("-love", "-id"),
    "last_seen": ("-last_seen_at", "-id"),
}


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or handle"), required=False, max_length=200)
    people = forms.ChoiceField(
        label=_("Who"),
        required=False,
        choices=[
            ("", _("The community (without staff)")),
            ("staff", _("Staff of the brand")),
            ("all", _("Everyone")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("reach", _("Reach")),
            ("love", _("Engagement")),
            ("mentions", _("Mentions")),
            ("last_seen", _("Last seen")),
        ],
    )
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)

    def __init__(self, *args: Any, segments: Any = (), tags: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment_field = self.fields["segment"]
        assert isinstance(segment_field, forms.ChoiceField)
        segment_field.choices = [("", _("All members")), *((s.pk, s.name) for s in segments)]
        tag_field = self.fields["tag"]
        assert isinstance(tag_field, forms.ChoiceField)
        tag_field.choices = [("", _("Any tag")), *((t, t) for t in tags)]


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("New note"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FieldValuesForm(forms.Form):
    """A member's custom fields, one input per field of the workspace (checked by
    ``crm.set_values``, which gives the errors per field)."""

    def __init__(self, fields: list[CustomField], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in fields:
            name = f"f_{field.key}"
            if field.type == CustomField.Type.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    required=False,
                    choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                )
            elif field.type == CustomField.Type.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=field.label,
                    required=False,
                    choices=[("", "—"), *((c, c) for c in field.choices)],
                )
            else:
                widget = {
                    CustomField.Type.DATE: DateInput(),
                    CustomField.Type.NUMBER: forms.TextInput(attrs={"inputmode": "decimal"}),
                }.get(field.type, forms.TextInput())
                self.fields[name] = forms.CharField(
                    label=field.label,
                    required=False,
                    max_length=1000,
                    widget=widget,
                )


def shown_value(field: CustomField, value: Any) -> str:
    """A stored value as a form shows it (ISO dates, yes/no)."""
    if value is None:
        return ""
    if field.type == CustomField.Type.YES_NO:
        return "yes" if value else "no"
    if field.type == CustomField.Type.DATE:
        return str(value.isoformat())
    if field.type == CustomField.Type.NUMBER:
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    return str(value)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("For"), choices=Consent.Purpose.choices)
    state = forms.ChoiceField(
        label=_("Consent"),
        choices=[(Consent.State.GRANTED, _("Given")), (Consent.State.WITHDRAWN, _("Withdrawn"))],
    )
    proof = forms.CharField(
        label=_("Proof"),
        max_length=2000,
        help_text=_("What proves it: a signed form, a call, an e-mail… with its date."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OptInForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    lang = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=[("fr", "Français"), ("en", "English")]
    )


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=80)
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        help_text=_(
            "Its name in segments, customer files and exports: lower-case letters, digits and _."
        ),
    )
    type = forms.ChoiceField(label=_("Type"), choices=CustomField.Type.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a choice field: one choice a line."),
    )
