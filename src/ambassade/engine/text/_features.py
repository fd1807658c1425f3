"""Sparse TF-IDF features over word unigrams, word bigrams and character n-grams of each word.

The vocabulary is fixed at training time. A message becomes a row of a CSR matrix (``indptr``,
``indices``, ``values``) built with numpy alone; each block (words, bigrams, characters) is L2-normalised
on its own, like scikit-learn's FeatureUnion of TfidfVectorizers would.

Optionally, word vectors (trained on the unlabelled training texts) add a dense block after the
vocabulary: the IDF-weighted mean of the message's word vectors, L2-normalised.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ambassade.engine.text._normalize import tokenize

__all__ = ["BLOCKS", "CHAR_RANGE", "Features", "Featurizer", "char_ngrams", "raw_terms"]

BLOCKS = ("w", "b", "c", "m", "s")
"""Feature blocks, the prefix of each vocabulary entry: ``w:word``, ``b:word word``, ``c:gram``,
``m:__marker__`` for toxicity lexicon markers (a word of a lexicon, e.g. ``__profanity__``) and
``s:__marker__`` for sentiment lexicon markers (``__positive__``, ``__negative__``)."""
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


def raw_terms(
    tokens: Sequence[str],
    markers: Mapping[str, str] | None = None,
    sentiment_markers: Mapping[str, str] | None = None,
) -> list[str]:
    """Every vocabulary term a token list can produce (used to build the vocabulary).

    ``markers`` maps lexicon words to a toxicity marker (``__profanity__``), a block of its own;
    ``sentiment_markers`` maps words to ``__positive__`` or ``__negative__``, another block.
    """
    terms = [f"w:{tok}" for tok in tokens]
    if markers:
        terms += [f"m:{markers[tok]}" for tok in tokens if tok in markers]
    if sentiment_markers:
        terms += [f"s:{sentiment_markers[tok]}" for tok in tokens if tok in sentiment_markers]
    terms += [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    for tok in tokens:
        if _WORD_CHAR(tok[0]):
            terms += [f"c:{gram}" for gram in char_ngrams(tok)]
    return terms


@dataclass(frozen=True)
class Features:
    """A CSR matrix: row ``i`` is ``indices[indptr[i]:indptr[i+1]]`` with ``values`` alike, over the
    vocabulary; then ``dense``, one row per text, the word-vector block (columns ``n_features -
    dense.shape[1]`` and after; no columns without word vectors)."""

    indptr: IntArray
    indices: IntArray
    values: FloatArray
    n_features: int
    dense: FloatArray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

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
        sentiment_markers: Mapping[str, str] | None = None,
        embeddings: npt.ArrayLike | None = None,
        embedding_words: Sequence[str] = (),
    ) -> None:
        self.vocabulary = list(vocabulary)
        self.markers = dict(markers or {})
        self.sentiment_markers = dict(sentiment_markers or {})
        self.idf = np.asarray(idf, dtype=np.float32)
        if len(self.idf) != len(self.vocabulary):
            raise ValueError("idf and vocabulary differ in length")
        self._words: dict[str, int] = {}
        self._bigrams: dict[str, int] = {}
        self._chars: dict[str, int] = {}
        self._markers: dict[str, int] = {}
        self._sentiment_markers: dict[str, int] = {}
        tables = {
            "w": self._words,
            "b": self._bigrams,
            "c": self._chars,
            "m": self._markers,
            "s": self._sentiment_markers,
        }
        block = np.zeros(len(self.vocabulary), dtype=np.int64)
        for index, term in enumerate(self.vocabulary):
            kind, _, key = term.partition(":")
            tables[kind][key] = index
            block[index] = BLOCKS.index(kind)
        self.block = block
        self._token_cache: dict[str, list[int]] = {}
        self.embeddings = np.zeros((0, 0), dtype=np.float32)
        self.embedding_index: dict[str, int] = {}
        self._embedding_idf = np.zeros(0, dtype=np.float32)
        if embeddings is not None:
            self.embeddings = np.asarray(embeddings, dtype=np.float32)
            if self.embeddings.ndim != 2 or len(self.embeddings) != len(embedding_words):
                raise ValueError("one word vector per embedding word is needed")
            self.embedding_index = {word: i for i, word in enumerate(embedding_words)}
            # Each word weighs its IDF (the rarest known IDF for words outside the vocabulary).
            default = float(self.idf.max()) if len(self.idf) else 1.0
            self._embedding_idf = np.array(
                [
                    self.idf[i] if (i := self._words.get(word)) is not None else default
                    for word in embedding_words
                ],
                dtype=np.float32,
            )

    @property
    def embedding_dim(self) -> int:
        """Width of the dense word-vector block (0 without word vectors)."""
        return int(self.embeddings.shape[1]) if len(self.embedding_index) else 0

    @property
    def n_features(self) -> int:
        """Vocabulary terms, then the word-vector block (columns ``len(vocabulary)`` and after)."""
        return len(self.vocabulary) + self.embedding_dim

    def embed(self, token_lists: Sequence[Sequence[str]]) -> FloatArray:
        """The IDF-weighted mean of each text's word vectors, L2-normalised (zeros without any)."""
        dim = self.embedding_dim
        out = np.zeros((len(token_lists), dim), dtype=np.float32)
        if not dim:
            return out
        index = self.embedding_index
        flat: list[int] = []
        counts = np.zeros(len(token_lists), dtype=np.int64)
        for row, tokens in enumerate(token_lists):
            ids = [i for i in map(index.get, tokens) if i is not None]
            flat += ids
            counts[row] = len(ids)
        if not flat:
            return out
        ids_array = np.asarray(flat, dtype=np.int64)
        weighted = self.embeddings[ids_array] * self._embedding_idf[ids_array, None]
        rows = counts > 0
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))[rows]
        sums = np.add.reduceat(weighted, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[rows] = sums / np.maximum(norms, 1e-8)
        return out

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
        polarity = self.sentiment_markers.get(token)
        if polarity is not None and polarity in self._sentiment_markers:
            ids.append(self._sentiment_markers[polarity])
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
        """TF-IDF rows (sublinear term frequency, per-block L2 norm) for normalised texts, followed
        by the word-vector block when the featurizer has word vectors."""
        counts = np.zeros(len(normalized) + 1, dtype=np.int64)
        flat: list[int] = []
        token_lists = [tokenize(text) for text in normalized]
        for row, tokens in enumerate(token_lists):
            ids = self.term_ids(tokens)
            flat += ids
            counts[row + 1] = len(ids)
        n_rows = len(normalized)
        n_terms = len(self.vocabulary)
        rows = np.repeat(np.arange(n_rows, dtype=np.int64), counts[1:])
        keys = rows * n_terms + np.asarray(flat, dtype=np.int64)
        unique, tf = np.unique(keys, return_counts=True)
        rows = unique // max(n_terms, 1)
        cols = unique - rows * n_terms
        values = (1.0 + np.log(tf.astype(np.float32))) * self.idf[cols]
        if len(values):
            norm_keys = rows * len(BLOCKS) + self.block[cols]
            norms = np.sqrt(np.bincount(norm_keys, weights=values * values))
            values = (values / norms[norm_keys]).astype(np.float32)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        return Features(
            indptr,
            cols.astype(np.int64),
            values.astype(np.float32),
            self.n_features,
            self.embed(token_lists),
        )
