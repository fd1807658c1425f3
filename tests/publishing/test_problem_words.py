"""A network's rules' problems are worded like every other message (``%(name)s`` wordings, a code and
parameters), their words (counting unit, kinds of media) in the reader's language, and problems
stored before that still read right (publishing/messages.py)."""

from __future__ import annotations

import json

from django.utils import translation

from ambassade.engine.publishing import Problem, Severity
from ambassade.publishing.messages import MESSAGES, problem_coded, problem_message
from ambassade.workspaces.messages import StoredMessage, coded

# As an earlier version stored them: the engine's parameters as they were, English words included.
OLD_TOO_LONG = json.dumps(
    {
        "code": "publishing.problem.text_too_long",
        "params": {"length": 600, "limit": 500, "network": "Mastodon", "unit": "characters"},
        "text": "The text is 600 characters long; Mastodon accepts 500.",
    }
)
OLD_ALT = {
    "code": "publishing.problem.alt_text_missing",
    "params": {"kind": "video", "network": "Bluesky"},
    "text": "This video has no description (alt text) for people who can't see it.",
}


def test_its_wordings_are_percent_style() -> None:
    for code, wording in MESSAGES.items():
        text = str(wording)
        assert "{" not in text and "}" not in text, code
    with translation.override("fr"):
        for code, wording in MESSAGES.items():
            assert "{" not in str(wording), code


def test_it_reads_problems_stored_before_in_either_language() -> None:
    stored = StoredMessage.from_db(OLD_TOO_LONG)
    with translation.override("fr"):
        assert stored.words() == "Le texte fait 600 caractères ; Mastodon en accepte 500."
    with translation.override("en"):
        assert stored.words() == "The text is 600 characters long; Mastodon accepts 500."
    # Inside another message, as moderation keeps why a warning was not sent.
    outer = StoredMessage.from_db(coded("moderation.not_sent", reason=OLD_ALT).to_db())
    with translation.override("fr"):
        worded = outer.words()
    assert "Ce média (vidéo) n'a pas de description" in worded, worded


def test_it_stores_a_problem_with_its_words_as_codes() -> None:
    problem = Problem(
        "media_mix_not_allowed", Severity.ERROR, {"network": "Instagram", "kinds": "gif, video"}
    )
    stored = StoredMessage.from_db(problem_coded(problem).to_db())
    assert [item.code for item in stored.params["kinds"]] == [
        "publishing.media.gif",
        "publishing.media.video",
    ]
    assert stored.text == "Instagram does not accept GIF; video together in one post."
    with translation.override("fr"):
        assert "vidéo" in stored.words() and "{" not in stored.words()
    too_long = Problem(
        "text_too_long",
        Severity.ERROR,
        {"network": "Bluesky", "length": 12_000, "limit": 300, "unit": "graphemes"},
    )
    with translation.override("fr"):
        assert (
            problem_message(too_long)
            == "Le texte fait 12\xa0000 caractères ; Bluesky en accepte 300."
        )
    with translation.override("en"):
        assert (
            problem_message(too_long) == "The text is 12,000 characters long; Bluesky accepts 300."
        )
