"""How close a suggestion is to the reply that was actually sent.

Both texts are neutralised first (``_neutral``), so that a suggestion is not counted wrong for
greeting another customer by name or being signed by another agent, and every address counts as the
same token ``{link}``. Then, over lower-cased word tokens (placeholders are tokens, punctuation is
not): ROUGE-L F1, from the longest common subsequence, which rewards the same words in the same
order; and the bag-of-words token F1, which ignores order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ambassade.engine.suggest._neutral import URL

__all__ = ["closeness_tokens", "rouge_l", "token_f1"]

_TOKEN = re.compile(r"\{[a-z_]+\}|[\w]+(?:['’][\w]+)*")


def closeness_tokens(neutralised: str) -> list[str]:
    """The tokens compared: words and placeholders, lower-cased, every URL as ``{link}``."""
    text = URL.sub(" {link} ", neutralised).lower().replace("’", "'")
    return _TOKEN.findall(text)


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1 (β = 1) of two token sequences: 0 when either is empty."""
    if not candidate or not reference:
        return 0.0
    # Longest common subsequence, one row at a time.
    previous = [0] * (len(reference) + 1)
    for token in candidate:
        current = [0]
        for j, other in enumerate(reference):
            if token == other:
                current.append(previous[j] + 1)
            else:
                current.append(max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision = lcs / len(candidate)
    recall = lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


def token_f1(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """F1 of the tokens two sequences share, counted with multiplicity (order ignored)."""
    if not candidate or not reference:
        return 0.0
    common = sum((Counter(candidate) & Counter(reference)).values())
    if not common:
        return 0.0
    precision = common / len(candidate)
    recall = common / len(reference)
    return 2 * precision * recall / (precision + recall)
