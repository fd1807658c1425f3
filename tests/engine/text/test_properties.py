"""Any Unicode input is analysed without error and every score stays in its range."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ambassade.engine.text import (
    SENTIMENT_CLASSES,
    UNSUPPORTED,
    analyze,
    fingerprint,
    keywords,
    normalize,
)

PIECES = st.sampled_from(
    ["😍", "👍🏽", "👨‍👩‍👧", "\u200f", "\u202e", "مرحبا بكم", "שלום", "हिन्दी", "\x00", "\x1b[31m", "\r\n", "\ufeff",
     "@user", "#tag", "http://t.co/x", "Merci !", "hate", "&amp;", "<br />", "ﷺ", "\U0010ffff", "\ud7ff"]
)  # fmt: skip
TEXTS = st.one_of(st.text(), st.lists(PIECES | st.text(max_size=5), max_size=30).map("".join))


def _check(texts: list[str]) -> None:
    results = analyze(texts)
    assert len(results) == len(texts)
    for result in results:
        assert result.sentiment in (*SENTIMENT_CLASSES, UNSUPPORTED)
        assert len(result.lang) == 2 or result.lang == "und"
        for value in (result.offensive, result.hateful, result.spam, result.lang_confidence):
            assert 0.0 <= value <= 1.0 and not math.isnan(value)
        assert -1.0 <= result.sentiment_score <= 1.0
        assert 0 <= result.fingerprint < 2**64


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXTS, max_size=8))
def test_any_unicode_is_analysed_in_range(texts: list[str]) -> None:
    _check(texts)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_helpers_never_fail(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert 0 <= fingerprint(text) < 2**64
    assert len(keywords(text)) <= 5


def test_a_100_kb_text_and_odd_ones() -> None:
    big = ("Le service est nul, remboursez-moi ! 😡 " * 2600)[:100_000]
    _check([big, "", " ", "\x00\x01\x02", "\u202emirror", "🙂" * 5000, "a" * 100_000])
