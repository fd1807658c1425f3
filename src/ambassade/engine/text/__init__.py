"""Text intelligence: language, sentiment, toxicity, spam, intent, near-duplicates and keywords.

Pure Python and numpy (plus lingua for languages): no Django, no scikit-learn, nothing downloaded. The
models ship in ``models/text.npz`` and are retrained with ``ambassade train-text``
(see docs/text-analysis.md).

>>> from ambassade.engine.text import analyze
>>> [a.sentiment for a in analyze(["Merci, service au top !"])]
['positive']
"""

from ambassade.engine.text._analysis import UNSUPPORTED, Analysis, analyze, keywords
from ambassade.engine.text._fingerprint import fingerprint, hamming_distance, is_near_duplicate
from ambassade.engine.text._intent import INTENTS, intents
from ambassade.engine.text._language import (
    DEFAULT_LANGUAGES,
    LanguageGuess,
    configured_languages,
    detect_languages,
)
from ambassade.engine.text._model import SENTIMENT_CLASSES
from ambassade.engine.text._normalize import normalize

__all__ = [
    "DEFAULT_LANGUAGES",
    "INTENTS",
    "SENTIMENT_CLASSES",
    "UNSUPPORTED",
    "Analysis",
    "LanguageGuess",
    "analyze",
    "configured_languages",
    "detect_languages",
    "fingerprint",
    "hamming_distance",
    "intents",
    "is_near_duplicate",
    "keywords",
    "normalize",
]
