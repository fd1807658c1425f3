"""The programme's settings form."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.referrals.models import Programme

__all__ = ["ProgrammeForm"]

PARAMETER = re.compile(r"[A-Za-z0-9_.-]{1,40}")
#: Points and limits stay far below what a database integer holds.
MAX_NUMBER = 1_000_000


def _number(
    label: Any, minimum: int, required: bool = True, help_text: Any = ""
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MAX_NUMBER,
        required=required,
        help_text=help_text,
    )


class ProgrammeForm(forms.ModelForm):
    landing_url = forms.URLField(
        label=_("Landing page"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Where a referral link leads, on the brand's site: the code is added to its "
            "query string."
        ),
    )
    signup_points = _number(_("Points per sign-up"), 0)
    conversion_points = _number(_("Points per conversion"), 0)
    cap = _number(
        _("Rewarded referrals per referrer"),
        1,
        required=False,
        help_text=_("Referrals rewarded per member at most; empty: no cap."),
    )
    ip_limit = _number(
        _("Sign-ups per address in a day"),
        1,
        help_text=_("More sign-ups from one address in 24 hours are held for review."),
    )
    burst_limit = _number(
        _("Sign-ups per code in ten minutes"),
        1,
        help_text=_("More sign-ups on one code in ten minutes are held for review."),
    )

    class Meta:
        model = Programme
        fields = [
            "enabled",
            "landing_url",
            "parameter",
            "signup_points",
            "signup_label",
            "conversion_points",
            "conversion_label",
            "cap",
            "ip_limit",
            "burst_limit",
        ]
        help_texts = {
            "enabled": _("Closed, links lead nowhere and the API refuses sign-ups."),
            "parameter": _(
                "The name of that query parameter (“ref” gives …?ref=K7QM-3XPA): the site keeps "
                "it and sends it back with the sign-up."
            ),
            "signup_label": _("What the referrer gets, in words (“a free coffee”); optional."),
            "conversion_label": _("Optional, like the sign-up's."),
        }

    def clean_landing_url(self) -> str:
        url = str(self.cleaned_data.get("landing_url") or "").strip()
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give an address starting with https://."))
        return url

    def clean_parameter(self) -> str:
        value = str(self.cleaned_data.get("parameter") or "").strip()
        if not PARAMETER.fullmatch(value):
            raise forms.ValidationError(_("Letters, digits, “_”, “.” and “-” only, 40 at most."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("enabled") and not data.get("landing_url"):
            self.add_error("landing_url", _("An open programme needs its landing page."))
        return data
