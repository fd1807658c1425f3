"""Splitting a long text into a thread (X, Bluesky, Mastodon, Threads).

Each part ends at the best boundary that still fits: a paragraph, else a line or a sentence end, when
one lets the part be at least a quarter full; else a clause (after ",", ";", ":" or a dash) when the
part is at least half full; else the last space; only a single word longer than a whole part is cut
inside, between two grapheme clusters, and never inside a link, a mention or a hashtag unless that
entity alone is longer than a part. Hashtags that close a sentence or the text stay with the words
before them: a part is never made of hashtags alone unless there is no other way to cut. The whitespace at a cut is dropped, nothing else: the
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
_CLAUSE_END = frozenset(",;:—–、，；：")
_CLOSERS = frozenset("\"'»”’)]")

# Boundary qualities, best first. A glued boundary is one before hashtags that close a sentence or
# the text: cut there only when nothing else fits.
_PARAGRAPH, _SENTENCE, _CLAUSE, _WORD, _GLUED = 4, 3, 2, 1, 0
#: A part may end at a paragraph or a sentence once it is 1/4 full, at a clause once it is 1/2 full.
_SHARE = {_PARAGRAPH: 4, _SENTENCE: 4, _CLAUSE: 2}


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
            elif _ends_clause(text, bounds[index]):
                quality = _CLAUSE
            else:
                quality = _WORD
            soft.append(index)
            soft_info[index] = (quality, end)
            index = end
        else:
            index += 1
    _glue_closing_hashtags(text, bounds, soft, soft_info)

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
    for tier in (_PARAGRAPH, _SENTENCE, _CLAUSE):
        for cut in reversed(candidates):
            quality, following = soft_info[cut]
            if quality >= tier:
                if _SHARE[tier] * (costs[cut] - costs[start]) >= budget:
                    return cut, following
                break
    for tier in (_WORD, _GLUED):
        for cut in reversed(candidates):
            quality, following = soft_info[cut]
            if quality >= tier:
                return cut, following
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


def _ends_clause(text: str, end: int) -> bool:
    """Whether text[:end] ends a clause: ",", ";", ":" or a dash, possibly inside quotes."""
    position = end - 1
    while position >= 0 and text[position] in _CLOSERS:
        position -= 1
    return position >= 0 and text[position] in _CLAUSE_END


def _is_hashtag(word: str) -> bool:
    return len(word) > 1 and word[0] in "#＃" and word[1:2] not in ("#", "＃")


def _glue_closing_hashtags(
    text: str, bounds: list[int], soft: list[int], soft_info: dict[int, tuple[int, int]]
) -> None:
    """Mark as glued each boundary followed by hashtags only up to a sentence end, a paragraph or
    the end of the text: "… le matin. #café #lyon" keeps its hashtags with "le matin."."""
    quality = {index: soft_info[index][0] for index in soft}
    closes = True  # the word after the last boundary ends the text
    for position in range(len(soft) - 1, -1, -1):
        index = soft[position]
        following = soft_info[index][1]
        if position + 1 < len(soft):
            after = soft[position + 1]
            word = text[bounds[following] : bounds[after]]
            if quality[after] >= _SENTENCE:
                closes = True
        else:
            word = text[bounds[following] :]
        closes = closes and _is_hashtag(word)
        if closes:
            soft_info[index] = (_GLUED, following)


def _is_space(text: str, segment: Segment) -> bool:
    return text[segment.start : segment.end].isspace()
