"""Forms of the workspaces app. They validate; services write."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from ambassade.workspaces import dates, throttle
from ambassade.workspaces.models import Organisation, Role
from ambassade.workspaces.networks import network_choices

User = get_user_model()


@cache
def _time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class LoginForm(forms.Form):
    """Log in by e-mail address, throttled per account and client address."""

    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("This e-mail address and password do not match an account."),
        "locked": _(
            "Too many failed attempts. For your security, logging in to this account is blocked "
            "until %(time)s. You can also reset your password."
        ),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: Any = None
        super().__init__(*args, **kwargs)

    @sensitive_variables("password")
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        key = throttle.key_for(email, self.request)
        # Counted before the check, in one step with the lock: no burst gets more checks.
        until = throttle.attempt(key)
        if until is not None:
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"time": formats.time_format(until.astimezone(), "TIME_FORMAT")},
            )
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            # Same work as a real check, so timing does not reveal which addresses have accounts.
            User().set_password(password)
        else:
            self.user_cache = authenticate(
                self.request, username=user.get_username(), password=password
            )
        if self.user_cache is None:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        throttle.record_success(key)
        return cleaned

    def get_user(self) -> Any:
        return self.user_cache


class SignupForm(forms.Form):
    """The account created when accepting an invitation."""

    name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    @sensitive_variables("password1", "password2")
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are different."))
        elif password1:
            probe = User(username=self.email, email=self.email, first_name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    kind = forms.ChoiceField(
        label=_("This organisation is"),
        choices=Organisation.Kind.choices,
        widget=forms.RadioSelect,
        initial=Organisation.Kind.COMPANY,
    )
    workspace_name = forms.CharField(
        label=_("First workspace"),
        max_length=120,
        help_text=_("A workspace holds one brand or client: its accounts, listening and posts."),
    )


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_time_zones,
        help_text=_("Posts are scheduled and reports are cut by days in this time zone."),
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=settings.LANGUAGES,
        help_text=_("Invitations and notifications from this workspace are written in it."),
    )


class WorkspaceCreateForm(WorkspaceSettingsForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )

    field_order = ["organisation", "name", "time_zone", "language"]

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = settings.TIME_ZONE
        self.fields["language"].initial = settings.LANGUAGE_CODE


def role_choices(include_owner: bool) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if include_owner or value != Role.OWNER]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args: Any, include_owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(include_owner)  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, include_owner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(include_owner)  # type: ignore[attr-defined]


class ConnectionForm(forms.Form):
    """Add an account by pasting an access token the network issued (e.g. a Mastodon application
    token). Connectors with an OAuth flow call ``services.connect_account`` themselves."""

    network = forms.ChoiceField(label=_("Network"), choices=network_choices)
    account_name = forms.CharField(
        label=_("Account"),
        max_length=200,
        help_text=_("As shown on the network, e.g. @brand@mastodon.social."),
    )
    account_id = forms.CharField(label=_("Account identifier"), max_length=200, required=False)
    access_token = forms.CharField(
        label=_("Access token"),
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=_("Stored encrypted. It is never shown again."),
    )
    expires_at = dates.DateTimeField(
        label=_("Token expiry"),
        required=False,
        help_text=_("Leave empty if the token does not expire."),
    )
