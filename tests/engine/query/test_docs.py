"""docs/query-language.md stays true: its error table and canonical-form examples are checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ambassade.engine.query import Document, QuerySyntaxError, evaluate, format_query, parse

DOC = Path(__file__).parents[3] / "docs" / "query-language.md"
TEXT = DOC.read_text(encoding="utf-8")
ERRORS = TEXT.split("## Errors", 1)[1].split("\n## ", 1)[0]
ROWS = [
    [cell.strip() for cell in line.strip("|").split(" | ")]
    for line in ERRORS.splitlines()
    if re.match(r"\| `.*` .*\| \d+ \|", line)
]


def test_the_error_table_is_there() -> None:
    assert len(ROWS) >= 15


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_each_documented_error_is_what_the_parser_says(row: list[str]) -> None:
    query = row[0].split("`")[1]
    column, expected, message = int(row[1]), row[2], row[3]
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.column == column
    if expected != "(same)":
        assert caught.value.expected == expected
    if message != "(same)":
        assert caught.value.message.startswith(message.rstrip("…").rstrip())
    assert row[4] == f"`{caught.value.code}`"


def test_the_canonical_form_examples_hold() -> None:
    block = TEXT.split("## Canonical form", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    examples = [line.split("→") for line in block.strip().splitlines()]
    assert examples
    for source, printed in examples:
        assert format_query(parse(source.strip())) == printed.strip()


def _table(section: str) -> list[list[str]]:
    body = TEXT.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def _examples(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_the_terms_table_holds() -> None:
    rows = _table("Terms")
    assert len(rows) >= 5
    for query_cell, matching, not_matching in rows:
        query = parse(_examples(query_cell)[0])
        for text in _examples(matching):
            assert evaluate(query, Document(text)), (query_cell, text)
        for text in _examples(not_matching):
            assert not evaluate(query, Document(text)), (query_cell, text)


def test_the_near_table_holds() -> None:
    body = TEXT.split("## NEAR and ONEAR", 1)[1]
    header = next(line for line in body.splitlines() if line.startswith("| Query |"))
    texts = _examples(header)
    rows = [row for row in _table("NEAR and ONEAR") if row[0].count("`") == 2]
    assert len(rows) == 4
    for query_cell, *answers in rows:
        query = parse(_examples(query_cell)[0])
        for text, answer in zip(texts, answers, strict=True):
            assert evaluate(query, Document(text)) is answer.startswith("yes"), (query_cell, text)
