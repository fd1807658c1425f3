from __future__ import annotations

from dataclasses import dataclass

from ._text import Scanned, Token, normalise, scan, to_tokens, url_host

__all__ = ["Document", "PreparedDocument", "prepare"]

_URL_TRAILING = ".,;:!?)]}'’…"
MAX_HOST = 253
"""The longest host name DNS allows: a longer "host" is not one, and ``site:`` never matches it (each
of its suffixes would be a key, the square of its length in all)."""


@dataclass(frozen=True, slots=True)
class Document:
    """A message to match: its text and what the field filters read."""

    text: str
    lang: str | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None


class PreparedDocument:
    """A document tokenised once, with its metadata normalised the way queries are.

    ``scanned`` holds the raw (url, sign, word) triples the compiled matcher reads; ``tokens`` the
    same as :class:`Token` values (built on first use). ``langs`` holds the language tag and its
    primary subtag (``fr-ca`` and ``fr``); ``urls`` the message's own URL first, then its links.
    """

    __slots__ = ("_tokens", "author", "hosts", "langs", "scanned", "source", "urls")

    def __init__(self, document: Document) -> None:
        self.scanned: list[Scanned] = scan(normalise(document.text))
        self._tokens: tuple[Token, ...] | None = None
        self.langs: frozenset[str] = frozenset()
        if document.lang:
            lang = normalise(document.lang).strip().replace("_", "-")
            self.langs = frozenset((lang, lang.split("-", 1)[0]))
        urls = [url.rstrip(_URL_TRAILING) for url, _, _ in self.scanned if url]
        if document.url:
            urls.insert(0, normalise(document.url).strip())
        self.urls: tuple[str, ...] = tuple(urls)
        self.hosts: tuple[str, ...] = (
            tuple(dict.fromkeys(h for h in map(url_host, urls) if h and len(h) <= MAX_HOST))
            if urls
            else ()
        )
        self.source: str = normalise(document.source).strip() if document.source else ""
        self.author: str = (
            normalise(document.author).strip().removeprefix("@") if document.author else ""
        )

    @property
    def tokens(self) -> tuple[Token, ...]:
        if self._tokens is None:
            self._tokens = tuple(to_tokens(self.scanned))
        return self._tokens


def prepare(document: Document) -> PreparedDocument:
    """Tokenise and normalise a document once, for any number of queries."""
    return PreparedDocument(document)
