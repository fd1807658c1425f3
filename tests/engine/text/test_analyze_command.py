"""The `ambassade analyze` contract (docs/text-analysis.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ambassade.cli import run

ADDED = {"lang", "sentiment", "sentiment_score", "offensive", "hateful", "spam"}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_adds_exactly_the_scores_and_keeps_other_fields(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(
                {"id": 1, "text": "J'adore ce produit, merci !", "author": "alice", "lang": "xx"}
            ),
            "",
            json.dumps({"id": "b", "text": "This is awful, I want a refund"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    assert run("analyze", [str(source), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in rows] == [1, "b"]
    assert set(rows[0]) == {"id", "text", "author"} | ADDED
    assert set(rows[1]) == {"id", "text"} | ADDED
    assert rows[0]["author"] == "alice" and rows[0]["lang"] == "fr"
    assert rows[0]["sentiment"] == "positive" and rows[1]["sentiment"] == "negative"
    for row in rows:
        assert -1 <= row["sentiment_score"] <= 1
        assert all(0 <= row[k] <= 1 for k in ("offensive", "hateful", "spam"))
    assert list(tmp_path.iterdir()) == [source, out] or sorted(tmp_path.iterdir()) == sorted(
        [source, out]
    )


def test_it_writes_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "hello"})])
    assert run("analyze", [str(source)]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert set(json.loads(line)) == {"id", "text"} | ADDED


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: expected a JSON object"),
        ('{"text": "no id"}', "line 2: the field 'id' is missing"),
        ('{"id": 3, "text": 42}', "line 2: the field 'text' is missing or not a string"),
    ],
)
def test_a_malformed_line_exits_2_and_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, message: str
) -> None:
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "ok"}), bad])
    out = tmp_path / "out.jsonl"
    assert run("analyze", [str(source), "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_a_malformed_line_writes_nothing_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "ok"}), "oops"])
    assert run("analyze", [str(source)]) == 2
    assert capsys.readouterr().out == ""


def test_an_existing_output_is_kept_when_the_input_is_malformed(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", ["oops"])
    out = _write(tmp_path / "out.jsonl", ["previous"])
    assert run("analyze", [str(source), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_a_missing_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("analyze", [str(tmp_path / "none.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_it_reports_progress_on_large_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress after each batch, from inputs of ``PROGRESS_FROM`` lines on. The batch and the
    threshold are made small here (the product's, 1,000 and 5,000 lines, made this test analyse
    5,000 messages: 47 s at load 10, 2026-12-07)."""
    from ambassade.cli import analyze

    monkeypatch.setattr(analyze, "BATCH", 2)
    monkeypatch.setattr(analyze, "PROGRESS_FROM", 5)
    lines = [json.dumps({"id": i, "text": f"message {i}"}) for i in range(5)]
    out = tmp_path / "out.jsonl"
    assert run("analyze", [str(_write(tmp_path / "in.jsonl", lines)), "-o", str(out)]) == 0
    assert (
        capsys.readouterr().err == "\ranalyze: 2/5 lines\ranalyze: 4/5 lines\ranalyze: 5/5 lines\n"
    )
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5

    # One line fewer: no progress.
    assert run("analyze", [str(_write(tmp_path / "in.jsonl", lines[:4])), "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_it_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(json.dumps({"id": 7, "text": "Merci beaucoup !"}) + "\n")
    )
    assert run("analyze", ["-"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == 7


def test_the_output_file_has_a_normal_mode(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "hello"})])
    out = tmp_path / "out.jsonl"
    assert run("analyze", [str(source), "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o044 == source.stat().st_mode & 0o044
