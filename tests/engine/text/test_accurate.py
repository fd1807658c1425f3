"""The accurate backend, on a tiny ONNX classifier and tokenizer built here (no download)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# onnx, onnxruntime and tokenizers come with the dev extra: a missing one is an error, not a skip.
import onnx
import pytest
import tokenizers

from ambassade.engine.text import analyze
from ambassade.engine.text._accurate import (
    ENV_VAR,
    AccurateSentiment,
    _class_order,
    accurate_backend,
)

VOCAB = {"[PAD]": 0, "[UNK]": 1, "good": 2, "bad": 3, "meh": 4}


def _build(folder: Path, labels: dict[str, str], token_types: bool = False) -> Path:
    """An embedding-bag classifier: logits = mean over real tokens of a per-token row."""
    from onnx import TensorProto, helper, numpy_helper

    folder.mkdir()
    rows = np.zeros((len(VOCAB), 3), dtype=np.float32)
    column = {name.lower(): int(index) for index, name in labels.items()}
    rows[VOCAB["good"], column["positive"]] = 4.0
    rows[VOCAB["bad"], column["negative"]] = 4.0
    rows[VOCAB["meh"], column["neutral"]] = 4.0
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
    ]
    if token_types:
        inputs.append(
            helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"])
        )
    nodes = [
        helper.make_node("Gather", ["embedding", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["total"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Max", ["count", "one"], ["safe"]),
        helper.make_node("Div", ["total", "safe"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        inputs,
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])],
        initializer=[
            numpy_helper.from_array(rows, "embedding"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
            numpy_helper.from_array(np.array([1.0], dtype=np.float32), "one"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "model.onnx"))
    tokenizer = tokenizers.Tokenizer(tokenizers.models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.normalizer = tokenizers.normalizers.Lowercase()
    tokenizer.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    tokenizer.save(str(folder / "tokenizer.json"))
    (folder / "config.json").write_text(json.dumps({"id2label": labels}), encoding="utf-8")
    return folder


def test_it_predicts_with_a_local_onnx_model(tmp_path: Path) -> None:
    backend = AccurateSentiment(
        _build(tmp_path / "m", {"0": "negative", "1": "neutral", "2": "positive"})
    )
    probabilities = backend.predict(["good good", "Bad", "meh", "", "unknown words"] * 10)
    assert probabilities.shape == (50, 3)
    assert list(probabilities[:3].argmax(axis=1)) == [2, 0, 1]
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_it_reads_label_names_in_any_order(tmp_path: Path) -> None:
    folder = _build(
        tmp_path / "m", {"0": "Positive", "1": "Negative", "2": "Neutral"}, token_types=True
    )
    assert list(AccurateSentiment(folder).predict(["good", "bad", "meh"]).argmax(axis=1)) == [
        2,
        0,
        1,
    ]


def test_analyze_uses_it_when_the_setting_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _build(tmp_path / "m", {"0": "negative", "1": "neutral", "2": "positive"})
    monkeypatch.setenv(ENV_VAR, str(folder))
    assert accurate_backend() is accurate_backend() is not None
    # The tiny model only knows three words: "bad" wins over the fast model's reading of the rest.
    (result, dutch) = analyze(
        ["bad bad, thank you so much, I love it", "Het weer is vandaag erg mooi, good"]
    )
    assert result.sentiment == "negative" and result.sentiment_score < 0
    assert dutch.sentiment == "positive"
    monkeypatch.delenv(ENV_VAR)
    assert accurate_backend() is None


def test_it_explains_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuntimeError, match=r"model\.onnx is missing"):
        AccurateSentiment(tmp_path / "empty")


def test_class_order() -> None:
    assert _class_order({"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}) == [0, 1, 2]
    assert _class_order({"0": "positive", "1": "negative", "2": "neutral"}) == [1, 2, 0]
    with pytest.raises(RuntimeError, match="3 classes"):
        _class_order({"0": "no", "1": "yes"})
