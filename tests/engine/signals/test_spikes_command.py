"""`ambassade spikes`: the CSV contract, exit code 2 on bad input, never a partial output file."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ambassade import cli

HEADER = "timestamp,value\n"


def _series(rows: int = 300) -> str:
    lines = [HEADER.strip()]
    for i in range(rows):
        value = 40 if i == 250 else 5 + (i % 3)
        stamp = datetime(2026, 3, 2) + timedelta(minutes=5 * i)  # in time order, past midnight
        lines.append(f"{stamp:%Y-%m-%d %H:%M:%S},{value}")
    return "\n".join(lines) + "\n"


def _spikes(*args: str) -> int:
    return cli.run("spikes", list(args))


def test_it_adds_score_and_alert_columns(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_series(), encoding="utf-8")
    target = tmp_path / "out.csv"
    assert _spikes(str(source), "-o", str(target)) == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["timestamp", "value", "anomaly_score", "alert"]
    assert len(rows) == 300
    assert rows[0]["timestamp"] == "2026-03-02 00:00:00" and rows[0]["value"] == "5"
    assert all(0.0 <= float(row["anomaly_score"]) <= 1.0 for row in rows)
    assert {row["alert"] for row in rows} <= {"0", "1"}
    assert rows[250]["alert"] == "1"


def test_it_writes_to_standard_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    source.write_text(_series(20), encoding="utf-8")
    assert _spikes(str(source)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "timestamp,value,anomaly_score,alert" and len(out) == 21


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("time,value\n2026-03-02 00:00:00,1\n", "line 1: missing column timestamp"),
        ("timestamp,count\n2026-03-02 00:00:00,1\n", "line 1: missing column value"),
        (HEADER + "2026-03-02 00:00:00,1\n2026-03-02 00:05:00,many\n", "line 3: value 'many'"),
        (HEADER + "2026-03-02 00:00:00,1\nyesterday,2\n", "line 3: unparseable timestamp"),
        (HEADER + "2026-03-02 00:00:00,1\n2026-03-02 00:05:00,nan\n", "line 3"),
        (HEADER + "2026-03-02 00:00:00\n", "line 2: expected 2 columns"),
        ("", "line 1"),
    ],
)
def test_it_refuses_bad_input_without_leaving_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "out.csv"
    assert _spikes(str(source), "-o", str(target)) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_it_keeps_an_existing_output_on_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "2026-03-02 00:00:00,x\n", encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("previous run\n", encoding="utf-8")
    assert _spikes(str(source), "-o", str(target)) == 2
    assert target.read_text(encoding="utf-8") == "previous run\n"


def test_it_reports_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _spikes(str(tmp_path / "nope.csv")) == 2
    assert "cannot read" in capsys.readouterr().err


def test_it_runs_as_the_ambassade_command(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        HEADER + "2026-03-02 00:00:00,1\n2026-03-02 00:05:00,oops\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "ambassade", "spikes", str(source), "-o", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "line 3" in result.stderr
    assert not (tmp_path / "o.csv").exists()
