"""`ambassade bench publishing` runs and reports what it measured."""

from __future__ import annotations

from pathlib import Path

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import publishing as bench


def test_it_generates_the_same_posts_every_time() -> None:
    assert bench.posts(20) == bench.posts(20)
    assert len(set(bench.posts(50))) > 40


def test_it_measures_every_network(tmp_path: Path) -> None:
    result = bench.run(BenchOptions(data_dir=tmp_path, quick=True))
    assert result.summary.startswith("validations_per_s=")
    assert int(result.summary.split("=")[1]) > 0
    for name in ("x", "bluesky", "mastodon", "threads", "linkedin", "instagram", "reddit"):
        assert f"| {name} |" in result.markdown
