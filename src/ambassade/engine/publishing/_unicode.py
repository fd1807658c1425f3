"""Unicode measures the networks count in: grapheme clusters, code points, UTF-8 bytes, UTF-16 units.

Grapheme clusters are UAX #29 extended grapheme clusters, from the `regex` module's ``\\X`` (kept up to
date with Unicode, unlike the standard library's `re`, which has no cluster support at all). Emoji
detection uses the Unicode emoji properties the same module exposes.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

_CLUSTER = regex.compile(r"\X")

# A grapheme cluster is shown as an emoji when it holds a code point presented as emoji by default,
# a skin-tone modifier, a pictograph forced to emoji style by VS16 (U+FE0F), a keycap sequence or a
# pair of regional indicators (a flag). Text-style pictographs such as a bare "©" are not emoji.
_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\p{Emoji_Modifier}|\p{Extended_Pictographic}\uFE0F"
    r"|[0-9#*]\uFE0F?\u20E3|\p{Regional_Indicator}{2}|\p{Emoji}\uFE0F"
)


def graphemes(text: str) -> list[str]:
    """The extended grapheme clusters of `text`, in order."""
    return _CLUSTER.findall(text)


def iter_clusters(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) code point offsets of each grapheme cluster of text[start:end]."""
    stop = len(text) if end is None else end
    for match in _CLUSTER.finditer(text, start, stop):
        yield match.start(), match.end()


def grapheme_length(text: str) -> int:
    """How many user-perceived characters: 👨‍👩‍👧‍👦 is one, 🇫🇷 is one, "é" (e + U+0301) is one."""
    return sum(1 for _ in _CLUSTER.finditer(text))


def utf8_length(text: str) -> int:
    """Bytes in UTF-8 (lone surrogates, which cannot be encoded, count as 3 bytes like CESU-8)."""
    return len(text.encode("utf-8", "surrogatepass"))


def utf16_length(text: str) -> int:
    """UTF-16 code units, what JavaScript's and Java's `length` return."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def is_emoji(cluster: str) -> bool:
    """Whether a grapheme cluster is displayed as one emoji."""
    return _EMOJI.search(cluster) is not None
