"""The cache of training texts' sentence vectors (a development tool of `ambassade train-text`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ambassade.engine.text.training import _embeddings
from ambassade.engine.text.training._embeddings import EmbeddingCache


def test_vectors_are_kept_and_served_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Find texts whose key ends with a NUL byte: numpy's fixed-width bytes drop it when stored.
    texts = [f"texte {i}" for i in range(2000)]
    ending_in_nul = [t for t in texts if _embeddings._key(t).endswith(b"\0")]
    assert ending_in_nul
    picked = [*ending_in_nul[:2], "Merci pour tout", "Merci pour tout"]
    first = EmbeddingCache(tmp_path)
    vectors = first.embed(picked)
    assert vectors.shape == (4, 512) and np.allclose(vectors[2], vectors[3])

    def no_encoder() -> None:
        raise AssertionError("a cached text was encoded again")

    monkeypatch.setattr(_embeddings, "default_encoder", no_encoder)
    again = EmbeddingCache(tmp_path)
    assert len(again) == 3
    assert np.allclose(again.embed(picked), vectors)


def test_each_encoder_has_its_own_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(encoder: str, texts: list[str]) -> np.ndarray:
        calls.append(encoder)
        width = _embeddings.ENCODERS[encoder][0]
        return np.ones((len(texts), width), dtype=np.float32) / np.sqrt(width)

    monkeypatch.setattr(_embeddings, "_encode", fake)
    use = EmbeddingCache(tmp_path).embed(["Bonjour"])
    e5 = EmbeddingCache(tmp_path, "multilingual-e5-small-q4").embed(["Bonjour"])
    assert use.shape == (1, 512) and e5.shape == (1, 384)
    assert calls == ["use-multilingual-v3", "multilingual-e5-small-q4"]
    assert _embeddings._key("Bonjour") != _embeddings._key("Bonjour", "multilingual-e5-small-q4")
    with pytest.raises(ValueError, match="unknown encoder"):
        EmbeddingCache(tmp_path, "bert")
