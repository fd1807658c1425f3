"""Properties over random queries and documents: the printer and the parser are inverse, the
compiled matcher agrees with the naive evaluator, and the parser fails only with
QuerySyntaxError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ambassade.engine.query import (
    And,
    Document,
    Field,
    Matcher,
    Near,
    Node,
    Not,
    Or,
    Pattern,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    evaluate,
    format_query,
    parse,
    prepare,
)
from ambassade.engine.query._parser import check_matchable

WORDS = [
    "avion",
    "avions",
    "vol",
    "cafe",
    "retard",
    "air",
    "france",
    "united",
    "delay",
    "e",
    "mail",
]
KINDS = st.sampled_from(["word", "word", "hashtag", "mention"])

terms = st.builds(Term, st.sampled_from(WORDS), KINDS)
prefixes = st.builds(
    Prefix, st.sampled_from(sorted({w[:n] for w in WORDS for n in range(3, len(w) + 1)})), KINDS
)
items = st.one_of(terms, terms, prefixes)
phrases = st.lists(items, min_size=2, max_size=3).map(lambda xs: Phrase(tuple(xs)))
patterns: st.SearchStrategy[Pattern] = st.one_of(terms, terms, prefixes, phrases)
fields = st.one_of(
    st.builds(Field, st.just("lang"), st.sampled_from(["fr", "en", "fr-ca"])),
    st.builds(Field, st.just("source"), st.sampled_from(["reddit", "x"])),
    st.builds(Field, st.just("author"), st.sampled_from(["jeanne", "bob"])),
    st.builds(Field, st.just("site"), st.sampled_from(["example.com", "blog.example.com", "fr"])),
    st.builds(
        Field, st.just("url"), st.sampled_from(["example.com/promo", "example.com", "x.fr/a"])
    ),
)
nears = st.builds(
    Near,
    st.lists(patterns, min_size=1, max_size=2).map(tuple),
    st.lists(patterns, min_size=1, max_size=2).map(tuple),
    st.integers(1, 4),
    st.booleans(),
)


def _join(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    flat: list[Node] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Not, children),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: _join(And, xs)),
        st.lists(children, min_size=2, max_size=3).map(lambda xs: _join(Or, xs)),
    )


def _matchable(tree: Node) -> Node:
    try:
        check_matchable(tree)
    except QuerySyntaxError:
        return _join(And, [Term("anchor"), tree])
    return tree


trees: st.SearchStrategy[Node] = st.recursive(
    st.one_of(patterns, fields, nears), _extend, max_leaves=8
).map(_matchable)


@settings(max_examples=200)
@given(trees)
def test_printing_then_parsing_gives_the_same_tree(tree: Node) -> None:
    assert parse(format_query(tree)) == tree


QUERY_BITS = st.sampled_from(
    [
        *WORDS,
        "Café",
        "AND",
        "OR",
        "NOT",
        "NEAR/2",
        "ONEAR/1",
        "NEAR",
        "(",
        ")",
        '"',
        "avi*",
        "#vol",
        "@united",
        "lang:fr",
        "site:example.com",
        "e-mail",
        "l'avion",
        "foo:x",
        "«",
        "»",
        "*",
    ]
)


@settings(max_examples=200)
@given(st.lists(QUERY_BITS, max_size=10).map(" ".join))
def test_the_parser_fails_only_with_a_located_error_and_its_trees_print_back(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as error:
        assert 1 <= error.column <= len(text) + 1
        assert error.expected
        assert error.code.startswith("query."), error  # the product words it (issue 10, 14)
        return
    assert parse(format_query(tree)) == tree


DOC_WORDS = st.sampled_from(
    [*WORDS, "Avion", "CAFÉ", "café", "l'avion", "e-mail", "air-france", "retardé", "x", "y"]
)
SIGNS = st.sampled_from(["", "", "", "#", "@"])
SEPARATORS = st.sampled_from([" ", " ", ", ", "-", "'", " https://www.example.com/promo ", "! "])
texts = st.lists(st.tuples(SIGNS, DOC_WORDS, SEPARATORS), max_size=12).map(
    lambda parts: "".join(sign + word + sep for sign, word, sep in parts)
)
documents = st.builds(
    Document,
    texts,
    lang=st.sampled_from([None, "fr", "en", "fr-CA"]),
    source=st.sampled_from([None, "reddit", "X"]),
    author=st.sampled_from([None, "@Jeanne", "bob"]),
    url=st.sampled_from([None, "https://blog.example.com/a", "http://x.fr/a", "https://fr"]),
)


@settings(max_examples=200)
@given(st.lists(trees, min_size=1, max_size=6), st.lists(documents, min_size=1, max_size=4))
def test_the_compiled_matcher_agrees_with_the_naive_evaluator(
    queries: list[Node], docs: list[Document]
) -> None:
    named = {f"q{number:02}": tree for number, tree in enumerate(queries)}
    matcher = Matcher(named)
    expected = [
        [name for name, tree in sorted(named.items()) if evaluate(tree, prepare(document))]
        for document in docs
    ]
    assert matcher.match_many(docs) == expected
    matcher.tune(docs[:2])  # anchors chosen from frequencies instead: the same results
    assert matcher.match_many(docs) == expected


@settings(max_examples=200)
@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_located_error(text: str) -> None:
    try:
        tree = parse(text)
    except QuerySyntaxError as error:
        assert 1 <= error.column <= len(text) + 1
        return
    assert parse(format_query(tree)) == tree
