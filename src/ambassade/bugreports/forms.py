"""Forms of bug reports: one form per kind of tracker (only the fields it uses), and the report."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from ambassade.bugreports.models import Tracker


class TrackerForm(forms.Form):
    """The fields every tracker has; subclasses add their settings (``config_fields``) and
    credentials (``secret_fields``, left empty on edit to keep them)."""

    kind: ClassVar[str] = ""
    config_fields: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[tuple[str, ...]] = ()

    name = forms.CharField(label=_("Name"), max_length=120)
    labels = forms.CharField(
        label=_("Labels"),
        max_length=200,
        required=False,
        help_text=_("Given to every issue sent there, separated by commas."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.secret_fields:
            self.fields[field].widget = forms.PasswordInput(render_value=False)
            self.fields[field].required = not editing
            if editing:
                self.fields[field].help_text = _("Leave empty to keep the current one.")

    def config(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.config_fields}

    def credentials(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.secret_fields}


class GitHubForm(TrackerForm):
    kind = "github"
    config_fields = ("repository", "api_url")
    secret_fields = ("token",)
    repository = forms.CharField(
        label=_("Repository"), max_length=200, help_text=_("owner/name, as in its address.")
    )
    api_url = forms.CharField(
        label=_("API address (GitHub Enterprise Server only)"), max_length=300, required=False
    )
    token = forms.CharField(
        label=_("Access token"),
        max_length=500,
        help_text=_("A fine-grained token with “Issues: read and write” on the repository."),
    )


class GitLabForm(TrackerForm):
    kind = "gitlab"
    config_fields = ("project", "base_url")
    secret_fields = ("token",)
    project = forms.CharField(
        label=_("Project"), max_length=200, help_text=_("Its path (group/project) or number.")
    )
    base_url = forms.CharField(
        label=_("GitLab address (self-managed only)"), max_length=300, required=False
    )
    token = forms.CharField(
        label=_("Access token"), max_length=500, help_text=_("A token with the “api” scope.")
    )


class JiraForm(TrackerForm):
    kind = "jira"
    config_fields = ("site", "project_key", "issue_type")
    secret_fields = ("email", "api_token")
    site = forms.CharField(
        label=_("Site"), max_length=300, help_text=_("https://your-domain.atlassian.net")
    )
    project_key = forms.CharField(label=_("Project key"), max_length=12)
    issue_type = forms.CharField(label=_("Issue type"), max_length=60, initial="Bug")
    email = forms.CharField(label=_("Account e-mail"), max_length=254)
    api_token = forms.CharField(label=_("API token"), max_length=500)


class WebhookForm(TrackerForm):
    kind = "webhook"
    config_fields = ("url",)
    secret_fields = ("secret",)
    url = forms.CharField(label=_("Address"), max_length=500, help_text=_("An https:// address."))
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=500,
        help_text=_("The receiver checks each delivery's signature with it."),
    )


FORMS: dict[str, type[TrackerForm]] = {
    form.kind: form for form in (GitHubForm, GitLabForm, JiraForm, WebhookForm)
}


class ReportForm(forms.Form):
    tracker = forms.ModelChoiceField(queryset=Tracker.objects.none(), label=_("Send to"))
    title = forms.CharField(label=_("Title"), max_length=255)
    description = forms.CharField(
        label=_("What happens"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    include_quote = forms.BooleanField(
        label=_("Include the customer's words"), required=False, initial=True
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trackers = Tracker.objects.filter(workspace=workspace)
        self.fields["tracker"].queryset = trackers  # type: ignore[attr-defined]
        if len(trackers) == 1:
            self.fields["tracker"].initial = trackers[0].pk
