"""The accurate tier's heads: a linear model over the sentence vector stacked with one over TF-IDF.

``models/heads.npz`` (numpy only, no pickle) holds, for each class of each head, one weight column
over the sentence vectors — those of the encoders the file names (:data:`ENCODERS`: Google's
multilingual USE v3, :mod:`._encoder`, and multilingual-e5-small, :mod:`._e5`), side by side — and
one over the fast model's TF-IDF vocabulary (int8 with a scale per column, as in ``text.npz``, whose
vocabulary it shares), and a JSON description: which head serves which task and language (``"*"``
for the others), which encoders it reads (its weights over the others are zero, and a text is only
encoded by the encoders its heads read) and how its two parts are stacked. With ``e`` and ``t`` the log-probabilities of the two parts (log-softmax for
sentiment, the log-odds for a binary task)::

    score = lexical_weight * t + encoder_weight * e + shift

then a softmax (sentiment) or a sigmoid. The weights are chosen by cross-validation at training time
(docs/text-analysis.md); ``shift`` also carries the calibration to ordinary traffic.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ambassade.engine.text import _e5
from ambassade.engine.text._encoder import DIMENSION, ENCODER_NAME, default_encoder
from ambassade.engine.text._features import Features
from ambassade.engine.text._model import Scores

__all__ = ["DEFAULT_HEADS_PATH", "ENCODERS", "TASKS", "Head", "Heads", "default_heads"]

DEFAULT_HEADS_PATH = Path(__file__).with_name("models") / "heads.npz"
FORMAT_VERSION = 2
TASKS = ("sentiment", "offensive", "hateful", "spam")
ENCODERS = {ENCODER_NAME: DIMENSION, _e5.ENCODER_NAME: _e5.DIMENSION}
"""The sentence encoders heads can read, with the width of their vectors."""


def encode(name: str, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Vectors of ``texts`` by the encoder ``name`` (loaded once per process)."""
    if name == ENCODER_NAME:
        return default_encoder().encode(texts)
    if name == _e5.ENCODER_NAME:
        return _e5.default_e5().encode(texts)
    raise ValueError(f"unknown encoder {name!r}")


FloatArray = npt.NDArray[np.float32]
DoubleArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Head:
    """One head: ``columns`` of the weight matrix (3 for sentiment, 1 for a binary task)."""

    columns: tuple[int, ...]
    lexical_weight: float
    encoder_weight: float
    shift: tuple[float, ...]
    encoders: tuple[str, ...] = (ENCODER_NAME,)
    """The encoders whose vectors this head reads."""

    @staticmethod
    def from_meta(raw: dict[str, Any], encoders: Sequence[str]) -> Head:
        return Head(
            tuple(int(c) for c in raw["columns"]),
            float(raw["lexical_weight"]),
            float(raw["encoder_weight"]),
            tuple(float(s) for s in raw["shift"]),
            tuple(str(e) for e in raw.get("encoders", encoders)),
        )

    def to_meta(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "lexical_weight": self.lexical_weight,
            "encoder_weight": self.encoder_weight,
            "shift": list(self.shift),
            "encoders": list(self.encoders),
        }


def _log_softmax(x: DoubleArray) -> DoubleArray:
    shifted = x - x.max(axis=1, keepdims=True)
    result: DoubleArray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return result


class Heads:
    """The trained heads; :meth:`predict` turns sentence vectors and TF-IDF rows into scores."""

    def __init__(
        self,
        encoder_weights: DoubleArray,
        encoder_biases: DoubleArray,
        lexical_weights: npt.NDArray[np.float32],
        lexical_biases: DoubleArray,
        meta: dict[str, Any],
    ) -> None:
        n_columns = len(encoder_biases)
        # Format 1 files name one encoder ("encoder"); format 2 a list ("encoders").
        self.encoders: tuple[str, ...] = tuple(
            meta.get("encoders") or [meta.get("encoder", ENCODER_NAME)]
        )
        unknown = [name for name in self.encoders if name not in ENCODERS]
        if unknown:
            raise ValueError(
                f"heads trained for encoder {unknown[0]!r}, not one of {list(ENCODERS)}"
            )
        offsets = np.cumsum([0, *(ENCODERS[name] for name in self.encoders)])
        self.offsets = {
            name: (int(offsets[i]), int(offsets[i + 1])) for i, name in enumerate(self.encoders)
        }
        if encoder_weights.shape != (int(offsets[-1]), n_columns):
            raise ValueError(f"encoder weights of shape {encoder_weights.shape} do not fit")
        if lexical_weights.shape[1] != n_columns or len(lexical_biases) != n_columns:
            raise ValueError(f"lexical weights of shape {lexical_weights.shape} do not fit")
        self.encoder_weights = encoder_weights
        self.encoder_biases = encoder_biases
        self.lexical_weights = lexical_weights
        self.lexical_biases = lexical_biases
        self.meta = meta
        self.routes: dict[str, dict[str, Head]] = {
            task: {
                lang: Head.from_meta(raw, self.encoders)
                for lang, raw in meta["heads"][task].items()
            }
            for task in TASKS
        }
        for task, routes in self.routes.items():
            if "*" not in routes:
                raise ValueError(f"no default head for {task}")
            width = 3 if task == "sentiment" else 1
            for head in routes.values():
                if len(head.columns) != width or len(head.shift) != width:
                    raise ValueError(f"a {task} head needs {width} columns")
                if not set(head.encoders) <= set(self.encoders):
                    raise ValueError(f"a {task} head reads an encoder the file has no weights for")

    @property
    def vocabulary_size(self) -> int:
        return int(self.lexical_weights.shape[0])

    @classmethod
    def load(cls, path: Path) -> Heads:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("format") not in (1, FORMAT_VERSION):
                raise ValueError(f"{path}: unsupported heads format {meta.get('format')!r}")
            lexical = data["lexical_weights"].astype(np.float32) * data["lexical_scales"]
            return cls(
                data["encoder_weights"].astype(np.float64),
                data["encoder_biases"].astype(np.float64),
                lexical.astype(np.float32),
                data["lexical_biases"].astype(np.float64),
                meta,
            )

    @staticmethod
    def save(
        path: Path,
        encoder_weights: npt.ArrayLike,
        encoder_biases: npt.ArrayLike,
        lexical_weights: npt.ArrayLike,
        lexical_biases: npt.ArrayLike,
        meta: dict[str, Any],
    ) -> None:
        matrix = np.asarray(lexical_weights, dtype=np.float64)
        scales = np.abs(matrix).max(axis=0) / 127.0
        scales[scales == 0] = 1.0
        meta = {"encoders": [ENCODER_NAME], **meta, "format": FORMAT_VERSION}
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            encoder_weights=np.asarray(encoder_weights, dtype=np.float32),
            encoder_biases=np.asarray(encoder_biases, dtype=np.float64),
            lexical_weights=np.rint(matrix / scales).astype(np.int8),
            lexical_scales=scales.astype(np.float32),
            lexical_biases=np.asarray(lexical_biases, dtype=np.float64),
        )

    def lexical_logits(self, features: Features) -> DoubleArray:
        """``X @ W + b`` over the TF-IDF terms of ``features`` (its dense block is not used)."""
        out = np.zeros((features.n_rows, self.lexical_weights.shape[1]), dtype=np.float64)
        nnz = len(features.indices)
        if nnz:
            contributions = self.lexical_weights[features.indices] * features.values[:, None]
            starts = features.indptr[:-1]
            sums = np.add.reduceat(contributions, np.minimum(starts, nnz - 1), axis=0)
            nonempty = features.indptr[1:] > starts
            out[nonempty] = sums[nonempty]
        result: DoubleArray = out + self.lexical_biases
        return result

    def encoder_rows(self, languages: Sequence[str]) -> dict[str, npt.NDArray[np.bool_]]:
        """For each encoder, the texts (by their language) that a head reading it will score."""
        lang = np.asarray(languages, dtype=object)
        needed = {name: np.zeros(len(languages), dtype=bool) for name in self.encoders}
        for routes in self.routes.values():
            specific = [code for code in routes if code != "*"]
            for code, head in routes.items():
                rows = ~np.isin(lang, specific) if code == "*" else lang == code
                for name in head.encoders:
                    needed[name] |= rows
        return needed

    def vectors(self, texts: Sequence[str], languages: Sequence[str]) -> FloatArray:
        """The sentence vectors :meth:`predict` needs, each text encoded only by the encoders its
        heads read (zeros elsewhere: those heads' weights there are zero)."""
        out = np.zeros((len(texts), int(self.encoder_weights.shape[0])), dtype=np.float32)
        for name, rows in self.encoder_rows(languages).items():
            if rows.any():
                start, end = self.offsets[name]
                picked = np.flatnonzero(rows)
                out[picked, start:end] = encode(name, [texts[int(i)] for i in picked])
        return out

    def predict(
        self,
        vectors: FloatArray,
        features: Features,
        languages: Sequence[str],
        supported: npt.NDArray[np.bool_],
    ) -> Scores:
        """Scores from sentence ``vectors`` and TF-IDF ``features`` (one row per text each);
        ``supported`` tells which texts get a sentiment (as the fast model decides)."""
        if not len(vectors) == features.n_rows == len(languages):
            raise ValueError("one sentence vector, feature row and language per text are needed")
        encoder_logits = vectors.astype(np.float64) @ self.encoder_weights + self.encoder_biases
        lexical_logits = self.lexical_logits(features)
        lang = np.asarray(languages, dtype=object)
        out: dict[str, DoubleArray] = {}
        for task, routes in self.routes.items():
            width = 3 if task == "sentiment" else 1
            combined = np.zeros((len(languages), width), dtype=np.float64)
            specific = [code for code in routes if code != "*"]
            for code, head in routes.items():
                rows = ~np.isin(lang, specific) if code == "*" else lang == code
                if not rows.any():
                    continue
                columns = np.asarray(head.columns, dtype=np.int64)
                encoder = encoder_logits[np.ix_(rows, columns)]
                lexical = lexical_logits[np.ix_(rows, columns)]
                if task == "sentiment":
                    encoder, lexical = _log_softmax(encoder), _log_softmax(lexical)
                combined[rows] = (
                    head.lexical_weight * lexical
                    + head.encoder_weight * encoder
                    + np.asarray(head.shift)
                )
            out[task] = combined
        z = out["sentiment"]
        exp = np.exp(z - z.max(axis=1, keepdims=True))
        sentiment = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)

        def sigmoid(task: str) -> FloatArray:
            value = np.clip(out[task][:, 0], -40.0, 40.0)
            return (1.0 / (1.0 + np.exp(-value))).astype(np.float32)

        return Scores(
            sentiment=sentiment,
            sentiment_supported=supported,
            offensive=sigmoid("offensive"),
            hateful=sigmoid("hateful"),
            spam=sigmoid("spam"),
        )


_lock = threading.Lock()
_default: Heads | None = None


def default_heads() -> Heads:
    """The packaged heads, loaded once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Heads.load(DEFAULT_HEADS_PATH)
    return _default
