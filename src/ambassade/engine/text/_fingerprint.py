"""Near-duplicate fingerprints: a 64-bit SimHash over word shingles of the normalised text.

Two copies of a message that differ by a few words, a mention, a URL, case, accents or punctuation get
fingerprints a few bits apart, so copy-paste campaigns and retweet clusters can be grouped by Hamming
distance (see :func:`hamming_distance`; 3 bits or fewer is a good "same message" rule).
"""

from __future__ import annotations

import hashlib

import numpy as np

from ambassade.engine.text._normalize import bound, normalize, tokenize

__all__ = ["fingerprint", "hamming_distance", "is_near_duplicate"]

SHINGLE = 3
_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def _shingles(words: list[str]) -> list[str]:
    if len(words) <= SHINGLE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def fingerprint(text: str) -> int:
    """The 64-bit SimHash of a text (0 for a text without words), as a non-negative int. Only the
    first 10,000 characters count (:data:`~ambassade.engine.text._normalize.MAX_TEXT_CHARS`)."""
    words = [
        tok for tok in tokenize(normalize(bound(text))) if tok.isalnum() and tok not in ("http",)
    ]
    shingles = _shingles(words)
    if not shingles:
        return 0
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    hashes = np.frombuffer(digests, dtype="<u8")
    bits = (hashes[:, None] & _BITS) != 0
    votes = bits.sum(axis=0) * 2 - len(hashes)
    return int(np.sum(_BITS[votes > 0], dtype=np.uint64))


def hamming_distance(a: int, b: int) -> int:
    """How many of the 64 bits of two fingerprints differ."""
    return (a ^ b).bit_count()


def is_near_duplicate(a: int, b: int, max_distance: int = 3) -> bool:
    """Whether two fingerprints are at most ``max_distance`` bits apart (and neither is empty)."""
    return a != 0 and b != 0 and hamming_distance(a, b) <= max_distance
