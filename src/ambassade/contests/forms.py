"""The contests' forms: the contest itself (staff), the exclusions, the public entry form and the
verification page's file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.community.models import Segment
from ambassade.contests.models import MAX_WINNERS, Contest, SegmentRule
from ambassade.workspaces.dates import DateTimeField
from ambassade.workspaces.formfields import ModelMultipleChoiceField

DEFAULT_NOTIFY_EN = (
    "Congratulations {name}! You won {prize} in the contest “{contest}” (entry {code}). "
    "Reply to this message within 7 days to claim your prize. The rules: {rules}"
)
DEFAULT_NOTIFY_FR = (
    "Félicitations {name} ! Vous avez gagné {prize} au jeu concours « {contest} » "
    "(participation {code}). Répondez à ce message sous 7 jours pour recevoir votre lot. "
    "Le règlement : {rules}"
)
#: The variables a notification may hold.
VARIABLES = ("name", "prize", "contest", "code", "rules")


class ContestForm(forms.ModelForm):  # type: ignore[type-arg]
    starts_at = DateTimeField(label=_("Opens"))
    closes_at = DateTimeField(label=_("Closes"))
    post = forms.CharField(
        label=_("Comment on this post"),
        required=False,
        max_length=500,
        help_text=_(
            "The post's address on the network (one the workspace published or heard), or its "
            "id. Leave empty for a hashtag or mention contest."
        ),
    )
    winners = forms.IntegerField(label=_("Winners"), min_value=1, max_value=MAX_WINNERS)
    reserves = forms.IntegerField(
        label=_("Reserves"),
        min_value=0,
        max_value=MAX_WINNERS,
        help_text=_("Drawn after the winners, in order, to replace a winner who does not answer."),
    )
    only_segment = forms.ModelChoiceField(
        label=_("Only members of this segment may win"),
        queryset=Segment.objects.none(),
        required=False,
        empty_label=_("Anyone (no segment)"),
        help_text=_(
            "Resolved when the entries are frozen; the segment and whom it held then are "
            "published with the draw."
        ),
    )
    exclude_segments = ModelMultipleChoiceField(
        label=_("Leave out the members of these segments"),
        queryset=Segment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For example the brand's staff, or the winners of the last contest."),
    )

    class Meta:
        model = Contest
        fields = [
            "name",
            "organiser",
            "prize",
            "description",
            "starts_at",
            "closes_at",
            "winners",
            "reserves",
            "hashtag",
            "friend_mention",
            "form_entry",
            "exclude_staff",
            "exclude_new_accounts",
            "exclude_bots",
            "rules_text",
            "notify_en",
            "notify_fr",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "rules_text": forms.Textarea(attrs={"rows": 4}),
            "notify_en": forms.Textarea(attrs={"rows": 3}),
            "notify_fr": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "hashtag": _("Messages must hold it (case and accents aside)."),
            "friend_mention": _(
                "Messages must mention another account than the author's and the brand's."
            ),
            "form_entry": _("Anyone can also enter with their name and e-mail on the public page."),
            "notify_en": _(
                "Variables: {name}, {prize}, {contest}, {code}, {rules} (the rules' address)."
            ),
            "notify_fr": _("The same variables, for winners who write in French."),
        }

    def __init__(self, *args: Any, workspace: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The segments with the other rules on who may win, not after the texts.
        order = list(self.fields)
        for name in ("only_segment", "exclude_segments"):
            order.remove(name)
        at = order.index("exclude_bots") + 1
        self.order_fields([*order[:at], "only_segment", "exclude_segments", *order[at:]])
        segments = Segment.objects.filter(workspace=workspace).order_by("name", "id")
        for name in ("only_segment", "exclude_segments"):
            self.fields[name].queryset = segments  # type: ignore[attr-defined]
        if self.instance.pk:
            rules = list(self.instance.segment_rules.exclude(segment=None))
            only = [r.segment_id for r in rules if r.rule == SegmentRule.Rule.ONLY]
            self.initial.setdefault("only_segment", only[0] if only else None)
            self.initial.setdefault(
                "exclude_segments",
                [r.segment_id for r in rules if r.rule == SegmentRule.Rule.EXCLUDE],
            )
        for name in ("description", "rules_text"):
            self.fields[name].max_length = 20_000
            self.fields[name].widget.attrs["maxlength"] = 20_000
        for name in ("notify_en", "notify_fr"):
            self.fields[name].max_length = 2000
        if self.instance.pk and self.instance.post_external_id:
            self.initial.setdefault("post", self.instance.post_external_id)
        if not self.instance.pk:
            self.initial.setdefault("notify_en", DEFAULT_NOTIFY_EN)
            self.initial.setdefault("notify_fr", DEFAULT_NOTIFY_FR)

    def clean_hashtag(self) -> str:
        tag = str(self.cleaned_data.get("hashtag") or "").strip().lstrip("#")
        if tag and (not tag.replace("_", "").isalnum()):
            raise forms.ValidationError(_("A hashtag is one word of letters, digits and _."))
        return tag

    def _clean_template(self, name: str) -> str:
        from ambassade.contests.drawing import unknown_variables

        text = str(self.cleaned_data.get(name) or "")
        if unknown_variables(text, VARIABLES):
            raise forms.ValidationError(
                _("Use only the variables {name}, {prize}, {contest}, {code} and {rules}.")
            )
        return text

    def clean_notify_en(self) -> str:
        return self._clean_template("notify_en")

    def clean_notify_fr(self) -> str:
        return self._clean_template("notify_fr")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, closes = data.get("starts_at"), data.get("closes_at")
        if starts and closes and closes <= starts:
            self.add_error("closes_at", _("The contest must close after it opens."))
        only, excluded = data.get("only_segment"), data.get("exclude_segments") or []
        if only is not None and only in excluded:
            self.add_error(
                "exclude_segments",
                _("A segment cannot be both the only one allowed to win and left out."),
            )
        return data


class ExclusionForm(forms.Form):
    handle = forms.CharField(label=_("Handle or name of a member"), max_length=200)


class EntryForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    accept = forms.BooleanField(
        label=_("I have read and accept the contest rules"),
        error_messages={"required": _("Accept the contest rules to enter.")},
    )
    #: A field people never see (hidden by the page's style and from screen readers): robots fill
    #: it. A browser's autofill may too, so the error says what to do rather than failing silently.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "The entry was not sent: a field meant to stay empty was filled (robots do, "
                    "and sometimes a browser's autofill). Send the form again."
                ),
                code="robot",
            )
        return ""


class VerifyForm(forms.Form):
    draw = forms.FileField(label=_("Draw file (draw.json)"), required=False, max_length=200)
    text = forms.CharField(
        label=_("Or paste its content"),
        required=False,
        max_length=2_000_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
