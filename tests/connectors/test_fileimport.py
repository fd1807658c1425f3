from __future__ import annotations

from datetime import UTC, datetime

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
