"""Behaviour suites: CheckList-style cases, written for this project, in French and English.

Each task (sentiment, offensive, hate, spam, and language: informal messages whose language must be
identified) has a suite per language, ``<task>.<lang>.jsonl`` beside this
file, one case a line: ``id``, ``text``, ``lang``, ``task``, ``expected`` (the label a careful reader
gives) and ``category`` (negation, emoji, complaint_without_negative_word, counter_speech, slur,
obfuscation, scam…). They are a test of behaviour, never training data (README.md).

>>> from ambassade.engine.text import analyze
>>> from ambassade.engine.text.suites import run_suites
>>> results = run_suites(analyze)   # doctest: +SKIP
>>> [(r.task, r.lang, r.category, r.passed, r.total) for r in results][:1]   # doctest: +SKIP
[('sentiment', 'fr', 'complaint_without_negative_word', 12, 60)]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

__all__ = [
    "LANGUAGES",
    "TASKS",
    "Case",
    "CategoryResult",
    "load_cases",
    "markdown",
    "predicted_label",
    "run_suites",
    "totals",
]

TASKS = ("sentiment", "offensive", "hate", "spam", "language")
LANGUAGES = ("fr", "en")
LABELS = {
    "sentiment": ("negative", "neutral", "positive"),
    "offensive": ("offensive", "not_offensive"),
    "hate": ("hateful", "not_hateful"),
    "spam": ("spam", "ham"),
    "language": ("fr", "en"),
}
"""The labels each task's cases may expect."""
_HERE = Path(__file__).parent
_FIELDS = ("id", "text", "lang", "task", "expected", "category")


class Scored(Protocol):
    """What :func:`run_suites` reads of an analysis (:class:`ambassade.engine.text.Analysis` has it)."""

    @property
    def lang(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def offensive(self) -> float: ...
    @property
    def hateful(self) -> float: ...
    @property
    def spam(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    text: str
    lang: str
    task: str
    expected: str
    category: str


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """How one task in one language did on one category; ``failures`` holds up to three
    (text, expected, predicted) examples."""

    task: str
    lang: str
    category: str
    passed: int
    total: int
    failures: tuple[tuple[str, str, str], ...] = ()
    expected: tuple[str, ...] = ()
    """The labels this category's cases expect (one, in the suites as written)."""

    @property
    def rate(self) -> float:
        """Share of cases passed, in [0, 1]."""
        return self.passed / self.total if self.total else 0.0

    @property
    def first_failure(self) -> str:
        """The first failure as a Markdown table cell: "text (expected → got)", the text cut to
        70 characters and without ``|``; empty when every case passed."""
        if not self.failures:
            return ""
        text, expected, got = self.failures[0]
        shown = text if len(text) <= 70 else text[:69] + "…"
        return f"{shown.replace('|', '/')} ({expected} → {got})"


def suite_path(task: str, lang: str) -> Path:
    return _HERE / f"{task}.{lang}.jsonl"


def load_cases(task: str, lang: str) -> list[Case]:
    """The cases of one suite, in file order. A malformed line raises ValueError naming it."""
    path = suite_path(task, lang)
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            case = Case(**{name: row[name] for name in _FIELDS})
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name}, line {number}: not a case ({exc})") from None
        if set(row) != set(_FIELDS) or not all(isinstance(row[name], str) for name in _FIELDS):
            raise ValueError(
                f"{path.name}, line {number}: expected string fields {', '.join(_FIELDS)}"
            )
        if (case.task, case.lang) != (task, lang) or case.expected not in LABELS[task]:
            raise ValueError(f"{path.name}, line {number}: wrong task, language or label")
        cases.append(case)
    return cases


def predicted_label(task: str, analysis: Scored) -> str:
    """The label an analysis gives for a task, with the engine's 0.5 thresholds."""
    if task == "sentiment":
        return analysis.sentiment
    if task == "offensive":
        return "offensive" if analysis.offensive >= 0.5 else "not_offensive"
    if task == "hate":
        return "hateful" if analysis.hateful >= 0.5 else "not_hateful"
    if task == "spam":
        return "spam" if analysis.spam >= 0.5 else "ham"
    if task == "language":
        return analysis.lang
    raise ValueError(f"unknown task {task!r}")


def run_suites(
    analyze: Callable[[list[str]], Sequence[Scored]],
    tasks: Sequence[str] = TASKS,
    languages: Sequence[str] = LANGUAGES,
) -> list[CategoryResult]:
    """Run every suite through ``analyze`` (a batch function such as
    :func:`ambassade.engine.text.analyze`) and count the cases passed per task, language and
    category, in that order. Each distinct text is analysed once."""
    suites = {(task, lang): load_cases(task, lang) for task in tasks for lang in languages}
    texts = list(dict.fromkeys(case.text for cases in suites.values() for case in cases))
    analyses = analyze(texts)
    if len(analyses) != len(texts):
        raise ValueError(f"analyze returned {len(analyses)} results for {len(texts)} texts")
    by_text = dict(zip(texts, analyses, strict=True))
    results = []
    for (task, lang), cases in suites.items():
        categories: dict[str, list[tuple[Case, str]]] = {}
        for case in cases:
            got = predicted_label(task, by_text[case.text])
            categories.setdefault(case.category, []).append((case, got))
        for category, outcomes in categories.items():
            failed = [(c.text, c.expected, got) for c, got in outcomes if got != c.expected]
            results.append(
                CategoryResult(
                    task,
                    lang,
                    category,
                    len(outcomes) - len(failed),
                    len(outcomes),
                    tuple(failed[:3]),
                    tuple(sorted({c.expected for c, _ in outcomes})),
                )
            )
    return results


def totals(results: Sequence[CategoryResult]) -> dict[tuple[str, str], tuple[int, int]]:
    """(passed, total) per (task, language)."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for result in results:
        passed, total = found.get((result.task, result.lang), (0, 0))
        found[result.task, result.lang] = (passed + result.passed, total + result.total)
    return found


def markdown(results: Sequence[CategoryResult]) -> list[str]:
    """The lines of a Markdown report: pass rate per task and language, then per category."""
    summary = totals(results)
    lines = [
        "",
        "Behaviour suites (src/ambassade/engine/text/suites: CheckList-style cases written for the "
        "project, never trained or tuned on), share of cases passed:",
        "",
        "| task | French | English |",
        "|---|---:|---:|",
    ]
    for task in dict.fromkeys(result.task for result in results):
        cells = []
        for lang in LANGUAGES:
            passed, total = summary.get((task, lang), (0, 0))
            cells.append(f"**{100 * passed / total:.1f} %** of {total}" if total else "—")
        lines.append(f"| {task} | {' | '.join(cells)} |")
    lines += [
        "",
        "| task | language | category | passed | a failure (expected → got) |",
        "|---|---|---|---:|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.task} | {result.lang} | {result.category} | "
            f"{result.passed}/{result.total} ({100 * result.rate:.0f} %) | {result.first_failure} |"
        )
    return lines
