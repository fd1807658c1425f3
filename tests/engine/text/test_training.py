"""Training end to end on a tiny data folder made here (the real data sets are not needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ambassade.cli import run
from ambassade.engine.text._model import TextModel
from ambassade.engine.text._normalize import normalize
from ambassade.engine.text.training import Example, TrainingConfig, add_extra, load_file, train
from ambassade.engine.text.training._lexicon import build_sentiment_lexicon, read_valences
from ambassade.engine.text.training._train import _binary_sets

WORDS = {
    "positive": ["love", "great", "merci", "super", "genial", "happy"],
    "negative": ["hate", "awful", "nul", "horrible", "sad", "worst"],
    "neutral": ["today", "meeting", "train", "monday", "report", "aujourd'hui"],
}


def _rows(
    labels: dict[str, list[str]], lang: str, n: int, **extra: object
) -> list[dict[str, object]]:
    rng = np.random.default_rng(len(labels) + n)
    rows = []
    for label, words in labels.items():
        for i in range(n):
            picked = " ".join(rng.choice(words, size=3))
            rows.append(
                {
                    "id": f"{label}-{i}",
                    "text": f"{picked} number {i}",
                    "label": label,
                    "lang": lang,
                    **extra,
                }
            )
    return rows


def _write(folder: Path, name: str, rows: list[dict[str, object]]) -> None:
    (folder / name).mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        with (folder / name / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(row) + "\n" for row in rows)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    sentiment = []
    for lang in ("fr", "de", "es", "it", "pt", "ar"):
        sentiment += _rows(WORDS, lang, 12)
    _write(folder, "umsab-sentiment", sentiment)
    _write(folder, "tweeteval-sentiment", _rows(WORDS, "en", 12))
    toxic = {
        "offensive": ["idiot", "connard", "stupid", "shut"],
        "not_offensive": ["hello", "thanks", "bonjour", "nice"],
    }
    _write(folder, "tweeteval-offensive", _rows(toxic, "en", 12))
    mlma = _rows(toxic, "fr", 12) + _rows(toxic, "en", 4)
    for row in mlma:
        row["hateful"] = row["label"] == "offensive"
    _write(folder, "mlma-hate", mlma)
    _write(folder, "ftr-racism-fr", _rows(toxic, "fr", 6))
    ordinary = {"positive": ["bonjour", "merci", "matin"], "negative": ["pluie", "retard", "lundi"]}
    _write(folder, "allocine-fr-sample", _rows(ordinary, "fr", 4))
    _write(folder, "xed-fr-sentiment", _rows(ordinary, "fr", 4))
    hate = {
        "hateful": ["invaders", "vermin", "go", "back"],
        "not_hateful": ["welcome", "friends", "lunch", "sun"],
    }
    _write(folder, "tweeteval-hate", _rows(hate, "en", 12))
    spam = {
        "spam": ["subscribe", "channel", "free", "http"],
        "ham": ["song", "video", "voice", "dance"],
    }
    _write(folder, "youtube-spam", _rows(spam, "en", 12))
    _write(folder, "sms-spam", _rows(spam, "en", 6))
    return folder


def test_it_trains_a_loadable_model(data: Path, tmp_path: Path) -> None:
    output = tmp_path / "model.npz"
    messages: list[str] = []
    extra = [
        Example("dit is geweldig mooi", "positive", "nl"),
        Example("dit is verschrikkelijk", "negative", "nl"),
    ]
    meta = train(
        data,
        output,
        TrainingConfig(cv_folds=2, spam_tweets=20, embedding_dim=8),
        progress=messages.append,
        extra=extra,
    )
    assert any("sentiment: done" in message for message in messages)
    assert "nl" in meta["sentiment"] and meta["sentiment_standalone"] == ["en"]
    model = TextModel.load(output)
    assert "nl" in model.sentiment_languages
    scores = model.predict(
        [normalize("I love this, great"), normalize("subscribe to my channel free")], ["en", "en"]
    )
    assert scores.sentiment[0].argmax() == 2
    assert scores.spam[1] > 0.5 > scores.spam[0]
    # The sentiment lexicon markers reach the English model only: the shared head (which also
    # serves es, it, pt…), the French head and the toxicity and spam heads do not see them.
    polarity = [i for i, term in enumerate(model.featurizer.vocabulary) if term.startswith("s:")]
    assert polarity and model.featurizer.sentiment_markers["love"] == "__positive__"
    weights = model.weights[polarity]
    assert np.all(weights[:, meta["sentiment"]["*"]] == 0)
    assert np.all(weights[:, list(meta["binary"].values())] == 0)
    assert np.any(weights[:, meta["sentiment"]["en"]] != 0)
    assert np.all(weights[:, meta["sentiment"]["fr"]] == 0)
    # Texts seen only as ordinary French (Allociné, XED here) stay out of the vocabulary.
    assert "w:love" in model.featurizer.vocabulary and "w:pluie" not in model.featurizer.vocabulary
    # Word vectors: a dense block after the vocabulary, read by the English offensive head only.
    featurizer = model.featurizer
    assert featurizer.embedding_dim == 8 and "love" in featurizer.embedding_index
    dense = model.weights[len(featurizer.vocabulary) :]
    assert dense.shape == (8, model.weights.shape[1])
    offensive = meta["binary"]["offensive:en"]
    assert np.any(dense[:, offensive] != 0)
    assert np.all(np.delete(dense, offensive, axis=1) == 0)
    vectors = featurizer.embed([["love", "great"], ["zzz-unknown"], []])
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0) and not vectors[1:].any()


def test_ordinary_french_text_teaches_the_french_toxicity_heads(data: Path) -> None:
    sets = _binary_sets(data, "train", TrainingConfig(spam_tweets=20))
    for head in ("offensive:fr", "hateful:fr"):
        added = [(text, positive, w) for text, positive, w in sets[head] if w != 1.0]
        assert added and all(not positive and w == 0.3 for _, positive, w in added)
        # UMSAB's link and mention placeholders are removed from them.
        assert not any("http" in text or "@user" in text for text, _, _ in added)
    assert all(w == 1.0 for _, _, w in sets["offensive:en"])
    off = TrainingConfig(spam_tweets=20, ordinary_fr_weight=0.0)
    assert all(w == 1.0 for _, _, w in _binary_sets(data, "train", off)["offensive:fr"])


def test_the_sentiment_lexicon_keeps_clear_and_agreed_polarities(tmp_path: Path) -> None:
    english = tmp_path / "vader_lexicon.txt"
    english.write_text(
        "love\t3.2\t0.4\t[3]\nmeh\t-0.3\t0.5\t[0]\n:)\t2.0\t0\t[2]\npardon\t1.3\t0\t[1]\n",
        encoding="utf-8",
    )
    french = tmp_path / "fr_lexicon.txt"
    french.write_text("Décevant->-2.2\npardon->-1.1\nbien sûr->1.0\nbad\n", encoding="utf-8")
    valences = [read_valences(english), read_valences(french)]
    assert valences[0] == {"love": 3.2, "meh": -0.3, "pardon": 1.3}
    assert valences[1] == {"decevant": -2.2, "pardon": -1.1}
    lexicon = build_sentiment_lexicon(valences)
    assert lexicon == {"positive": ["love"], "negative": ["decevant"]}


def test_the_command_trains_and_refuses_bad_input(data: Path, tmp_path: Path) -> None:
    assert run("train-text", ["--data", str(tmp_path / "nowhere")]) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no label"}\n', encoding="utf-8")
    assert (
        run(
            "train-text",
            ["--data", str(data), "--extra", str(bad), "--output", str(tmp_path / "m.npz")],
        )
        == 2
    )


def test_add_extra_routes_labels() -> None:
    sentiment: dict[str, list[Example]] = {}
    binary: dict[str, list[tuple[str, bool, float]]] = {
        "offensive:fr": [], "offensive:en": [], "hateful:fr": [], "hateful:en": [], "spam": []
    }  # fmt: skip
    add_extra(
        [
            Example("top", "positive", "fr"),
            Example("con", "offensive", "fr"),
            Example("jerk", "not_offensive", "de"),
            Example("x", "hateful", "en"),
            Example("buy", "spam", "en"),
        ],
        sentiment,
        binary,
    )
    assert [e.text for e in sentiment["fr"]] == ["top"]
    assert binary["offensive:fr"] == [("con", True, 1.0)]
    assert binary["offensive:en"] == [("jerk", False, 1.0)]
    assert binary["hateful:en"] == [("x", True, 1.0)] and binary["spam"] == [("buy", True, 1.0)]
    with pytest.raises(ValueError, match="unknown label"):
        add_extra([Example("?", "sarcastic", "en")], sentiment, binary)


def test_load_file_reads_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text('{"text": "a", "label": "ham", "lang": "en", "x": 1}\n\n', encoding="utf-8")
    (example,) = load_file(path)
    assert (example.text, example.label, example.lang, example.extra["x"]) == ("a", "ham", "en", 1)


def test_it_trains_heads_for_the_accurate_tier(data: Path, tmp_path: Path) -> None:
    from ambassade.engine.text._heads import Heads
    from ambassade.engine.text.training._cv import cross_validate
    from ambassade.engine.text.training._embeddings import EmbeddingCache
    from ambassade.engine.text.training._heads import HeadsConfig, MoreData, train_heads

    fast = tmp_path / "model.npz"
    train(data, fast, TrainingConfig(cv_folds=2, spam_tweets=20, embedding_dim=8), lambda _: None)
    model = TextModel.load(fast)
    cache = EmbeddingCache(tmp_path / "cache")
    config = HeadsConfig(spam_tweets=20)
    messages: list[str] = []
    output = tmp_path / "heads.npz"
    meta = train_heads(data, output, model, cache, config, MoreData(tmp_path), messages.append)
    assert any("wrote" in message for message in messages)
    assert set(meta["heads"]) == {"sentiment", "offensive", "hateful", "spam"}
    heads = Heads.load(output)
    assert heads.vocabulary_size == len(model.featurizer.vocabulary)
    texts = ["I love this, great", "subscribe to my channel free http"]
    normalized = [normalize(t) for t in texts]
    features = model.featurizer.transform(normalized)
    fast_scores = model.predict(normalized, ["en", "en"], features)
    scores = heads.predict(
        heads.vectors(texts, ["en", "en"]), features, ["en", "en"], fast_scores.sentiment_supported
    )
    assert scores.sentiment[0].argmax() == 2
    assert scores.spam[1] > 0.5 > scores.spam[0]
    # The vectors were kept: a second cache on the same folder encodes nothing again.
    assert len(EmbeddingCache(tmp_path / "cache")) == len(cache) > 0
    result = cross_validate(
        data, model, cache, config, folds=2, repeats=1, tasks=("spam",), progress=lambda _: None
    )
    approaches = {row["approach"] for row in result["tasks"]["spam"]}
    assert approaches == {"TF-IDF", "encoder", "stacked"}
    assert all(0 <= row["mean"] <= 100 and row["folds"] == 2 for row in result["tasks"]["spam"])


def test_the_command_retrains_the_heads_only(data: Path, tmp_path: Path) -> None:
    fast = tmp_path / "model.npz"
    heads = tmp_path / "heads.npz"
    common = ["--data", str(data), "--output", str(fast), "--heads", str(heads)]
    common += ["--cache", str(tmp_path / "cache"), "--more-data", str(tmp_path / "none")]
    assert run("train-text", [*common, "--heads-only"]) == 2  # no fast model yet
    train(data, fast, TrainingConfig(cv_folds=2, spam_tweets=20, embedding_dim=8), lambda _: None)
    assert run("train-text", [*common, "--heads-only"]) == 0
    assert heads.is_file()


def test_a_centred_head_folds_its_language_mean_into_the_intercept() -> None:
    from dataclasses import replace

    from ambassade.engine.text.training._heads import HeadsConfig, centre, fit_encoder_part

    rng = np.random.default_rng(5)
    direction = rng.normal(size=16)
    langs = np.array(["en"] * 120 + ["fr"] * 60)
    offset = {"en": rng.normal(size=16) * 3, "fr": rng.normal(size=16) * 3}
    labels = np.array([i % 2 == 0 for i in range(180)])
    vectors = np.array(
        [
            offset[lang] + (1.0 if y else -1.0) * direction + rng.normal(size=16)
            for lang, y in zip(langs, labels, strict=True)
        ],
        dtype=np.float32,
    )
    cfg = replace(HeadsConfig(), c={"hateful": 1.0}, centred=("hateful:fr",))
    coef, intercept = fit_encoder_part(cfg, "hateful", "fr", vectors, labels, np.ones(180), langs)
    centred, mean = centre(vectors, langs, "fr")
    assert np.allclose(mean, vectors[langs == "fr"].mean(axis=0), atol=1e-5)
    assert np.allclose(centred[langs == "en"].mean(axis=0), 0, atol=1e-5)
    # Scoring a raw French vector with the folded intercept is scoring its centred vector.
    raw = vectors[langs == "fr"] @ coef.T + intercept
    plain, plain_intercept = fit_encoder_part(
        replace(cfg, centred=()), "hateful", "fr", centred, labels, np.ones(180), langs
    )
    assert np.allclose(raw, centred[langs == "fr"] @ plain.T + plain_intercept, atol=1e-6)
    assert not np.allclose(intercept, plain_intercept)


def test_xed_negative_lines_teach_only_the_heads_configured_for_them(data: Path) -> None:
    """``HeadsConfig.ordinary_negative``: XED's negative French lines (train split) as negatives of
    a head's encoder part, at their weight; no other head gets them (none by default: the sweep of
    2026-12-07 is in docs/text-analysis.md)."""
    from ambassade.engine.text.training._heads import HeadsConfig, ordinary_texts

    assert HeadsConfig().ordinary_negative == {}
    cfg = HeadsConfig(ordinary_negative={"hateful:fr": 1.0})
    negative = {
        json.loads(line)["text"]
        for line in (data / "xed-fr-sentiment" / "train.jsonl").read_text("utf-8").splitlines()
        if json.loads(line)["label"] == "negative"
    }
    rows, weights = ordinary_texts(data, "hateful", "fr", cfg)
    got = {text: w for (text, lang), w in zip(rows, weights, strict=True) if text in negative}
    assert set(got) == negative and set(got.values()) == {cfg.ordinary_negative["hateful:fr"]}
    assert all(lang == "fr" for text, lang in rows if text in negative)
    for task, route in (("offensive", "fr"), ("hateful", "en"), ("spam", "*")):
        texts = {text for text, _ in ordinary_texts(data, task, route, cfg)[0]}
        assert not texts & negative, (task, route)
    assert not {t for t, _ in ordinary_texts(data, "hateful", "fr", HeadsConfig())[0]} & negative


def test_every_sweep_shares_the_same_folds() -> None:
    from ambassade.engine.text.training._cv import mean_sd, pooled_folds

    groups = np.array(["A"] * 20 + ["B"] * 10 + [""] * 5)
    labels = np.array([True, False] * 17 + [True])
    folds = list(pooled_folds(groups, labels, 5, 2, seed=3))
    assert [(f.repeat, f.index) for f in folds] == [(r, i) for r in range(2) for i in range(5)]
    never_held = set(range(30, 35))
    for repeat in range(2):
        mine = [f for f in folds if f.repeat == repeat]
        held = np.concatenate([f.held for f in mine])
        assert sorted(held.tolist()) == list(range(30))  # each evaluated row held out once
        for f in mine:
            assert never_held <= set(f.fit.tolist()) and not set(f.fit) & set(f.held)
    again = list(pooled_folds(groups, labels, 5, 2, seed=3))
    assert all((a.held == b.held).all() for a, b in zip(folds, again, strict=True))
    assert mean_sd([1.0, 2.0, 4.0], 2) == (2.33, 1.53) and mean_sd([5.0]) == (5.0, 0.0)
