from __future__ import annotations

from ambassade.engine.text import normalize
from ambassade.engine.text._normalize import strip_for_language, tokenize


def test_it_lowercases_and_removes_latin_accents() -> None:
    assert normalize("Élève À L'ÉCOLE") == "eleve a l'ecole"


def test_it_keeps_non_latin_vowel_signs() -> None:
    assert normalize("हिन्दी") == "हिन्दी"


def test_it_replaces_urls_and_mentions() -> None:
    assert normalize("@Alice look https://x.co/a?b=1 and www.site.fr") == "@user look http and http"


def test_it_decodes_html_and_drops_tags_and_invisible_characters() -> None:
    assert normalize("Don&#39;t<br />stop\u200b\ufeff") == "don't stop"


def test_it_shortens_repeated_letters() -> None:
    assert normalize("soooo goooood!!!!!") == "soo good!!"


def test_strip_for_language_keeps_only_words() -> None:
    text = "@user #Paris 😍 http://t.co/x 2024 Bonjour, tout le monde !"
    assert strip_for_language(text) == "Bonjour tout le monde"


def test_tokenize_splits_punctuation_and_emoji() -> None:
    assert tokenize("@user c'est top 😍!") == ["@user", "c", "'", "est", "top", "😍", "!"]


def test_it_replaces_phone_numbers_and_long_digit_runs() -> None:
    assert normalize("Call +44 7935 454150 now") == "call num0 now"
    assert normalize("commande 06.12.34.56.78") == "commande num0"
    assert normalize("5,20 € le 12/03, 10.5 h, 123456") == "5,20 € le 12/03, 10.5 h, 123456"
    assert normalize("ref ab1234567") == "ref ab1234567"
