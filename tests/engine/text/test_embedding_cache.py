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
