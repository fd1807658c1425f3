"""Every rule of docs/query-language.md, checked on the naive evaluator and the compiled matcher."""

from __future__ import annotations

import pytest

from ambassade.engine.query import Document, Matcher, evaluate, parse


def matches(query: str, text: str, **fields: str) -> bool:
    document = Document(text, **fields)
    naive = evaluate(parse(query), document)
    compiled = Matcher({"q": query}).match(document) == ["q"]
    assert naive == compiled, f"naive {naive} but compiled {compiled}"
    return naive


@pytest.mark.parametrize("text", ["un café", "Un Cafe", "CAFÉ!", "cafés? non: café."])
def test_it_ignores_case_and_accents(text: str) -> None:
    assert matches("cafe", text)
    assert matches("CAFÉ", text)


def test_it_matches_whole_words_only() -> None:
    assert not matches("cafe", "cafeteria")
    assert not matches("air", "airfrance")


def test_a_term_matches_a_word_a_hashtag_or_a_mention() -> None:
    assert matches("avion", "j'adore l'avion")
    assert matches("avion", "#avion")
    assert matches("avion", "merci @avion")


def test_a_hashtag_or_mention_matches_only_its_kind() -> None:
    assert matches("#avion", "vive #Avion")
    assert not matches("#avion", "un avion")
    assert not matches("#avion", "@avion")
    assert matches("@united", "@United thanks")
    assert not matches("@united", "united we stand")
    assert not matches("@united", "#united")


def test_apostrophes_split_words() -> None:
    assert matches("avion", "L’avion décolle")
    assert matches("l'avion", "dans l'avion")
    assert matches("l'avion", "l avion")
    assert matches("aujourd'hui", "aujourd hui")


def test_a_hyphenated_term_is_a_phrase() -> None:
    assert matches("e-mail", "send an e-mail")
    assert matches("e-mail", "send an e mail")
    assert not matches("e-mail", "send an email")
    assert not matches("e-mail", "mail e")


def test_urls_are_not_matched_by_plain_terms() -> None:
    assert not matches("example", "see https://example.com/promo")
    assert not matches("promo", "see www.example.com/promo")
    assert matches("promo", "see www.example.com promo")


def test_a_phrase_matches_consecutive_tokens() -> None:
    assert matches('"air france"', "Vol AIR-FRANCE annulé")
    assert matches('"air france"', "#air @france")
    assert not matches('"air france"', "air et france")
    assert not matches('"air france"', "france air")
    assert not matches('"air france"', "air https://x.fr france")
    assert matches('"#air france"', "#air france")
    assert not matches('"#air france"', "air france")


def test_a_wildcard_matches_a_word_starting_with_it() -> None:
    assert matches("avi*", "Avions")
    assert matches("avi*", "avi")
    assert matches("avi*", "#aviation")
    assert not matches("avi*", "navire")
    assert matches("#avi*", "#aviation")
    assert not matches("#avi*", "aviation")
    assert matches('"air fran*"', "air francophone")
    assert matches("e-mai*", "e-mails")


def test_and_or_not_combine() -> None:
    assert matches("vol retard", "le vol a du retard")
    assert not matches("vol retard", "le vol est parti")
    assert matches("vol OR retard", "du retard")
    assert matches("vol NOT retard", "le vol est parti")
    assert not matches("vol NOT retard", "le vol est en retard")
    assert matches("vol and retard", "vol and retard")
    assert not matches("vol and retard", "vol retard")


def test_not_binds_tighter_than_and_and_and_than_or() -> None:
    # a NOT b OR c = (a AND NOT b) OR c
    assert matches("a NOT b OR c", "b c")
    assert matches("a NOT b OR c", "a")
    assert not matches("a NOT b OR c", "a b")
    # a b OR c = (a AND b) OR c
    assert matches("a b OR c", "c")
    assert not matches("a (b OR c)", "c")


@pytest.mark.parametrize(
    ("text", "distance", "expected"),
    [
        ("avion retard", 1, True),
        ("avion en retard", 1, False),
        ("avion en retard", 2, True),
        ("retard avion", 1, True),
        ("retard de l'avion", 3, True),
        ("retard de l'avion", 2, False),
    ],
)
def test_near_counts_words_between_occurrences_in_either_order(
    text: str, distance: int, expected: bool
) -> None:
    assert matches(f"avion NEAR/{distance} retard", text) is expected


def test_onear_wants_the_left_operand_first() -> None:
    assert matches("avion ONEAR/2 retard", "avion en retard")
    assert not matches("avion ONEAR/2 retard", "retard de avion")
    assert matches("avion ONEAR/2 retard", "retard de avion en retard")


def test_near_takes_phrases_wildcards_and_alternatives() -> None:
    assert matches('"air france" NEAR/2 retard*', "Air France encore retardé")
    assert not matches('"air france" NEAR/1 retard*', "retard pour air x france")
    assert matches("(vol OR avion) NEAR/1 (annule OR retard)", "vol annulé")
    assert matches("(vol OR avion) NEAR/1 (annule OR retard)", "retard avion")
    assert not matches("(vol OR avion) NEAR/1 (annule OR retard)", "vol très annulé")


def test_near_needs_two_separate_occurrences() -> None:
    assert not matches("avion NEAR/3 avion", "un avion")
    assert matches("avion NEAR/3 avion", "avion et avion")
    assert not matches('"air france" NEAR/3 france', "air france")


def test_near_skips_urls_as_one_word() -> None:
    assert matches("a NEAR/2 b", "a https://x.fr b")
    assert not matches("a NEAR/1 b", "a https://x.fr b")


def test_lang_source_and_author_filters() -> None:
    assert matches("avion lang:fr", "avion", lang="fr")
    assert matches("avion lang:fr", "avion", lang="fr-CA")
    assert not matches("avion lang:fr", "avion", lang="en")
    assert not matches("avion lang:fr", "avion")
    assert matches("lang:fr-ca", "x", lang="fr_CA")
    assert matches("source:reddit", "x", source="Reddit")
    assert not matches("source:reddit", "x", source="x")
    assert matches("author:jeanne", "x", author="@Jeanne")
    assert matches("author:@JEANNE", "x", author="jeanne")
    assert not matches("author:jeanne", "x", author="jeanne2")


def test_site_filter_reads_the_message_url_and_its_links() -> None:
    assert matches("site:example.com", "x", url="https://example.com/a")
    assert matches("site:example.com", "x", url="https://blog.Example.com/a")
    assert not matches("site:example.com", "x", url="https://notexample.com/a")
    assert matches("site:example.com", "lu sur https://www.example.com/promo !")
    assert not matches("site:example.com", "example.com sans lien")
    assert not matches("site:www.example.com", "lu sur https://example.com/promo")


def test_url_filter_compares_the_start_of_urls() -> None:
    assert matches("url:example.com/promo", "voir https://www.example.com/promo/ete")
    assert matches("url:example.com/promo", "x", url="http://example.com/promotion")
    assert not matches("url:example.com/promo", "voir https://example.com/other")
    assert not matches("url:example.com/promo", "example.com/promo")


def test_filters_combine_like_terms() -> None:
    query = "(avion lang:fr) OR (plane lang:en) NOT source:x"
    assert matches(query, "un avion", lang="fr", source="reddit")
    assert matches(query, "a plane", lang="en", source="reddit")
    assert not matches(query, "a plane", lang="en", source="x")
    assert not matches(query, "a plane", lang="fr", source="reddit")


def test_a_lone_filter_matches_every_message_it_selects() -> None:
    assert matches("lang:fr", "", lang="fr")
