"""The head of `ambassade bench text`'s report: for each task, the cross-validated figure of the
shipped heads (mean ± sd), then the dev figure, then the peers on the same dev split, then the
behaviour suites' pass rate per category. The detailed tables follow it in the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ambassade.engine.text.suites import CategoryResult

__all__ = ["CV_TO_DEV", "suite_lines", "suite_rows", "summary"]


class Store(Protocol):
    rows: dict[str, dict[str, Any]]

    def note(self, key: str, heads: bool = True) -> str: ...


# (task, CV group) -> the dev rows that measure the same data set (several: one per language),
# with the target for the held-out test of that data set ("—" where it names none).
CV_TO_DEV: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("sentiment", "UMSAB French"): (("UMSAB sentiment, French",), "71"),
    ("sentiment", "UMSAB English"): (("UMSAB sentiment, English",), "70"),
    ("sentiment", "TweetEval"): (("TweetEval sentiment (macro-recall)",), "70"),
    ("sentiment", "UMSAB other languages"): (
        tuple(
            f"UMSAB sentiment, {name}"
            for name in ("German", "Spanish", "Italian", "Portuguese", "Arabic")
        ),
        "—",
    ),
    ("offensive", "TweetEval offensive"): (("TweetEval offensive",), "78"),
    ("offensive", "MLMA French"): (("MLMA offensive, French",), "62"),
    ("offensive", "MLMA English"): (("MLMA offensive, English",), "—"),
    ("offensive", "FTR French"): ((), "—"),
    ("hateful", "TweetEval hate"): (("TweetEval hate",), "55"),
    ("hateful", "MLMA French"): (("MLMA hateful, French",), "—"),
    ("spam", "YouTube"): (("YouTube comment spam (F1 of spam)",), "95"),
    ("spam", "SMS"): ((), "—"),
}
# Dev rows with no cross-validation (never trained on), shown under their task.
MEASURED_ONLY: dict[str, tuple[tuple[str, str, str], ...]] = {
    "sentiment": (
        (
            "Airline customer tweets (macro-F1; CC BY-NC-SA, measured only, never trained on)",
            "Airline customer tweets, sentiment (measured only: CC BY-NC-SA, never trained on)",
            "75",
        ),
    ),
}
SUITE_TASK = {"sentiment": "sentiment", "offensive": "offensive", "hateful": "hate", "spam": "spam"}
_LANGUAGE = {"fr": "French", "en": "English"}
_OURS = ("ours", "fast tier")


def suite_rows(results: Sequence[CategoryResult]) -> list[dict[str, Any]]:
    """The behaviour suites' results as plain values (kept in the bench's results file)."""
    return [
        {
            "task": result.task,
            "lang": result.lang,
            "category": result.category,
            "passed": result.passed,
            "total": result.total,
            "failure": result.first_failure,
            "expected": list(result.expected),
        }
        for result in results
    ]


def _value(store: Store, key: str, heads: bool = True) -> str | None:
    row = store.rows.get(key)
    if row is None:
        return None
    return f"{row['value']:.1f}{store.note(key, heads=heads)}"


def _dev_cells(store: Store, titles: Sequence[str]) -> tuple[str, str, str]:
    """(ours, fast tier, peers) on the dev rows ``titles``."""
    if not titles:
        return "no dev split", "—", "—"
    several = len(titles) > 1

    def label(title: str) -> str:
        return title.rsplit(", ", 1)[-1] + " " if several else ""

    ours, fast, peers = [], [], []
    for title in titles:
        ours.append(label(title) + (_value(store, f"ours:{title}") or "not measured yet"))
        fast.append(label(title) + (_value(store, f"fast tier:{title}", False) or "—"))
        for key in store.rows:
            name, _, rest = key.partition(":")
            if rest == title and name not in _OURS:
                peers.append(f"{name} {_value(store, key, False)}")
    return "; ".join(ours), "; ".join(fast), "; ".join(peers) or "—"


def summary(store: Store, suites: Sequence[dict[str, Any]] | None) -> list[str]:
    """Per task: CV mean ± sd of the shipped heads, dev, peers, behaviour suites by category."""
    lines = [
        "### Per task: cross-validation, then dev, then peers, then behaviour suites",
        "",
        "The cross-validated figure (train+dev pooled, repeated stratified 5-fold; mean ± standard "
        "deviation over the held-out folds) is the held-out proxy the heads were chosen by; the dev "
        "figure is one split of a few hundred examples, the heads trained on the train splits "
        "only; the peers run on the same dev split.",
    ]
    for task, suite_task in SUITE_TASK.items():
        cv = store.rows.get(f"cv:{task}")
        cv_rows = (
            {r["group"]: r for r in cv["value"]["rows"] if r["approach"] == "stacked"} if cv else {}
        )
        folds = f"{cv['value']['folds']} × {cv['value']['repeats']}" if cv else "—"
        note = store.note(f"cv:{task}") if cv else ""
        lines += [
            "",
            f"#### {task}",
            "",
            f"| data set (metric) | target (held-out) | CV, shipped heads ({folds} folds){note} | "
            "dev, ours | dev, fast tier | dev, peers |",
            "|---|---:|---:|---:|---:|---|",
        ]
        groups = [(g, t) for (k, g), t in CV_TO_DEV.items() if k == task]
        for group, (titles, target) in groups:
            row = cv_rows.get(group)
            cell = f"**{row['mean']:.1f} ± {row['sd']:.1f}**" if row else "not measured yet"
            metric = row["metric"] if row else ""
            ours, fast, peers = _dev_cells(store, titles)
            shown = f"{group} ({metric})" if metric else group
            wanted = f"≥ {target}" if target != "—" else "—"
            lines.append(f"| {shown} | {wanted} | {cell} | {ours} | {fast} | {peers} |")
        for shown, title, target in MEASURED_ONLY.get(task, ()):
            ours, fast, peers = _dev_cells(store, (title,))
            lines.append(f"| {shown} | ≥ {target} | — | {ours} | {fast} | {peers} |")
        lines += suite_lines(suite_task, suites)
    return lines


def suite_lines(task: str, suites: Sequence[dict[str, Any]] | None) -> list[str]:
    """A suite's pass rate per language, then per category (the lines start with a blank one)."""
    mine = [r for r in suites or () if r["task"] == task]
    if not mine:
        return ["", f"Behaviour suites, {task}: not measured yet."]
    totals = []
    for lang, name in _LANGUAGE.items():
        passed = sum(r["passed"] for r in mine if r["lang"] == lang)
        total = sum(r["total"] for r in mine if r["lang"] == lang)
        if total:
            totals.append(f"{name} **{100 * passed / total:.1f} %** of {total}")
    lines = [
        "",
        f"Behaviour suites, {task} (cases written for the project, never trained or tuned on): "
        f"{', '.join(totals)}.",
        *caught_lines(task, mine),
        "",
        "| language | category | passed | a failure (expected → got) |",
        "|---|---|---:|---|",
    ]
    for r in mine:
        rate = 100 * r["passed"] / r["total"] if r["total"] else 0.0
        lines.append(
            f"| {r['lang']} | {r['category']} | {r['passed']}/{r['total']} ({rate:.0f} %) | "
            f"{r['failure']} |"
        )
    return lines


POSITIVE = {"hate": "hateful", "offensive": "offensive", "spam": "spam"}
"""The label a binary suite's flag stands for."""


def caught_lines(task: str, rows: Sequence[dict[str, Any]]) -> list[str]:
    """For a binary task, per language: the share of the cases expecting the flag that got it
    (caught) and of the others that got it too (false alarms). Rows kept before the categories
    carried their expected label give nothing."""
    positive = POSITIVE.get(task)
    if positive is None or any("expected" not in r for r in rows):
        return []
    parts = []
    for lang, name in _LANGUAGE.items():
        flagged = [r for r in rows if r["lang"] == lang and r["expected"] == [positive]]
        harmless = [r for r in rows if r["lang"] == lang and positive not in r["expected"]]
        n_flagged = sum(r["total"] for r in flagged)
        n_harmless = sum(r["total"] for r in harmless)
        if not n_flagged or not n_harmless:
            continue
        caught = sum(r["passed"] for r in flagged)
        alarms = sum(r["total"] - r["passed"] for r in harmless)
        parts.append(
            f"{name}: **{100 * caught / n_flagged:.1f} %** of {n_flagged} caught, "
            f"**{100 * alarms / n_harmless:.1f} %** of {n_harmless} false alarms"
        )
    return ["", f"Flagged as {positive} (threshold 0.5): {'; '.join(parts)}."] if parts else []
