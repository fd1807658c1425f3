"""Links, hashtags and mentions in each network's syntax, and Bluesky's byte-offset facets."""

from __future__ import annotations

import pytest

from ambassade.engine.publishing import (
    EntityKind,
    Network,
    bluesky_facets,
    extract_entities,
    extract_hashtags,
    extract_mentions,
    extract_urls,
)


def values(entities: list) -> list[str]:  # type: ignore[type-arg]
    return [entity.value for entity in entities]


class TestUrls:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Voir https://ambassade.fr/presse.", ["https://ambassade.fr/presse"]),
            ("(https://example.com/a)", ["https://example.com/a"]),
            (
                "https://fr.wikipedia.org/wiki/Lyon_(ville), oui",
                ["https://fr.wikipedia.org/wiki/Lyon_(ville)"],
            ),
            (
                "https://example.com/?q=caf%C3%A9&x=1#frag!",
                ["https://example.com/?q=caf%C3%A9&x=1#frag"],
            ),
            ("http://localhost:8000/admin", []),
            ("http://example.com:8080/a", ["http://example.com:8080/a"]),
            (
                "www.ambassade.fr et blog.ambassade.com",
                ["https://www.ambassade.fr", "https://blog.ambassade.com"],
            ),
            ("t.co et ambassade.fr/x", ["https://t.co", "https://ambassade.fr/x"]),
            ("ecrire@ambassade.fr", []),
            ("#ambassade.fr $ambassade.com", []),
            ("fichier.txt et setup.py", []),
            ("https://exemple.québec/été", ["https://exemple.québec/été"]),
        ],
    )
    def test_it_finds_urls_like_twitter_text(self, text: str, expected: list[str]) -> None:
        assert values(extract_urls(text, Network.X)) == expected

    def test_it_gives_offsets_into_the_text(self) -> None:
        text = "🇫🇷 Lisez https://ambassade.fr/a !"
        (url,) = extract_urls(text)
        assert text[url.start : url.end] == "https://ambassade.fr/a"

    def test_mastodon_only_links_urls_with_a_protocol(self) -> None:
        assert values(extract_urls("www.ambassade.fr https://a.fr", Network.MASTODON)) == [
            "https://a.fr"
        ]

    def test_bluesky_detects_links_its_own_way(self) -> None:
        text = "voir ambassade.fr, et https://example.com/page?x=1) et (example.com)"
        assert values(extract_urls(text, Network.BLUESKY)) == [
            "https://ambassade.fr",
            "https://example.com/page?x=1",
            "https://example.com",
        ]


def test_bluesky_needs_a_known_tld_for_a_bare_domain() -> None:
    assert extract_urls("voir fichier.xyzzy et notes.txt", Network.BLUESKY) == []


def test_a_protocol_needs_an_alphabetic_tld() -> None:
    assert extract_urls("http://192.168.0.1/admin http://a.b1") == []


class TestHashtags:
    def test_it_finds_french_hashtags(self) -> None:
        text = "#Été2026 #rentrée, #l·lengua #123 #_x C#6 &#39; #café!"
        assert values(extract_hashtags(text, Network.X)) == [
            "Été2026",
            "rentrée",
            "l·lengua",
            "_x",
            "café",
        ]

    def test_it_ignores_hashtags_inside_links(self) -> None:
        assert extract_hashtags("https://example.com/#top #ok")[0].value == "ok"
        assert len(extract_hashtags("https://example.com/#top #ok")) == 1

    def test_bluesky_tags_end_at_whitespace_and_lose_trailing_punctuation(self) -> None:
        text = "#bonjour! #c++ #42 #日本語 a#b"
        assert values(extract_hashtags(text, Network.BLUESKY)) == ["bonjour", "c++", "日本語"]

    def test_keycaps_are_not_hashtags(self) -> None:
        assert extract_hashtags("#\ufe0f\u20e3 #1\ufe0f\u20e3") == []


class TestMentions:
    def test_x_mentions_are_at_most_15_characters(self) -> None:
        text = "@ambassade_fr @a_very_long_handle_indeed, mail@example.com @jack @joséphine"
        assert values(extract_mentions(text, Network.X)) == ["ambassade_fr", "jack"]

    def test_mastodon_mentions_may_name_the_instance(self) -> None:
        text = "Merci @alice@mastodon.social et @bob, https://x.fr/@carol @dave@piaille.fr."
        assert values(extract_mentions(text, Network.MASTODON)) == [
            "alice@mastodon.social",
            "bob",
            "dave@piaille.fr",
        ]

    def test_bluesky_mentions_are_handles(self) -> None:
        text = "cc @alice.bsky.social. et @bob, (@carol.example.com) @dave.test"
        assert values(extract_mentions(text, Network.BLUESKY)) == [
            "alice.bsky.social",
            "carol.example.com",
            "dave.test",
        ]

    def test_linkedin_mentions_are_urns(self) -> None:
        text = "Bravo @[Ambassade SAS](urn:li:organization:2414183) !"
        (mention,) = extract_mentions(text, Network.LINKEDIN)
        assert mention.value == "urn:li:organization:2414183"
        assert mention.text == "@[Ambassade SAS](urn:li:organization:2414183)"

    def test_telegram_and_discord_mentions(self) -> None:
        text = "@ambassade_fr @abc @Léa"
        assert values(extract_mentions(text, Network.TELEGRAM)) == ["ambassade_fr"]
        assert values(extract_mentions(text, Network.DISCORD)) == ["ambassade_fr", "abc", "Léa"]

    def test_instagram_mentions_drop_a_final_dot(self) -> None:
        assert values(extract_mentions("merci @ambassade.fr.", Network.INSTAGRAM)) == [
            "ambassade.fr"
        ]


def test_entities_come_in_order_without_overlaps() -> None:
    text = "#un @alice https://example.com/#deux #trois"
    kinds = [entity.kind for entity in extract_entities(text, Network.X)]
    assert kinds == [EntityKind.HASHTAG, EntityKind.MENTION, EntityKind.URL, EntityKind.HASHTAG]


class TestBlueskyFacets:
    def test_it_gives_utf8_byte_offsets(self) -> None:
        text = "✨ Été avec @alice.bsky.social : https://ambassade.fr/été #soleil"
        facets = bluesky_facets(text)
        encoded = text.encode()
        assert [encoded[f.byte_start : f.byte_end].decode() for f in facets] == [
            "@alice.bsky.social",
            "https://ambassade.fr/été",
            "#soleil",
        ]
        assert [f.kind for f in facets] == [EntityKind.MENTION, EntityKind.URL, EntityKind.HASHTAG]

    def test_it_builds_lexicon_records(self) -> None:
        link, mention, tag = bluesky_facets("https://a.fr @bob.test #x")
        assert link.as_record() == {
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": 0, "byteEnd": 12},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://a.fr"}],
        }
        assert mention.value == "bob.test"
        assert mention.as_record(did="did:plc:abc")["features"] == [
            {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:abc"}
        ]
        assert tag.as_record()["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}]

    def test_it_leaves_tags_over_64_graphemes_as_text(self) -> None:
        text = "#" + "é" * 64 + " #" + "é" * 65
        assert [facet.value for facet in bluesky_facets(text)] == ["é" * 64]

    def test_a_mention_needs_its_did(self) -> None:
        (mention,) = bluesky_facets("@bob.test")
        with pytest.raises(ValueError, match="DID"):
            mention.as_record()

    def test_offsets_survive_emoji_before_the_facet(self) -> None:
        text = "👨\u200d👩\u200d👧\u200d👦🇫🇷 #famille"
        (tag,) = bluesky_facets(text)
        assert tag.byte_start == len("👨\u200d👩\u200d👧\u200d👦🇫🇷 ".encode())
        assert tag.byte_end == len(text.encode())
