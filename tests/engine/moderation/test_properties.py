"""Arbitrary text and rules: the automaton agrees with a plain word-by-word reading, and the work
it does per message stays linear in the message's length (counted, not timed)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.moderation import (
    InvalidRule,
    Item,
    WordIndex,
    compile_rules,
    fold,
    fold_pattern,
    glob,
)

LETTERS = "aabcéÉœ'’ -*"
texts = st.text(alphabet=st.sampled_from([*"aabcéÉœßAB'’ -.!@#", "\u0301", "😀"]), max_size=300)
patterns = st.text(alphabet=st.sampled_from(list(LETTERS)), min_size=1, max_size=12)


def naive(tokens: tuple[str, ...], text: str) -> set[tuple[int, int]]:
    """Word spans of ``fold(text)`` where the pattern matches, word by word."""
    folded = fold(text)
    words = folded.text.split()
    found = set()
    for first in range(len(words) - len(tokens) + 1):
        if all(glob(t, w) for t, w in zip(tokens, words[first : first + len(tokens)], strict=True)):
            start = folded.starts[first]
            found.add((start, folded.word_end(first + len(tokens) - 1)))
    return found


def valid(typed: list[str]) -> list[str]:
    kept = []
    for word in typed:
        try:
            fold_pattern(word)
        except InvalidRule:
            continue
        kept.append(word)
    return kept


@settings(max_examples=300, deadline=None)
@given(st.lists(patterns, min_size=1, max_size=8), texts)
def test_it_finds_what_a_word_by_word_reading_finds(typed: list[str], text: str) -> None:
    typed = valid(typed)
    index = WordIndex({"list": typed})
    hits, _work = index.search(fold(text))
    got = {(index.patterns[h.pattern], h.start, h.end) for h in hits.get("list", [])}
    expected = {
        (tokens, start, end) for tokens in set(index.patterns) for start, end in naive(tokens, text)
    }
    assert got == expected


def _spec(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["words", "words", "score", "links", "caps", "mentions", "query"]))
    if kind == "words":
        return {
            "kind": "words",
            "words": valid(draw(st.lists(patterns, min_size=1, max_size=30))) or ["ab"],
        }
    if kind == "score":
        return {"kind": "score", "score": "offensive", "above": draw(st.floats(0, 1))}
    if kind == "query":
        return {
            "kind": "query",
            "query": draw(st.sampled_from(["ab OR bcd*", '"a b" NEAR/2 c', "ab AND NOT c"])),
        }
    return {"kind": kind, **({"more_than": 1} if kind == "mentions" else {})}


@st.composite
def rulesets(draw: Any) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 6))
    return [
        {
            "id": str(number),
            "conditions": [_spec(draw) for _ in range(draw(st.integers(1, 3)))],
            "actions": [{"kind": "flag"}],
            "continue": draw(st.booleans()),
            "match": draw(st.sampled_from(["all", "any"])),
        }
        for number in range(count)
    ]


long_texts = st.builds(lambda part, times: part * times, texts, st.integers(1, 40))


@settings(max_examples=200, deadline=None)
@given(rulesets(), long_texts)
def test_it_bounds_the_work_of_any_rules_on_any_text(
    specs: list[dict[str, Any]], text: str
) -> None:
    rules = compile_rules(specs)
    outcome = rules.evaluate(Item(text))
    length = len(fold(text).text) + len(text[:10_000])
    words = rules.words
    most_tokens = max((len(p) for p in words.patterns), default=0)
    # Scanning (once), the automaton's outputs (at most one per pattern per position) and checking
    # the patterns with "*" (each once per word, over at most its number of words), plus a linear
    # pass per condition that reads the raw text, and the query matcher's tokens.
    bound = length * (4 + len(words) + 2 * words.starred * most_tokens) + 3 * length * len(specs)
    bound += len(specs) + (len(rules.matcher) if rules.matcher else 0) + 10
    assert outcome.work <= bound
    for match in outcome.matches:
        for reason in match.reasons:
            for start, end in reason.spans:
                assert 0 <= start < end <= len(text)


def test_it_keeps_the_work_linear_on_a_hostile_message() -> None:
    words = [f"a{'*a' * k}b" for k in range(1, 40)] + ["aa", "aa aa", "aa aa aa"]
    rules = compile_rules(
        [
            {
                "id": "1",
                "conditions": [{"kind": "words", "words": words}],
                "actions": [{"kind": "flag"}],
            }
        ]
    )
    small = rules.evaluate(Item("aa " * 300)).work
    large = rules.evaluate(Item("aa " * 3000)).work
    assert large <= 11 * small
    single = rules.evaluate(Item("a" * 9_999 + "b")).work
    assert single <= 10_001 * (4 + len(words) + 2 * rules.words.starred)
