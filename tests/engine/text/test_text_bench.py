"""`ambassade bench text`'s options and its memory of rows it did not measure in a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import text as bench


def test_tasks_and_parts_default_to_all_and_refuse_unknown_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = BenchOptions(Path("."), extra={})
    assert bench._choice(options, "tasks", bench.TASKS) == bench.TASKS
    options = BenchOptions(Path("."), extra={"tasks": "spam, hateful,spam", "parts": "cv"})
    assert bench._choice(options, "tasks", bench.TASKS) == ("spam", "hateful")
    assert bench._choice(options, "parts", bench.PARTS) == ("cv",)
    with pytest.raises(SystemExit) as exit_info:
        bench._choice(BenchOptions(Path("."), extra={"tasks": "hate"}), "tasks", bench.TASKS)
    assert exit_info.value.code == 2
    assert "unknown task 'hate' in --tasks" in capsys.readouterr().err


def test_a_row_not_measured_in_a_run_keeps_its_value_and_says_when(tmp_path: Path) -> None:
    first = bench.Results(tmp_path, heads="aaaa")
    first.put("ours:TweetEval hate", 69.7)
    assert first.note("ours:TweetEval hate") == ""  # measured in this run: no note

    later = bench.Results(tmp_path, heads="aaaa")
    later.today = "2099-01-01"
    assert later.get("ours:TweetEval hate") == 69.7
    assert later.note("ours:TweetEval hate") == f" (measured {first.today})"
    assert later.get("ours:missing") is None

    changed = bench.Results(tmp_path, heads="bbbb")
    assert changed.get("ours:TweetEval hate") == 69.7
    assert (
        changed.note("ours:TweetEval hate") == f" (measured {first.today}, heads.npz changed since)"
    )
    changed.put("ours:TweetEval hate", 70.1)  # measured again: the note goes
    assert changed.note("ours:TweetEval hate") == ""
    assert bench.Results(tmp_path, heads="bbbb").get("ours:TweetEval hate") == 70.1


def test_a_damaged_results_file_is_a_fresh_start(tmp_path: Path) -> None:
    (tmp_path / "bench-text.json").write_text("{not json", encoding="utf-8")
    assert bench.Results(tmp_path, heads="x").get("speed") is None


def test_the_cv_table_shows_every_task_measured_or_not(tmp_path: Path) -> None:
    store = bench.Results(tmp_path, heads="x")
    row = {
        "group": "YouTube",
        "metric": "F1 of spam",
        "approach": "stacked",
        "mean": 96.2,
        "sd": 1.2,
    }
    store.put("cv:spam", {"folds": 5, "repeats": 1, "rows": [row]})
    again = bench.Results(tmp_path, heads="x")
    options = BenchOptions(tmp_path, extra={"cv_repeats": "0"})
    lines = bench._cross_validation(options, (), again)
    table = "\n".join(lines)
    assert "not run this time (`--cv_repeats 0`)" in table
    assert "| spam (measured " in table and "| 5 × 1 |" in table and "**96.2 ± 1.2**" in table
    assert "| sentiment | not measured yet |" in table
