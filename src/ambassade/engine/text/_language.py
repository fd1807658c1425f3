"""Language identification with lingua, restricted to the configured languages."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)

from ambassade.engine.text._normalize import language_view

__all__ = [
    "DEFAULT_LANGUAGES",
    "LanguageGuess",
    "configured_languages",
    "detect_languages",
]

DEFAULT_LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "ar")
"""Languages told apart when ``AMBASSADE_TEXT_LANGUAGES`` (comma-separated ISO 639-1 codes) is unset."""
UNDETERMINED = "und"
MIN_CONFIDENCE = 0.3
"""Below this confidence of the best language, the language is ``und``."""
MIN_MARGIN = 1.5
"""The best language must also be this many times as likely as the second, or it is ``und``. With
these two rules, 96.8 % of UMSAB dev tweets (7 languages) get their language, 2.2 % ``und``, 1 % a wrong
one."""
MIN_LETTERS = 4
"""Fewer letters than this (after URLs, mentions, hashtags and emoji are removed) is ``und``."""
_SHORT_TEXT = 30
_SURE = 0.95


def _guess(values: list[ConfidenceValue], codes: tuple[str, ...]) -> LanguageGuess:
    if not values:
        return LanguageGuess(UNDETERMINED, 0.0)
    best = values[0].value
    second = values[1].value if len(values) > 1 else 0.0
    if best < MIN_CONFIDENCE or best < MIN_MARGIN * second:
        return LanguageGuess(UNDETERMINED, float(best))
    code = values[0].language.iso_code_639_1.name.lower()
    return LanguageGuess(code if code in codes else UNDETERMINED, float(values[0].value))


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code (or ``und``) and the detector's confidence in it, in [0, 1]."""

    code: str
    confidence: float


def configured_languages() -> tuple[str, ...]:
    """The ISO 639-1 codes the detector chooses among (``AMBASSADE_TEXT_LANGUAGES`` or the default)."""
    raw = os.environ.get("AMBASSADE_TEXT_LANGUAGES", "").strip()
    if not raw:
        return DEFAULT_LANGUAGES
    codes = tuple(dict.fromkeys(code.strip().lower() for code in raw.split(",") if code.strip()))
    for code in codes:
        _language(code)
    return codes


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        raise ValueError(
            f"unknown ISO 639-1 language code {code!r} in AMBASSADE_TEXT_LANGUAGES"
        ) from None


_lock = threading.Lock()
_detectors: dict[tuple[str, ...], tuple[LanguageDetector, LanguageDetector]] = {}


def _detectors_for(codes: tuple[str, ...]) -> tuple[LanguageDetector, LanguageDetector]:
    """(accurate, fast) detectors, built once per language set: building one takes a second."""
    found = _detectors.get(codes)
    if found is None:
        with _lock:
            found = _detectors.get(codes)
            if found is None:
                languages = [_language(code) for code in codes]
                if len(languages) == 1:
                    # lingua needs two languages at least; a lone one is still checked by its alphabet.
                    languages.append(
                        Language.LATIN if languages[0] != Language.LATIN else Language.ENGLISH
                    )
                accurate = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_preloaded_language_models()
                    .build()
                )
                fast = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_low_accuracy_mode()
                    .build()
                )
                found = (accurate, fast)
                _detectors[codes] = found
    return found


def detect_languages(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[LanguageGuess]:
    """The language of each text among ``languages`` (default: :func:`configured_languages`).

    URLs, @mentions, #hashtags, emoji, digits and punctuation are removed first; a text with too few
    letters left, or whose best language is not clearly ahead, is ``und``. Only the beginning of a long
    text is read, its words cut to 64 letters (:func:`~ambassade.engine.text._normalize.language_view`).
    """
    codes = tuple(languages) if languages is not None else configured_languages()
    accurate, fast = _detectors_for(codes)
    stripped = [language_view(text) for text in texts]
    guesses = [LanguageGuess(UNDETERMINED, 0.0)] * len(texts)
    candidates = [
        i for i, text in enumerate(stripped) if len(text) - text.count(" ") >= MIN_LETTERS
    ]
    # A cascade: lingua's low-accuracy mode (trigrams only, about four times faster) decides when it is
    # sure and the text is not short; the other texts go to the accurate mode. On UMSAB dev this keeps
    # 99.6 % of the accurate mode's accuracy at about three times its speed.
    recheck = []
    if candidates:
        results = fast.compute_language_confidence_values_in_parallel(
            [stripped[i] for i in candidates]
        )
        for i, values in zip(candidates, results, strict=True):
            if len(stripped[i]) < _SHORT_TEXT or not values or values[0].value < _SURE:
                recheck.append(i)
            else:
                guesses[i] = _guess(values, codes)
    if recheck:
        results = accurate.compute_language_confidence_values_in_parallel(
            [stripped[i] for i in recheck]
        )
        for i, values in zip(recheck, results, strict=True):
            guesses[i] = _guess(values, codes)
    return guesses
