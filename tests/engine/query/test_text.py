from __future__ import annotations

from ambassade.engine.query import Document, Token, normalise, prepare, tokenise


def test_it_normalises_case_accents_and_compatibility_forms() -> None:
    assert normalise("CAFÉ Café café") == "cafe cafe cafe"
    assert normalise("ﬁnancement Ⅻ") == "financement xii"
    assert normalise("Ça, où, Noël, İstanbul") == "ca, ou, noel, istanbul"


def test_it_is_idempotent() -> None:
    for text in ("Crème brûlée", "ǅemal", "ﬃ", "Straße", "한국어"):
        assert normalise(normalise(text)) == normalise(text)


def test_it_keeps_hangul_syllables_whole() -> None:
    assert tokenise("한국어 좋아요") == [Token("word", "한국어"), Token("word", "좋아요")]


def test_it_splits_words_on_apostrophes_and_hyphens() -> None:
    assert [t.text for t in tokenise("L'avion d’Air-France")] == [
        "l",
        "avion",
        "d",
        "air",
        "france",
    ]
    assert [t.text for t in tokenise("e-mail, wi_fi 3.5")] == ["e", "mail", "wi", "fi", "3", "5"]


def test_it_reads_hashtags_and_mentions() -> None:
    assert tokenise("#AirFrance @Delta merci") == [
        Token("hashtag", "airfrance"),
        Token("mention", "delta"),
        Token("word", "merci"),
    ]
    assert tokenise("# seul @ seul") == [Token("word", "seul"), Token("word", "seul")]


def test_it_keeps_urls_whole_without_trailing_punctuation() -> None:
    assert tokenise("Voir https://Example.com/Promo?x=1, puis www.test.fr/a.") == [
        Token("word", "voir"),
        Token("url", "https://example.com/promo?x=1"),
        Token("word", "puis"),
        Token("url", "www.test.fr/a"),
    ]


def test_it_prepares_the_fields_of_a_document() -> None:
    prepared = prepare(
        Document(
            "lien http://user@Shop.Example.com:8080/x et www.autre.fr",
            lang="fr_CA",
            source="Reddit",
            author="@Jeanne",
            url="https://news.site.org/article",
        )
    )
    assert prepared.langs == {"fr-ca", "fr"}
    assert prepared.source == "reddit"
    assert prepared.author == "jeanne"
    assert prepared.urls[0] == "https://news.site.org/article"
    assert prepared.hosts == ("news.site.org", "shop.example.com", "www.autre.fr")
