"""Smoke run of `ambassade bench outbox`: real workers killed with SIGKILL, three faulty fake
networks, and still every post out exactly once (or failed in plain words)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

LAST_LINE = re.compile(r"duplicates=(\d+) lost=(\d+) p50_delay_s=[\d.]+ p99_delay_s=[\d.]+")


@pytest.mark.sqlite_pass
def test_the_outbox_publishes_exactly_once_under_faults_and_kills(
    tmp_path: Path, migrated_database: Path
) -> None:
    """In `make test`'s SQLite pass only: the bench runs on a SQLite database and queue of its own
    whatever the test run's settings, so the PostgreSQL pass would repeat it unchanged."""
    output = tmp_path / "benchmarks.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ambassade",
            "bench",
            "outbox",
            "--posts",
            "50",
            "--minutes",
            "1",
            # An extra clock (the workers' own run is every minute), a short HTTP timeout and a
            # short back-off (the product's is 1, 2, 4, 8 minutes: a post due in the last second
            # that met a 503 would come out after the drain), so that the smoke run ends in about
            # a minute and a half; the claims' and the networks' waits are the product's.
            "--tick",
            "2",
            "--timeout",
            "2",
            "--backoff",
            "3",
            "--kill-every",
            "6",
            "--drain",
            "60",
            "--output",
            str(output),
            # The test run's migrated database, copied: the bench's setup need not migrate.
            "--database",
            str(migrated_database),
        ],
        capture_output=True,
        text=True,
        # The bench bounds its own run (the drain ends it 60 s after the last due time); this only
        # catches a hung set-up or report. The set-up no longer migrates (it took 30 s of the 110 s
        # of a run on a quiet machine, several minutes at load 15); at load 15-19 the run took
        # 169 s (posts) and 113 s (replies) on 2026-12-07.
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    match = LAST_LINE.fullmatch(last)
    assert match, last
    assert match.group(1) == "0", result.stderr[-3000:]
    assert match.group(2) == "0", result.stderr[-3000:]
    section = output.read_text(encoding="utf-8")
    assert "<!-- bench:outbox -->" in section
    assert "kills in all" in section
