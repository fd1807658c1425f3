"""The `ambassade match` contract (docs/query-language.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ambassade.__main__ import main

QUERIES = {
    "air-france": '("air france" OR #airfrance OR @airfrance) NOT job*',
    "retards": "(vol OR avion OR flight) NEAR/5 (retard* OR delay*)",
    "cafe-fr": "cafe lang:fr",
    "blog": "site:example.com",
}
MESSAGES = [
    {"id": "m1", "text": "Mon vol @AirFrance a 2h de retard", "lang": "fr"},
    {"id": 2, "text": "Un CAFÉ chez Air-France ?", "lang": "fr", "source": "x", "author": None},
    {"id": "m3", "text": "Air France recrute : jobs ici", "url": "https://blog.example.com/a"},
    {"id": "m4", "text": "nothing to see"},
]


def write(tmp_path: Path, queries: object, lines: list[str]) -> tuple[Path, Path]:
    queries_path = tmp_path / "queries.json"
    queries_path.write_text(json.dumps(queries), encoding="utf-8")
    input_path = tmp_path / "input.jsonl"
    input_path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return queries_path, input_path


def lines_of(messages: list[dict[str, object]]) -> list[str]:
    return [json.dumps(message, ensure_ascii=False) for message in messages]


def test_it_writes_one_line_of_sorted_matches_per_message(tmp_path: Path) -> None:
    queries, source = write(
        tmp_path, QUERIES, [*lines_of(MESSAGES[:2]), "", *lines_of(MESSAGES[2:])]
    )
    output = tmp_path / "out.jsonl"
    assert main(["match", "--queries", str(queries), str(source), "-o", str(output)]) == 0
    assert [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] == [
        {"id": "m1", "matches": ["air-france", "retards"]},
        {"id": 2, "matches": ["air-france", "cafe-fr"]},
        {"id": "m3", "matches": ["blog"]},
        {"id": "m4", "matches": []},
    ]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_it_writes_to_standard_output_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries, source = write(tmp_path, QUERIES, lines_of(MESSAGES[:1]))
    assert main(["match", "--queries", str(queries), str(source)]) == 0
    assert capsys.readouterr().out == '{"id": "m1", "matches": ["air-france", "retards"]}\n'


def test_it_names_the_query_the_column_and_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries, source = write(tmp_path, {"ok": "avion", "broken": "avion AND (vol"}, ["{}"])
    output = tmp_path / "out.jsonl"
    assert main(["match", "--queries", str(queries), str(source), "-o", str(output)]) == 2
    error = capsys.readouterr().err
    assert "query 'broken'" in error
    assert "column 15" in error
    assert "expected ')'" in error
    assert not output.exists()


@pytest.mark.parametrize(
    ("queries", "words"),
    [
        (["avion"], "expected an object"),
        ({"q": 3}, "query 'q': the query must be a string"),
        ({"q": "NOT avion"}, "query 'q': column 1: a query must match something"),
    ],
)
def test_it_refuses_bad_queries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], queries: object, words: str
) -> None:
    queries_path, source = write(tmp_path, queries, lines_of(MESSAGES))
    assert main(["match", "--queries", str(queries_path), str(source)]) == 2
    captured = capsys.readouterr()
    assert words in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("{not json", "line 3: not JSON"),
        ("[1, 2]", "line 3: expected a JSON object"),
        ('{"text": "x"}', "line 3: expected an id"),
        ('{"id": true, "text": "x"}', "line 3: expected an id"),
        ('{"id": "x"}', "line 3: expected a text"),
        ('{"id": "x", "text": "x", "lang": 4}', "line 3: lang must be a string or null"),
    ],
)
def test_it_names_a_malformed_line_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, words: str
) -> None:
    queries, source = write(tmp_path, QUERIES, [*lines_of(MESSAGES[:2]), bad])
    output = tmp_path / "out.jsonl"
    output.write_text("previous run\n", encoding="utf-8")
    assert main(["match", "--queries", str(queries), str(source), "-o", str(output)]) == 2
    assert words in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "input.jsonl",
        "out.jsonl",
        "queries.json",
    ]
    assert main(["match", "--queries", str(queries), str(source)]) == 2
    assert capsys.readouterr().out == ""


def test_it_refuses_input_that_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries, source = write(tmp_path, QUERIES, [])
    source.write_bytes(b'{"id": 1, "text": "ok"}\n{"id": 2, "text": "caf\xe9"}\n')
    assert main(["match", "--queries", str(queries), str(source)]) == 2
    assert "line 2: not UTF-8" in capsys.readouterr().err


def test_it_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries, _ = write(tmp_path, QUERIES, [])
    assert main(["match", "--queries", str(queries), str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_it_runs_as_the_ambassade_command_reading_standard_input(tmp_path: Path) -> None:
    queries, _ = write(tmp_path, QUERIES, [])
    result = subprocess.run(
        [sys.executable, "-m", "ambassade", "match", "--queries", str(queries), "-"],
        input="\n".join(lines_of(MESSAGES[3:])) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == '{"id": "m4", "matches": []}\n'
