from __future__ import annotations

from pathlib import Path

import pytest

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import moderation as bench
from ambassade.engine.moderation import compile_rules


def test_it_generates_fifty_rules_that_compile_with_full_word_lists() -> None:
    rules = bench.generate_rules()
    assert len(rules) == 50
    ruleset = compile_rules(rules)
    assert len(ruleset) == 50 - sum(r.get("mode") == "off" for r in rules)
    lists = [r for r in rules if r["id"].startswith("words-")]
    assert [len(r["conditions"][0]["words"]) for r in lists] == [2_000] * 5


def test_some_generated_messages_match_and_most_do_not() -> None:
    rules = bench.generate_rules(words_per_action=200)
    ruleset = compile_rules(rules)
    messages = bench.generate_messages(500, rules)
    matched = sum(bool(ruleset.evaluate(m).matches) for m in messages)
    assert 10 < matched < 250


def test_it_reports_throughput_and_the_worst_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench, "WORDS_PER_ACTION", 100)
    original = bench.generate_rules
    monkeypatch.setattr(bench, "generate_rules", lambda: original(words_per_action=100))
    result = bench.run(BenchOptions(data_dir=tmp_path, quick=True, extra={"messages": "300"}))
    assert "messages per second (CPU time, one core)" in result.markdown
    assert "| one 10,000-letter word | 10,000 |" in result.markdown
    assert "messages/s on one core with 50 rules" in result.summary
    assert "No labelled data set found" in result.markdown
