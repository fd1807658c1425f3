"""Calibration of the binary heads to ordinary traffic: shifts and ordinary negatives, chosen by CV."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ambassade.engine.text._model import TextModel
from ambassade.engine.text.training import TrainingConfig, train
from tests.engine.text.test_training import data  # noqa: F401  (the tiny data folder fixture)


def _row(route: str, weight: float, shift: float, f1: float, sd: float, flagged: float) -> Any:
    return {
        "route": route,
        "weight": weight,
        "shift": shift,
        "f1": {"G": (f1, sd)},
        "flagged": (flagged, 0.1),
        "served_languages": ["en"],
    }


def test_the_choice_keeps_f1_within_one_sd_and_prefers_the_simplest_of_the_lowest() -> None:
    from ambassade.engine.text.training._calibration import choose

    rows = [
        _row("*", 0, 0.0, 75.0, 1.0, 3.0),
        _row("*", 0, -0.5, 74.5, 1.0, 0.9),  # level with the lowest: simplest, chosen
        _row("*", 1, -0.5, 74.2, 1.0, 0.8),  # the lowest acceptable
        _row("*", 1, -1.0, 73.9, 1.0, 0.1),  # costs 1.1 points: more than one sd
    ]
    picked = choose({"task": "spam", "rows": rows})["*"]
    assert picked["baseline"] is rows[0]
    assert picked["chosen"] is rows[1]


def test_a_fit_with_ordinary_negatives_and_a_shift_flags_fewer_ordinary_messages(
    data: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from ambassade.engine.text._heads import Heads
    from ambassade.engine.text._normalize import normalize
    from ambassade.engine.text.training._calibration import calibration_cv
    from ambassade.engine.text.training._cv import cross_validate
    from ambassade.engine.text.training._embeddings import EmbeddingCache
    from ambassade.engine.text.training._heads import HeadsConfig, MoreData, train_heads

    fast = tmp_path / "model.npz"
    train(data, fast, TrainingConfig(cv_folds=2, spam_tweets=20, embedding_dim=8), lambda _: None)
    model = TextModel.load(fast)
    cache = EmbeddingCache(tmp_path / "cache")
    # USE v3 alone, one head per task: multilingual-e5-small would take most of the test's time.
    plain = HeadsConfig(
        spam_tweets=20, shift={}, ordinary={}, encoders={}, per_language={}, cross_lingual={},
        centred=(), own_lexical=(),
    )  # fmt: skip
    calibrated = replace(plain, shift={"spam:*": (-2.0,)}, ordinary={"spam:*": 1.0})
    quiet: Any = lambda _: None  # noqa: E731

    # The shift is written into the head file and moves the score by exactly that much.
    paths = {}
    for name, cfg in (("plain", plain), ("calibrated", calibrated)):
        paths[name] = tmp_path / f"{name}.npz"
        train_heads(data, paths[name], model, cache, cfg, MoreData(tmp_path), quiet)
    heads = {name: Heads.load(path) for name, path in paths.items()}
    assert heads["calibrated"].routes["spam"]["*"].shift == (-2.0,)
    assert heads["plain"].routes["spam"]["*"].shift == (0.0,)
    text = ["subscribe to my channel free http"]
    normalized = [normalize(t) for t in text]
    features = model.featurizer.transform(normalized)
    supported = model.predict(normalized, ["en"], features).sentiment_supported
    spam = {
        name: float(h.predict(h.vectors(text, ["en"]), features, ["en"], supported).spam[0])
        for name, h in heads.items()
    }
    assert spam["calibrated"] < spam["plain"]

    # The cross-validation scores the head as shipped, shift included: a shift that flags
    # nothing leaves no spam found.
    never = replace(plain, shift={"spam:*": (-50.0,)})
    result = cross_validate(data, model, cache, never, folds=2, repeats=1, tasks=("spam",),
                            progress=quiet)  # fmt: skip
    stacked = [r for r in result["tasks"]["spam"] if r["approach"] == "stacked"]
    assert stacked and all(r["mean"] == 0 for r in stacked)

    # The candidates' table: every weight and shift, fewer ordinary messages flagged as the shift
    # falls (the ordinary messages are UMSAB's neutral and positive tweets of the tiny folder).
    table = calibration_cv(
        data, model, cache, "spam", plain, weights=(0.0, 1.0), shifts=(0.0, -50.0), folds=2,
        repeats=1, progress=quiet,
    )  # fmt: skip
    rows = {(r["weight"], r["shift"]): r for r in table["rows"]}
    assert set(rows) == {(0.0, 0.0), (0.0, -50.0), (1.0, 0.0), (1.0, -50.0)}
    for weight in (0.0, 1.0):
        assert rows[(weight, -50.0)]["flagged"][0] == 0.0
        assert rows[(weight, -50.0)]["flagged"][0] <= rows[(weight, 0.0)]["flagged"][0]
        assert set(rows[(weight, 0.0)]["f1"]) == {"YouTube", "SMS"}


def test_the_packaged_heads_carry_the_configured_calibration() -> None:
    """heads.npz is regenerated whenever HeadsConfig's calibration changes (`train-text
    --heads-only`): the shifts it applies are the configured ones."""
    pytest.importorskip("sklearn")
    from ambassade.engine.text._heads import default_heads
    from ambassade.engine.text.training._heads import HeadsConfig

    cfg = HeadsConfig()
    heads = default_heads()
    for task, routes in heads.routes.items():
        for route, head in routes.items():
            expected = cfg.shift.get(f"{task}:{route}", (0.0,) * len(head.shift))
            assert head.shift == pytest.approx(expected), f"{task}:{route}"
    trained = heads.meta["trained"]["config"]
    assert trained["ordinary"] == cfg.ordinary
    assert np.all([w > 0 for w in cfg.ordinary.values()])


def test_ordinary_tweets_and_ordinary_text_in_the_tf_idf_part_come_with_their_own_weights(
    data: Path,  # noqa: F811
) -> None:
    from ambassade.engine.text.training._data import load
    from ambassade.engine.text.training._heads import (
        HeadsConfig,
        lexical_rows,
        ordinary_rows,
        ordinary_texts,
    )

    cfg = HeadsConfig(ordinary={"spam:*": 1.0}, ordinary_tweets={"spam:*": (5, 0.3)})
    umsab = ordinary_rows(data, "spam", cfg)
    rows, weights = ordinary_texts(data, "spam", "*", cfg)
    assert rows[: len(umsab)] == umsab and len(rows) == len(umsab) + 5
    assert weights.tolist() == [1.0] * len(umsab) + [0.3] * 5
    tweets = {e.text for e in load(data, "tweeteval-sentiment", "train")}
    assert all(text in tweets and lang == "en" for text, lang in rows[len(umsab) :])
    every = replace(cfg, ordinary_tweets={"spam:*": (-1, 0.3)})
    assert len(ordinary_texts(data, "spam", "*", every)[0]) == len(umsab) + len(tweets)
    assert ordinary_texts(data, "spam", "*", replace(cfg, ordinary={}, ordinary_tweets={}))[0] == []

    labels = np.array([True, False])
    texts, lexical_labels, lexical_weights = lexical_rows(
        data, "spam", replace(cfg, ordinary_lexical={"spam": 0.3}), ["a", "b"], labels, np.ones(2)
    )
    assert texts == ["a", "b", *(text for text, _ in umsab)]
    assert lexical_labels.tolist() == [True, False] + [False] * len(umsab)
    assert lexical_weights.tolist() == [1.0, 1.0] + [0.3] * len(umsab)
    off = replace(cfg, ordinary_lexical={})
    assert lexical_rows(data, "spam", off, ["a", "b"], labels, np.ones(2))[0] == ["a", "b"]
