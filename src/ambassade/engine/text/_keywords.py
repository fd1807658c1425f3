"""Keywords of a message: its rarest words by the training corpus's inverse document frequency."""

from __future__ import annotations

from ambassade.engine.text._features import Featurizer
from ambassade.engine.text._normalize import bound, normalize, tokenize

__all__ = ["MIN_IDF", "keywords_for"]

MIN_IDF = 5.0
"""Words in more than about 2 % of the training texts (stop words, "http", "@user") are never keywords."""
_MIN_LENGTH = 3


def keywords_for(featurizer: Featurizer, text: str, limit: int = 5) -> list[str]:
    """Up to ``limit`` distinct normalised words of ``text``, rarest first (unknown words count as rare);
    only its first 10,000 characters are read."""
    if limit <= 0:
        return []
    idf = featurizer.idf
    max_idf = float(idf.max()) if len(idf) else 0.0
    ranked: dict[str, float] = {}
    for position, token in enumerate(tokenize(normalize(bound(text)))):
        if len(token) < _MIN_LENGTH or not token.isalpha() or token in ranked:
            continue
        index = featurizer.word_index(token)
        weight = max_idf if index is None else float(idf[index])
        if weight >= MIN_IDF:
            # Earlier words win ties, so the order is stable.
            ranked[token] = weight - position * 1e-6
    return sorted(ranked, key=lambda token: -ranked[token])[:limit]
