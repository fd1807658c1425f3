from __future__ import annotations

import numpy as np
import pytest

from ambassade.engine.text._features import Featurizer, char_ngrams, raw_terms


def _featurizer() -> Featurizer:
    vocabulary = ["w:good", "w:day", "b:good day", "c: g", "c:go", "c:goo", "w:!"]
    return Featurizer(vocabulary, np.ones(len(vocabulary)))


def test_char_ngrams_pad_the_word() -> None:
    assert char_ngrams("ab") == [" a", "ab", "b ", " ab", "ab ", " ab "]


def test_raw_terms_cover_words_bigrams_and_characters() -> None:
    terms = raw_terms(["good", "!"])
    assert "w:good" in terms and "b:good !" in terms and "c:goo" in terms
    assert not any(term.startswith("c:") and "!" in term for term in terms)


def test_transform_normalises_each_block() -> None:
    features = _featurizer().transform(["good day !", "", "unknown"])
    assert features.n_rows == 3
    assert list(np.diff(features.indptr)) == [7, 0, 0]
    row = dict(zip(features.indices.tolist(), features.values.tolist(), strict=True))
    words = [row[0], row[1], row[6]]
    assert np.isclose(np.sum(np.square(words)), 1.0)
    assert np.isclose(row[2], 1.0)


def test_transform_of_nothing_is_empty() -> None:
    features = _featurizer().transform([])
    assert features.n_rows == 0 and len(features.indices) == 0


def test_it_refuses_mismatched_idf() -> None:
    with pytest.raises(ValueError):
        Featurizer(["w:a"], [1.0, 2.0])


def test_word_index() -> None:
    assert _featurizer().word_index("day") == 1
    assert _featurizer().word_index("night") is None


def test_sentiment_markers_are_a_block_of_their_own() -> None:
    vocabulary = ["w:great", "m:__profanity__", "s:__positive__", "s:__negative__", "w:damn"]
    featurizer = Featurizer(
        vocabulary,
        np.ones(len(vocabulary)),
        markers={"damn": "__profanity__"},
        sentiment_markers={"great": "__positive__", "damn": "__negative__"},
    )
    terms = raw_terms(["damn", "great"], featurizer.markers, featurizer.sentiment_markers)
    assert {"m:__profanity__", "s:__negative__", "s:__positive__"} <= set(terms)
    features = featurizer.transform(["damn great"])
    row = dict(zip(features.indices.tolist(), features.values.tolist(), strict=True))
    # The profanity marker is alone in its block (norm 1); the two polarities share theirs.
    assert np.isclose(row[1], 1.0)
    assert np.isclose(row[2] ** 2 + row[3] ** 2, 1.0) and np.isclose(row[2], row[3])


def test_word_vectors_make_a_dense_block_after_the_vocabulary() -> None:
    vocabulary = ["w:good", "w:day", "w:!"]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    featurizer = Featurizer(
        vocabulary, [2.0, 1.0, 1.0], embeddings=vectors, embedding_words=["good", "day"]
    )
    assert featurizer.embedding_dim == 2 and featurizer.n_features == 5
    features = featurizer.transform(["good day !", "!", ""])
    assert features.dense.shape == (3, 2)
    # IDF-weighted mean, unit length: "good" (IDF 2) weighs twice "day" (IDF 1).
    assert np.allclose(features.dense[0], np.array([2.0, 1.0]) / np.sqrt(5.0))
    assert not features.dense[1:].any()
    assert features.indices.max() < len(vocabulary)
    with pytest.raises(ValueError, match="one word vector"):
        Featurizer(vocabulary, [1.0, 1.0, 1.0], embeddings=vectors, embedding_words=["good"])


def test_without_word_vectors_the_dense_block_is_empty() -> None:
    features = _featurizer().transform(["good day"])
    assert features.dense.shape == (1, 0) and _featurizer().embedding_dim == 0
