"""`ambassade bench community` on a tiny community: it measures every step and says so."""

from __future__ import annotations

from pathlib import Path

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import community as bench


def test_it_measures_the_full_recompute_and_the_ingest_batches(tmp_path: Path) -> None:
    extra = {
        "members": "200",
        "activities": "3000",
        "batch": "50",
        "batches": "3",
        "history_days": "0",  # the score-history part migrates a database: not in unit tests
        "stored_batches": "0",  # nor the stored batches
    }
    result = bench.run(BenchOptions(data_dir=tmp_path, extra=extra))
    assert "200 members and 20 authors who are not members, 3,000 activities" in result.markdown
    assert "| **full recompute**, all of it |" in result.markdown
    assert "batch of 50 activities (median of 3)" in result.markdown
    assert "Goal (issue 14)" in result.markdown
    assert "**Merge suggestions**" in result.markdown
    assert result.summary.startswith("full recompute ")


def test_the_synthetic_community_is_the_same_each_run() -> None:
    first = bench.make_community(30, 200)
    assert first == bench.make_community(30, 200)
    people, activities = first
    assert len(people) == 33 and len(activities) == 200
    assert sum(not person.member for person in people) == 3


def test_the_merge_bench_finds_the_planted_pairs() -> None:
    from ambassade.engine.identities import suggest_merges

    profiles, planted = bench.make_profiles(300)
    found = {(c.first, c.second) for c in suggest_merges(profiles) if c.confidence != "low"}
    assert planted and planted <= found


def test_the_history_record_is_what_community_history_stores() -> None:
    """The bench's change share compares what a 9-byte record holds, nothing finer."""
    people, activities = bench.make_community(30, 400)
    from ambassade.engine.scoring import Scorer

    scorer = Scorer()
    scorer.set_people(people)
    scorer.add(activities)
    today = scorer.score_all(bench.NOW)
    for one in today.values():
        love, sentiment, influence, level, classes = bench._record(one)
        assert 0 <= love < 2**32 and -100 <= sentiment <= 100 and 0 <= influence <= 255
        assert level in (1, 2, 3, 4) and classes == one.classes
