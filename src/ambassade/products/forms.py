from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

PERIODS = [(7, _("7 days")), (30, _("30 days")), (90, _("90 days"))]


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.CharField(label=_("Category"), max_length=80, required=False)
    aliases = forms.CharField(
        label=_("Aliases"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            'One a line, in the listening query language: cold brew, "latte noisette", '
            "#coldbrew, cold NEAR/2 brew. The name is an alias already."
        ),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The product's pages, one a line: a mention linking to one speaks of it."),
    )

    def clean_links(self) -> str:
        lines = [line.strip() for line in str(self.cleaned_data.get("links") or "").splitlines()]
        for number, line in enumerate(lines, 1):
            if line and not line.lower().startswith(("http://", "https://")):
                raise forms.ValidationError(
                    _("Line %(line)s: a link starts with https:// or http://."),
                    params={"line": number},
                )
        return "\n".join(line for line in lines if line)
