"""Normalisation and tokenisation, shared by queries and documents so both sides agree exactly.

Normalised text is Unicode NFKC, lower case, with every non-spacing mark removed (so accents go:
``Café`` → ``cafe``). Tokens are, in order of appearance:

- ``url``: ``http://…``, ``https://…`` or ``www.…`` up to the next space, minus trailing
  punctuation;
- ``hashtag`` / ``mention``: a word right after ``#`` / ``@`` (wherever the sign stands: the
  address ``jean@example.com`` reads as the word ``jean``, the mention ``example``, the word
  ``com``);
- ``word``: a run of letters and digits. Everything else (apostrophes, hyphens, ``_``…)
  separates words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Final, Literal, NamedTuple

__all__ = [
    "Scanned",
    "Token",
    "TokenKind",
    "normalise",
    "scan",
    "to_tokens",
    "tokenise",
    "url_body",
    "url_host",
]

TokenKind = Literal["word", "hashtag", "mention", "url"]


class Token(NamedTuple):
    kind: TokenKind
    text: str


# (url, sign, word): one of url and word is empty; sign is "", "#" or "@".
Scanned = tuple[str, str, str]
_TOKEN: Final = re.compile(r"((?:https?://|www\.)[^\s<>\"«»“”]+)|([#@]?)([^\W_]+)")
_URL_TRAILING: Final = ".,;:!?)]}'’…"  # not part of a link at its end
_KINDS: Final[dict[str, TokenKind]] = {"": "word", "#": "hashtag", "@": "mention"}


@cache
def _marks() -> dict[int, None]:
    """Every non-spacing mark (accents and the like), to delete with str.translate."""
    planes = (range(0x300, 0x30000), range(0xE0000, 0xE1000))
    found: dict[int, None] = {}
    for plane in planes:
        for code in plane:
            if unicodedata.category(chr(code)) == "Mn":
                found[code] = None
    return found


def normalise(text: str) -> str:
    """NFKC, lower case, accents removed. Idempotent."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).lower()
    text = unicodedata.normalize("NFD", text).translate(_marks())
    return unicodedata.normalize("NFC", text)


def scan(text: str) -> list[Scanned]:
    """The raw tokens of normalised text as (url, sign, word) triples, the form matchers read."""
    return _TOKEN.findall(text)


def tokenise(text: str, *, normalised: bool = False) -> list[Token]:
    """The tokens of `text` (normalised first unless `normalised` says it already is)."""
    return to_tokens(scan(text if normalised else normalise(text)))


def to_tokens(scanned: list[Scanned]) -> list[Token]:
    return [
        Token("url", url.rstrip(_URL_TRAILING)) if url else Token(_KINDS[sign], word)
        for url, sign, word in scanned
    ]


def url_body(url: str) -> str:
    """A normalised URL without its scheme and a leading ``www.``: what ``url:`` compares."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme) :]
            break
    return url.removeprefix("www.")


def url_host(url: str) -> str:
    """The host of a normalised URL (scheme, user, port and path removed)."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            url = url[len(scheme) :]
            break
    host = re.split(r"[/?#]", url, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return host.rstrip(".")
