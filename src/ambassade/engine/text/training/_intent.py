"""Training and cross-validation of the intent head (:mod:`ambassade.engine.text._intent`).

The examples: ``intent_examples.jsonl`` beside this module (360 French and English messages written
and labelled for this project, 30 per intent and language, each French message the translation of an
English one: they share a ``pair``) and the demo stream's message templates
(:mod:`ambassade.listening.demo`, written for the project by another hand: each template once, with a
brand of the demo; news and spam are "other", the payment incident a complaint, the toxic messages left
out). Folds are grouped by pair and by template, so that no message has its translation or another
rendering of itself on the other side, and stratified by intent.

``python -m ambassade.engine.text.training._intent [OUTPUT]`` writes ``models/intent.npz``;
``ambassade bench intent`` prints the cross-validated comparison of the candidates.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]

from ambassade.engine.text._encoder import ENCODER_NAME, default_encoder
from ambassade.engine.text._intent import (
    DEFAULT_INTENT_PATH,
    FORMAT_VERSION,
    INTENTS,
    rule_features,
    rule_intent,
)

__all__ = ["EXAMPLES", "C", "Example", "candidates", "cross_validate", "examples", "train"]

EXAMPLES = Path(__file__).with_name("intent_examples.jsonl")
C = 1.0
"""The head's regularisation: the grid's default, no other C gained one standard deviation."""
DEMO_INTENTS = {
    "praise": "praise",
    "complaint": "complaint",
    "question": "question",
    "bug": "bug",
    "purchase": "purchase",
    "news": "other",
    "spam": "other",
    "incident": "complaint",
}


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str
    group: str  # the fold group: a translation pair, or a demo template
    source: str  # "ours" (intent_examples.jsonl) or "demo" (the demo's templates)


def examples() -> list[Example]:
    """Every labelled example: ours, then the demo's templates."""
    rows: list[Example] = []
    with EXAMPLES.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                rows.append(Example(r["text"], r["intent"], r["lang"], f"ours:{r['pair']}", "ours"))
    from ambassade.listening.demo import BRAND, COMPETITORS, INCIDENT, MESSAGES

    brands = [BRAND, *COMPETITORS.values()]
    count = 0
    for category, by_lang in [*MESSAGES.items(), ("incident", INCIDENT)]:
        intent = DEMO_INTENTS.get(category)
        if intent is None:
            continue
        for lang, templates in by_lang.items():
            for j, template in enumerate(templates):
                brand = brands[count % len(brands)]
                count += 1
                text = template.format(
                    b=brand.names[0], p=brand.products[0], h=brand.handle, u="https://example.com/x"
                )
                rows.append(Example(text, intent, lang, f"demo:{category}:{lang}:{j}", "demo"))
    return rows


Matrix = npt.NDArray[np.float32]
Candidate = Callable[[list[Example], Matrix, list[int], list[int]], list[str]]


def _lr(features: Callable[[Matrix, list[str]], Matrix], c: float) -> Candidate:
    def predict(
        rows: list[Example], vectors: Matrix, train: list[int], test: list[int]
    ) -> list[str]:
        texts = [row.text for row in rows]
        x = features(vectors, texts)
        model = LogisticRegression(C=c, max_iter=3000)
        model.fit(x[train], [rows[i].intent for i in train])
        return [str(label) for label in model.predict(x[test])]

    return predict


def _rules(rows: list[Example], vectors: Matrix, train: list[int], test: list[int]) -> list[str]:
    return [rule_intent(rows[i].text) for i in test]


def _vectors(vectors: Matrix, texts: list[str]) -> Matrix:
    return vectors


def _with_rules(weight: float) -> Callable[[Matrix, list[str]], Matrix]:
    def features(vectors: Matrix, texts: list[str]) -> Matrix:
        return np.hstack([vectors, weight * rule_features(texts)])

    return features


def candidates() -> list[tuple[str, Candidate]]:
    """What was compared, the shipped head first."""
    found: list[tuple[str, Candidate]] = [
        (f"sentence vector, C={C:g} (shipped)", _lr(_vectors, C)),
        ("rules alone (fast tier, no sentiment)", _rules),
    ]
    for c in (0.3, 3.0, 10.0):
        found.append((f"sentence vector, C={c:g}", _lr(_vectors, c)))
    for weight in (1.0, 0.3):
        found.append((f"sentence vector + rules ×{weight:g}, C=1", _lr(_with_rules(weight), 1.0)))
    return found


def cross_validate(
    rows: list[Example],
    vectors: Matrix,
    folds: int = 5,
    repeats: int = 3,
    report: Callable[[int, int], None] | None = None,
) -> dict[str, dict[str, list[float]]]:
    """Accuracy per candidate on each held-out fold: ``{candidate: {"all"|"ours"|"demo"|lang: [...]}}``."""
    labels = [row.intent for row in rows]
    groups = [row.group for row in rows]
    splits = [
        (list(train), list(test))
        for seed in range(repeats)
        for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(
            np.zeros(len(rows)), labels, groups
        )
    ]
    chosen = candidates()
    scores: dict[str, dict[str, list[float]]] = {name: {} for name, _ in chosen}
    done = 0
    for train, test in splits:
        for name, predict in chosen:
            predicted = predict(rows, vectors, train, test)
            right = [rows[i].intent == p for i, p in zip(test, predicted, strict=True)]
            parts: dict[str, list[bool]] = {"all": right}
            for i, ok in zip(test, right, strict=True):
                parts.setdefault(rows[i].source, []).append(ok)
                parts.setdefault(rows[i].lang, []).append(ok)
            for part, values in parts.items():
                scores[name].setdefault(part, []).append(float(np.mean(values)))
            done += 1
            if report:
                report(done, len(splits) * len(chosen))
    return scores


def train(output: Path = DEFAULT_INTENT_PATH) -> dict[str, Any]:
    """Fit the shipped head on every example and write it; returns its description."""
    rows = examples()
    vectors = default_encoder().encode([row.text for row in rows])
    model = LogisticRegression(C=C, max_iter=3000)
    model.fit(vectors, [row.intent for row in rows])
    order = [list(model.classes_).index(intent) for intent in INTENTS]
    meta = {
        "format": FORMAT_VERSION,
        "encoder": ENCODER_NAME,
        "intents": list(INTENTS),
        "C": C,
        "examples": len(rows),
        "sources": "intent_examples.jsonl (ours) + the demo stream's templates",
    }
    np.savez_compressed(
        output,
        weights=model.coef_[order].T.astype(np.float32),
        intercepts=model.intercept_[order].astype(np.float32),
        meta=np.array(json.dumps(meta)),
    )
    return meta


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_INTENT_PATH
    print(train(target), file=sys.stderr)
