"""Text length as each network counts it.

A text is cut into segments that are never split: links and (on Mastodon) remote mentions, which
count a fixed or shortened length, and grapheme clusters for everything else. Each segment costs a
number of the network's units (and, on Bluesky, bytes too), so the length is a sum, the point where
a text stops fitting is a prefix sum, and thread splitting can reuse the same costs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ambassade.engine.publishing._entities import extract_mentions, extract_urls
from ambassade.engine.publishing._rules import Counting, Limits, Network, NetworkRules, rules_for
from ambassade.engine.publishing._unicode import (
    grapheme_length,
    graphemes,
    is_emoji,
    iter_clusters,
    utf8_length,
    utf16_length,
)


@dataclass(frozen=True)
class TwitterTextConfig:
    """twitter-text's weighting configuration (its config/v3.json by default; the 280 limit is
    `NetworkRules.max_length`)."""

    scale: int = 100
    default_weight: int = 200
    transformed_url_length: int = 23
    emoji_parsing: bool = True
    # (first code point, last code point, weight): Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari…
    # up to U+10FF, general punctuation spaces, dashes, quotes and primes.
    ranges: tuple[tuple[int, int, int], ...] = field(
        default=(
            (0x0000, 0x10FF, 100),
            (0x2000, 0x200D, 100),
            (0x2010, 0x201F, 100),
            (0x2032, 0x2037, 100),
        )
    )

    @property
    def ascii_weight(self) -> int | None:
        """The weight shared by every ASCII character, if one range gives it to all of them."""
        for first, last, weight in self.ranges:
            if first <= 0 and last >= 0x7F:
                return weight
        return None

    def weight(self, char: str) -> int:
        code = ord(char)
        for first, last, weight in self.ranges:
            if first <= code <= last:
                return weight
        return self.default_weight


TWITTER_V3 = TwitterTextConfig()


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    cost: int  # in the network's units (X: twitter-text scaled weight)
    size: int  # UTF-8 bytes


@dataclass(frozen=True)
class Measure:
    """A text measured for a network: `length` against `limit` in `unit`, and the point from
    which the text no longer fits (`None` when it fits)."""

    network: Network
    length: int
    limit: int
    unit: str
    byte_length: int
    byte_limit: int | None
    overflow_start: int | None

    @property
    def remaining(self) -> int:
        return self.limit - self.length

    @property
    def fits(self) -> bool:
        return self.overflow_start is None


def _special_spans(
    text: str, rules: NetworkRules, config: TwitterTextConfig
) -> list[tuple[int, int, int]]:
    """(start, end, cost) of the links and shortened mentions, in order."""
    counting = rules.counting
    special: list[tuple[int, int, int]] = []
    if counting in (Counting.X_WEIGHTED, Counting.MASTODON):
        url_length = rules.url_length if rules.url_length is not None else 23
        url_cost = url_length * (config.scale if counting is Counting.X_WEIGHTED else 1)
        for url in extract_urls(text, rules.network):
            special.append((url.start, url.end, url_cost))
        if counting is Counting.MASTODON and "@" in text:
            taken = [(start, end) for start, end, _ in special]
            for mention in extract_mentions(text, Network.MASTODON):
                if "@" in mention.value and not any(
                    mention.start < end and start < mention.end for start, end in taken
                ):
                    local = mention.value.split("@", 1)[0]
                    special.append((mention.start, mention.end, 1 + len(local)))
        special.sort()
    return special


def segments(
    text: str, rules: NetworkRules, config: TwitterTextConfig = TWITTER_V3
) -> list[Segment]:
    """The text cut into unsplittable segments with their costs."""
    counting = rules.counting
    result: list[Segment] = []
    position = 0
    for start, end, cost in [*_special_spans(text, rules, config), (len(text), len(text), 0)]:
        for first, last in iter_clusters(text, position, start):
            cluster = text[first:last]
            result.append(
                Segment(first, last, _cluster_cost(cluster, counting, config), utf8_length(cluster))
            )
        if end > start:
            result.append(Segment(start, end, cost, utf8_length(text[start:end])))
        position = end
    return result


def _cluster_cost(cluster: str, counting: Counting, config: TwitterTextConfig) -> int:
    if counting is Counting.X_WEIGHTED:
        if config.emoji_parsing and is_emoji(cluster):
            return config.default_weight
        return sum(config.weight(char) for char in unicodedata.normalize("NFC", cluster))
    if counting in (Counting.GRAPHEMES, Counting.MASTODON):
        return 1
    if counting is Counting.THREADS:
        return utf8_length(cluster) if is_emoji(cluster) else len(cluster)
    if counting is Counting.UTF16:
        return utf16_length(cluster)
    return len(cluster)


def _piece_cost(piece: str, counting: Counting, config: TwitterTextConfig) -> int:
    """The cost of a piece of text without links: the sum of its clusters' costs, computed
    without cutting the piece into clusters where the counting allows it (the common case of
    a text that fits is measured on every keystroke)."""
    if counting is Counting.CODE_POINTS:
        return len(piece)
    if counting is Counting.UTF16:
        return utf16_length(piece)
    if piece.isascii():
        if counting in (Counting.GRAPHEMES, Counting.MASTODON):
            return len(piece) - piece.count("\r\n")  # CR LF is one cluster
        if counting is Counting.THREADS:
            return len(piece)
        ascii_weight = config.ascii_weight
        if ascii_weight is not None:
            return len(piece) * ascii_weight
    if counting in (Counting.GRAPHEMES, Counting.MASTODON):
        return grapheme_length(piece)
    return sum(_cluster_cost(cluster, counting, config) for cluster in graphemes(piece))


_UNITS = {
    Counting.X_WEIGHTED: "weighted_characters",
    Counting.GRAPHEMES: "graphemes",
    Counting.MASTODON: "characters",
    Counting.THREADS: "characters",
    Counting.CODE_POINTS: "characters",
    Counting.UTF16: "characters",
}


def measure(
    network: Network | str,
    text: str,
    limits: Limits | None = None,
    *,
    limit: int | None = None,
    config: TwitterTextConfig = TWITTER_V3,
) -> Measure:
    """Measure `text` for `network`; `limit` replaces the text limit (a Telegram caption: 1,024)."""
    rules = rules_for(network, limits)
    return measure_with(rules, text, limit=limit, config=config)


def measure_with(
    rules: NetworkRules,
    text: str,
    *,
    limit: int | None = None,
    config: TwitterTextConfig = TWITTER_V3,
) -> Measure:
    max_length = rules.max_length if limit is None else limit
    weighted = rules.counting is Counting.X_WEIGHTED
    scale = config.scale if weighted else 1
    total = 0
    position = 0
    for start, end, cost in [*_special_spans(text, rules, config), (len(text), len(text), 0)]:
        total += _piece_cost(text[position:start], rules.counting, config) + cost
        position = end
    size = utf8_length(text)
    overflow: int | None = None
    if total > max_length * scale or (rules.max_bytes is not None and size > rules.max_bytes):
        # Only a text that does not fit pays for the cut into segments, to say where it stops.
        running = running_size = 0
        for segment in segments(text, rules, config):
            running += segment.cost
            running_size += segment.size
            if running > max_length * scale or (
                rules.max_bytes is not None and running_size > rules.max_bytes
            ):
                overflow = segment.start
                break
    return Measure(
        network=rules.network,
        length=-(-total // scale),
        limit=max_length,
        unit=_UNITS[rules.counting],
        byte_length=size,
        byte_limit=rules.max_bytes,
        overflow_start=overflow,
    )


def text_length(network: Network | str, text: str, limits: Limits | None = None) -> int:
    """The length of `text` as `network` counts it against its limit."""
    return measure(network, text, limits).length


def x_weighted_length(text: str, config: TwitterTextConfig = TWITTER_V3) -> int:
    """twitter-text's `weightedLength`: NFC, most scripts 1, CJK and emoji 2, each URL 23."""
    return measure(Network.X, text, config=config).length


def mastodon_length(text: str, characters_reserved_per_url: int = 23) -> int:
    """Mastodon's count: graphemes, each URL with a protocol `characters_reserved_per_url`, a
    remote mention ``@user@instance`` only its ``@user`` part."""
    return measure(Network.MASTODON, text, Limits(url_length=characters_reserved_per_url)).length


def threads_length(text: str) -> int:
    """Threads' count: characters, each emoji as many as its UTF-8 bytes."""
    return measure(Network.THREADS, text).length
