"""Helpers shared by the suites' templates (see _build.py)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence

Case = tuple[str, str, str]  # text, expected label, category
PER_CATEGORY = 60


def fill(templates: Iterable[str], **fillers: Sequence[str]) -> list[str]:
    """Every template with every combination of the fillers it names."""
    out: list[str] = []
    for template in templates:
        names = [name for name in fillers if "{" + name + "}" in template]
        for values in itertools.product(*(fillers[name] for name in names)):
            text = template.format(**dict(zip(names, values, strict=True)))
            out.append(text[0].upper() + text[1:])
    return out


def cases(texts: Iterable[str], label: str, category: str) -> list[Case]:
    return [(text, label, category) for text in texts]


def limit(cases: list[Case], seed: str, limit: int = PER_CATEGORY) -> list[Case]:
    unique = list(dict.fromkeys(cases))
    if len(unique) <= limit:
        return unique
    return random.Random(seed).sample(unique, limit)
