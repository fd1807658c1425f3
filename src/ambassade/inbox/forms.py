"""Forms of the inbox pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ambassade.inbox import services
from ambassade.inbox.models import InboxSettings, Intent, Label, RoutingRule, Team
from ambassade.listening.models import ListeningQuery
from ambassade.workspaces import dates
from ambassade.workspaces.formfields import ModelMultipleChoiceField
from ambassade.workspaces.models import Workspace

COLOR = forms.RegexField(
    regex=r"^#[0-9a-fA-F]{6}$",
    label=_("Colour"),
    error_messages={"invalid": _("Give a colour as #rrggbb.")},
)


class SnoozeForm(forms.Form):
    until = dates.DateTimeField(label=_("Snooze until"))


class AssignForm(forms.Form):
    """Assign to a person who may reply and/or a team of the workspace; empty clears."""

    user = forms.ModelChoiceField(label=_("Person"), queryset=None, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [user.pk for user in services.assignable_users(workspace)]
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=ids)
        self.fields["user"].empty_label = _("Nobody")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["team"].queryset = Team.objects.filter(workspace=workspace)
        self.fields["team"].empty_label = _("No team")


class LabelChoiceForm(forms.Form):
    label = forms.ModelChoiceField(label=_("Label"), queryset=None)
    remove = forms.BooleanField(required=False)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = Label.objects.filter(workspace=workspace)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InboxSettings
        fields = ["auto_assign", "default_team", "own_mentions", "own_post_replies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_team"].queryset = Team.objects.filter(
            workspace=self.instance.workspace
        )
        self.fields["default_team"].empty_label = _("Everyone who may reply")


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        field_classes = {"members": ModelMultipleChoiceField}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        ids = [user.pk for user in services.assignable_users(workspace)]
        self.fields["members"].queryset = get_user_model().objects.filter(pk__in=ids)
        self.fields["members"].label_from_instance = lambda u: u.get_full_name() or u.email

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Team.objects.filter(workspace=self.workspace, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A team of this name exists already."))
        return name


class LabelForm(forms.ModelForm):
    color = COLOR

    class Meta:
        model = Label
        fields = ["name", "color"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["color"].widget = forms.TextInput(attrs={"type": "color"})

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Label.objects.filter(workspace=self.workspace, name__iexact=name)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A label of this name exists already."))
        return name


class RuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "enabled",
            "query",
            "sentiment",
            "intent",
            "min_followers",
            "team",
            "label",
        ]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["query"].queryset = ListeningQuery.objects.filter(workspace=workspace)
        self.fields["query"].empty_label = _("Any mention")
        self.fields["team"].queryset = Team.objects.filter(workspace=workspace)
        self.fields["team"].empty_label = _("No team")
        self.fields["label"].queryset = Label.objects.filter(workspace=workspace)
        self.fields["label"].empty_label = _("No label")
        self.fields["sentiment"].choices = [
            ("", _("Any sentiment")),
            *self.fields["sentiment"].choices[1:],
        ]
        self.fields["intent"].choices = [("", _("Any intent")), *Intent.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        conditions = ("query", "sentiment", "intent", "min_followers")
        if not any(data.get(name) not in (None, "") for name in conditions):
            raise forms.ValidationError(
                _(
                    "Give at least one condition (a query, a sentiment, an intent or a number of "
                    "followers): a rule without any would send every mention to the inbox."
                )
            )
        return data


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of the view"), max_length=80)
    filters = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    shared = forms.BooleanField(label=_("Shared with the team"), required=False)
