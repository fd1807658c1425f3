"""Training of the French-or-English letter n-gram model (``models/language.npz``).

lingua gives up on short, slangy or SMS-spelt messages ("gros naze", "j'arrive", "gg ez", "moron").
This model only tells French from English, from letter n-grams (1 to 5 letters, each word padded
with spaces: :func:`~ambassade.engine.text._language.letter_grams`) of real messages of both
languages, formal and informal. It is a logistic regression over the grams' presence; the file
keeps each gram's weight (grams seen in at least ``MIN_COUNT`` texts, weights under ``PRUNE`` left
out) and the intercept.

Training texts (train splits only; no text of the informal suites, which stay a test): French —
FTR and MLMA French tweets, XED subtitle lines (spoken French), Allociné reviews cut to 300
characters; English — TweetEval sentiment tweets (a seeded sample), MLMA English, the UCI SMS and
YouTube comments (SMS spelling); and from each of them up to two windows of one to three words. UMSAB is left out so that ``ambassade bench language`` measures on
it out of sample (FTR and MLMA there on their dev splits). Both languages weigh the same.

``python -m ambassade.engine.text.training._language --data ../shared/data`` rewrites the file and
prints the cross-validated accuracy of each C tried (5 folds).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold, cross_val_score  # type: ignore[import-untyped]

from ambassade.engine.text._language import LETTER_MODEL_PATH, letter_grams, save_letter_model
from ambassade.engine.text._normalize import language_view
from ambassade.engine.text.training._data import load

__all__ = ["train_letter_model", "training_texts"]

SEED = 20261207
ENGLISH_TWEETS = 12_000
MIN_COUNT = 3
PRUNE = 0.02
FRAGMENTS = 2
C_GRID = (0.1, 0.3, 1.0)


def training_texts(data: Path) -> tuple[list[str], list[int]]:
    """Texts and labels (1 French, 0 English)."""
    french = [e.text for e in load(data, "ftr-racism-fr", "train")]
    french += [e.text for e in load(data, "mlma-hate", "train") if e.lang == "fr"]
    french += [e.text for e in load(data, "xed-fr-sentiment", "train")]
    french += [e.text[:300] for e in load(data, "allocine-fr-sample", "train")]
    tweets = [e.text for e in load(data, "tweeteval-sentiment", "train")]
    rng = np.random.default_rng(SEED)
    picked = rng.choice(len(tweets), size=min(ENGLISH_TWEETS, len(tweets)), replace=False)
    english = [tweets[int(i)] for i in sorted(picked)]
    english += [e.text for e in load(data, "mlma-hate", "train") if e.lang == "en"]
    english += [e.text for e in load(data, "sms-spam", "train")]
    english += [e.text for e in load(data, "youtube-spam", "train")]
    texts = french + english
    labels = [1] * len(french) + [0] * len(english)
    # Short messages are the ones lingua gives up on: each text also gives a few windows of one to
    # three of its words, so that the model learns to decide from as little.
    for text, label in list(zip(texts, labels, strict=True)):
        words = language_view(text).split()
        for _ in range(min(FRAGMENTS, len(words) // 2)):
            size = int(rng.integers(1, 4))
            start = int(rng.integers(0, max(1, len(words) - size + 1)))
            texts.append(" ".join(words[start : start + size]))
            labels.append(label)
    return texts, labels


def _analyzer(text: str) -> list[str]:
    return list(letter_grams(text))


def train_letter_model(
    data: Path, output: Path = LETTER_MODEL_PATH, grid: Sequence[float] = C_GRID
) -> dict[str, float]:
    texts, labels = training_texts(data)
    vectorizer = CountVectorizer(analyzer=_analyzer, binary=True, min_df=MIN_COUNT)
    x = vectorizer.fit_transform(texts)
    y = np.asarray(labels)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    scores: dict[str, float] = {}
    for c in grid:
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        accuracy = cross_val_score(model, x, y, cv=folds, scoring="balanced_accuracy")
        scores[str(c)] = float(accuracy.mean())
        print(f"C={c}: balanced accuracy {100 * accuracy.mean():.2f} ± {100 * accuracy.std():.2f}")
    best = max(grid, key=lambda c: scores[str(c)])
    model = LogisticRegression(C=best, class_weight="balanced", max_iter=2000).fit(x, y)
    weights = model.coef_[0]
    grams = vectorizer.get_feature_names_out()
    keep = np.abs(weights) >= PRUNE
    save_letter_model(
        output, [str(g) for g in grams[keep]], weights[keep], float(model.intercept_[0])
    )
    print(
        f"C={best}: {int(keep.sum())} of {len(grams)} grams kept, {len(texts)} texts "
        f"({sum(labels)} French); wrote {output} ({output.stat().st_size / 1e3:.0f} kB)"
    )
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--output", type=Path, default=LETTER_MODEL_PATH)
    args = parser.parse_args(argv)
    train_letter_model(args.data, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
