from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ambassade.connectors.base import InvalidConfig, ItemKind
from ambassade.connectors.fileimport import FileImportConnector, FileImportError, parse_file

from .conftest import fixture_bytes

MAPPING = {
    "id": "tweet_id",
    "text": "text",
    "created_at": "tweet_created",
    "author_handle": "name",
    "metrics.reposts": "retweet_count",
}


def test_it_imports_a_csv_with_a_mapping() -> None:
    first, second, third = parse_file(
        fixture_bytes("fileimport", "export.csv"), format="csv", mapping=MAPPING
    )
    assert first.source == "file" and first.external_id == "570306133677760513"
    assert first.created_at == datetime(2015, 2, 24, 19, 35, 52, tzinfo=UTC)
    assert first.author.handle == "cairdin" and first.metrics == {"reposts": 0}
    assert (
        second.text == "@Aerolux plus you've added commercials to the experience... tacky.\nReally."
    )
    assert third.raw["airline_sentiment"] == "negative"


def test_it_imports_jsonl_with_nested_keys_and_a_time_zone() -> None:
    mapping = {
        "id": "id",
        "text": "body",
        "created_at": "ts",
        "author_handle": "user.screen_name",
        "author_followers": "user.followers",
        "lang": "lang",
    }
    first, second = parse_file(
        fixture_bytes("fileimport", "posts.jsonl"),
        format="jsonl",
        mapping=mapping,
        kind=ItemKind.COMMENT,
    )
    assert first.created_at == datetime(2025, 6, 11, 8, 0, tzinfo=UTC)
    assert first.author.followers == 230 and first.kind is ItemKind.COMMENT
    assert second.author.handle == "kim" and second.lang == "en"


def test_it_reads_naive_dates_in_the_given_zone() -> None:
    data = b"id,text,when\n1,Bonjour,2025-01-15 09:00:00\n"
    (item,) = parse_file(
        data,
        format="csv",
        mapping={"id": "id", "text": "text", "created_at": "when"},
        timezone="Europe/Paris",
    )
    assert item.created_at == datetime(2025, 1, 15, 8, 0, tzinfo=UTC)


def test_it_imports_nothing_and_names_every_line_and_column() -> None:
    mapping = {
        "id": "tweet_id",
        "text": "text",
        "created_at": "tweet_created",
        "metrics.reposts": "retweet_count",
    }
    with pytest.raises(FileImportError) as caught:
        parse_file(fixture_bytes("fileimport", "bad.csv"), format="csv", mapping=mapping)
    shown = [str(p) for p in caught.value.problems]
    assert shown == [
        "line 3, column 'text': is missing or empty",
        "line 4, column 'tweet_created': 'yesterday' is not a date (ISO 8601 expected, e.g. 2025-06-11T08:00:00Z)",
        "line 5, column 'tweet_id': the id '1' was already on line 2",
    ]
    assert caught.value.permanent
    assert "Nothing was imported, 3 problems" in caught.value.message


def test_it_reports_a_bad_number_after_a_good_date() -> None:
    data = b"id,text,when,rt\n1,ok,2025-01-15,many\n"
    mapping = {"id": "id", "text": "text", "created_at": "when", "metrics.reposts": "rt"}
    with pytest.raises(FileImportError) as caught:
        parse_file(data, format="csv", mapping=mapping)
    assert str(caught.value.problems[0]) == "line 2, column 'rt': 'many' is not a whole number"


def test_it_names_a_column_missing_from_the_header() -> None:
    with pytest.raises(FileImportError) as caught:
        parse_file(
            fixture_bytes("fileimport", "export.csv"),
            format="csv",
            mapping={"text": "body", "created_at": "tweet_created"},
        )
    assert str(caught.value.problems[0]) == "line 1, column 'body': no such column in the header"


def test_it_reports_broken_jsonl_lines() -> None:
    data = b'{"t": "ok", "d": "2025-01-01"}\n{broken\n[1, 2]\n{"d": "2025-01-01"}\n'
    with pytest.raises(FileImportError) as caught:
        parse_file(data, format="jsonl", mapping={"text": "t", "created_at": "d"})
    lines = [(p.line, p.column) for p in caught.value.problems]
    assert lines == [(2, ""), (3, ""), (4, "t")]


def test_it_reports_a_ragged_csv_row_and_bad_encoding() -> None:
    with pytest.raises(FileImportError) as caught:
        parse_file(b"a,b\n1,2,3\n", format="csv", mapping={"text": "a", "created_at": "b"})
    assert "3 columns where the header has 2" in str(caught.value)
    with pytest.raises(FileImportError, match="line 2: the file is not UTF-8"):
        parse_file(b"a,b\n\xff,1\n", format="csv", mapping={"text": "a", "created_at": "b"})


def test_the_connector_checks_its_config() -> None:
    connector = FileImportConnector()
    try:
        with pytest.raises(InvalidConfig, match="'created_at' must be mapped"):
            connector.check_config({"format": "csv", "mapping": {"text": "t"}})
        with pytest.raises(InvalidConfig, match="csv or jsonl"):
            connector.check_config({"format": "xlsx", "mapping": {}})
        with pytest.raises(InvalidConfig, match="'colour' is not a field"):
            connector.check_config(
                {"format": "csv", "mapping": {"text": "t", "created_at": "d", "colour": "c"}}
            )
        items = connector.parse(
            b"t;d\nsalut;2025-01-01T00:00:00Z\n",
            {"format": "csv", "mapping": {"text": "t", "created_at": "d"}, "delimiter": ";"},
        )
        assert items[0].text == "salut"
    finally:
        connector.close()


def test_it_splits_jsonl_on_newlines_only() -> None:
    """U+2028, U+0085 and form feeds are valid inside a JSON string: they were refused, and every
    line number after them was wrong (issue 10, item 6)."""
    lines = [
        {"t": "line\u2028separator", "d": "2025-01-01"},
        {"t": "next\u0085line\x0cfeed", "d": "2025-01-01"},
        {"t": "ok", "d": "not a date"},
    ]
    data = "\r\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
    with pytest.raises(FileImportError) as caught:
        parse_file(data, format="jsonl", mapping={"text": "t", "created_at": "d"})
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, "d")]
    items = parse_file(
        data.rsplit(b"\r\n", 1)[0], format="jsonl", mapping={"text": "t", "created_at": "d"}
    )
    assert [item.text for item in items] == ["line\u2028separator", "next\u0085line\x0cfeed"]


def test_it_refuses_deep_nesting_and_huge_lines_naming_the_line() -> None:
    nested = b'{"t": ' + b"[" * 50_000 + b"]" * 50_000 + b', "d": "2025-01-01"}'
    long = b'{"t": "' + b"a" * (2 << 20) + b'", "d": "2025-01-01"}'
    ok = b'{"t": "ok", "d": "2025-01-01"}'
    with pytest.raises(FileImportError) as caught:
        parse_file(
            b"\n".join([ok, nested, long, ok.replace(b"ok", b"fine")]),
            format="jsonl",
            mapping={"text": "t", "created_at": "d"},
        )
    problems = caught.value.problems
    assert [p.line for p in problems] == [2, 3]
    assert "nested more than 64 deep" in problems[0].message
    assert "longer than 1,048,576 bytes" in problems[1].message


def test_it_names_the_line_of_an_unclosed_quote_and_of_bad_bytes() -> None:
    data = b'a,b\n1,2025-01-01\n"open,2025-01-01\n' + b"x" * 200_000 + b"\n"
    with pytest.raises(FileImportError, match=r"line 3: .*quote left open"):
        parse_file(data, format="csv", mapping={"text": "a", "created_at": "b"})
    with pytest.raises(FileImportError, match="line 3: the file is not UTF-8"):
        parse_file(
            b"a,b\nok,2025-01-01\n\xffbad,2025-01-01\n", format="csv",
            mapping={"text": "a", "created_at": "b"},
        )  # fmt: skip


def test_it_checks_and_streams_a_file_without_holding_it(tmp_path: Any) -> None:
    from ambassade.connectors.fileimport import FileImportConnector

    path = tmp_path / "export.csv"
    path.write_text(
        "id,text,at\n" + "".join(f"{n},message {n},2025-01-01\n" for n in range(5000)),
        encoding="utf-8",
    )
    config = {"format": "csv", "mapping": {"id": "id", "text": "text", "created_at": "at"}}
    connector = FileImportConnector()
    with path.open("rb") as handle:
        assert connector.check(handle, config) == 5000
    with path.open("rb") as handle:
        items = connector.items(handle, config, skip=4998)
        assert [item.external_id for item in items] == ["4998", "4999"]
