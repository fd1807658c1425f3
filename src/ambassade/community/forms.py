from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Consent

SORTS = {
    "reach": ("-reach", "-id"),
    "mentions": ("-mention_count", "-id"),
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
            ("mentions", _("Mentions")),
            ("last_seen", _("Last seen")),
        ],
    )


class MemberForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )


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
