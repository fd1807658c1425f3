"""`ambassade bench spikes` plumbing, with a stand-in scorer (the real one lives in ../shared/tools)."""

from __future__ import annotations

import json
from pathlib import Path

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import spikes as bench

STUB_SCORER = """
import argparse, json, os
ap = argparse.ArgumentParser()
for name in ("--data", "--windows", "--results", "--detectors", "--thresholds"):
    ap.add_argument(name)
ap.add_argument("--json", action="store_true")
a = ap.parse_args()
name = a.detectors
files = os.listdir(os.path.join(a.results, name, "cat"))
assert files == [name + "_series.csv"], files
profile = {"normalized": 50.0 if a.thresholds else 60.0, "threshold": 0.5, "missed_windows": 1,
           "windows": 2, "fp_rows": 3, "raw": 0.5 if name.endswith("S5") else 0.0, "null": -1.0,
           "perfect": 1.0}
print(json.dumps({name: {p: profile for p in
    ("standard", "reward_low_FP_rate", "reward_low_FN_rate")}}))
"""


def test_it_scores_every_detector_and_reports_speed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    series = data / "nab-other" / "data" / "cat" / "series.csv"
    series.parent.mkdir(parents=True)
    rows = [f"2014-04-01 {i // 12:02d}:{i % 12 * 5:02d}:00,{i % 7}" for i in range(200)]
    series.write_text("timestamp,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    labels = data / "nab-other" / "labels" / "combined_windows.json"
    labels.parent.mkdir(parents=True)
    labels.write_text(json.dumps({"cat/series.csv": []}), encoding="utf-8")
    scorer = tmp_path / "tools" / "nab_score.py"
    scorer.parent.mkdir()
    scorer.write_text(STUB_SCORER, encoding="utf-8")

    result = bench.run(BenchOptions(data_dir=data))

    assert "| Ambassade, `alert` column (threshold 0.5) | 50.0 |" in result.markdown
    assert "| Windowed Gaussian (6400 points), optimised threshold | 60.0 |" in result.markdown
    assert "points/s" in result.markdown and "200 points" in result.markdown
    assert result.summary.startswith("NAB standard 50.0 (alert column), 60.0 (optimised)")
    # Sensitivities 3 to 7, in-sample (two halves pooled) and chosen on one half, scored on the other.
    assert "| **5** (default) | 75.0 | 75.0 | 75.0 | 2 | 6 |" in result.markdown
    assert "| 3 | 50.0 | 50.0 | 50.0 | 2 | 6 |" in result.markdown
    assert "standard 75.0 (chose 5 and 5)" in result.markdown


def test_the_halves_alternate_within_each_category() -> None:
    files = [Path(f"d/{c}/{n}.csv") for c in ("b", "a") for n in ("z", "y", "x")]
    first, second = bench._folds(files)
    assert first == ["a/x.csv", "a/z.csv", "b/y.csv"]
    assert second == ["a/y.csv", "b/x.csv", "b/z.csv"]


def test_windowed_gaussian_scores_in_range_and_ranks_far_tails() -> None:
    baseline = bench.WindowedGaussian(window=50)
    scores = [baseline.update(float(i % 5)) for i in range(100)]
    assert all(0.0 <= s < 1.0 for s in scores)
    far, farther = bench.WindowedGaussian(window=50), bench.WindowedGaussian(window=50)
    for i in range(100):
        far.update(float(i % 5))
        farther.update(float(i % 5))
    assert far.update(100.0) < farther.update(1000.0) < 1.0
