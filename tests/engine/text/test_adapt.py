"""Adapting the accurate tier's heads to feedback (engine/text/_adapt.py), on small synthetic heads:
the correction folds into the heads exactly, learns a planted error, and leaves the heads alone when
the feedback teaches nothing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ambassade.engine.text import _adapt
from ambassade.engine.text._adapt import (
    Correction,
    FeedbackError,
    base_logits,
    fit_correction,
    fold,
    read_feedback,
)
from ambassade.engine.text._encoder import DIMENSION, ENCODER_NAME
from ambassade.engine.text._features import Features
from ambassade.engine.text._heads import Heads

VOCABULARY = 6


def _route(columns: list[int]) -> dict[str, Any]:
    width = len(columns)
    return {
        "columns": columns,
        "lexical_weight": 0.4,
        "encoder_weight": 0.6,
        "shift": [0.0] * width,
    }


def tiny_heads(shared: bool = False) -> Heads:
    """Sentiment in columns 0-2, offensive per language (fr: 3, *: 4, or both in 3 when
    ``shared``), hateful 5, spam 6."""
    rng = np.random.default_rng(7)
    columns = 7
    meta = {
        "encoder": ENCODER_NAME,
        "heads": {
            "sentiment": {"*": _route([0, 1, 2])},
            "offensive": {"*": _route([3 if shared else 4]), "fr": _route([3])},
            "hateful": {"*": _route([5])},
            "spam": {"*": _route([6])},
        },
    }
    return Heads(
        rng.normal(0, 1, (DIMENSION, columns)),
        rng.normal(0, 0.5, columns),
        rng.normal(0, 1, (VOCABULARY, columns)).astype(np.float32),
        rng.normal(0, 0.5, columns),
        meta,
    )


def unit(rows: int, seed: int = 1) -> np.ndarray:
    x = np.random.default_rng(seed).normal(0, 1, (rows, DIMENSION)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def features(rows: int) -> Features:
    rng = np.random.default_rng(3)
    indices = np.concatenate([rng.choice(VOCABULARY, 2, replace=False) for _ in range(rows)])
    return Features(
        np.arange(0, 2 * rows + 1, 2, dtype=np.int64),
        indices.astype(np.int64),
        rng.random(2 * rows).astype(np.float32),
        VOCABULARY,
    )


def predict(heads: Heads, vectors: np.ndarray, langs: list[str]) -> Any:
    return heads.predict(vectors, features(len(langs)), langs, np.ones(len(langs), dtype=bool))


@pytest.mark.parametrize("shared", [False, True])
def test_a_folded_correction_gives_the_corrected_scores(shared: bool) -> None:
    heads = tiny_heads(shared)
    vectors = unit(12)
    langs = ["fr", "en"] * 6
    rng = np.random.default_rng(5)
    corrections = [
        Correction("offensive", 30, 10.0, 0.3, rng.normal(0, 0.5, (DIMENSION, 1)), (-0.7,)),
        Correction("sentiment", 30, 10.0, 0.0, rng.normal(0, 0.5, (DIMENSION, 3)), (0.2, 0, -1)),
        Correction("spam", 3, reason="too few"),
    ]
    before = predict(heads, vectors, langs)
    after = predict(fold(heads, corrections), vectors, langs)
    expected = corrections[0].apply(base_logits(before, "offensive"), vectors)[:, 0]
    assert np.allclose(base_logits(after, "offensive")[:, 0], expected, atol=1e-3)
    z = corrections[1].apply(base_logits(before, "sentiment"), vectors)
    wanted = np.exp(z - z.max(axis=1, keepdims=True))
    assert np.allclose(after.sentiment, wanted / wanted.sum(axis=1, keepdims=True), atol=1e-4)
    # What was not corrected did not move; a shared column was copied, not changed for others.
    assert np.allclose(after.spam, before.spam) and np.allclose(after.hateful, before.hateful)
    folded = fold(heads, corrections)
    assert folded.meta["adapted"][-1]["tasks"][2]["reason"] == "too few"
    if shared:
        assert folded.encoder_weights.shape[1] == 9  # both offensive routes got their own column


def test_the_adapted_heads_save_and_load_as_the_packaged_format(tmp_path: Path) -> None:
    heads = tiny_heads()
    correction = Correction("hateful", 40, 3.0, -0.2, unit(1).T.astype(np.float64), (0.5,))
    adapted = fold(heads, [correction])
    _adapt.save(tmp_path / "heads.npz", adapted)
    loaded = Heads.load(tmp_path / "heads.npz")
    vectors = unit(5, seed=9)
    langs = ["en"] * 5
    assert np.allclose(
        predict(loaded, vectors, langs).hateful, predict(adapted, vectors, langs).hateful, atol=2e-3
    )
    assert loaded.meta["adapted"][0]["tasks"][0]["task"] == "hateful"


def planted(n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Heads that call a whole topic offensive, and people who say it is not: the topic is one
    direction of the sentence vector."""
    rng = np.random.default_rng(seed)
    vectors = unit(n, seed)
    topic = rng.random(n) < 0.5
    vectors[topic, 0] += 0.6
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    truth = np.where(topic, 0, (rng.random(n) < 0.5).astype(int))
    # The heads: right off the topic (with noise), 2.0 log-odds offensive on it.
    logits = np.where(topic, 2.0, np.where(truth == 1, 1.5, -1.5) + rng.normal(0, 1, n))
    return logits[:, None], vectors, truth.astype(np.int64), [f"author{i % 60}" for i in range(n)]


def test_a_planted_error_is_learnt_and_does_not_carry_to_held_out_authors() -> None:
    logits, vectors, truth, groups = planted(300)
    train = np.array([int(g[6:]) < 40 for g in groups])
    correction = fit_correction(
        "offensive",
        logits[train],
        vectors[train],
        truth[train],
        [g for g, t in zip(groups, train, strict=True) if t],
        strengths=(10.0, 100.0),
    )
    assert correction.applied, correction.reason
    before = (logits[~train, 0] >= 0) == (truth[~train] == 1)
    after = (correction.apply(logits[~train], vectors[~train])[:, 0] >= 0) == (truth[~train] == 1)
    assert after.mean() > before.mean() + 0.2


def test_feedback_that_agrees_with_the_heads_leaves_them_as_they_are() -> None:
    rng = np.random.default_rng(2)
    n = 200
    logits = rng.normal(0, 3, (n, 1))
    truth = (rng.random(n) < 1 / (1 + np.exp(-logits[:, 0]))).astype(np.int64)
    correction = fit_correction(
        "spam", logits, unit(n, 4), truth, [str(i) for i in range(n)], strengths=(10.0, 100.0)
    )
    assert not correction.applied
    assert "no gain" in correction.reason
    assert correction.apply(logits, unit(n, 4)) is logits


def test_too_little_feedback_is_said() -> None:
    logits, vectors, truth, groups = planted(15)
    correction = fit_correction("offensive", logits, vectors, truth, groups)
    assert not correction.applied and "too few" in correction.reason


def test_a_feedback_file_is_read_and_a_bad_line_is_named(tmp_path: Path) -> None:
    good = tmp_path / "feedback.jsonl"
    good.write_text(
        '{"text": "tu es nul", "label": "offensive", "lang": "fr", "task": "offensive", '
        '"group": "a1", "corrected_at": "2026-12-01T10:00:00+00:00"}\n\n'
        '{"text": "Win an iPhone", "label": "ham", "lang": "en"}\n'
        '{"text": "Super", "label": "positive", "lang": "fr"}\n',
        encoding="utf-8",
    )
    examples = read_feedback(good)
    assert [(e.task, e.target, e.group) for e in examples] == [
        ("offensive", 1, "a1"),
        ("spam", 0, ""),
        ("sentiment", 2, ""),
    ]
    for line, needle in (
        ("not json", "line 2: not JSON"),
        ('{"text": "x", "label": "rude"}', "line 2: unknown label 'rude'"),
        ('{"text": "  ", "label": "spam"}', "line 2: no text"),
        ('{"text": "x", "label": "spam", "task": "offensive"}', "does not belong"),
        ("[1]", "expected an object"),
    ):
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"text": "ok", "label": "spam"}\n' + line + "\n", encoding="utf-8")
        with pytest.raises(FeedbackError, match=needle):
            read_feedback(bad)


def _args(tmp_path: Path, feedback: Path, **kw: Any) -> argparse.Namespace:
    from ambassade.cli import train_text

    parser = argparse.ArgumentParser()
    train_text.add_arguments(parser)
    args = parser.parse_args(
        [
            "--feedback",
            str(feedback),
            "--from-heads",
            str(tmp_path / "base.npz"),
            "--heads",
            str(tmp_path / "adapted.npz"),
        ]
    )
    for key, value in kw.items():
        setattr(args, key, value)
    return args


def test_train_text_feedback_writes_adapted_heads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ambassade.cli import train_text

    _adapt.save(tmp_path / "base.npz", tiny_heads())
    logits, vectors, truth, groups = planted(300)
    texts = [f"message {i}" for i in range(300)]
    by_text = dict(zip(texts, range(300), strict=True))
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(
        "".join(
            json.dumps(
                {
                    "text": t,
                    "label": "offensive" if truth[i] else "not_offensive",
                    "lang": "en",
                    "group": groups[i],
                }
            )
            + "\n"
            for t, i in by_text.items()
        ),
        encoding="utf-8",
    )

    class FakeScores:
        def __init__(self, rows: list[int]) -> None:
            self.offensive = 1 / (1 + np.exp(-logits[rows, 0]))

    def scorer(heads: Any = None) -> Any:
        return lambda batch: (
            FakeScores([by_text[t] for t in batch]),
            vectors[[by_text[t] for t in batch]],
        )

    monkeypatch.setattr(_adapt, "engine_scorer", scorer)
    assert train_text.run(_args(tmp_path, feedback)) == 0
    adapted = Heads.load(tmp_path / "adapted.npz")
    assert adapted.meta["adapted"][0]["tasks"][0]["applied"]
    assert "offensive: adapted" in capsys.readouterr().err

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "rude"}\n', encoding="utf-8")
    (tmp_path / "adapted.npz").unlink()
    assert train_text.run(_args(tmp_path, bad)) == 2
    assert "line 1: unknown label" in capsys.readouterr().err
    assert not (tmp_path / "adapted.npz").exists()
