"""Forms of the publishing app. Times are typed in the workspace's time zone and stored in UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.publishing import accounts, authoring, scheduling
from ambassade.publishing.models import Post, QueueSlot
from ambassade.workspaces import dates
from ambassade.workspaces.formfields import ModelMultipleChoiceField
from ambassade.workspaces.models import Connection


class AccountChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Connection) -> str:  # type: ignore[override]
        label = f"{obj.account_name} · {obj.network_label}"
        if obj.status == Connection.Status.NEEDS_RECONNECTION:
            # Said before choosing it: every post sent to it fails until it is reconnected.
            label += " · " + str(_("needs reconnection"))
        return label


class ScheduleMixin(forms.Form):
    """A date and a time in ``zone``; ``scheduled_at`` is the UTC instant, or None for "now"."""

    zone: str
    date = dates.DateField(label=_("Date"), required=False)
    time = dates.TimeField(label=_("Time"), required=False)

    def clean_schedule(self, cleaned: dict[str, Any], required: bool = False) -> None:
        day, at = cleaned.get("date"), cleaned.get("time")
        if day is None and at is None:
            if required:
                self.add_error("date", _("Choose a date and a time."))
            cleaned["scheduled_at"] = None
            return
        if day is None or at is None:
            self.add_error("time" if day else "date", _("Give both the date and the time."))
            return
        try:
            cleaned["scheduled_at"] = scheduling.local_to_utc(day, at, self.zone)
        except scheduling.NonexistentLocalTime:
            self.add_error(
                "time",
                _(
                    "%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward "
                    "that night. Choose another time."
                )
                % {"time": at.strftime("%H:%M"), "date": day.isoformat(), "zone": self.zone},
            )


class ComposeForm(ScheduleMixin):
    """One text, the accounts it goes to, one adapted text per account (``text_<id>``, blank: the
    main text), the time, UTM tagging and one medium with its description."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-compose-main": ""}),
    )
    accounts = AccountChoiceField(
        label=_("Accounts"),
        queryset=Connection.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    utm_campaign = forms.SlugField(
        label=_("UTM campaign"),
        required=False,
        max_length=100,
        help_text=_(
            "When set, links get utm_source (the network), utm_medium=social and this campaign."
        ),
    )
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=Post.Repeat.choices)
    repeat_until = dates.DateField(
        label=_("Repeat until"),
        required=False,
        help_text=_("Each occurrence goes out at the same local time, clock changes included."),
    )
    shorten_links = forms.BooleanField(
        label=_("Shorten the links and count their clicks"),
        required=False,
        help_text=_(
            "Links go through this server's /l/ address; only the number of clicks is kept."
        ),
    )
    thread = forms.BooleanField(
        label=_("Split a text too long into a thread"),
        required=False,
        help_text=_("On Mastodon and Bluesky; elsewhere a text too long must be shortened."),
    )
    media_file = forms.FileField(label=_("Image or video"), required=False)
    alt_text = forms.CharField(
        label=_("Description of the image (alt text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What someone who cannot see the image needs to know."),
    )

    def __init__(
        self,
        *args: Any,
        workspace: Any,
        zone: str,
        post: Post | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.connections = list(accounts.publishable_connections(workspace))
        self.fields["accounts"].queryset = accounts.publishable_connections(workspace)
        for connection in self.connections:
            self.fields[f"text_{connection.id}"] = forms.CharField(
                label=_("Text for %(account)s") % {"account": connection.account_name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("Leave empty to use the main text."),
            )
        if post is not None and not self.is_bound:
            local = post.scheduled_at.astimezone(_zone(zone)) if post.scheduled_at else None
            self.initial.update(
                text=post.text,
                accounts=[variant.connection_id for variant in post.variants.all()],
                utm_campaign=post.utm_campaign,
                thread=post.thread,
                shorten_links=post.shorten_links,
                repeat=post.repeat,
                repeat_until=post.repeat_until,
                date=local.date() if local else None,
                time=local.time().replace(second=0, microsecond=0) if local else None,
            )
            for variant in post.variants.all():
                self.initial[f"text_{variant.connection_id}"] = variant.text

    def channel_fields(self) -> list[tuple[Connection, forms.BoundField]]:
        return [(c, self[f"text_{c.id}"]) for c in self.connections]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_schedule(cleaned)
        upload = cleaned.get("media_file")
        if upload is not None:
            if upload.content_type not in authoring.MEDIA_TYPES:
                self.add_error(
                    "media_file", _("Attach a JPEG, PNG, GIF or WebP image, or an MP4 video.")
                )
            elif upload.size > authoring.MAX_MEDIA_BYTES:
                self.add_error("media_file", _("A file may weigh at most 8 MB."))
        return cleaned

    def texts(self) -> dict[int, str]:
        return {c.id: self.cleaned_data.get(f"text_{c.id}") or "" for c in self.connections}


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


class RescheduleForm(ScheduleMixin):
    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["date"].required = True
        self.fields["time"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("date") and cleaned.get("time"):
            self.clean_schedule(cleaned, required=True)
            when = cleaned.get("scheduled_at")
            if when is not None and when <= timezone.now():
                self.add_error("time", _("Choose a time that has not passed yet."))
        return cleaned

    @property
    def when(self) -> datetime:
        return self.cleaned_data["scheduled_at"]  # type: ignore[no-any-return]


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it rejected?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ApprovalStepsForm(forms.Form):
    approval_steps = forms.TypedChoiceField(
        label=_("Approvals before a post is scheduled"),
        coerce=int,
        choices=[
            (0, _("None: posts are scheduled when submitted")),
            (1, _("One person")),
            (2, _("Two people")),
            (3, _("Three people")),
        ],
        widget=forms.RadioSelect,
    )


class QueueSlotForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=QueueSlot.Weekday.choices)
    time = dates.TimeField(label=_("Time"))


def _secret(label: Any, help_text: Any = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
        help_text=help_text or _("Stored encrypted. It is never shown again."),
    )


def _numeric_id(label: Any, help_text: Any = "") -> forms.RegexField:
    return forms.RegexField(
        label=label,
        max_length=40,
        regex=r"^[0-9]+$",
        help_text=help_text,
        error_messages={"invalid": _("Give the number only, for example 17841405822304914.")},
    )


class ConnectAccountForm(forms.Form):
    """The credentials each publishing network needs, stored in the vault. The fields depend on
    ``network``; ``secret()`` and ``account_name()`` give what ``connect_account`` stores."""

    def __init__(self, *args: Any, network: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network = network
        fields: dict[str, forms.Field]
        if network == "mastodon":
            fields = {
                "instance": forms.URLField(
                    assume_scheme="https",
                    label=_("Server address"),
                    initial="https://mastodon.social",
                ),
                "account_name": forms.CharField(
                    label=_("Account"),
                    max_length=200,
                    help_text=_("For example @brand@mastodon.social."),
                ),
                "access_token": _secret(
                    _("Access token"),
                    _(
                        "Preferences → Development → New application, with the scopes "
                        "read:statuses, write:statuses and write:media. Stored encrypted."
                    ),
                ),
            }
        elif network == "bluesky":
            fields = {
                "identifier": forms.CharField(
                    label=_("Handle"), max_length=200, help_text=_("For example brand.bsky.social.")
                ),
                "app_password": _secret(
                    _("App password"),
                    _("Settings → Privacy and security → App passwords. Stored encrypted."),
                ),
                "service": forms.URLField(
                    assume_scheme="https",
                    label=_("Server address (PDS)"),
                    required=False,
                    help_text=_("Leave empty for bsky.social."),
                ),
            }
        elif network == "discord":
            fields = {
                "account_name": forms.CharField(
                    label=_("Name in Ambassade"), max_length=200, help_text=_("For example #news.")
                ),
                "webhook_url": _secret(
                    _("Webhook address"),
                    _(
                        "Channel settings → Integrations → Webhooks. Or give a bot below: only a bot "
                        "lets Ambassade check a message it could not confirm."
                    ),
                    required=False,
                ),
                "bot_token": _secret(_("Bot token"), required=False),
                "channel_id": forms.CharField(label=_("Channel id"), required=False, max_length=30),
                "guild_id": forms.CharField(label=_("Server id"), required=False, max_length=30),
            }
        elif network == "telegram":
            fields = {
                "chat_id": forms.CharField(
                    label=_("Channel"),
                    max_length=100,
                    help_text=_("@channelname, with the bot added as an administrator."),
                ),
                "bot_token": _secret(_("Bot token"), _("Given by @BotFather. Stored encrypted.")),
            }
        elif network == "linkedin":
            fields = {
                "account_name": forms.CharField(label=_("Page name"), max_length=200),
                "organization": forms.CharField(
                    label=_("Organisation id"),
                    max_length=100,
                    help_text=_("The number in the page's admin address, or urn:li:organization:…"),
                ),
                "access_token": _secret(
                    _("Access token"),
                    _("With the scopes w_organization_social and r_organization_social."),
                ),
            }
        elif network == "x":
            fields = {
                "username": forms.CharField(label=_("Account"), max_length=100),
                "access_token": _secret(
                    _("User access token"),
                    _(
                        "OAuth 2.0 user token with tweet.write, tweet.read, users.read and "
                        "media.write. Stored encrypted."
                    ),
                ),
            }
        elif network == "facebook":
            fields = {
                "account_name": forms.CharField(label=_("Page name"), max_length=200),
                "page_id": _numeric_id(_("Page id"), _("The number in the page's About section.")),
                "access_token": _secret(
                    _("Page access token"),
                    _(
                        "A Page access token with pages_manage_posts and pages_read_engagement. "
                        "Stored encrypted."
                    ),
                ),
            }
        elif network == "instagram":
            fields = {
                "account_name": forms.CharField(
                    label=_("Account"), max_length=100, help_text=_("For example @cafelumiere.")
                ),
                "ig_user_id": _numeric_id(
                    _("Instagram account id"),
                    _("The id of the business account linked to the Facebook page."),
                ),
                "access_token": _secret(
                    _("Access token"),
                    _(
                        "With instagram_basic, instagram_content_publish and "
                        "pages_read_engagement. Stored encrypted."
                    ),
                ),
            }
        elif network == "threads":
            fields = {
                "account_name": forms.CharField(
                    label=_("Profile"), max_length=100, help_text=_("For example @cafelumiere.")
                ),
                "threads_user_id": _numeric_id(_("Threads user id")),
                "access_token": _secret(
                    _("Access token"),
                    _(
                        "With threads_basic and threads_content_publish (and "
                        "threads_manage_insights for statistics). Stored encrypted."
                    ),
                ),
            }
        elif network == "reddit":
            fields = {
                "subreddit": forms.RegexField(
                    label=_("Subreddit"),
                    max_length=30,
                    regex=r"^(?:/?r/)?[A-Za-z0-9][A-Za-z0-9_]{1,20}$",
                    error_messages={"invalid": _("Give a subreddit name, for example r/cafe.")},
                ),
                "username": forms.RegexField(
                    label=_("Reddit user"),
                    max_length=30,
                    regex=r"^(?:/?u/)?[A-Za-z0-9_-]{3,20}$",
                    error_messages={"invalid": _("Give a Reddit user name, for example u/cafe.")},
                    help_text=_("The account that posts."),
                ),
                "client_id": forms.CharField(label=_("Client id"), max_length=100),
                "client_secret": _secret(_("Client secret")),
                "refresh_token": _secret(
                    _("Refresh token"),
                    _(
                        "With the scopes identity, submit, read and history (to read the "
                        "account's posts back). Stored encrypted."
                    ),
                ),
            }
        else:
            raise ValueError(f"no publishing form for {network!r}")
        self.fields.update(fields)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.network == "discord":
            bot = cleaned.get("bot_token") and cleaned.get("channel_id")
            if not cleaned.get("webhook_url") and not bot:
                raise forms.ValidationError(
                    _("Give a webhook address, or a bot token with its channel id.")
                )
        return cleaned

    def clean_subreddit(self) -> str:
        return str(self.cleaned_data["subreddit"]).removeprefix("/").removeprefix("r/")

    def clean_username(self) -> str:
        name = str(self.cleaned_data["username"])
        return name.removeprefix("/").removeprefix("u/") if self.network == "reddit" else name

    def account_name(self) -> str:
        data = self.cleaned_data
        if self.network == "bluesky":
            return str(data["identifier"]).lstrip("@")
        if self.network == "telegram":
            return str(data["chat_id"])
        if self.network == "x":
            return "@" + str(data["username"]).lstrip("@")
        if self.network in ("instagram", "threads"):
            return "@" + str(data["account_name"]).lstrip("@")
        if self.network == "reddit":
            return f"r/{data['subreddit']}"
        return str(data["account_name"])

    def secret(self) -> dict[str, Any]:
        data = {key: value for key, value in self.cleaned_data.items() if value}
        # What only names the account in Ambassade; the rest is what the publisher reads.
        # (X and Reddit publishers need the user name.)
        shown = (
            ("account_name",) if self.network in ("x", "reddit") else ("account_name", "username")
        )
        for key in shown:
            data.pop(key, None)
        if self.network == "x":
            data["username"] = str(self.cleaned_data["username"]).lstrip("@")
        return data


class OutboxWebhookForm(forms.Form):
    """The address the outbox POSTs every status change to (owners and managers)."""

    url = forms.URLField(
        label=_("Webhook address"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Every change of a post's status on a network is sent there as JSON, signed with "
            "the secret (X-Ambassade-Signature)."
        ),
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(
                _("The webhook address must start with https:// (or http://).")
            )
        return url
