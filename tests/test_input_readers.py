"""Every reader of a JSON or CSV file a person gives answers bad input with a message naming the
line (exit 2 on the command line), never a traceback (issue 10, item 6)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ambassade import cli
from ambassade.engine import jsonlines

NESTED = b'{"id": 1, "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def test_jsonlines_refuses_deep_nesting_without_recursion_error() -> None:
    with pytest.raises(jsonlines.JsonProblem, match="nested more than 64 deep"):
        jsonlines.loads(NESTED)
    with pytest.raises(jsonlines.JsonProblem, match="nested more than 64 deep"):
        jsonlines.loads("[" * 65 + "]" * 65)  # valid JSON, still refused
    assert jsonlines.loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(jsonlines.JsonProblem, match="at column 2"):
        jsonlines.loads("{x")


def test_jsonlines_splits_on_newline_only() -> None:
    data = '\ufeff{"a": "x\u2028y"}\r\n{"a": "\u0085\x0c"}\n\xff'.encode("utf-8", "surrogatepass")
    read = list(jsonlines.read_lines(io.BytesIO(data.replace(b"\xc3\xbf", b"\xff"))))
    assert read[:2] == [(1, '{"a": "x\u2028y"}'), (2, '{"a": "\u0085\x0c"}')]
    assert isinstance(read[2][1], jsonlines.LineProblem) and read[2][0] == 3


def _analyze(tmp_path: Path, data: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)
    code = cli.run("analyze", [str(path), "-o", str(tmp_path / "out.jsonl")])
    return code, capsys.readouterr().err


def test_analyze_names_the_line_of_deeply_nested_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _analyze(tmp_path, b'{"id": 1, "text": "ok"}\n' + NESTED + b"\n", capsys)
    assert code == 2 and "line 2: arrays and objects are nested" in err
    assert not (tmp_path / "out.jsonl").exists()
    code, err = _analyze(tmp_path, b'{"id": 1, "text": "ok"}\n\xff\n', capsys)
    assert code == 2 and "line 2: not UTF-8 text" in err


def _match(
    tmp_path: Path, queries: bytes, data: bytes, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    (tmp_path / "q.json").write_bytes(queries)
    (tmp_path / "in.jsonl").write_bytes(data)
    code = cli.run("match", ["--queries", str(tmp_path / "q.json"), str(tmp_path / "in.jsonl")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_match_reads_line_separators_inside_text_and_refuses_nesting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = json.dumps({"cafe": "cafe"}).encode()
    lines = [{"id": 1, "text": "un café\u2028vraiment"}, {"id": 2, "text": "x\u0085y"}]
    data = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()
    code, out, err = _match(tmp_path, queries, data, capsys)
    assert (code, err) == (0, "")
    assert [json.loads(line)["matches"] for line in out.splitlines()] == [["cafe"], []]
    code, out, err = _match(tmp_path, queries, data + NESTED + b"\n", capsys)
    assert code == 2 and out == "" and "line 3: arrays and objects are nested" in err
    code, out, err = _match(
        tmp_path, b'{"q": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", data, capsys
    )
    assert code == 2 and "nested more than 64 deep" in err


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '2014-04-01 00:00:00,1\n"2014-04-01 00:05:00,2\n2014-04-01 00:10:00,3\n',
            "line 3: a quoted field runs over 2 lines",
        ),
        ("2014-04-01 00:00:00," + "9" * 200_000 + "\n", "line 2: a field is longer than 131,072"),
        ('2014-04-01 00:00:00,1\n"' + "x" * 200_000 + "\n", "line 3: a field is longer"),
        ("0001-01-01 00:00:00,1\n", "line 2: timestamp '0001-01-01 00:00:00' is out of range"),
        ("2014-04-01 00:00:00,1\n2100-01-01 00:00:00,1\n", "line 3: timestamp '2100-01-01"),
        ("2014-04-01 00:00:00,1\n0001-01-01 00:00:00+05:00,2\n", "line 3: unparseable timestamp"),
        (
            "2014-04-01 00:10:00,1\n2014-04-01 00:05:00,2\n",
            "line 3: timestamp '2014-04-01 00:05:00' is earlier than the line before's",
        ),
    ],
)
def test_spikes_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_text("timestamp,value\n" + body, encoding="utf-8")
    assert cli.run("spikes", [str(path), "-o", str(tmp_path / "out.csv")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
