"""The sentiment lexicon (``models/sentiment_lexicon.json``): words that carry a clear polarity, from
VADER's English lexicon and vader_FR's French one (both MIT), normalised like every text.

Run ``python -m ambassade.engine.text.training._lexicon VADER_LEXICON VADER_FR_LEXICON`` to rebuild it
(the two files ship with the ``vaderSentiment`` and ``vaderSentiment-fr`` packages of the ``bench``
extra: ``vader_lexicon.txt`` and ``fr_lexicon.txt``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ambassade.engine.text._normalize import normalize, tokenize

__all__ = ["SENTIMENT_LEXICON_PATH", "build_sentiment_lexicon", "read_valences"]

SENTIMENT_LEXICON_PATH = Path(__file__).parents[1] / "models" / "sentiment_lexicon.json"
THRESHOLD = 0.5
ABOUT = (
    "Words with a clear polarity (|valence| >= 0.5), normalised (lower case, no accents). English: "
    "VADER's lexicon, Copyright (c) 2013 C.J. Hutto, MIT licence (github.com/cjhutto/vaderSentiment). "
    "French: vader_FR's lexicon, Copyright (c) thomas7lieues, MIT licence "
    "(github.com/thomas7lieues/vader_FR). Words on which the two disagree are left out. A token in a "
    "list adds the pseudo-token __positive__ or __negative__ to the features of the French and "
    "English sentiment models."
)


def read_valences(path: Path) -> dict[str, float]:
    """Single-word entries of a VADER-style lexicon (``word<TAB>valence…`` or ``word->valence``)."""
    valences: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, separator, rest = line.partition("\t") if "\t" in line else line.partition("->")
        if not separator:
            continue
        try:
            valence = float(rest.split("\t")[0])
        except ValueError:
            continue
        tokens = tokenize(normalize(word))
        if len(tokens) == 1 and tokens[0].isalpha():
            valences[tokens[0]] = valence
    return valences


def build_sentiment_lexicon(
    lexicons: list[dict[str, float]], threshold: float = THRESHOLD
) -> dict[str, list[str]]:
    """``positive`` and ``negative`` word lists; a word that is positive in one lexicon and negative in
    another is dropped."""
    polarity: dict[str, set[str]] = {}
    for lexicon in lexicons:
        for word, valence in lexicon.items():
            if abs(valence) >= threshold:
                polarity.setdefault(word, set()).add("positive" if valence > 0 else "negative")
    return {
        kind: sorted(word for word, kinds in polarity.items() if kinds == {kind})
        for kind in ("positive", "negative")
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    lexicon = build_sentiment_lexicon([read_valences(Path(p)) for p in argv])
    SENTIMENT_LEXICON_PATH.write_text(
        json.dumps({"about": ABOUT, **lexicon}, ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8",
    )
    print(
        f"{SENTIMENT_LEXICON_PATH}: {len(lexicon['positive'])} positive, "
        f"{len(lexicon['negative'])} negative words",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
