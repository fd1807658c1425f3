"""LinkedIn's little-text escaping and UTM tagging."""

from __future__ import annotations

from ambassade.engine.publishing import (
    LITTLE_TEXT_RESERVED,
    Utm,
    add_utm,
    escape_little_text,
    tag_url,
    unescape_little_text,
)


class TestLittleText:
    def test_it_escapes_every_reserved_character(self) -> None:
        assert escape_little_text("".join(sorted(LITTLE_TEXT_RESERVED))) == "".join(
            "\\" + char for char in sorted(LITTLE_TEXT_RESERVED)
        )

    def test_it_escapes_what_would_cut_a_french_post(self) -> None:
        text = "Résultats (T3) : +12 % <3 — merci à @Léa & #équipe_produit *bravo* ~ {fin}"
        assert escape_little_text(text) == (
            "Résultats \\(T3\\) : +12 % \\<3 — merci à \\@Léa & \\#équipe\\_produit \\*bravo\\* \\~ \\{fin\\}"
        )

    def test_it_keeps_hashtags_and_mentions_on_request(self) -> None:
        text = "Bravo @[Ambassade](urn:li:organization:42) ! #rentrée (enfin)"
        assert escape_little_text(text, keep_mentions=True, keep_hashtags=True) == (
            "Bravo @[Ambassade](urn:li:organization:42) ! #rentrée \\(enfin\\)"
        )
        assert escape_little_text(text).startswith("Bravo \\@\\[Ambassade\\]\\(urn")

    def test_it_leaves_links_whole(self) -> None:
        text = "https://fr.wikipedia.org/wiki/Lyon_(ville)"
        assert escape_little_text(text) == text
        assert escape_little_text(text, keep_urls=False) == (
            "https://fr.wikipedia.org/wiki/Lyon\\_\\(ville\\)"
        )

    def test_it_escapes_backslashes_first_class(self) -> None:
        assert escape_little_text("\\o/") == "\\\\o/"
        assert unescape_little_text("\\\\o/") == "\\o/"

    def test_unescaping_gives_the_text_back(self) -> None:
        text = "a_b [c] (d) {e} <f> #g @h *i* ~j~ |k| \\l"
        assert unescape_little_text(escape_little_text(text, keep_urls=False)) == text


UTM = Utm("linkedin", campaign="rentrée 2026")


class TestUtm:
    def test_it_tags_a_plain_link(self) -> None:
        assert tag_url("https://ambassade.fr/a", UTM) == (
            "https://ambassade.fr/a?utm_source=linkedin&utm_medium=social&utm_campaign=rentr%C3%A9e%202026"
        )

    def test_it_keeps_query_and_fragment(self) -> None:
        assert tag_url("https://ambassade.fr/a?b=1&c=%20#section", Utm("x")) == (
            "https://ambassade.fr/a?b=1&c=%20&utm_source=x&utm_medium=social#section"
        )
        assert tag_url("https://ambassade.fr/a?", Utm("x")) == (
            "https://ambassade.fr/a?utm_source=x&utm_medium=social"
        )

    def test_it_keeps_utm_parameters_already_there(self) -> None:
        url = "https://ambassade.fr/?utm_source=newsletter"
        assert tag_url(url, Utm("x")) == url + "&utm_medium=social"

    def test_it_adds_content_and_term(self) -> None:
        tagged = tag_url("https://a.fr", Utm("x", "social", "c", content="visuel-1", term="café"))
        assert tagged.endswith("&utm_content=visuel-1&utm_term=caf%C3%A9")

    def test_it_tags_only_allowed_domains(self) -> None:
        text = "https://ambassade.fr/a https://shop.ambassade.fr/b https://autre.fr/c https://fauxambassade.fr"
        tagged = add_utm(text, Utm("x"), domains=["ambassade.fr"])
        assert tagged.split() == [
            "https://ambassade.fr/a?utm_source=x&utm_medium=social",
            "https://shop.ambassade.fr/b?utm_source=x&utm_medium=social",
            "https://autre.fr/c",
            "https://fauxambassade.fr",
        ]

    def test_it_tags_links_in_text_and_leaves_punctuation_outside(self) -> None:
        text = "Lisez (https://fr.wikipedia.org/wiki/Lyon_(ville)). Et www.ambassade.fr !"
        assert add_utm(text, Utm("x")) == (
            "Lisez (https://fr.wikipedia.org/wiki/Lyon_(ville)?utm_source=x&utm_medium=social)."
            " Et www.ambassade.fr !"
        )

    def test_it_is_idempotent(self) -> None:
        text = "Voir https://ambassade.fr/a?x=1#top et http://b.fr"
        once = add_utm(text, UTM)
        assert add_utm(once, UTM) == once

    def test_it_leaves_other_schemes_alone(self) -> None:
        assert tag_url("mailto:contact@ambassade.fr", UTM) == "mailto:contact@ambassade.fr"
        assert tag_url("http://[bad", UTM) == "http://[bad"
