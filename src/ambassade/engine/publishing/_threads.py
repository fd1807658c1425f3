"""Splitting a long text into a thread (X, Bluesky, Mastodon, Threads).

Each part ends at the best boundary that still fits: a paragraph, else a line or a sentence end, when
one lets the part be at least half full; else the last space; only a single word longer than a whole
part is cut inside, between two grapheme clusters, and never inside a link, a mention or a hashtag
unless that entity alone is longer than a part. The whitespace at a cut is dropped, nothing else: the
parts, joined, give back the text's words. Optional numbering " 2/5" is counted within each part's
limit. Every part is measured again as the network counts it before it is accepted.
"""

from __future__ import annotations

import bisect

from ambassade.engine.publishing._counting import (
    TWITTER_V3,
    Segment,
    TwitterTextConfig,
    measure_with,
    segments,
)
from ambassade.engine.publishing._entities import extract_entities
from ambassade.engine.publishing._rules import Counting, Limits, Network, NetworkRules, rules_for

_SENTENCE_END = frozenset(".!?…。！？")
_CLOSERS = frozenset("\"'»”’)]")

_PARAGRAPH, _SENTENCE, _WORD = 3, 2, 1


class ThreadSplitError(ValueError):
    """The text holds a single character (grapheme cluster) longer than a whole part."""


def split_thread(
    network: Network | str,
    text: str,
    limits: Limits | None = None,
    *,
    numbering: bool = True,
    config: TwitterTextConfig = TWITTER_V3,
) -> list[str]:
    """`text` cut into parts that each fit `network`'s limit; one part when it already fits."""
    rules = rules_for(network, limits)
    if not rules.supports_threads:
        raise ValueError(f"{rules.label} has no threads")
    text = text.strip()
    if measure_with(rules, text, config=config).fits:
        return [text] if text else []
    if not numbering:
        return _split(text, rules, config, 0)
    total = 2
    for _ in range(8):
        parts = _split(text, rules, config, total)
        if len(parts) <= total:
            # Fewer parts than planned leave the reservation a bit generous, never short.
            return [part + _suffix(index, len(parts)) for index, part in enumerate(parts, 1)]
        total = len(parts)
    # Unreachable in practice: the count settles in a round or two, as the width of " k/n" only
    # changes when n reaches 10, 100, 1000…
    raise ThreadSplitError("the numbering does not settle")  # pragma: no cover


def _suffix(index: int, total: int) -> str:
    return f" {index}/{total}"


def _split(
    text: str,
    rules: NetworkRules,
    config: TwitterTextConfig,
    total: int,
) -> list[str]:
    """The parts without numbering, each leaving room for the suffix " total/total" (if total)."""
    segs = segments(text, rules, config)
    bounds = [segment.start for segment in segs] + [len(text)]
    index_of = {position: index for index, position in enumerate(bounds)}
    costs, sizes = [0], [0]
    for segment in segs:
        costs.append(costs[-1] + segment.cost)
        sizes.append(sizes[-1] + segment.size)
    scale = config.scale if rules.counting is Counting.X_WEIGHTED else 1

    # A part may end at a boundary that is not inside an entity; `soft` boundaries end before a
    # whitespace run and carry its quality and where the next part starts.
    inside = [False] * len(bounds)
    for entity in extract_entities(text, rules.network):
        for position in range(entity.start + 1, entity.end):
            index = index_of.get(position)
            if index is not None:
                inside[index] = True
    soft: list[int] = []
    soft_info: dict[int, tuple[int, int]] = {}
    index = 1
    while index < len(segs):
        if _is_space(text, segs[index]) and not _is_space(text, segs[index - 1]):
            end = index
            while end < len(segs) and _is_space(text, segs[end]):
                end += 1
            run = text[bounds[index] : bounds[end]]
            if "\n\n" in run or "\n\r\n" in run:
                quality = _PARAGRAPH
            elif "\n" in run or _ends_sentence(text, bounds[index]):
                quality = _SENTENCE
            else:
                quality = _WORD
            soft.append(index)
            soft_info[index] = (quality, end)
            index = end
        else:
            index += 1

    suffix_text = _suffix(total, total) if total else ""
    reserve = measure_with(rules, suffix_text, config=config)
    reserve_cost = reserve.length * scale
    parts: list[str] = []
    start = 0
    while start < len(segs):
        budget = rules.max_length * scale - reserve_cost
        byte_budget = None if rules.max_bytes is None else rules.max_bytes - reserve.byte_length
        while True:
            reach = bisect.bisect_right(costs, costs[start] + budget) - 1
            if byte_budget is not None:
                reach = min(reach, bisect.bisect_right(sizes, sizes[start] + byte_budget) - 1)
            if reach <= start:
                raise ThreadSplitError(
                    f"a character at {bounds[start]} is longer than a whole part"
                )
            if reach == len(segs):
                cut, following = reach, reach
            else:
                cut, following = _choose_cut(start, reach, budget, costs, soft, soft_info, inside)
            part = text[bounds[start] : bounds[cut]]
            check = measure_with(rules, part + suffix_text, config=config)
            if check.fits:
                break
            # The part alone counts differently from its place in the whole text (a link cut
            # short, a normalisation): shrink the budget by the excess and choose again.
            budget -= max(scale, (check.length - check.limit) * scale)
            if byte_budget is not None and check.byte_limit is not None:
                byte_budget -= max(1, check.byte_length - check.byte_limit)
        parts.append(part)
        start = following
    return parts


def _choose_cut(
    start: int,
    reach: int,
    budget: int,
    costs: list[int],
    soft: list[int],
    soft_info: dict[int, tuple[int, int]],
    inside: list[bool],
) -> tuple[int, int]:
    low = bisect.bisect_right(soft, start)
    high = bisect.bisect_right(soft, reach)
    candidates = soft[low:high]
    for tier in (_PARAGRAPH, _SENTENCE):
        for cut in reversed(candidates):
            quality, following = soft_info[cut]
            if quality >= tier:
                if 2 * (costs[cut] - costs[start]) >= budget:
                    return cut, following
                break
    if candidates:
        cut = candidates[-1]
        return cut, soft_info[cut][1]
    for cut in range(reach, start, -1):
        if not inside[cut]:
            return cut, cut
    return reach, reach


def _ends_sentence(text: str, end: int) -> bool:
    """Whether text[:end] ends a sentence: ".", "!", "?"… possibly inside quotes or brackets."""
    position = end - 1
    while position >= 0 and text[position] in _CLOSERS:
        position -= 1
    return position >= 0 and text[position] in _SENTENCE_END


def _is_space(text: str, segment: Segment) -> bool:
    return text[segment.start : segment.end].isspace()
