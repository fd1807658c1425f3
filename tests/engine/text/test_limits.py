"""Input limits: no message, however long, makes an analysis step read more than a bounded text
(issue #10: one 400,000-letter word held a worker for 84 s in language identification)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from ambassade.engine.text import _analysis, _heads, _language, analyze, fingerprint, keywords
from ambassade.engine.text._normalize import (
    MAX_LANGUAGE_CHARS,
    MAX_TEXT_CHARS,
    MAX_WORD_CHARS,
    bound,
    language_view,
)

LONG_WORD = "ab" * 200_000
LONG_PROSE = "Le service client a été parfait, merci beaucoup pour tout. " * 5_000


class _Recorder:
    """Stands in for a lingua detector and keeps what it is asked to read."""

    def __init__(self, seen: list[str]) -> None:
        self.seen = seen

    def compute_language_confidence_values_in_parallel(self, texts: Sequence[str]) -> list[Any]:
        self.seen.extend(texts)
        return [[] for _ in texts]


def test_bound_keeps_short_texts_and_cuts_long_ones_at_a_space() -> None:
    assert bound("court") == "court"
    cut = bound("mot " * 10_000)
    assert len(cut) <= MAX_TEXT_CHARS and not cut.endswith(("mo", " "))
    assert bound("x" * 50_000) == "x" * MAX_TEXT_CHARS


def test_the_language_detector_reads_a_bounded_text(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(_language, "_detectors_for", lambda codes: (_Recorder(seen),) * 2)
    _language.detect_languages([LONG_WORD, LONG_PROSE, "bonjour à tous"])
    assert seen, "the detector was asked nothing"
    assert max(map(len, seen)) <= MAX_LANGUAGE_CHARS
    assert max(len(word) for text in seen for word in text.split()) <= MAX_WORD_CHARS


def test_the_language_view_keeps_words_and_cuts_runaway_ones() -> None:
    assert language_view("Merci @cafe pour le #latte https://x.fr 😍") == "Merci pour le"
    view = language_view("bonjour " + "z" * 5_000 + " merci")
    assert view == "bonjour " + "z" * MAX_WORD_CHARS + " merci"


def test_every_analysis_step_reads_a_bounded_text(monkeypatch: pytest.MonkeyPatch) -> None:
    read: dict[str, list[int]] = {
        "model": [],
        "fingerprint": [],
        "keywords": [],
        "language": [],
    }
    model = _analysis.default_model()
    real_encode = _heads.encode

    class Model:
        featurizer = model.featurizer

        def predict(self, texts: Sequence[str], codes: Sequence[str], features: Any = None) -> Any:
            read["model"].extend(map(len, texts))
            return model.predict(["x" for _ in texts], codes, features)

    def spy_encode(name: str, texts: Sequence[str]) -> Any:
        read.setdefault(f"encoder {name}", []).extend(map(len, texts))
        return real_encode(name, ["x" for _ in texts])

    real_fingerprint, real_keywords = _analysis.fingerprint, _analysis.keywords_for

    def detect(texts: Sequence[str], languages: Any = None) -> list[_language.LanguageGuess]:
        read["language"].extend(map(len, texts))
        return [_language.LanguageGuess("fr", 1.0) for _ in texts]

    def spy_fingerprint(text: str) -> int:
        read["fingerprint"].append(len(text))
        return real_fingerprint("x")

    def spy_keywords(featurizer: Any, text: str, limit: int = 5) -> list[str]:
        read["keywords"].append(len(text))
        return real_keywords(featurizer, "x", limit)

    monkeypatch.setattr(_analysis, "default_model", lambda: Model())
    monkeypatch.setattr(_heads, "encode", spy_encode)
    monkeypatch.setattr(_analysis, "detect_languages", detect)
    monkeypatch.setattr(_analysis, "fingerprint", spy_fingerprint)
    monkeypatch.setattr(_analysis, "keywords_for", spy_keywords)
    monkeypatch.setattr(_analysis, "accurate_backend", lambda: None)
    analyze([LONG_WORD, LONG_PROSE, "court"])
    # French texts go through both encoders (e5-small for the French sentiment head).
    assert sum(step.startswith("encoder") for step in read) == 2
    for step, lengths in read.items():
        assert len(lengths) == 3, step
        assert max(lengths) <= MAX_TEXT_CHARS, step


def test_a_long_text_is_analysed_by_its_beginning() -> None:
    tail = " Arnaque, remboursez-moi, honte à vous !" * 2_000
    long, start = LONG_PROSE + tail, bound(LONG_PROSE + tail)
    assert analyze([long], keyword_limit=5) == analyze([start], keyword_limit=5)
    assert analyze([long])[0].lang == "fr"
    assert fingerprint(long) == fingerprint(start)
    assert keywords(long) == keywords(start)


def test_a_runaway_word_is_still_analysed() -> None:
    (found,) = analyze(["Super service " + LONG_WORD])
    assert found.lang in ("und", "fr", "en", "de", "es", "it", "pt", "nl", "ar")
    assert found.fingerprint != 0
