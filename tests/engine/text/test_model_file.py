"""The fast tier's model file: compact in the repository, read back bit for bit."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from ambassade.engine.text._model import DEFAULT_MODEL_PATH, write_npz

# The repository's rule: a binary file over 5 MB is compacted or moved out.
MAX_BYTES = 5_000_000


def test_the_packaged_model_is_compact_and_lzma_compressed() -> None:
    assert DEFAULT_MODEL_PATH.stat().st_size < MAX_BYTES
    with zipfile.ZipFile(DEFAULT_MODEL_PATH) as archive:
        methods = {info.filename: info.compress_type for info in archive.infolist()}
    assert methods and set(methods.values()) == {zipfile.ZIP_LZMA}, methods


def test_write_npz_round_trips_every_array_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    arrays = {
        "weights": rng.integers(-127, 128, size=(50, 7)).astype(np.int8),
        "idf": rng.random(50).astype(np.float16),
        "biases": rng.standard_normal(7),
        "vocabulary": np.frombuffer("w:café\nc: ça".encode(), dtype=np.uint8),
    }
    path = tmp_path / "model.npz"
    write_npz(path, **arrays)
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == sorted(arrays)
        for name, array in arrays.items():
            assert data[name].dtype == array.dtype
            assert np.array_equal(data[name], array)
    first = path.read_bytes()
    write_npz(path, **arrays)  # the same model is the same file, byte for byte
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left
