"""Sparse TF-IDF features over word unigrams, word bigrams and character n-grams of each word.

The vocabulary is fixed at training time. A message becomes a row of a CSR matrix (``indptr``,
``indices``, ``values``) built with numpy alone; each block (words, bigrams, characters) is L2-normalised
on its own, like scikit-learn's FeatureUnion of TfidfVectorizers would.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ambassade.engine.text._normalize import tokenize

__all__ = ["BLOCKS", "CHAR_RANGE", "Features", "Featurizer", "char_ngrams", "raw_terms"]

BLOCKS = ("w", "b", "c", "m")
"""Feature blocks, the prefix of each vocabulary entry: ``w:word``, ``b:word word``, ``c:gram``, and
``m:__marker__`` for lexicon markers (a word of a lexicon, e.g. ``__profanity__``)."""
CHAR_RANGE = (2, 5)
_CACHE_LIMIT = 300_000
_WORD_CHAR = str.isalnum

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


def char_ngrams(token: str) -> list[str]:
    """Character n-grams of one word, padded with a space on each side (scikit-learn's ``char_wb``)."""
    padded = f" {token} "
    low, high = CHAR_RANGE
    size = len(padded)
    return [padded[i : i + n] for n in range(low, high + 1) for i in range(size - n + 1)]


def raw_terms(tokens: Sequence[str], markers: Mapping[str, str] | None = None) -> list[str]:
    """Every vocabulary term a token list can produce (used to build the vocabulary).

    ``markers`` maps lexicon words to a marker (``__profanity__``), a block of its own.
    """
    terms = [f"w:{tok}" for tok in tokens]
    if markers:
        terms += [f"m:{markers[tok]}" for tok in tokens if tok in markers]
    terms += [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    for tok in tokens:
        if _WORD_CHAR(tok[0]):
            terms += [f"c:{gram}" for gram in char_ngrams(tok)]
    return terms


@dataclass(frozen=True)
class Features:
    """A CSR matrix: row ``i`` is ``indices[indptr[i]:indptr[i+1]]`` with ``values`` alike."""

    indptr: IntArray
    indices: IntArray
    values: FloatArray
    n_features: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1


class Featurizer:
    """Maps normalised texts to TF-IDF rows over a fixed vocabulary."""

    def __init__(
        self,
        vocabulary: Sequence[str],
        idf: npt.ArrayLike,
        markers: Mapping[str, str] | None = None,
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.markers = dict(markers or {})
        self.idf = np.asarray(idf, dtype=np.float32)
        if len(self.idf) != len(self.vocabulary):
            raise ValueError("idf and vocabulary differ in length")
        self._words: dict[str, int] = {}
        self._bigrams: dict[str, int] = {}
        self._chars: dict[str, int] = {}
        self._markers: dict[str, int] = {}
        tables = {"w": self._words, "b": self._bigrams, "c": self._chars, "m": self._markers}
        block = np.zeros(len(self.vocabulary), dtype=np.int64)
        for index, term in enumerate(self.vocabulary):
            kind, _, key = term.partition(":")
            tables[kind][key] = index
            block[index] = BLOCKS.index(kind)
        self.block = block
        self._token_cache: dict[str, list[int]] = {}

    @property
    def n_features(self) -> int:
        return len(self.vocabulary)

    def word_index(self, token: str) -> int | None:
        """The vocabulary id of a word unigram, or None."""
        return self._words.get(token)

    def _token_ids(self, token: str) -> list[int]:
        cached = self._token_cache.get(token)
        if cached is not None:
            return cached
        ids = []
        word = self._words.get(token)
        if word is not None:
            ids.append(word)
        marker = self.markers.get(token)
        if marker is not None and marker in self._markers:
            ids.append(self._markers[marker])
        if _WORD_CHAR(token[0]):
            chars = self._chars
            ids += [i for i in map(chars.get, char_ngrams(token)) if i is not None]
        if len(self._token_cache) >= _CACHE_LIMIT:
            self._token_cache.clear()
        self._token_cache[token] = ids
        return ids

    def term_ids(self, tokens: Sequence[str]) -> list[int]:
        """Vocabulary ids of every term of one token list, repeated as often as they occur."""
        ids: list[int] = []
        token_ids = self._token_ids
        for tok in tokens:
            ids += token_ids(tok)
        if len(tokens) > 1:
            bigrams = self._bigrams
            pairs = map(" ".join, itertools.pairwise(tokens))
            ids += [i for i in map(bigrams.get, pairs) if i is not None]
        return ids

    def transform(self, normalized: Sequence[str]) -> Features:
        """TF-IDF rows (sublinear term frequency, per-block L2 norm) for normalised texts."""
        counts = np.zeros(len(normalized) + 1, dtype=np.int64)
        flat: list[int] = []
        for row, text in enumerate(normalized):
            ids = self.term_ids(tokenize(text))
            flat += ids
            counts[row + 1] = len(ids)
        n_rows = len(normalized)
        if not flat:
            return Features(
                np.zeros(n_rows + 1, dtype=np.int64),
                np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.float32),
                self.n_features,
            )
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), counts[1:])
        keys = rows * self.n_features + np.asarray(flat, dtype=np.int64)
        unique, tf = np.unique(keys, return_counts=True)
        rows = unique // self.n_features
        cols = unique - rows * self.n_features
        values = (1.0 + np.log(tf.astype(np.float32))) * self.idf[cols]
        norm_keys = rows * len(BLOCKS) + self.block[cols]
        norms = np.sqrt(np.bincount(norm_keys, weights=values * values))
        values = (values / norms[norm_keys]).astype(np.float32)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return Features(indptr, cols, values, self.n_features)
