"""Forms of the moderation pages. A rule is checked by compiling it with the engine: its refusal
(``InvalidRule``) is shown on the form in the reader's language, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.connectors.moderators import MODERATORS
from ambassade.connectors.registry import BUILTINS
from ambassade.engine.moderation import InvalidRule
from ambassade.moderation import services
from ambassade.moderation.models import Rule
from ambassade.workspaces.messages import StoredMessage, words
from ambassade.workspaces.networks import NETWORKS, network_label

MAX_TEXT = 100_000


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    networks = forms.MultipleChoiceField(
        label=_("Only on these networks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every network."),
    )
    actions = forms.MultipleChoiceField(
        label=_("Actions"),
        choices=Rule.Act.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Hide, delete, mute and ban act on the network where the workspace has a connected "
            "account that may; every match also goes to the review queue."
        ),
    )
    words = forms.CharField(
        label=_("Watched words"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One word or phrase a line. Case and accents do not matter; * stands for any letters "
            "within a word: con* matches connard, while con alone does not match conseil."
        ),
    )
    authors_denied = forms.CharField(
        label=_("Authors on the deny list"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Handles, one a line."),
    )
    authors_allowed = forms.CharField(
        label=_("Authors on the allow list"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Handles, one a line. With the action Allow, placed first, they are never touched."
        ),
    )
    threshold = forms.FloatField(label=_("Score above"), min_value=0.0, max_value=1.0, initial=0.8)
    minutes = forms.IntegerField(
        label=_("Mute or ban for (minutes)"),
        min_value=0,
        max_value=5 * 366 * 24 * 60,
        initial=0,
        help_text=_("0: for good."),
    )
    article = forms.IntegerField(
        label=_("Charter article it enforces"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("The number of the charter's paragraph, quoted in the queue."),
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "mode",
            "words",
            "score",
            "threshold",
            "networks",
            "authors_denied",
            "authors_allowed",
            "links",
            "match_any",
            "actions",
            "minutes",
            "proceed",
            "article",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks = sorted(n for n in set(BUILTINS) | set(MODERATORS) if n in NETWORKS)
        self.fields["networks"].choices = [(n, network_label(n)) for n in networks]
        self.fields["name"].max_length = 120

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = Rule(
            **{name: cleaned.get(name) for name in self.Meta.fields if name in cleaned},
        )
        candidate.id = self.instance.id
        try:
            services.check_rule(candidate)
        except InvalidRule as error:
            field = {"words": "words", "authors": "authors_denied", "actions": "actions"}.get(
                error.field
            )
            message = words(StoredMessage.of(error))
            if field in self.fields:
                self.add_error(field, message)
            else:
                raise forms.ValidationError(message) from None
        return cleaned


class CharterForm(forms.Form):
    text_en = forms.CharField(
        label=_("Charter in English"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One article a paragraph (separated by an empty line): article 1, 2, 3…"),
    )
    text_fr = forms.CharField(
        label=_("Charter in French"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("The same articles in the same order. Empty: the English text is shown."),
    )
    published = forms.BooleanField(label=_("Published at its public address"), required=False)


DECISION_CHOICES = [
    ("approve", _("Approve")),
    ("not_spam", _("Not spam")),
    ("not_offensive", _("Not offensive")),
    ("reject", _("Reject (hide where possible)")),
    ("hide", _("Hide on the network")),
    ("delete", _("Delete on the network")),
    ("mute", _("Mute the author")),
    ("ban", _("Ban the author")),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES)
    note = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, help_text=_("Kept in the decision log.")
    )
