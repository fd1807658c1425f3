"""Forms of the moderation pages. A rule is checked by compiling it with the engine: its refusal
(``InvalidRule``) is shown on the form in the reader's language, and nothing is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.connectors.moderators import MODERATORS
from ambassade.connectors.registry import BUILTINS
from ambassade.engine.moderation import InvalidRule
from ambassade.engine.query import QuerySyntaxError
from ambassade.listening.services import check_query
from ambassade.moderation import services
from ambassade.moderation.models import Rule
from ambassade.replies.models import SavedReply
from ambassade.workspaces.messages import StoredMessage, words
from ambassade.workspaces.models import Membership, Role
from ambassade.workspaces.networks import NETWORKS, network_label

MAX_TEXT = 100_000

LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("nl", _("Dutch")),
    ("ar", _("Arabic")),
    ("und", _("Unknown language")),
]

#: Where each of the engine's refusals is shown: its field (``InvalidRule.field``), and for the
#: refusals naming a parameter, the parameter.
ENGINE_FIELDS = {
    "words": "words",
    "authors": "authors_denied",
    "actions": "actions",
    "query": "query",
    "languages": "languages",
    "more_than": "mentions_over",
    "at_least": "strikes_at_least",
    "min_letters": "caps",
}
ACTION_FIELDS = {"tag": "tag", "user": "assign_to", "reply": "saved_reply"}

#: The form's sections, in order: (heading, fields).
SECTIONS = [
    (_("The rule"), ["name", "mode", "article"]),
    (
        _("Conditions"),
        [
            "match_any",
            "words",
            "query",
            "score",
            "threshold",
            "links",
            "languages",
            "caps",
            "mentions_over",
            "networks",
            "authors_denied",
            "authors_allowed",
            "first_message",
            "strikes_at_least",
            "raid_authors",
            "raid_minutes",
        ],
    ),
    (_("Actions"), ["actions", "minutes", "tag", "assign_to", "saved_reply", "proceed"]),
]


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
        help_text=_("The number of the charter's paragraph, quoted in the queue and the warnings."),
    )
    query = forms.CharField(
        label=_("Listening query"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            'The listening query language: words, "exact phrases", AND, OR, NOT, NEAR/3, '
            "lang:fr, source:reddit…"
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Written in"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any language."),
    )
    caps = forms.BooleanField(
        label=_("Written in capitals"),
        required=False,
        help_text=_("At least 10 letters, four in five of them upper case."),
    )
    mentions_over = forms.IntegerField(
        label=_("More @mentions than"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Empty: not a condition."),
    )
    first_message = forms.BooleanField(
        label=_("First message of the member"),
        required=False,
        help_text=_("The first message the workspace heard from this author on this network."),
    )
    strikes_at_least = forms.IntegerField(
        label=_("The member has at least this many strikes"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Strikes in force: warnings, hides, mutes and bans not lifted on appeal."),
    )
    raid_authors = forms.IntegerField(
        label=_("Raid: the same message from at least this many authors"),
        required=False,
        min_value=2,
        max_value=10_000,
        help_text=_("Near-duplicates count as the same message. Empty: not a condition."),
    )
    raid_minutes = forms.IntegerField(
        label=_("Raid: within (minutes)"),
        required=False,
        min_value=1,
        max_value=7 * 24 * 60,
        initial=10,
        help_text=_("Empty: 10 minutes."),
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=40,
        help_text=_("For the action Tag: added to the message's tags."),
    )
    assign_to = forms.ModelChoiceField(
        label=_("Assign to"),
        required=False,
        queryset=None,
        help_text=_("For the action Assign: the queue's item is theirs, and they are notified."),
    )
    saved_reply = forms.ModelChoiceField(
        label=_("Saved reply"),
        required=False,
        queryset=None,
        help_text=_(
            "For the action Reply: the inbox's saved reply, in the author's language, sent in the "
            "name of whoever saves this rule (their replies may wait for approval)."
        ),
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
            "query",
            "languages",
            "caps",
            "mentions_over",
            "first_message",
            "strikes_at_least",
            "raid_authors",
            "raid_minutes",
            "match_any",
            "actions",
            "minutes",
            "tag",
            "assign_to",
            "saved_reply",
            "proceed",
            "article",
        ]

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        networks = sorted(n for n in set(BUILTINS) | set(MODERATORS) if n in NETWORKS)
        self.fields["networks"].choices = [(n, network_label(n)) for n in networks]
        self.fields["name"].max_length = 120
        from django.contrib.auth import get_user_model

        # Those who may decide in the queue.
        deciders = Membership.objects.filter(
            workspace=workspace, role__in=[Role.OWNER, Role.MANAGER, Role.MODERATOR]
        ).values("user_id")
        users = get_user_model().objects.filter(id__in=deciders, is_active=True)
        self.fields["assign_to"].queryset = users.order_by("first_name", "email")
        self.fields["assign_to"].label_from_instance = lambda user: (
            user.get_full_name() or user.email
        )
        self.fields["saved_reply"].queryset = SavedReply.objects.filter(workspace=workspace)

    def sections(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def clean_query(self) -> str:
        text = str(self.cleaned_data.get("query") or "").strip()
        if text:
            try:
                check_query(text)
            except QuerySyntaxError as exc:
                raise forms.ValidationError(
                    _("Column %(column)s: %(message)s"),
                    params={"column": exc.column, "message": words(exc)},
                ) from None
        return text

    def clean_raid_minutes(self) -> int:
        return int(self.cleaned_data.get("raid_minutes") or 10)

    def clean_tag(self) -> str:
        return " ".join(str(self.cleaned_data.get("tag") or "").split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        actions = set(cleaned.get("actions") or [])
        needs = {
            Rule.Act.TAG: ("tag", _("Name the tag the action Tag adds.")),
            Rule.Act.ASSIGN: ("assign_to", _("Choose whom the action Assign gives the item to.")),
            Rule.Act.REPLY: ("saved_reply", _("Choose the saved reply the action Reply sends.")),
        }
        for act, (field, message) in needs.items():
            if act in actions and not cleaned.get(field):
                self.add_error(field, message)
        if Rule.Act.CRISIS in actions and cleaned.get("raid_authors") is None:
            self.add_error(
                "actions",
                _("Suggest crisis mode only on a raid: set the raid's number of authors."),
            )
        if self.errors:
            return cleaned
        candidate = Rule(
            **{name: cleaned.get(name) for name in self.Meta.fields if name in cleaned},
        )
        candidate.id = self.instance.id
        try:
            services.check_rule(candidate)
        except InvalidRule as error:
            field = ENGINE_FIELDS.get(error.field)
            name = str(error.params.get("name", ""))
            if error.code == "moderation.action_needs":
                field = ACTION_FIELDS.get(name, "actions")
            elif error.field in ("authors", "minutes") and error.code == "moderation.bad_number":
                field = "raid_authors" if error.field == "authors" else "raid_minutes"
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
    warning_en = forms.CharField(
        label=_("Warning sent to an author, in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Empty: the default wording. Variables: {author}, {article_number}, {article} (the "
            "text of the rule's article), {charter_url}, {appeal_url}."
        ),
    )
    warning_fr = forms.CharField(
        label=_("Warning sent to an author, in French"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For authors who write in French. Empty: the English one, else the default."),
    )

    def _clean_warning(self, name: str) -> str:
        import re

        text = str(self.cleaned_data.get(name) or "").strip()
        unknown = sorted(
            set(re.findall(r"\{([a-z_]+)\}", text))
            - {"author", "article_number", "article", "charter_url", "appeal_url"}
        )
        if unknown:
            raise forms.ValidationError(
                _("Unknown variable: %(names)s."), params={"names": ", ".join(unknown)}
            )
        return text

    def clean_warning_en(self) -> str:
        return self._clean_warning("warning_en")

    def clean_warning_fr(self) -> str:
        return self._clean_warning("warning_fr")


DECISION_CHOICES = [
    ("approve", _("Approve")),
    ("not_spam", _("Not spam")),
    ("not_offensive", _("Not offensive")),
    ("reject", _("Reject (hide where possible)")),
    ("hide", _("Hide on the network")),
    ("delete", _("Delete on the network")),
    ("warn", _("Warn the author, quoting the charter")),
    ("mute", _("Mute the author")),
    ("ban", _("Ban the author")),
    ("escalate", _("Escalate to the managers")),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES)
    note = forms.CharField(
        label=_("Reason"), required=False, max_length=1000, help_text=_("Kept in the decision log.")
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should this decision be lifted?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AppealDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Grant: lift the decision")), ("0", _("Deny: the decision stands"))],
        coerce=lambda value: value == "1",
    )
    answer = forms.CharField(
        label=_("Answer to the member"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent with the outcome, and shown on the appeal's page."),
    )
