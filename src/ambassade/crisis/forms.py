from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ambassade.crisis import signals_feed
from ambassade.crisis.models import (
    AlertRule,
    Channel,
    EscalationContact,
    HoldingStatement,
    PlaybookTemplate,
    Section,
    Severity,
)
from ambassade.workspaces import dates
from ambassade.workspaces.formfields import ModelMultipleChoiceField


class ChannelForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Webhook address"),
        required=False,
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Encrypted when saved and never shown again; leave empty to keep the current one."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Generic JSON only: the body is signed with HMAC-SHA256 in the X-Ambassade-Signature "
            "header. Leave empty to keep the current one."
        ),
    )

    class Meta:
        model = Channel
        fields = ["name", "kind", "recipients", "format", "url", "secret", "enabled"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3})}

    def clean_recipients(self) -> str:
        lines = [
            line.strip() for line in self.cleaned_data["recipients"].splitlines() if line.strip()
        ]
        field = forms.EmailField()
        for line in lines:
            try:
                field.clean(line)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": line}
                ) from None
        return "\n".join(lines)

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if url:
            try:
                URLValidator(schemes=["https", "http"])(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Enter the full address, starting with https://.")
                ) from None
        return url

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == Channel.Kind.EMAIL and not data.get("recipients"):
            self.add_error("recipients", _("Give at least one e-mail address."))
        if (
            kind == Channel.Kind.WEBHOOK
            and not data.get("url")
            and not self.instance.secret_ciphertext
        ):
            self.add_error("url", _("Give the webhook's address."))
        return data


class StatementForm(forms.ModelForm):
    class Meta:
        model = HoldingStatement
        fields = ["title", "language", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class ContactForm(forms.ModelForm):
    class Meta:
        model = EscalationContact
        fields = ["name", "role", "email", "phone", "notify"]


class PlaybookForm(forms.Form):
    call = forms.CharField(
        label=Section.CALL.label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line."),
    )
    prepare = forms.CharField(
        label=Section.PREPARE.label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line."),
    )
    validate = forms.CharField(
        label=Section.VALIDATE.label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item a line."),
    )

    @classmethod
    def for_playbook(cls, playbook: PlaybookTemplate) -> PlaybookForm:
        return cls(initial={s: "\n".join(playbook.items_in(s)) for s in Section.values})

    def items(self) -> list[dict[str, str]]:
        return [
            {"section": section, "text": line.strip()}
            for section in Section.values
            for line in self.cleaned_data[section].splitlines()
            if line.strip()
        ]


class ScopeFields(forms.Form):
    """Which mentions something watches or counts, chosen explicitly: the mentions matching some of
    the workspace's listening queries, or all its mentions (competitors' included). ``scope_ids()``
    gives the query ids, empty for all."""

    scope = forms.ChoiceField(
        label=_("Mentions"),
        choices=[
            ("queries", _("The mentions matching the queries ticked below")),
            ("all", _("All the workspace's mentions (brand, competitors and topics)")),
        ],
        initial="queries",
        widget=forms.RadioSelect,
    )
    queries = forms.TypedMultipleChoiceField(
        label=_("Listening queries"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def init_scope(self, workspace: Any, initial_ids: list[int] | None = None) -> None:
        choices = [
            (query_id, f"{name} · {kind}")
            for query_id, name, kind in signals_feed.query_options(workspace)
        ]
        self.fields["queries"].choices = choices
        if not choices:
            self.fields["queries"].help_text = _(
                "The workspace has no listening query yet: add one in Listening, or choose all "
                "its mentions."
            )
        if initial_ids is not None and not self.is_bound:
            self.initial.setdefault("scope", "queries" if initial_ids else "all")
            self.initial.setdefault("queries", initial_ids)

    def clean_scope_fields(self, data: dict[str, Any]) -> None:
        if data.get("scope") == "queries" and not data.get("queries"):
            self.add_error(
                "queries", _("Tick at least one query, or choose all the workspace's mentions.")
            )

    def scope_ids(self) -> list[int] | None:
        """The query ids chosen, empty for all mentions, None when no scope was given."""
        scope = self.cleaned_data.get("scope")
        if scope == "all":
            return []
        if scope == "queries":
            return sorted(set(self.cleaned_data.get("queries") or []))
        return None


class RuleForm(ScopeFields, forms.ModelForm):
    """An alert rule. Which mentions it watches is an explicit choice (``ScopeFields``): some of the
    workspace's queries, or all its mentions, competitors' included."""

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "severity",
            "sensitivity",
            "min_followers",
            "cooldown_minutes",
            "notify_in_app",
            "channels",
            "digest",
            "enabled",
        ]
        widgets = {"channels": forms.CheckboxSelectMultiple}
        field_classes = {"channels": ModelMultipleChoiceField}

    field_order = [
        "name",
        "kind",
        "scope",
        "queries",
        "severity",
        "sensitivity",
        "min_followers",
        "cooldown_minutes",
        "notify_in_app",
        "channels",
        "digest",
        "enabled",
    ]

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        rule = self.instance
        self.init_scope(
            workspace,
            list(rule.query_ids) if rule.pk else signals_feed.brand_query_ids(workspace),
        )
        self.fields["scope"].help_text = _(
            "Spike rules count these mentions per hour; an influencer rule looks at their authors; "
            "a query-match rule alerts on them."
        )
        self.fields["channels"].queryset = Channel.objects.filter(workspace=workspace)
        self.fields["sensitivity"].widget = forms.NumberInput(attrs={"min": 1, "max": 10})
        self.fields["kind"].help_text = _(
            "A response-time rule alerts when a conversation of the inbox passes one of its "
            "response-time targets (set in the inbox's settings)."
        )
        self.fields["severity"].help_text = _(
            "Spike rules do not use it: each of their alerts is rated by how unusual it is."
        )
        self.order_fields(self.field_order)

    def clean_sensitivity(self) -> int:
        value = self.cleaned_data["sensitivity"]
        if not 1 <= value <= 10:
            raise forms.ValidationError(_("Choose a sensitivity from 1 to 10."))
        return int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_scope_fields(data)
        kind = data.get("kind")
        if kind == AlertRule.Kind.QUERY_MATCH and data.get("scope") == "all":
            self.add_error("scope", _("Choose the queries whose matches alert."))
        if kind == AlertRule.Kind.INFLUENCER and not data.get("min_followers"):
            self.add_error(
                "min_followers", _("Give the number of followers that makes an author influential.")
            )
        return data

    def save(self, commit: bool = True) -> AlertRule:
        rule: AlertRule = super().save(commit=False)
        rule.query_ids = self.scope_ids() or []
        if commit:
            rule.save()
            self.save_m2m()
        return rule


class OpenCrisisForm(ScopeFields):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.HIGH
    )
    started_at = dates.DateTimeField(
        label=_("Start"),
        required=False,
        help_text=_(
            "When the crisis began: its figures count the mentions from then on, and its report "
            "shows the day before too. Empty: the alert's window, or now."
        ),
    )
    alert = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    field_order = ["title", "severity", "started_at", "scope", "queries", "alert"]

    def __init__(
        self, *args: Any, workspace: Any, scope_ids: list[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.init_scope(workspace, scope_ids)
        # Without a scope (a form posted by a script), the crisis counts its default scope.
        self.fields["scope"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_scope_fields(data)
        return data


class CloseCrisisForm(forms.Form):
    summary = forms.CharField(
        label=_("Lessons learned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What worked, what to change in the playbook. It goes into the report."),
    )
    resume = forms.BooleanField(
        label=_("Resume the outbox: held posts go out at their time"), required=False, initial=True
    )
    undone_confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, undone: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if undone:
            # Closing with items not done is allowed, but asked for: the box must be ticked.
            field = self.fields["undone_confirmed"]
            field.required = True
            field.label = ngettext(
                "Close although %(count)d checklist item is not done",
                "Close although %(count)d checklist items are not done",
                undone,
            ) % {"count": undone}
        else:
            del self.fields["undone_confirmed"]


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Action taken"), max_length=2000)


class RescheduleForm(forms.Form):
    when = dates.DateTimeField(label=_("New time"))
