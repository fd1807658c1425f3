from __future__ import annotations

import pytest

from ambassade.engine.query import (
    And,
    Field,
    Near,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    format_query,
    parse,
)

A, B, C, D = Term("a"), Term("b"), Term("c"), Term("d")


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("Café", Term("cafe")),
        ("#AirFrance", Term("airfrance", "hashtag")),
        ("@United", Term("united", "mention")),
        ("avi*", Prefix("avi")),
        ("#avi*", Prefix("avi", "hashtag")),
        ('"Air  France"', Phrase((Term("air"), Term("france")))),
        ("«air france»", Phrase((Term("air"), Term("france")))),
        ('"avion"', Term("avion")),
        ("e-mail", Phrase((Term("e"), Term("mail")))),
        ("l'avion", Phrase((Term("l"), Term("avion")))),
        ('"air fran*"', Phrase((Term("air"), Prefix("fran")))),
        ("e-mai*", Phrase((Term("e"), Prefix("mai")))),
        ("and or not near", And((Term("and"), Term("or"), Term("not"), Term("near")))),
    ],
)
def test_it_parses_patterns(query: str, tree: object) -> None:
    assert parse(query) == tree


def test_it_reads_two_operands_side_by_side_as_and() -> None:
    assert parse("a b") == parse("a AND b") == And((A, B))


def test_it_binds_not_tighter_than_and_tighter_than_or() -> None:
    assert parse("a b OR c d") == Or((And((A, B)), And((C, D))))
    assert parse("a NOT b OR c") == Or((And((A, Not(B))), C))
    assert parse("NOT a b") == And((Not(A), B))
    assert parse("a AND (b OR c)") == And((A, Or((B, C))))
    assert parse("a NOT (b OR c)") == And((A, Not(Or((B, C)))))


def test_it_flattens_nested_and_and_or() -> None:
    assert parse("(a OR b) OR (c OR d)") == Or((A, B, C, D))
    assert parse("a (b c)") == And((A, B, C))
    assert parse("((a))") == A


def test_it_parses_near_and_onear() -> None:
    assert parse("a NEAR/3 b") == Near((A,), (B,), 3)
    assert parse("a ONEAR/1 b") == Near((A,), (B,), 1, ordered=True)
    assert parse('(a OR "b c") NEAR/5 dix*') == Near((A, Phrase((B, C))), (Prefix("dix"),), 5)


def test_it_binds_near_tighter_than_not() -> None:
    assert parse("NOT a NEAR/2 b c") == And((Not(Near((A,), (B,), 2)), C))
    assert parse("x NOT a NEAR/2 b") == And((Term("x"), Not(Near((A,), (B,), 2))))


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("lang:FR", Field("lang", "fr")),
        ("source:Reddit", Field("source", "reddit")),
        ("author:@JeanneD", Field("author", "jeanned")),
        ("site:Example.com", Field("site", "example.com")),
        ("url:https://www.Example.com/Promo", Field("url", "example.com/promo")),
        ("LANG:fr", Field("lang", "fr")),
    ],
)
def test_it_parses_field_filters(query: str, tree: object) -> None:
    assert parse(query) == tree


def test_it_combines_field_filters_like_terms() -> None:
    assert parse("avion lang:fr OR source:x") == Or(
        (And((Term("avion"), Field("lang", "fr"))), Field("source", "x"))
    )


def test_it_accepts_a_lone_filter() -> None:
    assert parse("lang:fr") == Field("lang", "fr")


@pytest.mark.parametrize(
    "query",
    [
        '("air france" OR airfrance OR #airfrance) AND (retard* OR annul*) AND NOT job*',
        "@united ONEAR/2 (delay OR late)",
        "NOT (a AND b) AND c",
        "a AND b OR c AND d",
        "lang:fr AND site:example.com AND author:jean",
    ],
)
def test_it_prints_canonical_text_that_parses_back(query: str) -> None:
    assert format_query(parse(query)) == query


def test_it_prints_implicit_and_explicitly() -> None:
    assert format_query(parse("a b NOT c")) == "a AND b AND NOT c"
    assert format_query(parse("e-mail «Air France»")) == '"e mail" AND "air france"'


def error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "column", "expected", "words"),
    [
        # empty query
        ("", 1, "a term, a phrase or '('", "empty"),
        ("   ", 4, "a term, a phrase or '('", "empty"),
        # unbalanced parentheses
        ("(a OR b", 8, "')'", "column 1"),
        ("a (b (c)", 9, "')'", "column 3"),
        ("a OR b)", 7, "the end of the query", "unbalanced"),
        ("()", 2, "a term, a phrase or '('", "empty parentheses"),
        # operators without operands
        ("a AND", 6, "a term, a phrase or '('", "after AND"),
        ("AND a", 1, "a term, a phrase or '('", "AND needs an operand on its left"),
        ("a OR OR b", 6, "a term, a phrase or '('", "after OR"),
        ("a OR", 5, "a term, a phrase or '('", "after OR"),
        ("a NOT", 6, "a term, a phrase or '('", "after NOT"),
        ("a (OR b)", 4, "a term, a phrase or '('", "after '('"),
        ("NEAR/2 a", 1, "a term, a phrase or '('", "on its left"),
        ("a NEAR/2", 9, "a term, a phrase, a wildcard", "after NEAR/2"),
        ("a NEAR/2 NOT b", 10, "a term, a phrase, a wildcard", "after NEAR/2"),
        # NEAR without a distance >= 1
        ("a NEAR b", 3, "a distance of at least 1 after NEAR", "distance"),
        ("a ONEAR b", 3, "a distance of at least 1 after ONEAR", "distance"),
        ("a NEAR/0 b", 8, "a distance of at least 1 after NEAR", "'0'"),
        ("a NEAR/x b", 8, "a distance of at least 1 after NEAR", "'x'"),
        ("a NEAR/ b", 8, "a distance of at least 1 after NEAR", "''"),
        ("a NEAR/² b", 8, "a distance of at least 1 after NEAR", "'²'"),
        ("a NEAR/١ b", 8, "a distance of at least 1 after NEAR", "'١'"),
        ("a NEAR/10001 b", 8, "a distance from 1 to 10000 after NEAR", "at most 10000"),
        ("a ONEAR/" + "9" * 5000 + " b", 9, "a distance from 1 to 10000", "'" + "9" * 20 + "…'"),
        # NEAR operands
        ("(a AND b) NEAR/2 c", 1, "a term, a phrase, a wildcard or a parenthesised OR", "operands"),
        ("a NEAR/2 lang:fr", 10, "a term, a phrase, a wildcard", "operands"),
        ("a NEAR/2 b NEAR/3 c", 12, "AND, OR or the end of the query", "NEAR expression"),
        # wildcards
        ("av*", 1, "at least 3 characters before '*'", "av* is too short"),
        ('"air fr*"', 1, "at least 3 characters before '*'", "fr* is too short"),
        ("a*b", 2, "'*' at the end of a word", "end a word"),
        ("*", 1, "'*' at the end of a word", "end a word"),
        ("air-*", 1, "'*' at the end of a word", "end a word"),
        # unknown field
        ("foo:bar", 1, "one of the fields lang:, source:, author:, site:, url:", "foo:"),
        ("avion  pays:fr", 8, "one of the fields", "pays:"),
        # values
        ("lang:", 6, "a value after lang:", "needs a value"),
        ("author:@", 8, "a value after author:", "needs a value"),
        ("site:example.com/x", 6, "a host name", "host name"),
        # a query made only of NOT clauses
        ("NOT a", 1, "a term, a phrase or a filter outside NOT", "must match something"),
        ("NOT a NOT b", 1, "a term, a phrase or a filter outside NOT", "only of NOT"),
        ("x OR NOT b", 6, "a term, a phrase or a filter outside NOT", "must match something"),
        ("(NOT a) OR b", 1, "a term, a phrase or a filter outside NOT", "must match something"),
        # unterminated quote
        ('avion "air france', 7, 'a closing "', "unterminated quote"),
        ("« air france", 1, "a closing »", "unterminated quote"),
        # things that are not terms
        ("!!!", 1, "a term, a phrase or '('", "no letter or digit"),
        ('""', 1, "a word inside the quotes", "no word"),
        ("-avion", 1, "a term, a phrase or '('", "NOT avion"),
        ("https://example.com", 1, "url: or site:", "link"),
        ("www.example.com", 1, "url: or site:", "link"),
    ],
)
def test_it_names_the_column_and_what_was_expected(
    query: str, column: int, expected: str, words: str
) -> None:
    caught = error(query)
    assert caught.column == column
    assert caught.expected.startswith(expected) or expected in caught.expected
    assert words in caught.message
    assert str(caught) == f"column {column}: {caught.message}"
    assert caught.code.startswith("query."), "a person reads it in their language: give it a code"


def test_it_reports_the_leftmost_problem_first() -> None:
    assert error("AND a NEAR b").column == 1
    assert error('a NEAR/0 b "x').column == 8


def test_it_refuses_absurd_nesting_with_a_located_error() -> None:
    assert parse("(" * 100 + "a" + ")" * 100) == A
    assert parse("NOT " * 99 + "a b") is not None
    assert error("(" * 101 + "a" + ")" * 101).column == 101
    assert error("x " + "NOT " * 101 + "a").column == 403


def test_it_gives_each_error_a_code_and_the_parameters_of_its_sentence() -> None:
    caught = error("a NEAR/x b")
    assert (caught.code, dict(caught.params)) == (
        "query.near_bad_distance",
        {"operator": "NEAR", "distance": "x"},
    )
    assert error("a OR").code == "query.operand_expected_after_at_end"
    assert dict(error("a OR )").params) == {"after": "OR", "found": ")"}
    assert dict(error("(a b").params) == {"opened": 1}
