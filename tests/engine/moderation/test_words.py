"""Watched words: folding, word boundaries, elision, wildcards, highlights in the original text."""

from __future__ import annotations

import pytest

from ambassade.engine.moderation import (
    InvalidRule,
    WordIndex,
    fold,
    fold_pattern,
    glob,
    typed_words,
)


def found(words: list[str], text: str) -> list[tuple[str, str]]:
    """(pattern as typed, the original text it highlighted) for each hit."""
    index = WordIndex({"list": words})
    folded = fold(text)
    hits, _work = index.search(folded)
    spans = []
    for hit in hits.get("list", []):
        start, end = folded.original(hit.start, hit.end)
        spans.append((index.typed[hit.pattern], text[start:end]))
    return sorted(spans)


def test_it_folds_case_accents_ligatures_and_punctuation() -> None:
    assert fold("L’ÉLÈVE, cœur—Straße!").text == " l eleve coeur strasse "
    assert fold("").text == " "
    assert fold("e\u0301te\u0301").text == " ete "  # accents written as combining marks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quel IDIOT", [("idiot", "IDIOT")]),
        ("l'idiot", [("idiot", "idiot")]),
        ("l’idiot du village", [("idiot", "idiot")]),
        ("qu’idiot", [("idiot", "idiot")]),
        ("d'Idiot", [("idiot", "Idiot")]),
        ("idiots", []),
        ("idiotie", []),
        ("un-idiot.", [("idiot", "idiot")]),
    ],
)
def test_it_matches_whole_words_after_french_elisions(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert found(["idiot"], text) == expected


def test_it_folds_the_watched_words_too() -> None:
    assert found(["ENCULÉ"], "espèce d'enculé") == [("ENCULÉ", "enculé")]
    assert found(["enculé"], "ENCULE") == [("enculé", "ENCULE")]
    assert found(["con"], "un conseil") == []
    assert found(["con"], "gros CON") == [("con", "CON")]


def test_it_matches_wildcards_within_one_word() -> None:
    assert found(["con*"], "un conseil") == [("con*", "conseil")]
    assert found(["*phobe"], "homophobe notoire") == [("*phobe", "homophobe")]
    assert found(["con*ard"], "connard, conard, conseil, con ard") == [
        ("con*ard", "conard"),
        ("con*ard", "connard"),
    ]
    assert found(["*oo*"], "booking") == [("*oo*", "booking")]
    assert found(["b*k*g"], "booking bkg bk") == [("b*k*g", "bkg"), ("b*k*g", "booking")]


def test_it_matches_phrases_across_punctuation() -> None:
    assert found(["casse toi"], "Casse-toi !") == [("casse toi", "Casse-toi")]
    assert found(["va* te faire"], "Vas te faire voir") == [("va* te faire", "Vas te faire")]
    assert found(["casse toi"], "casse, pas toi") == []


def test_it_highlights_in_text_whose_folding_changes_lengths() -> None:
    text = "Œuvre de Straße: l'ŒUF pourri"
    assert found(["oeuf"], text) == [("oeuf", "ŒUF")]
    assert found(["strasse"], text) == [("strasse", "Straße")]
    text = "cafe\u0301 pourri"
    assert found(["pourri"], text) == [("pourri", "pourri")]


def test_it_refuses_patterns_that_would_match_everything() -> None:
    for typed in ["*", "a*", "* *", "'", "**b"]:
        with pytest.raises(InvalidRule) as error:
            fold_pattern(typed)
        assert error.value.code == "moderation.word_too_short"
    with pytest.raises(InvalidRule) as error:
        fold_pattern("a" * 101)
    assert error.value.code == "moderation.word_too_long"
    with pytest.raises(InvalidRule) as error:
        WordIndex({"list": [f"mot{i}" for i in range(2001)]})
    assert error.value.code == "moderation.too_many_words"


def test_it_globs_without_backtracking() -> None:
    assert glob("a*b*c", "aXbYc")
    assert not glob("a*b*c", "aXcYb")
    assert glob("ab*", "ab")
    assert not glob("ab*ba", "aba")
    assert glob("*", "")


def test_it_reads_a_typed_list() -> None:
    assert typed_words("idiot, con*\n\n  casse toi \nidiot") == ["idiot", "con*", "casse toi"]


def test_it_shares_one_automaton_between_lists() -> None:
    index = WordIndex({"a": ["idiot", "nul"], "b": ["IDIOT"]})
    hits, _ = index.search(fold("idiot et nul"))
    assert sorted(hits) == ["a", "b"]
    assert len(hits["a"]) == 2 and len(hits["b"]) == 1
    assert len(index) == 2
