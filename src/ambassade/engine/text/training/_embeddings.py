"""Sentence vectors of training texts, computed once and kept in a cache folder outside the repository.

Each text is keyed by a hash of the encoder's name, its token limit and the text itself, and each
encoder has its own folder, so a cache never serves vectors of another encoder. Cross-validation sweeps then cost seconds, not the hour it
takes to encode a hundred thousand texts on one shared core.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ambassade.engine.text import _e5
from ambassade.engine.text._encoder import DIMENSION, ENCODER_NAME, MAX_TOKENS, default_encoder

__all__ = ["DEFAULT_CACHE", "EmbeddingCache"]

DEFAULT_CACHE = Path("../cache/text-model")
_SHARD_ROWS = 2000
_KEY_BYTES = 16


# Encoder name -> (dimension, token limit).
ENCODERS = {
    ENCODER_NAME: (DIMENSION, MAX_TOKENS),
    _e5.ENCODER_NAME: (_e5.DIMENSION, _e5.MAX_TOKENS),
}


def _key(text: str, encoder: str = ENCODER_NAME) -> bytes:
    material = f"{encoder}\0{ENCODERS[encoder][1]}\0{text}".encode()
    return hashlib.sha1(material, usedforsecurity=False).digest()[:_KEY_BYTES]


def _encode(encoder: str, texts: list[str]) -> npt.NDArray[np.float32]:
    model = default_encoder() if encoder == ENCODER_NAME else _e5.default_e5()
    return model.encode(texts)


class EmbeddingCache:
    """Vectors by text, in ``<folder>/<encoder>/shard-*.npz`` files (keys and float16 rows)."""

    def __init__(self, folder: Path = DEFAULT_CACHE, encoder: str = ENCODER_NAME) -> None:
        if encoder not in ENCODERS:
            raise ValueError(f"unknown encoder {encoder!r}")
        self.root = folder
        self.encoder = encoder
        self.dimension = ENCODERS[encoder][0]
        self.folder = folder / encoder
        self.fits = folder / "fits"
        """Where training keeps its fitted heads, to serve an identical fit again."""
        self._rows: dict[bytes, npt.NDArray[np.float16]] = {}
        if self.folder.is_dir():
            for shard in sorted(self.folder.glob("shard-*.npz")):
                with np.load(shard, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                for key, vector in zip(keys, vectors, strict=True):
                    # numpy's fixed-width bytes drop trailing NUL bytes: pad them back.
                    self._rows[bytes(key).ljust(_KEY_BYTES, b"\0")] = vector

    def of(self, encoder: str) -> EmbeddingCache:
        """The cache of another encoder in the same folder (loaded once)."""
        if encoder == self.encoder:
            return self
        siblings = self.__dict__.setdefault("_siblings", {})
        if encoder not in siblings:
            siblings[encoder] = EmbeddingCache(self.root, encoder)
        sibling: EmbeddingCache = siblings[encoder]
        return sibling

    def embed_with(
        self,
        encoders: Sequence[str],
        texts: Sequence[str],
        progress: Callable[[str], None] | None = None,
    ) -> npt.NDArray[np.float32]:
        """The vectors of ``texts`` by each of ``encoders``, side by side."""
        return np.hstack([self.of(name).embed(texts, progress) for name in encoders])

    def __len__(self) -> int:
        return len(self._rows)

    def embed(
        self, texts: Sequence[str], progress: Callable[[str], None] | None = None
    ) -> npt.NDArray[np.float32]:
        """One vector per text, encoding (and storing) only the texts not seen before."""
        keys = [_key(text, self.encoder) for text in texts]
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._rows:
                missing[key] = text
        if missing:
            pending = list(missing.items())
            for start in range(0, len(pending), _SHARD_ROWS):
                part = pending[start : start + _SHARD_ROWS]
                vectors = _encode(self.encoder, [text for _, text in part]).astype(np.float16)
                self._store([key for key, _ in part], vectors)
                if progress is not None:
                    done = min(start + _SHARD_ROWS, len(pending))
                    progress(f"encoded {done}/{len(pending)} new texts")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = self._rows[key]
        return out

    def _store(self, keys: list[bytes], vectors: npt.NDArray[np.float16]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(b"".join(keys), usedforsecurity=False).hexdigest()[:16]
        target = self.folder / f"shard-{digest}.npz"
        temporary = self.folder / f".shard-{digest}.tmp.npz"
        np.savez(temporary, keys=np.array(keys, dtype="S16"), vectors=vectors)
        temporary.replace(target)
        for key, vector in zip(keys, vectors, strict=True):
            self._rows[key] = vector
