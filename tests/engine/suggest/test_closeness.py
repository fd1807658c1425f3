"""The closeness measure of ``ambassade bench replies``: ROUGE-L F1 and token F1 over word tokens."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ambassade.engine.suggest import closeness_tokens, rouge_l, token_f1


def test_it_compares_words_and_placeholders_lower_cased_every_address_alike() -> None:
    assert closeness_tokens("Hi {first_name}, we'd LOVE to help: https://t.co/x1 {agent}") == [
        "hi",
        "{first_name}",
        "we'd",
        "love",
        "to",
        "help",
        "{link}",
        "{agent}",
    ]


def test_it_scores_the_longest_common_subsequence() -> None:
    a = ["please", "send", "us", "a", "dm"]
    b = ["please", "send", "a", "private", "dm", "now"]
    # LCS "please send a dm" = 4: precision 4/5, recall 4/6.
    assert rouge_l(a, b) == pytest.approx(2 * 0.8 * (4 / 6) / (0.8 + 4 / 6))


def test_it_ignores_order_in_token_f1_but_not_in_rouge_l() -> None:
    a = ["dm", "us", "please"]
    b = ["please", "us", "dm"]
    assert token_f1(a, b) == 1.0
    assert rouge_l(a, b) == pytest.approx(1 / 3)


def test_it_gives_zero_for_empty_or_disjoint_texts() -> None:
    assert rouge_l([], ["a"]) == rouge_l(["a"], []) == rouge_l(["a"], ["b"]) == 0.0
    assert token_f1([], ["a"]) == token_f1(["a"], ["b"]) == 0.0


words = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=12)


@given(words, words)
def test_it_is_symmetric_and_between_zero_and_one(a: list[str], b: list[str]) -> None:
    for measure in (rouge_l, token_f1):
        assert 0.0 <= measure(a, b) <= 1.0
        assert measure(a, b) == pytest.approx(measure(b, a))
    if a:
        assert rouge_l(a, a) == 1.0
    assert rouge_l(a, b) <= token_f1(a, b) + 1e-9
