"""`ambassade bench language`: language identification on the public data sets, step by step.

Each set's messages carry the language their collectors gave them (UMSAB per language; FTR, XED and
Allociné French; MLMA French and English; TweetEval, twcs inbound and airline tweets English; the
informal suites written for the project). The share identified right is measured four times: lingua
with the informal French-English vote only (the engine before issue #11's name fix), then with each
safeguard added in turn: names left out (capitalised words inside sentences), the prior toward the
preferred languages, function words overruling a confident guess, and the French-or-English letter
model deciding what lingua and the marker words leave open. The demo stream's templates,
rendered with every brand name, are the synthetic check of brand names in particular.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable
from pathlib import Path

from ambassade.benchmarks import BenchOptions, BenchResult, progress
from ambassade.engine.text._language import (
    OTHER_PRIOR,
    LanguageGuess,
    _detect,
    configured_languages,
    preferred_languages,
)

__all__ = ["TITLE", "run"]

TITLE = "Language identification (real messages and the demo's brand names)"
SUITES = Path(__file__).resolve().parent.parent / "engine" / "text" / "suites"
_Detector = Callable[[list[str]], list[LanguageGuess]]
STEPS: tuple[tuple[str, dict[str, bool]], ...] = (
    (
        "lingua + informal vote (before)",
        {"names": False, "prior": False, "overrule": False, "letters": False},
    ),
    ("+ names left out", {"names": True, "prior": False, "overrule": False, "letters": False}),
    ("+ prior toward fr, en", {"names": True, "prior": True, "overrule": False, "letters": False}),
    (
        "+ function words overrule",
        {"names": True, "prior": True, "overrule": True, "letters": False},
    ),
    (
        "+ letter model, French or English (shipped)",
        {"names": True, "prior": True, "overrule": True, "letters": True},
    ),
)


def _jsonl(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _demo() -> list[tuple[str, str]]:
    from ambassade.listening.demo import BRAND, COMPETITORS, INCIDENT, MESSAGES

    rows = []
    for by_lang in [*MESSAGES.values(), INCIDENT]:
        for lang, templates in by_lang.items():
            for template in templates:
                for brand in (BRAND, *COMPETITORS.values()):
                    for name in (*brand.names, f"@{brand.handle}", f"#{brand.handle}"):
                        for product in brand.products[:2]:
                            text = template.format(
                                b=name, p=product, h=brand.handle, u="https://example.com/x"
                            )
                            rows.append((text, lang))
    return rows


def load_sets(data: Path, quick: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(text, language)]) for each set present under ``data``; the demo and suites always."""
    sets: list[tuple[str, list[tuple[str, str]]]] = []

    def jsonl(name: str, folder: str, splits: tuple[str, ...], lang: str | None = None) -> None:
        paths = [data / folder / f"{split}.jsonl" for split in splits]
        if all(path.exists() for path in paths):
            rows = [row for path in paths for row in _jsonl(path)]
            sets.append((name, [(r["text"], lang or r["lang"]) for r in rows if r["lang"] != "hi"]))

    jsonl("UMSAB train + dev, 7 languages (no Hindi)", "umsab-sentiment", ("train", "dev"))
    # The letter model learns from FTR's and MLMA's train splits: only their dev tweets are measured.
    jsonl("FTR French tweets, dev", "ftr-racism-fr", ("dev",), "fr")
    jsonl("MLMA French and English tweets, dev", "mlma-hate", ("dev",))
    jsonl("XED French subtitle lines, dev", "xed-fr-sentiment", ("dev",), "fr")
    jsonl("Allociné French reviews, dev", "allocine-fr-sample", ("dev",), "fr")
    jsonl("TweetEval sentiment, dev", "tweeteval-sentiment", ("dev",), "en")
    twcs = data / "twcs-sample" / "twcs_sample.csv"
    if twcs.exists():
        inbound = [(r["text"], "en") for r in _csv(twcs) if r["inbound"] == "True"]
        sets.append(("twcs customer-support tweets, inbound", inbound))
    airline = data / "airline-tweets" / "tweets.csv"
    if airline.exists():
        sets.append(("Airline customer tweets", [(r["text"], "en") for r in _csv(airline)]))
    for lang in ("fr", "en"):
        suite = [(r["text"], lang) for r in _jsonl(SUITES / f"language.{lang}.jsonl")]
        sets.append((f"Informal suite, {lang} (written for the project)", suite))
    sets.append(("Demo stream templates × brand names (synthetic)", _demo()))
    if quick:
        sets = [(name, rows[:200]) for name, rows in sets]
    return sets


MINE = ("fr", "en")
MISREAD = "the other languages read as French or English"


def _share(guesses: list[LanguageGuess], rows: list[tuple[str, str]]) -> float:
    return sum(g.code == lang for g, (_, lang) in zip(guesses, rows, strict=True)) / len(rows)


def measure(
    sets: list[tuple[str, list[tuple[str, str]]]],
) -> tuple[list[tuple[str, int, list[float], float]], dict[str, tuple[float, float]], float]:
    """Per set: (name, count, share right at each step, share ``und`` as shipped); UMSAB per language
    (before, shipped); and the shipped detector's CPU time per message, in milliseconds."""
    codes = configured_languages()
    rows_out = []
    per_language: dict[str, tuple[float, float]] = {}
    seconds = 0.0
    messages = 0
    report = progress("language")
    for done, (name, rows) in enumerate(sets, 1):
        texts = [text for text, _ in rows]
        shares = []
        for _, switches in STEPS:
            start = time.process_time()
            guesses = _detect(texts, codes, **switches)
            elapsed = time.process_time() - start
            shares.append(_share(guesses, rows))
            if name.startswith("UMSAB"):
                for lang in sorted({lang for _, lang in rows}):
                    picked = [(g, r) for g, r in zip(guesses, rows, strict=True) if r[1] == lang]
                    share = _share([g for g, _ in picked], [r for _, r in picked])
                    before = per_language.get(lang, (share, share))[0]
                    per_language[lang] = (before, share)
                # The cost of leaning French and English: the other languages read as either.
                others = [g for g, (_, lang) in zip(guesses, rows, strict=True)]
                others = [g for g, (_, lang) in zip(others, rows, strict=True) if lang not in MINE]
                if others:
                    misread = sum(g.code in MINE for g in others) / len(others)
                    before = per_language.get(MISREAD, (misread, misread))[0]
                    per_language[MISREAD] = (before, misread)
        seconds += elapsed
        messages += len(rows)
        undetermined = sum(g.code == "und" for g in guesses) / len(rows)
        rows_out.append((name, len(rows), shares, undetermined))

        report(done, len(sets))
    return rows_out, per_language, 1000 * seconds / max(messages, 1)


def run(options: BenchOptions) -> BenchResult:
    sets = load_sets(options.data_dir, options.quick)
    rows, per_language, ms = measure(sets)
    header = " | ".join(step for step, _ in STEPS)
    lines = [
        f"Share of messages given the language their data set says (languages told apart: "
        f"{', '.join(configured_languages())}; prior {OTHER_PRIOR} on languages other than "
        f"{', '.join(preferred_languages()) or 'none'}). Each column adds one safeguard to the one before.",
        "",
        f"| messages | count | {header} | `und` (shipped) |",
        "|---|---:|" + "---:|" * len(STEPS) + "---:|",
    ]
    for name, count, shares, undetermined in rows:
        cells = " | ".join(f"{100 * share:.1f} %" for share in shares[:-1])
        lines.append(
            f"| {name} | {count:,} | {cells} | **{100 * shares[-1]:.1f} %** | "
            f"{100 * undetermined:.1f} % |"
        )
    if per_language:
        cells = "; ".join(
            f"{lang} {100 * before:.1f} → {100 * after:.1f}"
            for lang, (before, after) in sorted(per_language.items())
        )
        lines += ["", f"UMSAB per language, before → shipped: {cells}."]
    lines += [
        "",
        f"Shipped detector: {ms:.2f} ms of CPU time per message on average over these sets "
        "(lingua's cascade, names, prior and vote; lingua runs on several threads, so wall-clock "
        "time on a free machine is lower).",
    ]
    summary = "; ".join(f"{name} {100 * shares[-1]:.1f} %" for name, _, shares, _ in rows[:3])
    return BenchResult("\n".join(lines), summary)
