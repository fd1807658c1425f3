"""The demo stream's 50 latest messages, labelled by hand, against the engine (`ambassade bench
text`'s demo part and the table of docs/text-analysis.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ambassade.engine.text import Analysis, analyze

__all__ = ["DEMO_LABELS", "DEMO_NOW", "demo_checks", "demo_lines", "demo_table", "flags_of"]

DEMO_LABELS = Path(__file__).with_name("_text_demo.jsonl")
# The demo stream a new user sees first: its 50 latest messages at this moment (listening/demo.py,
# seed 1, the incident started 20 hours before, as `ambassade demo` sets it up).
DEMO_NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def demo_checks() -> list[tuple[str, Analysis, list[str], list[str]]]:
    """(text, analysis, accepted sentiments, expected flags) of the demo stream's 50 latest
    messages, labelled by hand in ``_text_demo.jsonl``."""
    from ambassade.listening.demo import generate

    items = generate(
        DEMO_NOW - dt.timedelta(days=2),
        DEMO_NOW,
        seed=1,
        incident_at=DEMO_NOW - dt.timedelta(hours=20),
    )
    texts = [i.text for i in sorted(items, key=lambda i: i.created_at, reverse=True)[:50]]
    labels = [json.loads(line) for line in DEMO_LABELS.read_text("utf-8").splitlines()]
    if [label["text"] for label in labels] != texts:
        raise RuntimeError(
            f"{DEMO_LABELS.name} no longer matches the demo stream (listening/demo.py changed): "
            "label its 50 latest messages again"
        )
    return [
        (text, analysis, label["sentiment"], label["flags"])
        for text, analysis, label in zip(texts, analyze(texts), labels, strict=True)
    ]


def flags_of(analysis: Analysis) -> list[str]:
    return [name for name in ("offensive", "hateful", "spam") if getattr(analysis, name) >= 0.5]


def demo_lines() -> list[str]:
    checks = demo_checks()
    right = [
        a.sentiment in sentiments and flags_of(a) == flags for _, a, sentiments, flags in checks
    ]
    sentiment_right = sum(a.sentiment in sentiments for _, a, sentiments, _ in checks)
    flags_right = sum(flags_of(a) == flags for _, a, _, flags in checks)
    return [
        "",
        f"The demo stream's 50 latest messages (`listening/demo.py`, labelled by hand; the table is "
        f"in docs/text-analysis.md): **{sum(right)} of 50 right** (sentiment {sentiment_right}, "
        f"offensive/hateful/spam flags {flags_right}).",
    ]


def demo_table() -> list[str]:
    """The Markdown table of docs/text-analysis.md: each message, the engine's labels, the right
    ones (``python -c "from ambassade.benchmarks.text import demo_table; print(*demo_table(),
    sep='\\n')"``)."""
    lines = [
        "| # | message | engine now | right | |",
        "|---:|---|---|---|---|",
    ]
    for number, (text, a, sentiments, flags) in enumerate(demo_checks(), 1):
        got = ", ".join([a.sentiment, *flags_of(a)])
        want = " or ".join(sentiments) if len(sentiments) < 3 else "any sentiment"
        want = ", ".join([want, *flags])
        ok = a.sentiment in sentiments and flags_of(a) == flags
        cell = text.replace("|", "\\|")
        lines.append(f"| {number} | {cell} | {got} | {want} | {'✓' if ok else '✗'} |")
    return lines
