"""The report form: template, blocks, language, commentary, logo, period, delivery by e-mail."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ambassade.analytics.reports import BLOCKS, TEMPLATE_BLOCKS
from ambassade.analytics.reports_logo import MAX_BYTES, LogoError, normalise
from ambassade.analytics.reports_models import Report, ReportTemplate
from ambassade.engine.measures import MAX_DAYS
from ambassade.workspaces.dates import DateField

__all__ = ["MAX_RECIPIENTS", "PeriodForm", "ReportForm", "ordered_blocks", "parse_recipients"]

MAX_RECIPIENTS = 20
_SEPARATORS = re.compile(r"[\s,;]+")
#: Control characters other than tab and line breaks, dropped from the commentary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LOGO_MESSAGES = {
    "empty": _("The logo file is empty."),
    "too_large": _("The logo is larger than %(limit)s KB."),
    "format": _("The logo must be a PNG, JPEG or WebP image (this file is %(format)s)."),
    "dimensions": _("The logo's dimensions (%(width)s × %(height)s pixels) are too large."),
    "unreadable": _("The logo could not be read as an image."),
}


def parse_recipients(text: str) -> list[str]:
    """The addresses of ``text`` (one a line, or separated by commas or semicolons), each checked;
    raises ``ValidationError`` naming the first wrong one and its position."""
    addresses: list[str] = []
    for position, address in enumerate(a for a in _SEPARATORS.split(text or "") if a):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(address)s” (address %(position)s) is not an e-mail address."),
                params={"address": address[:80], "position": position + 1},
            ) from None
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError(_("At most %(count)s recipients."), params={"count": MAX_RECIPIENTS})
    return addresses


def ordered_blocks(template: str, chosen: list[str]) -> list[str]:
    """The chosen blocks in the template's order, then the others in the catalogue's."""
    order = TEMPLATE_BLOCKS.get(template, []) + [
        b for b in BLOCKS if b not in TEMPLATE_BLOCKS.get(template, [])
    ]
    return [code for code in order if code in chosen]


class ReportForm(forms.ModelForm):  # type: ignore[type-arg]
    blocks = forms.MultipleChoiceField(
        label=_("Blocks"),
        choices=[(code, block.label) for code, block in BLOCKS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    period_start = DateField(label=_("From"), required=False)
    period_end = DateField(label=_("To"), required=False)
    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        # Worded per request (in __init__): a lazy text formatted here would be fixed in the
        # language of the first form built.
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Report
        fields = [
            "name",
            "template",
            "language",
            "blocks",
            "commentary",
            "campaign",
            "period_start",
            "period_end",
            "schedule",
            "recipients",
        ]
        widgets = {
            "commentary": forms.Textarea(attrs={"rows": 6}),
            "recipients": forms.Textarea(attrs={"rows": 3, "placeholder": "client@example.com"}),
        }
        help_texts = {
            "commentary": _("Plain text, shown as written; a blank line starts a paragraph."),
            "campaign": _("Only the posts tagged with this UTM campaign (campaign reports)."),
            "recipients": _("One address a line (at most 20)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logo: Any = None
        # Always a language: no "---------" choice above French and English.
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["logo_file"].help_text = gettext(
            "PNG, JPEG or WebP, at most %(size)s KB; shown at most 600 × 200 pixels."
        ) % {"size": MAX_BYTES // 1024}

    def clean_commentary(self) -> str:
        text = (self.cleaned_data.get("commentary") or "").replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", text).strip()

    def clean_recipients(self) -> str:
        return "\n".join(parse_recipients(self.cleaned_data.get("recipients") or ""))

    def clean_logo_file(self) -> Any:
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise ValidationError(LOGO_MESSAGES["too_large"], params={"limit": MAX_BYTES // 1024})
        try:
            self.logo = normalise(upload.read(MAX_BYTES + 1))
        except LogoError as error:
            params = dict(error.params)
            params["limit"] = MAX_BYTES // 1024
            raise ValidationError(LOGO_MESSAGES[error.code], params=params) from None
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if (start is None) != (end is None):
            self.add_error(
                "period_end" if start else "period_start", _("Give both dates, or neither.")
            )
        elif start and end:
            if end < start:
                self.add_error("period_end", _("The period ends before it starts."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "period_end", _("A period covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
        if (
            data.get("template") == ReportTemplate.CAMPAIGN
            and not (start and end)
            and "period_start" not in self.errors
        ):
            self.add_error("period_start", _("A campaign report covers the campaign's dates."))
        if data.get("schedule") and not data.get("recipients") and "recipients" not in self.errors:
            self.add_error("recipients", _("Give at least one address to send the report to."))
        if "blocks" in data:
            data["blocks"] = ordered_blocks(data.get("template", ""), list(data["blocks"]))
        return data


class PeriodForm(forms.Form):
    """The period a report is shown for (GET parameters of the document, PDF and CSV)."""

    start = DateField(label=_("From"))
    end = DateField(label=_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period ends before it starts."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "end", _("A period covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return data
