"""Smoke run of `ambassade bench replies_outbox`: real workers killed with SIGKILL, a faulty fake X,
and still every reply out exactly once (or failed in plain words), each in its thread."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

LAST_LINE = re.compile(r"replies duplicates=(\d+) lost=(\d+) p50_delay_s=[\d.]+ p99_delay_s=[\d.]+")


def test_replies_go_out_exactly_once_under_faults_and_kills(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ambassade",
            "bench",
            "replies_outbox",
            # Few replies over 15 s, an extra clock, short timeout and back-off (as the posts'
            # smoke run), so that it ends in about a minute; the claims' and the network's waits
            # are the product's.
            "--posts",
            "20",
            "--minutes",
            "0.25",
            "--tick",
            "2",
            "--timeout",
            "2",
            "--backoff",
            "3",
            "--kill-every",
            "4",
            "--drain",
            "60",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        # The bench bounds its own run (the drain ends it 60 s after the last due time); this only
        # catches a hung set-up or report. On a quiet machine the run takes about 110 s; under CI's
        # two passes side by side, set-up (migrations) and report take three times as long.
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
    assert "<!-- bench:replies_outbox -->" in section
    assert "| sent but missing from its conversation's thread | 0 | 0 |" in section
