"""Verifiable contest draws: commit to a secret seed before the close, publish it with the entry
list after, and let anyone recompute the winners (docs/contests.md)."""

from ambassade.engine.draw._draw import (
    FORMAT,
    Draw,
    DrawError,
    Eligibility,
    Verification,
    canonical_entries,
    commitment,
    draw_winners,
    entries_sha256,
    new_seed,
    verify,
)

__all__ = [
    "FORMAT",
    "Draw",
    "DrawError",
    "Eligibility",
    "Verification",
    "canonical_entries",
    "commitment",
    "draw_winners",
    "entries_sha256",
    "new_seed",
    "verify",
]
