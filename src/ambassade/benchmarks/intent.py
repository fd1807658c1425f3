"""`ambassade bench intent`: the inbox's intent head, cross-validated, and checked on real tweets.

No public intent data set with a licence that allows shipping a model was found, so the examples are
the project's own (``engine/text/training/intent_examples.jsonl``, 360 messages written and labelled
by the engineer who built the head) and the demo stream's templates (68, written by another engineer
of the project). Candidates are compared by repeated stratified 5-fold cross-validation grouped by
translation pair and template (mean ± standard deviation of the held-out folds' accuracy). Then, as a
check on real messages that no candidate learnt from, the shipped head reads the airline customer
tweets (CC BY-NC-SA: measured only, never trained on): the share of negative tweets whose intent is a
complaint or a bug, and of positive tweets read as praise.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import numpy as np

from ambassade.benchmarks import BenchOptions, BenchResult, progress
from ambassade.engine.text._encoder import default_encoder
from ambassade.engine.text._intent import INTENTS, intents
from ambassade.engine.text.training._intent import cross_validate, examples

__all__ = ["TITLE", "run"]

TITLE = "Intent (inbox): cross-validated on the project's labelled messages"
AIRLINE_LIMIT = 3000


def _cell(values: list[float]) -> str:
    return f"{100 * np.mean(values):.1f} ± {100 * np.std(values):.1f}" if values else "—"


def _airline(path: Path, limit: int) -> list[str]:
    lines: list[str] = []
    if not path.exists():
        return lines
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle)][:limit]
    negative = [row["text"] for row in rows if row["airline_sentiment"] == "negative"]
    positive = [row["text"] for row in rows if row["airline_sentiment"] == "positive"]
    start = time.process_time()
    found = intents(negative + positive)
    seconds = time.process_time() - start
    ruled = intents(negative + positive, tier="fast")
    neg, pos = Counter(found[: len(negative)]), Counter(found[len(negative) :])
    rneg, rpos = Counter(ruled[: len(negative)]), Counter(ruled[len(negative) :])
    share = (neg["complaint"] + neg["bug"]) / max(len(negative), 1)
    rshare = (rneg["complaint"] + rneg["bug"]) / max(len(negative), 1)
    lines += [
        "",
        f"Real messages (the first {len(rows):,} airline customer tweets; CC BY-NC-SA, never "
        "trained on):",
        "",
        "| tweets (airline sentiment label), tier | count | " + " | ".join(INTENTS) + " |",
        "|---|---:|" + "---:|" * len(INTENTS),
    ]
    for name, counts, total in (
        ("negative, accurate (shipped head)", neg, len(negative)),
        ("negative, fast (rules, no sentiment)", rneg, len(negative)),
        ("positive, accurate (shipped head)", pos, len(positive)),
        ("positive, fast (rules, no sentiment)", rpos, len(positive)),
    ):
        cells = " | ".join(f"{100 * counts[i] / max(total, 1):.1f} %" for i in INTENTS)
        lines.append(f"| {name} | {total:,} | {cells} |")
    lines += [
        "",
        f"Negative tweets read as a complaint or a bug: **{100 * share:.1f} %** (rules "
        f"{100 * rshare:.1f} %); positive tweets read as praise: "
        f"**{100 * pos['praise'] / max(len(positive), 1):.1f} %** (rules "
        f"{100 * rpos['praise'] / max(len(positive), 1):.1f} %) (a positive "
        "tweet may be a question or a purchase, a negative one a question: these are a floor, not "
        f"an accuracy). Speed: {len(found) / max(seconds, 1e-9):,.0f} messages a second of CPU "
        "time (encoder and head).",
    ]
    return lines


def run(options: BenchOptions) -> BenchResult:
    rows = examples()
    vectors = default_encoder().encode([row.text for row in rows])
    repeats = 1 if options.quick else 3
    scores = cross_validate(rows, vectors, repeats=repeats, report=progress("intent"))
    ours = sum(row.source == "ours" for row in rows)
    lines = [
        f"{len(rows)} labelled messages: {ours} written and labelled for the project by the "
        f"engineer who built the head (`intent_examples.jsonl`, French and English, 30 per intent "
        f"and language) and {len(rows) - ours} demo stream templates written by another. "
        f"Stratified 5-fold cross-validation grouped by translation pair and template, {repeats} "
        "repetitions; accuracy, mean ± standard deviation over the held-out folds. Six classes: "
        "chance is 16.7 %.",
        "",
        "| candidate | all | ours | demo templates | French | English |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, parts in scores.items():
        cells = " | ".join(_cell(parts.get(p, [])) for p in ("all", "ours", "demo", "fr", "en"))
        lines.append(f"| {name} | {cells} |")
    shipped_name, shipped = next(iter(scores.items()))
    bar = np.mean(shipped["all"]) + np.std(shipped["all"])
    better = [name for name, parts in scores.items() if np.mean(parts["all"]) > bar]
    verdict = (
        "No candidate gained one standard deviation over the shipped one."
        if not better
        else "Gained more than one standard deviation over the shipped one: " + ", ".join(better)
    )
    lines += [
        "",
        "The rules of the fast tier were written by the inbox's engineer while looking at the demo "
        f"templates: their figure on the demo column is optimistic. {verdict}",
    ]
    limit = 300 if options.quick else AIRLINE_LIMIT
    lines += _airline(options.data_dir / "airline-tweets" / "tweets.csv", limit)
    return BenchResult(
        "\n".join(lines), f"intent: {shipped_name} CV accuracy {_cell(shipped['all'])}"
    )
