"""`ambassade bench feedback`'s measurement on synthetic scores (the encoder is not run): the held-out
part never shares a group with the past, and the default rule set's quality bench leaves the
held-out MLMA alone."""

from __future__ import annotations

import numpy as np

from ambassade.benchmarks import feedback
from ambassade.benchmarks.moderation import QUALITY_SETS


def test_the_split_keeps_each_group_on_one_side_and_the_measure_reports_both_models() -> None:
    rng = np.random.default_rng(1)
    n = 240
    groups = [f"a{i % 50}" for i in range(n)]
    past = feedback._split(groups, 3)
    for group in set(groups):
        sides = {bool(past[i]) for i in range(n) if groups[i] == group}
        assert len(sides) == 1
    assert 0.5 < past.mean() < 0.7
    truth = (rng.random(n) < 0.4).astype(np.int64)
    logits = np.where(truth == 1, 1.0, -1.0)[:, None] + rng.normal(0, 1.2, (n, 1))
    vectors = rng.normal(0, 1, (n, 512)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stream = feedback.Stream("synthetic", "offensive", [""] * n, truth, groups, ["en"] * n)
    result = feedback.measure(stream, logits, vectors, repeats=1)
    values = result["values"]
    for part in ("feedback", "stream"):
        for model in ("before", "feedback", "anchored"):
            assert len(values[f"{part}.{model}.macro_f1"]) == 1
    assert values["stream.before.false_alarms"][0] > 0


def test_the_quality_bench_does_not_use_the_held_out_mlma() -> None:
    assert "mlma-hate" not in {folder for folder, _bad, _ordinary in QUALITY_SETS}
