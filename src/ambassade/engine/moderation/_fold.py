"""Folded text: what watched words are matched against.

A message is folded once: case folded, accents removed (``É`` → ``e``), ligatures opened (``œ`` →
``oe``), apostrophes and every other character that is not a letter or a digit turned into a single
space, with a space at both ends. So ``L’IDIOT !`` folds to `` l idiot `` and a watched word is the
key `` idiot ``: word boundaries are spaces, and the French elisions (``l'``, ``qu'``, ``d'``,
``j'``…) stand apart from the word they elide. The fold remembers where each of its words came
from, so a match can be highlighted in the text as it was written (:meth:`Folded.original`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import Final

__all__ = ["MAX_CHARS", "Folded", "fold", "fold_char"]

MAX_CHARS: Final = 10_000
"""Watched words read at most this many characters of a message (as the text engine does)."""

_EXTRA: Final = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_WORD: Final = re.compile(r"[^ ]+")
_IRREGULAR: set[str] = set()
_TABLE_LIMIT: Final = 50_000


def fold_char(char: str) -> str:
    """The folded form of one character: lower-case letters and digits without accents (one or
    more characters), "" for a combining mark, or " " for anything else (a separator)."""
    if char in _EXTRA or char.lower() in _EXTRA:
        return _EXTRA[char.lower()]
    if unicodedata.category(char) == "Mn":
        return ""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    if kept and all(c.isalnum() for c in kept) and "_" not in kept:
        return "".join(_EXTRA.get(c, c) for c in kept)
    return " "


class _Table(dict[int, str]):
    """``str.translate`` table that folds characters as it meets them."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = fold_char(char)
        # Kept as characters are met; bounded so that exotic characters cannot grow it forever.
        if len(self) < _TABLE_LIMIT:
            self[code] = folded
        if len(folded) != 1:
            _IRREGULAR.add(char)
        return folded


_TRANSLATE: Final = _Table()


class Folded:
    """A folded message: ``text`` (words separated by single spaces, a space at both ends), with
    the start of each word in ``text`` (``starts``) and where each came from in the original
    message, worked out on first use (most messages match nothing and never need them)."""

    __slots__ = ("_chars", "_origins", "_starts", "_translated", "text")

    def __init__(
        self,
        text: str,
        *,
        translated: str = "",
        starts: list[int] | None = None,
        chars: list[int] | None = None,
    ) -> None:
        self.text = text
        self._translated = translated
        self._starts = starts
        self._origins: list[int] = []
        self._chars = chars

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            starts: list[int] = []
            origins = self._origins
            position = 1
            for found in _WORD.finditer(self._translated):
                starts.append(position)
                origins.append(found.start())
                position += found.end() - found.start() + 1
            self._starts = starts
        return self._starts

    @property
    def words(self) -> int:
        return len(self.starts)

    def word_at(self, position: int) -> int:
        """The index of the word holding ``position`` of ``text`` (or the word before a space)."""
        return bisect_right(self.starts, position) - 1

    def word_end(self, index: int) -> int:
        """Where word ``index`` ends in ``text`` (the space after it)."""
        return self.text.index(" ", self.starts[index])

    def _origin(self, position: int) -> int:
        if self._chars is not None:
            return self._chars[position]
        word = self.word_at(position)
        return self._origins[word] + position - self.starts[word]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original message that the folded words ``text[start:end]`` came from
        (``start`` at a word's start, ``end`` at a word's end)."""
        return self._origin(start), self._origin(end - 1) + 1


def fold(message: str) -> Folded:
    """Fold the first :data:`MAX_CHARS` characters of ``message``."""
    message = message[:MAX_CHARS]
    translated = message.translate(_TRANSLATE)
    regular = len(translated) == len(message) and not (_IRREGULAR and _IRREGULAR & set(message))
    if regular:
        words = translated.split(" ")
        if "" in words:
            words = [word for word in words if word]
        text = " " + " ".join(words) + " " if words else " "
        return Folded(text, translated=translated)
    return _fold_slowly(message)


def _fold_slowly(message: str) -> Folded:
    """Character by character, when some character folds to more or fewer than one."""
    out: list[str] = [" "]
    chars: list[int] = [0]
    starts: list[int] = []
    in_word = False
    for index, char in enumerate(message):
        folded = _TRANSLATE[ord(char)]
        if folded == " ":
            if in_word:
                out.append(" ")
                chars.append(index)
                in_word = False
            continue
        for piece in folded:
            if not in_word:
                starts.append(len(out))
                in_word = True
            out.append(piece)
            chars.append(index)
    if in_word:
        out.append(" ")
        chars.append(len(message))
    return Folded("".join(out), starts=starts, chars=chars)
