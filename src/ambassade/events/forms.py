"""The events' forms: the event itself (staff), the public RSVP form, the door's check-in."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.events.models import MAX_CAPACITY, Event
from ambassade.events.services import MAX_REMINDER_HOURS
from ambassade.workspaces.dates import DateTimeField

#: The follow-up's variables.
VARIABLES = ("name", "event")


class EventForm(forms.ModelForm):  # type: ignore[type-arg]
    starts_at = DateTimeField(label=_("Starts"))
    ends_at = DateTimeField(label=_("Ends"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("The start and end are in this time zone; the pages show them in it."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=_("Seats; empty for no limit."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_("Given only to confirmed attendees: on their ticket and in their e-mails."),
    )
    reminder_hours = forms.IntegerField(
        label=_("Reminder (hours before)"),
        min_value=0,
        max_value=MAX_REMINDER_HOURS,
        initial=24,
        help_text=_("Confirmed attendees get a reminder this many hours before; 0 for none."),
    )

    class Meta:
        model = Event
        fields = [
            "title_en",
            "title_fr",
            "organiser",
            "description_en",
            "description_fr",
            "format",
            "venue",
            "address",
            "online_url",
            "starts_at",
            "ends_at",
            "time_zone",
            "capacity",
            "waitlist",
            "rsvp_open",
            "reminder_hours",
            "followup_en",
            "followup_fr",
            "track_clicks",
            "track_opens",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 3}),
            "description_fr": forms.Textarea(attrs={"rows": 3}),
            "followup_en": forms.Textarea(attrs={"rows": 3}),
            "followup_fr": forms.Textarea(attrs={"rows": 3}),
            "format": forms.RadioSelect,
        }
        help_texts = {
            "followup_en": _(
                "Sent after the event to attendees who agreed to event e-mails. Variables: "
                "{name}, {event}."
            ),
            "followup_fr": _("The same, for attendees who registered in French."),
            "track_clicks": _(
                "The links of its e-mails go through the product's short links: who clicked "
                "shows on the E-mails page and on their timeline."
            ),
            "track_opens": _(
                "Its e-mails carry a 1×1 image: who opened them shows on the E-mails page. Mail "
                "clients that block images count no open."
            ),
        }

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in sorted(available_timezones())]
        self.initial.setdefault("time_zone", time_zone)
        for name in ("description_en", "description_fr", "followup_en", "followup_fr"):
            self.fields[name].max_length = 20_000
            self.fields[name].widget.attrs["maxlength"] = 20_000

    def clean_online_url(self) -> str:
        url = str(self.cleaned_data.get("online_url") or "").strip()
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give an http or https address."))
        return url

    def _clean_template(self, name: str) -> str:
        import re

        text = str(self.cleaned_data.get(name) or "")
        unknown = {v for v in re.findall(r"\{(\w*)\}", text) if v not in VARIABLES}
        if unknown:
            raise forms.ValidationError(_("Use only the variables {name} and {event}."))
        return text

    def clean_followup_en(self) -> str:
        return self._clean_template("followup_en")

    def clean_followup_fr(self) -> str:
        return self._clean_template("followup_fr")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The start and end were typed in the event's time zone, not the reader's: read them again
        # in the zone chosen (the view renders an event's form in its own zone, so an unchanged
        # value reads back the same).
        zone = data.get("time_zone")
        if zone:
            for name in ("starts_at", "ends_at"):
                value = data.get(name)
                if value is not None:
                    data[name] = timezone.make_aware(timezone.make_naive(value), ZoneInfo(zone))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        if data.get("format") == Event.Format.ONLINE and not data.get("online_url"):
            self.add_error("online_url", _("An online event needs its link."))
        if data.get("format") == Event.Format.PHYSICAL and not (
            data.get("venue") or data.get("address")
        ):
            self.add_error("venue", _("An event in person needs a place or an address."))
        return data


class RsvpForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    consent = forms.BooleanField(
        label=_("Send me e-mails about the brand's events (this event's follow-up, invitations)"),
        required=False,
    )
    #: A field people never see (hidden by the page's style and from screen readers): robots fill
    #: it. A browser's autofill may too, so the error says what to do, as contests' form does.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError(_("Give your name."))
        return name

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "The registration was not sent: a field meant to stay empty was filled "
                    "(robots do, and sometimes a browser's autofill). Send the form again."
                ),
                code="robot",
            )
        return ""


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Ticket code"),
        max_length=200,
        help_text=_("Scan the QR code, or type the code printed under it."),
    )
