"""`ambassade bench replies`: suggested replies measured on the customer-support threads of twcs.

Each brand of ``DATA/twcs-sample`` answers its customers in time order. For every customer message a
brand answered, the brand's index holds exactly the exchanges whose answer was sent *before* that
message arrived (never the future), the engine suggests three answers, and the suggestion closest
to the answer actually sent is scored (``ambassade.engine.suggest``: both neutralised, ROUGE-L F1
over word tokens). A suggestion is *close* at ROUGE-L ≥ 0.5. The baseline is the brand's most
frequent answer so far (and its three most frequent, to compare three with three).

Brands are split in two halves by name (alternately): the defaults of ``Settings`` were chosen on the
first half (``dev``) and the second (``held out``) was not looked at while choosing.

Speed: the time of each suggestion on twcs; then one index of 50,000 past exchanges bootstrapped
from every brand's (drawn with replacement, handles and numbers renewed, one word in five dropped or
swapped with another exchange's, so that no two are copies) and 1,000 suggestions for customer
messages of the sample.
"""

from __future__ import annotations

import csv
import html
import random
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ambassade.benchmarks import BenchOptions, BenchResult, progress
from ambassade.engine.suggest import (
    ReplyIndex,
    Settings,
    closeness_tokens,
    neutralise,
    rouge_l,
    token_f1,
)

__all__ = ["TITLE", "Pair", "evaluate", "load_pairs", "run"]

TITLE = "Suggested replies (twcs customer-support threads)"
OPTIONS = {"scale": "past exchanges in the speed test (default 50000)"}
THRESHOLD = 0.5
_FORMAT = "%a %b %d %H:%M:%S %z %Y"


@dataclass(frozen=True, slots=True)
class Pair:
    brand: str
    key: str
    inbound_key: str
    inbound: str
    inbound_at: datetime
    reply: str
    reply_at: datetime


def load_pairs(path: Path) -> list[Pair]:
    """Every (customer message, brand answer) of the sample whose two tweets it holds."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {row["tweet_id"]: row for row in rows}
    pairs = []
    for row in rows:
        parent = by_id.get(row["in_response_to_tweet_id"])
        if row["inbound"] != "False" or parent is None or parent["inbound"] != "True":
            continue
        pairs.append(
            Pair(
                brand=row["author_id"],
                key=row["tweet_id"],
                inbound_key=parent["tweet_id"],
                inbound=html.unescape(parent["text"]),
                inbound_at=datetime.strptime(parent["created_at"], _FORMAT),
                reply=html.unescape(row["text"]),
                reply_at=datetime.strptime(row["created_at"], _FORMAT),
            )
        )
    return pairs


def by_brand(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    brands: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        brands[pair.brand].append(pair)
    return dict(brands)


def split_brands(brands: Sequence[str]) -> tuple[list[str], list[str]]:
    """(dev, held out): alternate brands in name order."""
    ordered = sorted(brands, key=str.lower)
    return ordered[0::2], ordered[1::2]


@dataclass
class Case:
    """One customer message of the evaluation: what each method's best suggestion scored."""

    brand: str
    history: int
    best: dict[str, float]
    f1: dict[str, float]
    top1: dict[str, float]
    reply: str
    suggested: str
    millis: float


def evaluate(
    brands: dict[str, list[Pair]],
    settings: Settings,
    report: Callable[[int, int], None] | None = None,
    vectors: Mapping[str, Any] | None = None,
) -> list[Case]:
    """Walk every brand's exchanges in time order (module docstring)."""
    cases: list[Case] = []
    total = sum(len(pairs) for pairs in brands.values())
    done = 0
    for brand in sorted(brands):
        pairs = brands[brand]
        answered = sorted(pairs, key=lambda pair: (pair.reply_at, pair.key))
        asked = sorted(pairs, key=lambda pair: (pair.inbound_at, pair.key))
        index = ReplyIndex(settings)
        added = 0
        for pair in asked:
            while added < len(answered) and answered[added].reply_at < pair.inbound_at:
                past = answered[added]
                index.add(
                    past.key,
                    past.inbound,
                    past.reply,
                    vector=vectors.get(past.inbound_key) if vectors else None,
                )
                added += 1
            done += 1
            if report:
                report(done, total)
            if not len(index):
                continue
            truth = closeness_tokens(neutralise(pair.reply))
            started = time.perf_counter()
            suggestions = index.suggest(
                pair.inbound, 3, vector=vectors.get(pair.inbound_key) if vectors else None
            )
            millis = 1000 * (time.perf_counter() - started)
            methods = {
                "suggest": [s.text for s in suggestions],
                "frequent1": [s.text for s in index.most_frequent(1)],
                "frequent3": [s.text for s in index.most_frequent(3)],
            }
            best: dict[str, float] = {}
            f1: dict[str, float] = {}
            top1: dict[str, float] = {}
            for name, texts in methods.items():
                tokens = [closeness_tokens(text) for text in texts]
                best[name] = max((rouge_l(t, truth) for t in tokens), default=0.0)
                f1[name] = max((token_f1(t, truth) for t in tokens), default=0.0)
                top1[name] = rouge_l(tokens[0], truth) if tokens else 0.0
            scored = [(rouge_l(closeness_tokens(t), truth), t) for t in methods["suggest"]]
            suggested = max(scored)[1] if scored else ""
            cases.append(
                Case(brand, len(index), best, f1, top1, neutralise(pair.reply), suggested, millis)
            )
    return cases


def share(
    cases: Sequence[Case], method: str, measure: str = "best", at: float = THRESHOLD
) -> float:
    if not cases:
        return 0.0
    values = [getattr(case, measure)[method] for case in cases]
    return 100.0 * sum(value >= at for value in values) / len(values)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[position]


# --- speed at scale ---------------------------------------------------------------------------------

_NUMBER_CHARS = "0123456789"


def bootstrap(pairs: Sequence[Pair], size: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``size`` exchanges drawn with replacement from ``pairs``, each made different (docstring)."""
    rng = random.Random(seed)
    words = [word for pair in pairs for word in pair.inbound.split()]
    out = []
    for number in range(size):
        pair = pairs[rng.randrange(len(pairs))]
        inbound = []
        for word in pair.inbound.split():
            draw = rng.random()
            if draw < 0.1:
                continue
            inbound.append(rng.choice(words) if draw < 0.2 else word)
        handle = "@" + "".join(rng.choice(_NUMBER_CHARS) for _ in range(6))
        inbound.insert(0, handle)
        reply = f"{handle} {pair.reply}"
        out.append((f"b{number}", " ".join(inbound), reply))
    return out


def speed_at_scale(pairs: Sequence[Pair], size: int, queries: int = 1000) -> dict[str, float]:
    entries = bootstrap(pairs, size)
    index = ReplyIndex()
    started = time.perf_counter()
    report = progress(f"replies: indexing {size} past exchanges")
    for number, (key, inbound, reply) in enumerate(entries, 1):
        index.add(key, inbound, reply)
        report(number, size)
    build = time.perf_counter() - started
    rng = random.Random(11)
    asked = [pairs[rng.randrange(len(pairs))].inbound for _ in range(queries)]
    timings = []
    report = progress("replies: suggesting at scale")
    for number, text in enumerate(asked, 1):
        started = time.perf_counter()
        index.suggest(text, 3)
        timings.append(1000 * (time.perf_counter() - started))
        report(number, queries)
    extra = bootstrap(pairs, 1000, seed=13)
    started = time.perf_counter()
    for key, inbound, reply in extra:
        index.add(f"x{key}", inbound, reply)
    add_ms = 1000 * (time.perf_counter() - started) / len(extra)
    return {
        "size": float(len(index) - len(extra)),
        "build_s": build,
        "p50": _percentile(timings, 0.5),
        "p95": _percentile(timings, 0.95),
        "max": max(timings),
        "add_ms": add_ms,
    }


# --- the report -----------------------------------------------------------------------------------


def _row(label: str, cases: Sequence[Case]) -> str:
    return (
        f"| {label} | {len(cases)} | **{share(cases, 'suggest'):.1f} %** | "
        f"{share(cases, 'frequent1'):.1f} % | {share(cases, 'frequent3'):.1f} % | "
        f"{share(cases, 'suggest', 'top1'):.1f} % | {share(cases, 'suggest', 'f1'):.1f} % | "
        f"{share(cases, 'frequent3', 'f1'):.1f} % |"
    )


def _examples(cases: Sequence[Case]) -> list[str]:
    """A few suggestion/answer pairs just above and just below the threshold, to show what it means."""
    lines = []
    for low, high in ((0.5, 0.6), (0.35, 0.5)):
        found = [
            case
            for case in cases
            if low <= case.best["suggest"] < high and 6 <= len(case.reply.split()) <= 30
        ]
        found.sort(key=lambda case: (case.brand, case.reply))
        for case in found[:: max(1, len(found) // 3)][:3]:
            lines.append(
                f"| {case.best['suggest']:.2f} | {_cell(case.suggested)} | {_cell(case.reply)} |"
            )
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run(options: BenchOptions) -> BenchResult:
    pairs = load_pairs(options.data_dir / "twcs-sample" / "twcs_sample.csv")
    brands = by_brand(pairs)
    dev, held_out = split_brands(list(brands))
    settings = Settings()
    cases = evaluate(brands, settings, progress("replies: suggesting in time order"))
    dev_cases = [case for case in cases if case.brand in dev]
    held_cases = [case for case in cases if case.brand in held_out]
    rich = [case for case in cases if case.history >= 20]
    timings = [case.millis for case in cases]
    ablation = {
        "votes alone, no agreement between answers (`consensus=0`)": Settings(consensus=0.0),
        "single words alone, no word pairs or stems": Settings(bigram_weight=0.0, stem_weight=0.0),
        "the closest past message's answer first (`neighbours=1`, `consensus=0`)": Settings(
            neighbours=1, consensus=0.0
        ),
    }
    ablation_rows = []
    for label, variant in ablation.items():
        other = evaluate(brands, variant)
        ablation_rows.append(f"| {label} | {share(other, 'suggest'):.1f} % |")
    size = int(options.extra.get("scale", "5000" if options.quick else "50000"))
    scale = speed_at_scale(pairs, size, 200 if options.quick else 1000)
    counts = Counter(pair.brand for pair in pairs)
    summary = (
        f"replies: close (ROUGE-L ≥ {THRESHOLD}) {share(cases, 'suggest'):.1f} % with 3 suggestions "
        f"vs {share(cases, 'frequent1'):.1f} % most frequent answer; "
        f"p95 {scale['p95']:.1f} ms at {int(scale['size'])} past replies"
    )
    header = (
        "| brands | customer messages | suggestions: one of 3 close | baseline: most frequent "
        "answer | baseline: 3 most frequent | first suggestion close | one of 3, token F1 ≥ 0.5 "
        "| 3 most frequent, token F1 ≥ 0.5 |\n|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    markdown = f"""
Data: `twcs-sample` (Customer Support on Twitter, first 5,000 rows, CC BY-NC-SA 4.0: measured here,
nothing trained on it ships). {len(pairs):,} customer messages with the brand's answer in the sample,
{len(brands)} brands ({counts.most_common(1)[0][0]} the largest with {counts.most_common(1)[0][1]}).
Each brand's messages in time order; for each, the index holds only the answers sent before the
message arrived. Messages a brand gets before any answer of its own are not scored (nothing to
suggest from): {len(pairs) - len(cases)} of them.

**Closeness**: both the suggestion and the answer actually sent are neutralised (names, signatures,
handles, order numbers → placeholders), every address counts as `{{link}}`, and ROUGE-L F1 over
lower-cased word tokens is computed; a suggestion is *close* when ROUGE-L ≥ {THRESHOLD}. At that
level the suggestion says the same thing in mostly the same words, as the examples below show; under
it, it shares phrases but usually asks or says something else. Token F1 (words in any order) is given
beside it. The defaults were chosen on the dev brands; the held-out brands were not looked at then.

{header}
{_row("all", cases)}
{_row("dev (settings chosen here)", dev_cases)}
{_row("held out", held_cases)}
{_row("brands with ≥ 20 past answers", rich)}

Mean ROUGE-L of the best of three: {statistics.fmean(c.best["suggest"] for c in cases):.2f}
(3 most frequent: {statistics.fmean(c.best["frequent3"] for c in cases):.2f}).

Ablations (all brands, one of 3 close at ROUGE-L ≥ {THRESHOLD}; shipped: {share(cases, "suggest"):.1f} %):

| variant | one of 3 close |
|---|---:|
{chr(10).join(ablation_rows)}

What ROUGE-L around the threshold looks like (best suggestion, answer actually sent, both
neutralised; quoted from twcs, CC BY-NC-SA 4.0):

| ROUGE-L | suggestion | answer sent |
|---:|---|---|
{chr(10).join(_examples(cases))}

**Speed**, one process: on twcs (small indexes, {len(cases):,} suggestions) mean
{statistics.fmean(timings):.2f} ms, p95 {_percentile(timings, 0.95):.2f} ms per suggestion (three
answers). At scale: {int(scale["size"]):,} past exchanges bootstrapped from the sample (drawn with
replacement, handles and numbers renewed, one word in five dropped or swapped with another exchange's
word, so that no two are copies), indexed in {scale["build_s"]:.1f} s; suggestions for
{200 if options.quick else 1000} customer messages of the sample (the pool the history was drawn from): p50 {scale["p50"]:.1f} ms,
**p95 {scale["p95"]:.1f} ms**, max {scale["max"]:.1f} ms; adding one exchange to that index
{scale["add_ms"]:.2f} ms.
"""
    return BenchResult(markdown=markdown, summary=summary)
