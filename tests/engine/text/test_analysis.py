from __future__ import annotations

import subprocess
import sys

import pytest

from ambassade.engine.text import SENTIMENT_CLASSES, UNSUPPORTED, Analysis, analyze, keywords


def test_it_analyses_a_batch_in_order() -> None:
    texts = [
        "Merci beaucoup, le service client est génial, je recommande !",
        "Worst customer service ever, I hate this company so much",
        "Het weer is vandaag erg mooi in Amsterdam, vind je niet?",
        "",
    ]
    results = analyze(texts)
    assert [type(r) for r in results] == [Analysis] * 4
    assert [r.lang for r in results] == ["fr", "en", "nl", "und"]
    assert results[0].sentiment == "positive" and results[0].sentiment_score > 0.3
    assert results[1].sentiment == "negative" and results[1].sentiment_score < -0.3
    assert results[2].sentiment == UNSUPPORTED and results[2].sentiment_score == 0.0
    assert results[3].sentiment in SENTIMENT_CLASSES
    assert results[3].fingerprint == 0 and results[3].keywords == ()


def test_it_scores_toxicity_and_spam() -> None:
    insult, spam, polite = analyze(
        [
            "you are a fucking idiot, shut up bitch",
            "Check out my channel!!! subscribe to my youtube channel http://bit.ly/free-money",
            "Thank you for the lovely evening, see you next week",
        ]
    )
    assert insult.offensive > 0.5 > polite.offensive
    assert spam.spam > 0.5 > polite.spam


def test_it_scores_french_insults() -> None:
    insult, polite = analyze(
        ["espèce de connard, ferme ta gueule sale con", "Merci pour votre aide précieuse"]
    )
    assert insult.offensive > polite.offensive


def test_empty_batch() -> None:
    assert analyze([]) == []


def test_it_refuses_a_single_string() -> None:
    with pytest.raises(TypeError):
        analyze("a text")


def test_options_skip_fingerprint_and_keywords() -> None:
    (result,) = analyze(
        ["The new phone has a gorgeous screen"], with_fingerprint=False, keyword_limit=0
    )
    assert result.fingerprint == 0 and result.keywords == ()


def test_keywords_are_rare_words_first() -> None:
    found = keywords("The battery of the Zorblax phone explodes", limit=3)
    assert found[0] == "zorblax"
    assert "the" not in found and len(found) <= 3
    assert keywords("the the the") == []
    assert keywords("anything", limit=0) == []


def test_the_engine_loads_neither_django_nor_scikit_learn() -> None:
    code = (
        "import sys, ambassade.engine.text as t\n"
        "t.analyze(['hello world'])\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'sklearn', 'torch'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == ""


def test_a_text_undetermined_between_french_and_english_mixes_both_heads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each score is P(fr) · the French heads' + P(en) · the English heads'; ``lang`` stays ``und``
    and ``analysed_as`` says both languages' heads analysed it. In both tiers."""
    from ambassade.engine.text import _analysis
    from ambassade.engine.text._language import LanguageGuess

    text = "sale bouffon t'es trop nul, you suck"
    real = _analysis.detect_languages

    def as_(guess: LanguageGuess) -> None:
        monkeypatch.setattr(_analysis, "detect_languages", lambda texts, _: [guess] * len(texts))

    for tier in ("accurate", "fast"):
        as_(LanguageGuess("fr", 0.5))
        (french,) = analyze([text], tier=tier)
        as_(LanguageGuess("en", 0.5))
        (english,) = analyze([text], tier=tier)
        as_(LanguageGuess("und", 0.2, (("fr", 0.25), ("en", 0.75))))
        (mixed,) = analyze([text], tier=tier)
        assert mixed.lang == "und" and mixed.analysed_as == ("fr", "en")
        assert french.analysed_as == english.analysed_as == ()
        for field in ("offensive", "hateful", "spam", "sentiment_score"):
            expected = 0.25 * getattr(french, field) + 0.75 * getattr(english, field)
            assert getattr(mixed, field) == pytest.approx(expected, abs=1e-5), (tier, field)
        assert french.hateful != pytest.approx(english.hateful, abs=1e-3)
    monkeypatch.setattr(_analysis, "detect_languages", real)
    # In a batch, the copy scored as English goes back to its own row.
    texts = ["ah bon ?", "Merci beaucoup, le service client est génial !", "touch grass"]
    batch = analyze(texts)
    assert [r.analysed_as for r in batch] == [("fr", "en"), (), ("fr", "en")]
    assert [r.lang for r in batch] == ["und", "fr", "und"]
    for i in (1, 2):
        (alone,) = analyze([texts[i]])
        assert batch[i].analysed_as == alone.analysed_as and batch[i].sentiment == alone.sentiment
        for field in ("offensive", "hateful", "spam", "sentiment_score"):
            assert getattr(batch[i], field) == pytest.approx(getattr(alone, field), abs=1e-4)
