"""The optional accurate sentiment backend: a transformer checkpoint the user exported to ONNX.

``AMBASSADE_TEXT_MODEL`` names a local folder holding ``model.onnx`` (a sequence classifier taking
``input_ids`` and ``attention_mask``, and ``token_type_ids`` if it wants them, returning logits),
``tokenizer.json`` (a Hugging Face *fast* tokenizer) and ``config.json`` (its ``id2label`` names the
negative, neutral and positive classes). It needs ``onnxruntime`` and ``tokenizers``, not torch; nothing
is downloaded. docs/text-analysis.md shows how to export a multilingual Twitter sentiment model.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ENV_VAR", "AccurateSentiment", "accurate_backend"]

ENV_VAR = "AMBASSADE_TEXT_MODEL"
MAX_TOKENS = 128
BATCH = 32
_CLASSES = ("negative", "neutral", "positive")


class AccurateSentiment:
    """Sentiment probabilities (negative, neutral, positive) from an ONNX transformer."""

    def __init__(self, folder: Path) -> None:
        try:
            import onnxruntime  # type: ignore[import-untyped,import-not-found,unused-ignore]
            from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise RuntimeError(
                f"{ENV_VAR} is set but the accurate backend needs onnxruntime and tokenizers "
                f"(pip install onnxruntime tokenizers): {exc}"
            ) from None
        for name in ("model.onnx", "tokenizer.json", "config.json"):
            if not (folder / name).is_file():
                raise RuntimeError(f"{ENV_VAR}={folder}: {name} is missing")
        self.folder = folder
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {item.name for item in self.session.get_inputs()}
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.order = _class_order(config.get("id2label", {}))

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row of probabilities per text, in the order negative, neutral, positive."""
        out = np.zeros((len(texts), len(_CLASSES)), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            chunk = [text if text.strip() else "." for text in texts[start : start + BATCH]]
            encodings = self.tokenizer.encode_batch(chunk)
            feed: dict[str, Any] = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            }
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
            feed = {name: value for name, value in feed.items() if name in self.inputs}
            logits = np.asarray(self.session.run(None, feed)[0], dtype=np.float64)[:, self.order]
            z = np.exp(logits - logits.max(axis=1, keepdims=True))
            out[start : start + len(chunk)] = z / z.sum(axis=1, keepdims=True)
        return out


def _class_order(id2label: dict[str, str]) -> list[int]:
    """Output indices of the negative, neutral and positive classes."""
    if len(id2label) != len(_CLASSES):
        raise RuntimeError(
            f"{ENV_VAR}: the model must have 3 classes, config.json lists {id2label}"
        )
    names = {str(label).strip().lower(): int(index) for index, label in id2label.items()}
    if set(names) == set(_CLASSES):
        return [names[name] for name in _CLASSES]
    # Checkpoints without names (LABEL_0…) follow the usual negative/neutral/positive order.
    return sorted(names.values())


_lock = threading.Lock()
_backends: dict[str, AccurateSentiment] = {}


def accurate_backend() -> AccurateSentiment | None:
    """The backend named by ``AMBASSADE_TEXT_MODEL``, loaded once; None when the variable is unset."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return None
    backend = _backends.get(raw)
    if backend is None:
        with _lock:
            backend = _backends.get(raw)
            if backend is None:
                backend = AccurateSentiment(Path(raw).expanduser())
                _backends[raw] = backend
    return backend
