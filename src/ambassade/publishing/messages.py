"""Publishing's messages in the person's language.

``engine.publishing`` is pure Python and speaks English; each of its problem codes gets a translated
sentence here, with the same placeholders. A code missing here falls back to the engine's text (a
test checks that none is missing). The outbox's stored messages (a variant's failure, an attempt's
log…) are registered below and worded when shown (ambassade.workspaces.messages).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ambassade.engine.publishing import Problem
from ambassade.workspaces.messages import StoredMessage, coded, register_all

MESSAGES = {
    "empty": _("The post is empty: write a text or add a medium."),
    "media_required": _("{network} needs at least one image or video."),
    "text_too_long": _("The text is {length} {unit} long; {network} accepts {limit}."),
    "caption_too_long": _(
        "With a medium, {network} accepts a caption of {limit} {unit}; this one has {length}."
    ),
    "text_too_many_bytes": _("The text takes {length} bytes; {network} accepts {limit}."),
    "forbidden_character": _("{network} refuses the invisible character {character} in a post."),
    "too_many_hashtags": _("The text has {count} hashtags; {network} accepts {limit}."),
    "too_many_topic_tags": _(
        "{network} makes only the first hashtag a topic; {count} were written."
    ),
    "hashtag_too_long": _(
        "The hashtag #{tag} is longer than {limit} characters; {network} won't link it."
    ),
    "too_many_links": _("The text has {count} links; {network} accepts {limit}."),
    "title_required": _("{network} needs a title."),
    "title_too_long": _("The title is {length} characters long; {network} accepts {limit}."),
    "duplicate_text": _("{network} refuses a text identical to a recent post."),
    "too_many_media": _("The post has {count} media; {network} accepts {limit}."),
    "media_mix_not_allowed": _("{network} does not accept {kinds} together in one post."),
    "media_kind_not_supported": _("Ambassade cannot send a {kind} to {network}."),
    "media_type_not_supported": _("{network} does not accept files of type {mime_type}."),
    "media_too_large": _("The file weighs {size} bytes; {network} accepts {limit}."),
    "media_not_sent": _(
        "Ambassade cannot send images or videos to {network} yet: publish the text alone, or a "
        "link."
    ),
    "media_url_not_public": _(
        "{network} fetches media itself, from this server's public address: set "
        "AMBASSADE_BASE_URL to an http(s) address reachable from the internet."
    ),
    "alt_text_missing": _("This {kind} has no description (alt text) for people who can't see it."),
    "alt_text_too_long": _(
        "The description is {length} characters long; {network} accepts {limit}."
    ),
}

UNITS = {
    "characters": _("characters"),
    "graphemes": _("characters"),
    "weighted_characters": _("characters"),
    "bytes": _("bytes"),
}


# The outbox's stored messages (a variant's failure, an attempt's log, a webhook delivery, a post
# sent back to draft): stored with their code, worded for whoever reads them.
register_all(
    {
        "outbox.found_untold": _(
            "%(network)s says the post was published, but it cannot be told apart from the "
            "account's other posts: its address is unknown."
        ),
        "outbox.no_words": _("the post has no words to recognise it by"),
        "outbox.cannot_read": _("Ambassade cannot read %(network)s."),
        "outbox.reconnect": _(
            "The account %(account)s must be reconnected: the network refused its access "
            "(%(reason)s). Reconnect it in Connections, then retry."
        ),
        "outbox.unsupported": _("Ambassade cannot publish to %(network)s yet."),
        "outbox.refused": _("%(network)s refused the post: %(reason)s"),
        "outbox.gave_up": _(
            "%(network)s could not be reached after %(count)s attempts (%(reason)s). "
            "Retry when the network is back."
        ),
        "outbox.check_refused": _(
            "We could not check whether the post went out on %(account)s: the network "
            "refused its access (%(reason)s). Look at the account, reconnect it, then retry "
            "only if the post is not there."
        ),
        "outbox.ask": _(
            "We do not know whether the post went out on %(account)s, and %(network)s "
            "cannot be checked (%(reason)s). Look at the account, and retry only if the "
            "post is not there."
        ),
        "post.approval_expired": _(
            "The approval did not come before the publication time. Choose a new time "
            "and submit the post again."
        ),
        "webhook.removed": _("The webhook was removed before this event could be sent."),
        "webhook.receiver_status": _("The receiver answered %(status)s."),
        # The notification centre's line for a failed post (publishing/notices.py).
        "publishing.failed": _("A post could not be published to %(account)s (%(network)s)"),
    }
)


class _Units(Mapping[str, Any]):
    """A problem's parameters, its ``unit`` worded in the active language."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params

    def __getitem__(self, name: str) -> Any:
        value = self.params[name]
        return str(UNITS.get(str(value), value)) if name == "unit" else value

    def __iter__(self) -> Iterator[str]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)


class _Braced:
    """A problem's wording (``{name}`` placeholders) as a catalogue wording, so that a problem can
    be stored with its code and worded later in the reader's language."""

    def __init__(self, template: Promise) -> None:
        self.template = template

    def __mod__(self, params: Mapping[str, Any]) -> str:
        return str(self.template).format_map(_Units(params))


#: Stored problems: ``publishing.problem.<code>``, worded like :func:`problem_message`.
register_all(
    {f"publishing.problem.{code}": _Braced(template) for code, template in MESSAGES.items()}  # type: ignore[misc]
)


def problem_message(problem: Problem) -> str:
    """``problem`` in the active language."""
    template = MESSAGES.get(problem.code)
    if template is None:
        return problem.message()
    return _Braced(template) % dict(problem.params)


def problem_coded(problem: Problem) -> StoredMessage:
    """``problem`` as a message to store, worded when read (its English text when unknown here)."""
    if problem.code not in MESSAGES:
        return StoredMessage(text=problem.message())
    return coded(f"publishing.problem.{problem.code}", **dict(problem.params))
