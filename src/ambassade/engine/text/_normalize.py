"""Text normalisation shared by every model, at training and at inference time.

The same function must run in both places: a model is only as good as the match between the text it was
trained on and the text it sees.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "MAX_LANGUAGE_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_WORD_CHARS",
    "bound",
    "language_view",
    "normalize",
    "strip_for_language",
    "strip_links",
    "strip_markup",
    "tokenize",
]

MAX_TEXT_CHARS = 10_000
"""Every analysis step (scores, fingerprint, keywords) reads at most this many characters of a message:
its beginning, cut at a space when one is near. Longer texts are analysed by that beginning alone, so
that no message costs more than a bounded time (docs/text-analysis.md, "Input limits")."""
MAX_LANGUAGE_CHARS = 1_000
"""Language identification reads at most this many characters of the stripped text (letters and spaces)."""
MAX_WORD_CHARS = 64
"""Language identification cuts each word to this many letters: lingua's cost grows with the square of
a word's length (one 100,000-letter word took 22 s), and no word of a real language is longer."""
_NEAR = 200
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD_CHARS + 1},}}")

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|net|org|ly|be|fr|io|co)(?:/\S*)?\b", re.I
)
_MENTION = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#\w+")
_TAG = re.compile(r"<[^>]{0,200}>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]{0,200}>.{0,2000}?</\1\s*>", re.I | re.S)
# Control and format characters (zero-width joiners, bidi marks, variation selectors, BOM): invisible
# characters that would otherwise split words or become tokens of their own.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]"
)
# Phone numbers and other long digit runs (7 digits or more, maybe with spaces, dots or dashes): one
# placeholder, so that a phone number in a spam comment looks like every other phone number.
_NUMBER = re.compile(r"(?<!\w)\+?\d[\d .-]{5,}\d(?!\w)")
NUMBER = "num0"
_SPACE = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")
# Latin combining accents only: Devanagari or Arabic vowel signs are combining marks too, and must stay.
_ACCENT = re.compile("[\u0300-\u036f]")
_TOKEN = re.compile(r"@user|\w+|[^\w\s]")
_NON_LETTER = re.compile(r"[\W\d_]+")


def normalize(text: str) -> str:
    """Lower-cased, de-accented (Latin only), URLs → ``http``, @mentions → ``@user``, phone numbers
    and other long digit runs → ``num0``, HTML decoded, invisible characters dropped, letters
    repeated more than twice cut to two, whitespace collapsed."""
    text = _INVISIBLE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _URL.sub(" http ", text)
    text = _MENTION.sub(" @user ", text)
    text = _NUMBER.sub(f" {NUMBER} ", text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = _ACCENT.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _REPEAT.sub(r"\1\1", text)
    return _SPACE.sub(" ", text).strip()


def bound(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """The first ``limit`` characters of ``text`` at most, cut at the last whitespace of the final
    200 characters when there is one (so the last word is not cut in two)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(" ", limit - _NEAR), head.rfind("\n", limit - _NEAR))
    return head[:cut] if cut > 0 else head


def language_view(text: str) -> str:
    """What language identification reads: :func:`strip_for_language` of the text's beginning, every
    word cut to :data:`MAX_WORD_CHARS` letters, at most :data:`MAX_LANGUAGE_CHARS` characters."""
    stripped = strip_for_language(bound(text))
    if len(stripped) > MAX_WORD_CHARS:
        stripped = _LONG_WORD.sub(lambda word: word.group()[:MAX_WORD_CHARS], stripped)
    return bound(stripped, MAX_LANGUAGE_CHARS)


def strip_for_language(text: str) -> str:
    """The words of a message only: URLs, @mentions, #hashtags, emoji, digits and punctuation removed,
    so that they do not sway language identification."""
    text = _INVISIBLE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _NON_LETTER.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def strip_markup(text: str) -> str:
    """``text`` without HTML tags (and without what scripts and styles hold), its entities decoded
    and invisible characters dropped: what a person reads of it."""
    text = _INVISIBLE.sub(" ", text)
    if "<" in text:
        text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    return text


def strip_links(text: str) -> str:
    """``text`` without URLs, @mentions and #hashtags (invisible characters, HTML tags and entities
    dropped first); punctuation stays."""
    text = _INVISIBLE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return _HASHTAG.sub(" ", text)


def tokenize(normalized: str) -> list[str]:
    """Words, ``@user``, and each punctuation mark or emoji as a token of its own."""
    return _TOKEN.findall(normalized)
