"""Raids: the same near-duplicate message from many different authors within a few minutes."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

__all__ = ["raid_authors"]

Event = tuple[int, str, float]
"""(near-duplicate cluster, author, time in seconds); cluster 0 means "no text to compare"."""


def raid_authors(
    history: Iterable[Event], targets: Sequence[Event], windows: Iterable[int]
) -> list[dict[int, int]]:
    """For each target, and each window (minutes): how many different authors of ``history`` (the
    targets themselves included when they are in it) wrote in the target's cluster within that
    window up to the target's time. A target without a cluster counts nobody."""
    windows = sorted(set(windows))
    by_cluster: dict[int, list[tuple[float, str]]] = {}
    for cluster, author, at in history:
        if cluster:
            by_cluster.setdefault(cluster, []).append((at, author))
    for listed in by_cluster.values():
        listed.sort()
    results: list[dict[int, int]] = []
    for cluster, _author, at in targets:
        events = by_cluster.get(cluster, []) if cluster else []
        counts: dict[int, int] = {}
        for minutes in windows:
            if not events:
                counts[minutes] = 0
                continue
            low = bisect_left(events, (at - minutes * 60.0, ""))
            high = bisect_right(events, (at, "\U0010ffff"))
            counts[minutes] = len({author for _at, author in events[low:high] if author})
        results.append(counts)
    return results
