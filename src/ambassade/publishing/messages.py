"""Publishing's messages in the person's language.

``engine.publishing`` is pure Python and speaks English; each of its problem codes gets a translated
sentence here (``%(name)s`` placeholders named as the problem's parameters), and the words a problem
is made of (its counting unit, kinds of media) are codes of their own. A code missing here falls back
to the engine's text (a test checks that none is missing). The outbox's stored messages (a variant's failure, an attempt's
log…) are registered below and worded when shown (ambassade.workspaces.messages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from ambassade.engine.publishing import Problem
from ambassade.workspaces.messages import (
    CATALOGUE,
    StoredMessage,
    coded,
    register_all,
    register_upgrade,
)

MESSAGES = {
    "empty": _("The post is empty: write a text or add a medium."),
    "media_required": _("%(network)s needs at least one image or video."),
    "text_too_long": _("The text is %(length)s %(unit)s long; %(network)s accepts %(limit)s."),
    "caption_too_long": _(
        "With a medium, %(network)s accepts a caption of %(limit)s %(unit)s; this one has %(length)s."
    ),
    "text_too_many_bytes": _("The text takes %(length)s bytes; %(network)s accepts %(limit)s."),
    "forbidden_character": _(
        "%(network)s refuses the invisible character %(character)s in a post."
    ),
    "too_many_hashtags": _("The text has %(count)s hashtags; %(network)s accepts %(limit)s."),
    "too_many_topic_tags": _(
        "%(network)s makes only the first hashtag a topic; %(count)s were written."
    ),
    "hashtag_too_long": _(
        "The hashtag #%(tag)s is longer than %(limit)s characters; %(network)s won't link it."
    ),
    "too_many_links": _("The text has %(count)s links; %(network)s accepts %(limit)s."),
    "title_required": _("%(network)s needs a title."),
    "title_too_long": _("The title is %(length)s characters long; %(network)s accepts %(limit)s."),
    "duplicate_text": _("%(network)s refuses a text identical to a recent post."),
    "too_many_media": _("The post has %(count)s media; %(network)s accepts %(limit)s."),
    "media_mix_not_allowed": _("%(network)s does not accept %(kinds)s together in one post."),
    "media_kind_not_supported": _("Ambassade cannot send a %(kind)s to %(network)s."),
    "media_type_not_supported": _("%(network)s does not accept files of type %(mime_type)s."),
    "media_too_large": _("The file weighs %(size)s bytes; %(network)s accepts %(limit)s."),
    "media_not_sent": _(
        "Ambassade cannot send images or videos to %(network)s yet: publish the text alone, or a "
        "link."
    ),
    "media_url_not_public": _(
        "%(network)s fetches media itself, from this server's public address: set "
        "AMBASSADE_BASE_URL to an http(s) address reachable from the internet."
    ),
    "alt_text_missing": _(
        "This %(kind)s has no description (alt text) for people who can't see it."
    ),
    "alt_text_too_long": _(
        "The description is %(length)s characters long; %(network)s accepts %(limit)s."
    ),
}

#: The words a problem's parameters are made of: ``unit`` (the network's counting unit) and
#: ``kind``/``kinds`` (of media), stored as codes of their own and worded with the sentence.
register_all(
    {
        "publishing.unit.characters": _("characters"),
        "publishing.unit.graphemes": _("characters"),
        "publishing.unit.weighted_characters": _("characters"),
        "publishing.unit.bytes": _("bytes"),
        "publishing.media.image": _("image"),
        "publishing.media.gif": _("GIF"),
        "publishing.media.video": _("video"),
        "publishing.media.document": _("document"),
    }
)


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
        # The demo's accounts, marked as needing reconnection (publishing/demo.py).
        "publishing.demo_account": _(
            "Demo account: it has no real token, so nothing is sent. Connect a real account to "
            "publish."
        ),
        "outbox.demo_recorded": _(
            "Demo data: recorded as published by the demo, nothing was sent to %(network)s."
        ),
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


#: Stored problems: ``publishing.problem.<code>`` with the engine's parameters.
register_all({f"publishing.problem.{code}": wording for code, wording in MESSAGES.items()})


def _word(prefix: str, value: str) -> StoredMessage | str:
    code = f"{prefix}{value}"
    return StoredMessage(code) if code in CATALOGUE else value


def _params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A problem's parameters with its words (unit, kinds of media) as codes, so that they read
    in the reader's language. Idempotent: what is a code already stays so."""
    found = dict(params)
    if isinstance(found.get("unit"), str):
        found["unit"] = _word("publishing.unit.", found["unit"])
    if isinstance(found.get("kind"), str):
        found["kind"] = _word("publishing.media.", found["kind"])
    if isinstance(found.get("kinds"), str):
        found["kinds"] = [
            StoredMessage.of(_word("publishing.media.", kind.strip()))
            for kind in found["kinds"].split(",")
            if kind.strip()
        ]
    return found


# Problems stored before their words were codes (and before their wordings were %-style) kept
# ``unit`` and ``kind`` as English words: they read through the same conversion.
for _code in MESSAGES:
    register_upgrade(f"publishing.problem.{_code}", _params)


def problem_message(problem: Problem) -> str:
    """``problem`` in the active language."""
    return problem_coded(problem).words()


def problem_coded(problem: Problem) -> StoredMessage:
    """``problem`` as a message to store, worded when read (its English text when unknown here)."""
    if problem.code not in MESSAGES:
        return StoredMessage(text=problem.message())
    return coded(f"publishing.problem.{problem.code}", **_params(problem.params))
