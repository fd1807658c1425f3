from __future__ import annotations

from pathlib import Path

import pytest

from ambassade.benchmarks import BenchOptions
from ambassade.benchmarks import match as bench
from ambassade.engine.query import Matcher, parse


def test_it_generates_queries_that_parse() -> None:
    queries = bench.generate_queries(600)
    assert len(queries) == 600
    for text in queries.values():
        parse(text)
    joined = " ".join(queries.values())
    for feature in ("NEAR/", "ONEAR/", "NOT", "#", "@", "lang:", "source:", "site:", "url:", "*"):
        assert feature in joined


@pytest.mark.parametrize("count", [1, 10, 100])
def test_it_generates_valid_queries_in_small_numbers(count: int) -> None:
    assert len(Matcher(bench.generate_queries(count))) == count


def test_its_generated_documents_match_some_queries() -> None:
    matcher = Matcher(bench.generate_queries(2_000))
    documents = bench.generate_documents(300)
    assert {d.lang for d in documents} == {"fr", "en"}
    assert sum(bool(matcher.match(d)) for d in documents) > 15


def test_it_reports_a_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "SIZES", (10, 40))
    result = bench.run(BenchOptions(data_dir=tmp_path, quick=True, extra={"naive_seconds": "0.05"}))
    assert "| 40 |" in result.markdown
    assert "generated French and English messages (no tweets found)" in result.markdown
    assert "docs/s at 40 queries" in result.summary
