"""Watched words and phrases, compiled once into one Aho–Corasick automaton (pyahocorasick).

A watched word is written as a person types it: ``idiot``, ``casse-toi``, ``l'arnaque``, ``con*``,
``*phobe``, ``en*lé``. It is folded like messages are (:mod:`._fold`), so case, accents and
punctuation do not matter, and it matches whole words only: ``con`` does not match ``conseil``,
``con*`` does. ``*`` stands for any letters and digits within one word (never a space), at the start,
the end or the middle of a word. There is no regular expression anywhere: a pattern without ``*`` is a
key of the automaton whose every hit is a match; a pattern with ``*`` is found through its longest
literal piece, then checked word by word with :func:`glob` (``str.startswith``, ``endswith`` and
``find`` from left to right: linear in the word, never backtracking).

:meth:`WordIndex.search` reports, for each list, the patterns found and where, and counts its work
(characters scanned, automaton outputs, characters compared), which the tests bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import ahocorasick

from ._errors import InvalidRule
from ._fold import Folded, fold_char

__all__ = [
    "MAX_PATTERN_CHARS",
    "MAX_WORDS",
    "Hit",
    "WordIndex",
    "fold_pattern",
    "glob",
]

MAX_WORDS: Final = 2_000
"""Watched words of one list (Discourse keeps as many per action)."""
MAX_PATTERN_CHARS: Final = 100
MIN_LITERAL: Final = 2
"""Letters or digits a pattern needs besides its ``*`` (``*`` or ``a*`` alone would match everything)."""


def fold_pattern(typed: str) -> tuple[str, ...]:
    """The folded words of a pattern, each holding its ``*``. InvalidRule when it is empty, too
    long, or has fewer than :data:`MIN_LITERAL` letters or digits."""
    typed = typed.strip()
    if len(typed) > MAX_PATTERN_CHARS:
        raise InvalidRule(
            f"the watched word {typed[:40]!r}… is longer than {MAX_PATTERN_CHARS} characters",
            code="moderation.word_too_long",
            params={"word": typed[:40], "limit": MAX_PATTERN_CHARS},
            field="words",
        )
    folded = "".join("*" if char == "*" else fold_char(char) for char in typed)
    tokens = []
    for token in folded.split():
        while "**" in token:
            token = token.replace("**", "*")
        tokens.append(token)
    if sum(len(token.replace("*", "")) for token in tokens) < MIN_LITERAL:
        raise InvalidRule(
            f"the watched word {typed!r} needs at least {MIN_LITERAL} letters or digits",
            code="moderation.word_too_short",
            params={"word": typed, "minimum": MIN_LITERAL},
            field="words",
        )
    return tuple(tokens)


def glob(pattern: str, word: str) -> bool:
    """Whether ``word`` matches ``pattern``, where ``*`` stands for any run of characters. The
    pieces between stars are found from left to right, each at its leftmost place (which is
    always right when ``*`` is the only wildcard): linear in ``word`` for each piece."""
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return pattern == word
    first, last = pieces[0], pieces[-1]
    if len(word) < len(first) + len(last) or not word.startswith(first):
        return False
    if last and not word.endswith(last):
        return False
    position, stop = len(first), len(word) - len(last)
    for piece in pieces[1:-1]:
        if not piece:
            continue
        found = word.find(piece, position, stop)
        if found < 0:
            return False
        position = found + len(piece)
    return True


@dataclass(frozen=True, slots=True)
class Hit:
    """Pattern ``pattern`` (its index in :attr:`WordIndex.patterns`) matched the folded words
    ``text[start:end]``."""

    pattern: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Key:
    pattern: int
    length: int
    # For a pattern with "*": the word of the pattern where the key's first letter stands (None for
    # an exact pattern, whose every hit is a match) and how many spaces the key opens with.
    token: int | None = None
    lead: int = 0


class WordIndex:
    """Every watched word of every list, compiled together. ``lists`` maps a list's id to its
    patterns as typed."""

    def __init__(self, lists: Mapping[str, Sequence[str]]) -> None:
        self.patterns: list[tuple[str, ...]] = []
        #: The pattern as first typed, for display.
        self.typed: list[str] = []
        #: For each pattern, the lists holding it.
        self.owners: list[list[str]] = []
        self.starred: int = 0
        number: dict[tuple[str, ...], int] = {}
        for list_id, words in lists.items():
            words = [word for word in words if word.strip()]
            if len(words) > MAX_WORDS:
                raise InvalidRule(
                    f"a list holds at most {MAX_WORDS} watched words, not {len(words)}",
                    code="moderation.too_many_words",
                    params={"count": len(words), "limit": MAX_WORDS},
                    field="words",
                )
            for word in words:
                tokens = fold_pattern(word)
                index = number.get(tokens)
                if index is None:
                    index = number[tokens] = len(self.patterns)
                    self.patterns.append(tokens)
                    self.typed.append(word.strip())
                    self.owners.append([])
                if list_id not in self.owners[index]:
                    self.owners[index].append(list_id)
        self._keys: list[list[_Key]] = []
        self._automaton: Any = None
        if self.patterns:
            self._build()

    def _build(self) -> None:
        key_number: dict[str, int] = {}
        for index, tokens in enumerate(self.patterns):
            spaced = " " + " ".join(tokens) + " "
            if "*" not in spaced:
                key, entry = spaced, _Key(index, len(spaced))
            else:
                self.starred += 1
                key, entry = _anchor(index, spaced)
            number = key_number.get(key)
            if number is None:
                number = key_number[key] = len(self._keys)
                self._keys.append([])
            self._keys[number].append(entry)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, number in key_number.items():
            automaton.add_word(key, number)
        automaton.make_automaton()
        self._automaton = automaton

    def __len__(self) -> int:
        return len(self.patterns)

    def search(self, folded: Folded) -> tuple[dict[str, list[Hit]], int]:
        """The hits of each list in ``folded`` (lists without any left out), and the work done:
        characters scanned, automaton outputs and characters compared while checking patterns
        with ``*``."""
        found: dict[str, list[Hit]] = {}
        if self._automaton is None:
            return found, 0
        text = folded.text
        work = len(text)
        checked: set[tuple[int, int]] = set()
        keys, patterns, owners = self._keys, self.patterns, self.owners
        for end, number in self._automaton.iter(text):
            for entry in keys[number]:
                work += 1
                if entry.token is None:
                    hit = Hit(entry.pattern, end - entry.length + 2, end)
                else:
                    # The word the key was found in, then back to the pattern's first word.
                    start = text.rfind(" ", 0, end - entry.length + 1 + entry.lead) + 1
                    for _ in range(entry.token):
                        start = text.rfind(" ", 0, start - 1) + 1 if start > 1 else -1
                    if start <= 0 or (entry.pattern, start) in checked:
                        continue
                    checked.add((entry.pattern, start))
                    tokens = patterns[entry.pattern]
                    stop = start - 1
                    for _ in tokens:
                        stop = text.find(" ", stop + 1)
                        if stop < 0:
                            break
                    if stop < 0:
                        continue
                    work += 2 * (stop - start)
                    words = text[start:stop].split(" ")
                    if not all(glob(t, w) for t, w in zip(tokens, words, strict=True)):
                        continue
                    hit = Hit(entry.pattern, start, stop)
                for list_id in owners[entry.pattern]:
                    found.setdefault(list_id, []).append(hit)
        return found, work


def _anchor(index: int, spaced: str) -> tuple[str, _Key]:
    """The longest piece of a starred pattern between its stars, as the automaton's key."""
    pieces = spaced.split("*")
    offsets, position = [], 0
    for piece in pieces:
        offsets.append(position)
        position += len(piece) + 1
    best = max(range(len(pieces)), key=lambda i: (len(pieces[i].strip()), len(pieces[i])))
    piece, offset = pieces[best], offsets[best]
    lead = len(piece) - len(piece.lstrip(" "))
    token = spaced[: offset + lead].count(" ") - 1
    return piece, _Key(index, len(piece), token, lead)


def typed_words(text: str) -> list[str]:
    """A list of watched words as a person writes it: one per line, or separated by commas."""
    words: Iterable[str] = (part.strip() for line in text.splitlines() for part in line.split(","))
    return list(dict.fromkeys(word for word in words if word))
