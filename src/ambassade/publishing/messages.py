"""The engine's validation messages in the person's language.

``engine.publishing`` is pure Python and speaks English; each of its problem codes gets a translated
sentence here, with the same placeholders. A code missing here falls back to the engine's text (a
test checks that none is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ambassade.engine.publishing import Problem

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


def problem_message(problem: Problem) -> str:
    template = MESSAGES.get(problem.code)
    if template is None:
        return problem.message()
    params = dict(problem.params)
    if "unit" in params:
        params["unit"] = str(UNITS.get(str(params["unit"]), params["unit"]))
    return str(template).format(**params)


def in_language(workspace: Any, build: Callable[[], str]) -> str:
    """A sentence stored once (a variant's error, a rejection reason), in the workspace's language,
    so that every page and the status webhook show the same words."""
    with translation.override(workspace.language):
        return build()
