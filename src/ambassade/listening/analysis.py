"""The text engine as the pipeline uses it.

``analyse(texts)`` calls :func:`ambassade.engine.text.analyze`. When the engine's model file is not
installed (a development checkout before ``ambassade train-text``), it degrades the way the engine does
for an unsupported language: language identified, sentiment "unsupported", scores 0; it logs it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ambassade.engine import text as engine_text
from ambassade.engine.text import Analysis

__all__ = ["Analysis", "analyse"]

log = logging.getLogger(__name__)
_warned = False


def analyse(texts: Sequence[str]) -> list[Analysis]:
    global _warned
    try:
        return engine_text.analyze(list(texts))
    except (FileNotFoundError, OSError) as exc:
        if not _warned:
            log.warning("text model unavailable (%s): mentions stored without sentiment", exc)
            _warned = True
    guesses = engine_text.detect_languages(list(texts))
    return [
        Analysis(
            lang=guess.code,
            lang_confidence=guess.confidence,
            sentiment=engine_text.UNSUPPORTED,
            sentiment_score=0.0,
            offensive=0.0,
            hateful=0.0,
            spam=0.0,
            fingerprint=engine_text.fingerprint(text),
            keywords=(),
        )
        for text, guess in zip(texts, guesses, strict=True)
    ]
