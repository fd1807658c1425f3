"""The campaign form and the test send form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Segment
from ambassade.mailing.models import Campaign
from ambassade.mailing.services import MAX_RATE
from ambassade.workspaces import dates
from ambassade.workspaces.models import Connection

DEFAULT_BODY_EN = 'Hello {{ first_name|"there" }},\n\n…\n\nSee you soon,\n{{ brand }}'
DEFAULT_BODY_FR = 'Bonjour {{ first_name|"à vous" }},\n\n…\n\nÀ bientôt,\n{{ brand }}'


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    rate_per_hour = forms.IntegerField(
        label=_("E-mails an hour at most"),
        min_value=1,
        max_value=MAX_RATE,
        help_text=_("Your e-mail provider's limit; the sending keeps to this pace."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "connection",
            "segment",
            "subject_en",
            "body_en",
            "subject_fr",
            "body_fr",
            "rate_per_hour",
            "track_clicks",
            "track_opens",
        ]
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 10}),
            "body_fr": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "track_opens": _(
                "Adds an invisible image to each e-mail. Off by default: many people and mail "
                "clients block it, and it tells the brand when someone reads."
            ),
            "track_clicks": _("Links go through this server's short links, counted per person."),
        }

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["connection"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Connection.objects.filter(workspace=workspace, network="email")
        field.required = True
        field.empty_label = None
        field.help_text = _(
            "The e-mail account (Settings → Connections) whose SMTP server sends the campaign; "
            "bounces are read back from its mailbox."
        )
        segment = self.fields["segment"]
        assert isinstance(segment, forms.ModelChoiceField)
        segment.queryset = Segment.objects.filter(workspace=workspace).order_by("name", "id")
        segment.required = False
        segment.empty_label = _("Every member who agreed to receive e-mails")
        segment.help_text = _(
            "A saved segment of the community. Of its members, only those who confirmed they want "
            "e-mails receive it; the list is frozen when the sending starts."
        )
        for name in ("name", "subject_en", "subject_fr"):
            self.fields[name].widget.attrs.setdefault("maxlength", 200 if name == "name" else 300)
        if self.instance.pk and self.instance.segment_deleted:
            # Its segment was deleted: the select shows "every member", which must be a choice
            # made, never what saving the draft for another reason does by itself.
            self.fields["everyone_instead"] = forms.BooleanField(
                label=_("Yes, send it to every member who agreed to receive e-mails"),
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            "everyone_instead" in self.fields
            and cleaned.get("segment") is None
            and not cleaned.get("everyone_instead")
        ):
            self.add_error(
                "segment",
                _(
                    "Its segment was deleted: choose another segment, or confirm that every "
                    "member who agreed to receive e-mails should receive it."
                ),
            )
        return cleaned


class TestSendForm(forms.Form):
    email = forms.EmailField(label=_("Send a test to"), max_length=254)
    lang = forms.ChoiceField(
        label=_("Language"), choices=[("fr", _("French")), ("en", _("English"))]
    )


class ScheduleForm(forms.Form):
    """When to send: a date and time in the workspace's time zone (the request's active one)."""

    send_at = dates.DateTimeField(label=_("Send at"))


class DkimForm(forms.Form):
    """The DKIM key: generated here, or pasted (a key the brand already publishes)."""

    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_("The domain of the address the campaigns are sent from (brand.example)."),
    )
    selector = forms.CharField(
        label=_("Selector"),
        max_length=63,
        initial="ambassade",
        help_text=_(
            "Any name; a new one for each new key lets the old record stay while mail is in transit."
        ),
    )
    private_key = forms.CharField(
        label=_("Private key (PEM), to use a key you already have"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Leave empty and choose “Generate a key” to make a new 2,048-bit key here."),
    )
