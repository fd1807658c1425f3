"""LinkedIn's "little text" format for post commentary.

In the Posts API, ``commentary`` is little text: ``@[Name](urn:li:organization:123)`` is a mention,
``#tag`` a hashtag, and the characters ``\\ | { } @ [ ] ( ) < > # * _ ~`` are reserved. A reserved
character left unescaped does not fail the call: LinkedIn cuts the text there and publishes the stump.
So every reserved character is escaped with a backslash, except in the syntax the caller wants kept.
"""

from __future__ import annotations

import regex

from ambassade.engine.publishing._entities import extract_hashtags, extract_mentions, extract_urls
from ambassade.engine.publishing._rules import Network

LITTLE_TEXT_RESERVED = frozenset("\\|{}@[]()<>#*_~")
_RESERVED = regex.compile(r"[\\|{}@\[\]()<>#*_~]")


def escape_little_text(
    text: str,
    *,
    keep_mentions: bool = False,
    keep_hashtags: bool = False,
    keep_urls: bool = True,
) -> str:
    """Escape `text` for LinkedIn's ``commentary``.

    `keep_mentions` leaves ``@[Name](urn:li:…)`` mentions as mentions, `keep_hashtags` leaves
    ``#tag`` as hashtags; links are left whole by default so that LinkedIn still links them (a
    backslash inside a URL would change the URL).
    """
    kept: list[tuple[int, int]] = []
    if keep_urls:
        kept += [url.span for url in extract_urls(text, Network.LINKEDIN)]
    if keep_mentions:
        kept += [mention.span for mention in extract_mentions(text, Network.LINKEDIN)]
    if keep_hashtags:
        kept += [tag.span for tag in extract_hashtags(text, Network.LINKEDIN)]
    kept.sort()
    pieces: list[str] = []
    position = 0
    for start, end in kept:
        if start < position:
            continue
        pieces.append(_RESERVED.sub(r"\\\g<0>", text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(_RESERVED.sub(r"\\\g<0>", text[position:]))
    return "".join(pieces)


def unescape_little_text(text: str) -> str:
    """The plain text a little-text string shows (the reverse of `escape_little_text`)."""
    return regex.sub(r"\\([\\|{}@\[\]()<>#*_~])", r"\1", text)
