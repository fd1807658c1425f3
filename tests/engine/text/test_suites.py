"""The behaviour suites are well-formed, large enough, match their templates, and run_suites counts
right. Their pass rate is measured by `ambassade bench text`, not checked here."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from ambassade.engine.text import suites
from ambassade.engine.text.suites import (
    LABELS,
    LANGUAGES,
    TASKS,
    _build,
    load_cases,
    run_suites,
    totals,
)

SUITES = [(task, lang) for task in TASKS for lang in LANGUAGES]


@pytest.mark.parametrize(("task", "lang"), SUITES)
def test_each_suite_is_well_formed_and_large_enough(task: str, lang: str) -> None:
    cases = load_cases(task, lang)
    assert len(cases) >= 300
    assert len({case.id for case in cases}) == len(cases)
    assert len({case.text for case in cases}) == len(cases), "a text appears twice"
    labels = {lang} if task == "language" else set(LABELS[task])
    assert {case.expected for case in cases} == labels, "every label is tested"
    categories = Counter(case.category for case in cases)
    assert len(categories) >= 5 and min(categories.values()) >= 10, categories
    for case in cases:
        assert case.text.strip() == case.text and "{" not in case.text, case.id


@pytest.mark.parametrize(("task", "lang"), SUITES)
def test_the_files_are_what_the_templates_give(task: str, lang: str) -> None:
    path = suites.suite_path(task, lang)
    assert path.read_text(encoding="utf-8") == _build.render(task, lang), (
        f"{path.name} differs from its templates: run python -m ambassade.engine.text.suites._build"
    )


def test_the_readme_forbids_training_on_them() -> None:
    readme = (Path(suites.__file__).parent / "README.md").read_text(encoding="utf-8")
    assert "Never train, tune" in readme


def test_a_malformed_line_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = {
        "id": "x",
        "text": "Bonjour",
        "lang": "fr",
        "task": "spam",
        "expected": "ham",
        "category": "c",
    }
    lines = [json.dumps(good), json.dumps({**good, "expected": "maybe"})]
    (tmp_path / "spam.fr.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(suites, "_HERE", tmp_path)
    with pytest.raises(ValueError, match=r"spam\.fr\.jsonl, line 2"):
        load_cases("spam", "fr")
    (tmp_path / "spam.fr.jsonl").write_text('{"id": "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: not a case"):
        load_cases("spam", "fr")


@dataclass(frozen=True)
class _Always:
    lang: str = "fr"
    sentiment: str = "negative"
    offensive: float = 0.9
    hateful: float = 0.1
    spam: float = 0.5


def test_run_suites_counts_passes_per_task_language_and_category() -> None:
    seen: list[list[str]] = []

    def analyze(texts: list[str]) -> list[_Always]:
        seen.append(texts)
        return [_Always() for _ in texts]

    results = run_suites(analyze)
    assert len(seen) == 1 and len(seen[0]) == len(set(seen[0]))  # one batch, each text once
    expected_pass = {
        "sentiment": "negative",
        "offensive": "offensive",
        "hate": "not_hateful",
        "spam": "spam",
        "language": "fr",
    }
    for (task, lang), (passed, total) in totals(results).items():
        cases = load_cases(task, lang)
        assert total == len(cases)
        assert passed == sum(case.expected == expected_pass[task] for case in cases)
    for result in results:
        assert 0 <= result.passed <= result.total and len(result.failures) <= 3
        assert all(got != expected for _, expected, got in result.failures)
    lines = suites.markdown(results)
    assert any(line.startswith("| sentiment |") and "%" in line for line in lines)


def test_run_suites_refuses_an_analyser_that_drops_texts() -> None:
    with pytest.raises(ValueError, match="results for"):
        run_suites(lambda texts: [_Always()], tasks=("spam",))


def test_the_report_and_the_bench_show_a_category_s_first_failure_the_same_way() -> None:
    """One formatting (``CategoryResult.first_failure``) for the Markdown report and the bench's
    kept rows: the text cut to 70 characters, ``|`` made harmless for a table cell."""
    from ambassade.benchmarks._text_summary import suite_rows
    from ambassade.engine.text.suites import CategoryResult

    long = "a | b " + "x" * 80
    result = CategoryResult(
        "spam", "fr", "scam", 1, 3, ((long, "spam", "ham"), ("c", "spam", "ham"))
    )
    assert result.first_failure == "a / b " + "x" * 63 + "… (spam → ham)"
    assert CategoryResult("spam", "fr", "scam", 3, 3).first_failure == ""
    assert suite_rows([result])[0]["failure"] == result.first_failure
    assert suites.markdown([result])[-1] == (
        f"| spam | fr | scam | 1/3 (33 %) | {result.first_failure} |"
    )
