"""The settings of each kind of source, as a form of its own: its fields, validated, with help.

A person never types JSON: the source page shows the form of the source's kind, and ``config()``
turns its fields into the connector's settings (docs/connectors.md). Keys a form does not show (a
replay's mapping and start, a Mastodon source's notification types) are kept as they were. A kind
without a form here (a connector added by a plugin) shows no settings and keeps its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["SETTINGS_FORMS", "SettingsForm", "settings_form"]

QUERY_HELP = _("The words to look for, in the network's own search syntax.")


class SettingsForm(forms.Form):
    """Fields named after the connector's setting keys (``item_kind`` stands for ``kind``)."""

    #: Field name → setting key, for the fields whose name differs from their key.
    renamed: ClassVar[dict[str, str]] = {}
    #: Field name → the values of the ``mode`` field for which it is shown (all when absent).
    shown_for: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, *args: Any, config: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "settings")
        super().__init__(*args, **kwargs)
        self.previous = dict(config or {})
        for name in self.fields:
            key = self.renamed.get(name, name)
            if key in self.previous:
                value = self.previous[key]
                self.initial[name] = value.lstrip("#") if name == "tag" else value

    def rows(self) -> list[tuple[Any, str]]:
        """(bound field, ``data-show-when`` value or "") in order: a field that only some modes
        use is hidden by the page's script while another mode is chosen."""
        mode = self.add_prefix("mode")
        return [
            (
                self[name],
                f"{mode}:{' '.join(self.shown_for[name])}" if name in self.shown_for else "",
            )
            for name in self.fields
        ]

    def keys(self) -> set[str]:
        return {self.renamed.get(name, name) for name in self.fields}

    def config(self) -> dict[str, Any]:
        """The settings to store: the form's values (empty ones left out) over the kept keys."""
        kept = {key: value for key, value in self.previous.items() if key not in self.keys()}
        for name, value in self.cleaned_data.items():
            if value not in (None, ""):
                kept[self.renamed.get(name, name)] = value
        return kept

    def require(self, data: dict[str, Any], mode: str, needs: dict[str, str]) -> None:
        """Add an error to the field the chosen mode needs, when it is empty."""
        field = needs.get(mode)
        if field and not str(data.get(field) or "").strip():
            self.add_error(field, _("This mode needs this field."))


def _https_only(value: str) -> None:
    if not value.lower().startswith("https://"):
        raise forms.ValidationError(_("The address must start with https://."))


class RssSettings(SettingsForm):
    renamed: ClassVar[dict[str, str]] = {"item_kind": "kind"}

    url = forms.URLField(
        label=_("Feed address"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("The address of the RSS or Atom feed, for example https://example.com/feed."),
    )
    item_kind = forms.ChoiceField(
        label=_("Its entries are"),
        choices=[
            ("article", _("Articles (a blog, a news site)")),
            ("review", _("Reviews (a review site)")),
            ("post", _("Posts (a forum)")),
        ],
        initial="article",
    )


class MastodonSettings(SettingsForm):
    shown_for: ClassVar[dict[str, tuple[str, ...]]] = {"tag": ("hashtag",), "query": ("search",)}

    instance = forms.URLField(
        label=_("Mastodon server"),
        max_length=200,
        assume_scheme="https",
        validators=[_https_only],
        initial="https://mastodon.social",
        help_text=_("The server of the connected account, for example https://mastodon.social."),
    )
    mode = forms.ChoiceField(
        label=_("What to follow"),
        choices=[
            ("hashtag", _("A hashtag")),
            ("search", _("A search")),
            ("notifications", _("The account's mentions")),
        ],
        initial="hashtag",
    )
    tag = forms.CharField(
        label=_("Hashtag"),
        required=False,
        max_length=100,
        help_text=_("Without the #, for example cafelumiere."),
    )
    query = forms.CharField(label=_("Search"), required=False, max_length=500, help_text=QUERY_HELP)

    def clean_tag(self) -> str:
        return str(self.cleaned_data.get("tag") or "").strip().lstrip("#")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require(data, data.get("mode", ""), {"hashtag": "tag", "search": "query"})
        return data


class BlueskySettings(SettingsForm):
    query = forms.CharField(label=_("Search"), max_length=500, help_text=QUERY_HELP)
    lang = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("fr", _("French")), ("en", _("English"))],
    )


class RedditSettings(SettingsForm):
    mode = forms.ChoiceField(
        label=_("What to follow"),
        choices=[("search", _("A search")), ("comments", _("A subreddit's new comments"))],
        initial="search",
    )
    query = forms.CharField(label=_("Search"), required=False, max_length=500, help_text=QUERY_HELP)
    subreddit = forms.RegexField(
        label=_("Subreddit"),
        required=False,
        max_length=50,
        regex=r"^(r/)?[A-Za-z0-9_]{2,21}$",
        error_messages={"invalid": _("A subreddit's name: letters, digits and _ (r/ optional).")},
        help_text=_("For a search, optional: search in this subreddit only."),
    )

    def clean_subreddit(self) -> str:
        return str(self.cleaned_data.get("subreddit") or "").removeprefix("r/")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require(data, data.get("mode", ""), {"search": "query", "comments": "subreddit"})
        return data


class YouTubeSettings(SettingsForm):
    shown_for: ClassVar[dict[str, tuple[str, ...]]] = {
        "query": ("search",),
        "language": ("search",),
        "region": ("search",),
        "video_id": ("video_comments",),
        "channel_id": ("channel_comments",),
    }

    mode = forms.ChoiceField(
        label=_("What to follow"),
        choices=[
            ("search", _("A search of videos")),
            ("video_comments", _("A video's comments")),
            ("channel_comments", _("The comments on a channel's videos")),
        ],
        initial="search",
    )
    query = forms.CharField(label=_("Search"), required=False, max_length=500, help_text=QUERY_HELP)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), ("fr", _("French")), ("en", _("English"))],
    )
    region = forms.RegexField(
        label=_("Region"),
        required=False,
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        error_messages={"invalid": _("A country code of two letters, for example FR.")},
        help_text=_("A country code of two letters, for example FR."),
    )
    video_id = forms.RegexField(
        label=_("Video identifier"),
        required=False,
        regex=r"^[A-Za-z0-9_-]{6,20}$",
        error_messages={"invalid": _("The identifier in the video's address, after v=.")},
        help_text=_("The identifier in the video's address, after v=."),
    )
    channel_id = forms.RegexField(
        label=_("Channel identifier"),
        required=False,
        regex=r"^UC[A-Za-z0-9_-]{10,40}$",
        error_messages={"invalid": _("A channel identifier starts with UC.")},
        help_text=_("It starts with UC (in the channel's address, or its About page)."),
    )

    def clean_region(self) -> str:
        return str(self.cleaned_data.get("region") or "").upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs = {"search": "query", "video_comments": "video_id", "channel_comments": "channel_id"}
        self.require(data, data.get("mode", ""), needs)
        return data


class XSettings(SettingsForm):
    query = forms.CharField(
        label=_("Search"),
        max_length=512,
        help_text=_("X's search syntax, for example cafelumiere -is:retweet lang:fr."),
    )


class HackerNewsSettings(SettingsForm):
    query = forms.CharField(label=_("Search"), max_length=500, help_text=QUERY_HELP)
    tags = forms.ChoiceField(
        label=_("Look in"),
        required=False,
        choices=[
            ("(story,comment)", _("Stories and comments")),
            ("story", _("Stories only")),
            ("comment", _("Comments only")),
        ],
        initial="(story,comment)",
    )


class ReplaySettings(SettingsForm):
    speed = forms.FloatField(
        label=_("Speed"),
        min_value=0.01,
        max_value=100_000,
        initial=1,
        help_text=_("60 plays an hour of the file in a minute."),
    )


class NoSettings(SettingsForm):
    """A kind with nothing to set here (a file import, a webhook, the demo stream)."""


SETTINGS_FORMS: dict[str, type[SettingsForm]] = {
    "rss": RssSettings,
    "mastodon": MastodonSettings,
    "bluesky": BlueskySettings,
    "reddit": RedditSettings,
    "youtube": YouTubeSettings,
    "x": XSettings,
    "hackernews": HackerNewsSettings,
    "replay": ReplaySettings,
    "file": NoSettings,
    "webhook": NoSettings,
    "demo": NoSettings,
}


#: What each kind listens to, shown where a person chooses the kind of a new source.
DESCRIPTIONS: dict[str, Any] = {
    "rss": _("A blog, a news site, a review site or a forum that publishes a feed."),
    "mastodon": _("A hashtag, a search or an account's mentions on a Mastodon server."),
    "bluesky": _("A search of public Bluesky posts."),
    "reddit": _("A search, or a subreddit's new comments (needs a Reddit app)."),
    "youtube": _("A search of videos, or the comments on a video or a channel (needs an API key)."),
    "x": _("A search of recent posts on X (needs an API access)."),
    "hackernews": _("A search of Hacker News stories and comments."),
    "demo": _("The demo brand's generated stream, for trying the product."),
}


def settings_form(kind: str, *args: Any, **kwargs: Any) -> SettingsForm:
    return SETTINGS_FORMS.get(kind, NoSettings)(*args, **kwargs)
