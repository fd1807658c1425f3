"""Length counting, network by network, on the Unicode that breaks naive counters."""

from __future__ import annotations

import pytest

from ambassade.engine.publishing import (
    Limits,
    Network,
    TwitterTextConfig,
    grapheme_length,
    graphemes,
    is_emoji,
    mastodon_length,
    measure,
    text_length,
    threads_length,
    utf8_length,
    utf16_length,
    x_weighted_length,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦, 7 code points
FLAG_FR = "\U0001f1eb\U0001f1f7"  # 🇫🇷, two regional indicators
THUMB_DARK = "\U0001f44d\U0001f3fd"  # 👍🏽, thumbs up + skin tone
E_COMBINING = "e\u0301"  # é written as e + combining acute accent
KEYCAP_ONE = "1\ufe0f\u20e3"  # 1️⃣
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # 🏳️‍🌈
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # 🏴󠁧󠁢󠁳󠁣󠁴󠁿


class TestGraphemes:
    @pytest.mark.parametrize(
        "cluster",
        [FAMILY, FLAG_FR, THUMB_DARK, E_COMBINING, KEYCAP_ONE, RAINBOW_FLAG, SCOTLAND, "\r\n"],
    )
    def test_it_counts_one_cluster(self, cluster: str) -> None:
        assert grapheme_length(cluster) == 1
        assert graphemes("a" + cluster + "b") == ["a", cluster, "b"]

    def test_it_counts_hangul_syllables_from_jamo_as_one(self) -> None:
        assert grapheme_length("\u1100\u1161\u11a8") == 1

    def test_it_keeps_two_flags_apart(self) -> None:
        assert grapheme_length(FLAG_FR * 2) == 2

    def test_it_measures_bytes_and_utf16(self) -> None:
        assert utf8_length("é") == 2
        assert utf8_length(FAMILY) == 25
        assert utf16_length(FAMILY) == 11
        assert utf16_length("日本") == 2


class TestEmoji:
    @pytest.mark.parametrize(
        "cluster",
        [FAMILY, FLAG_FR, THUMB_DARK, KEYCAP_ONE, RAINBOW_FLAG, SCOTLAND, "\u2764\ufe0f", "😀"],
    )
    def test_it_recognises_emoji(self, cluster: str) -> None:
        assert is_emoji(cluster)

    @pytest.mark.parametrize("cluster", ["a", "1", "#", "©", "\u2764", E_COMBINING, "日"])
    def test_it_leaves_text_alone(self, cluster: str) -> None:
        assert not is_emoji(cluster)


class TestX:
    def test_it_accepts_280_latin_characters(self) -> None:
        assert x_weighted_length("a" * 280) == 280
        assert measure(Network.X, "a" * 280).fits
        assert not measure(Network.X, "a" * 281).fits

    def test_it_weighs_cjk_two(self) -> None:
        assert x_weighted_length("日本語のテキスト") == 16
        assert measure(Network.X, "日" * 140).fits
        assert not measure(Network.X, "日" * 141).fits

    def test_it_weighs_accented_french_one(self) -> None:
        assert x_weighted_length("Ça coûte très cher, l’été à Noël") == 32
        # "…" (U+2026) is outside twitter-text's ranges: it weighs 2, unlike "...".
        assert x_weighted_length("Noël…") == 6

    def test_it_normalises_combining_marks_first(self) -> None:
        # NFC turns "e" + U+0301 into "é": one code point, weight 1 (and U+0301 alone also weighs 1).
        assert x_weighted_length("caf" + E_COMBINING) == 4

    @pytest.mark.parametrize(
        "emoji", [FAMILY, FLAG_FR, THUMB_DARK, KEYCAP_ONE, RAINBOW_FLAG, SCOTLAND]
    )
    def test_it_weighs_any_emoji_sequence_two(self, emoji: str) -> None:
        assert x_weighted_length(emoji) == 2
        assert x_weighted_length("a" + emoji + "b") == 4

    def test_it_weighs_general_punctuation_in_range_one(self) -> None:
        assert x_weighted_length("\u2014\u201c\u201d\u2032") == 4  # — “ ” ′
        assert x_weighted_length("\u2026") == 2  # … is U+2026, outside the ranges

    def test_it_counts_every_url_23(self) -> None:
        assert x_weighted_length("https://t.co") == 23
        long = "https://example.com/" + "a" * 200 + "?q=1"
        assert x_weighted_length(long) == 23
        assert x_weighted_length(f"Lisez {long} !") == 6 + 23 + 2

    def test_it_counts_bare_domains_with_a_known_tld(self) -> None:
        assert x_weighted_length("www.ambassade.fr") == 23
        assert x_weighted_length("ambassade.com") == 23
        assert x_weighted_length("ambassade.fr/presse") == 23

    def test_it_finds_a_bare_domain_glued_to_cjk(self) -> None:
        assert x_weighted_length("詳しくはambassade.com") == 8 + 23
        assert x_weighted_length("詳しくはhttps://ambassade.fr/a") == 8 + 23

    def test_it_leaves_short_country_domains_without_path_as_text(self) -> None:
        # twitter-text does not link "name.cc" without a path: it reads like a file name.
        assert x_weighted_length("setup.py") == 8
        assert x_weighted_length("ambassade.fr") == 12

    def test_it_counts_urls_with_parentheses_whole(self) -> None:
        text = "(voir https://fr.wikipedia.org/wiki/Lyon_(ville))"
        assert x_weighted_length(text) == len("(voir ") + 23 + 1

    def test_it_counts_a_hundred_emoji_at_the_limit(self) -> None:
        assert measure(Network.X, "😀" * 140).fits
        assert not measure(Network.X, "😀" * 140 + "a").fits

    def test_it_tells_what_remains(self) -> None:
        measured = measure(Network.X, "Bonjour 🇫🇷")
        assert (measured.length, measured.limit, measured.remaining) == (10, 280, 270)

    def test_it_takes_another_weighting(self) -> None:
        # twitter-text v1: every code point weighs 1, no emoji parsing, URLs 23.
        legacy = TwitterTextConfig(default_weight=100, emoji_parsing=False, ranges=())
        assert x_weighted_length("日本 " + FAMILY + " https://a.fr/x", legacy) == 2 + 1 + 7 + 1 + 23
        assert legacy.ascii_weight is None

    def test_it_points_at_where_the_text_stops_fitting(self) -> None:
        text = "a" * 279 + "日b"
        assert measure(Network.X, text).overflow_start == 279


class TestBluesky:
    def test_it_counts_graphemes_up_to_300(self) -> None:
        assert measure(Network.BLUESKY, FAMILY * 120).fits  # 120 graphemes, 3,000 bytes
        assert measure(Network.BLUESKY, "é" * 300).fits
        assert not measure(Network.BLUESKY, "é" * 301).fits

    def test_it_also_limits_bytes_to_3000(self) -> None:
        measured = measure(Network.BLUESKY, FAMILY * 121)
        assert measured.length == 121
        assert measured.byte_length == 25 * 121
        assert not measured.fits
        assert measured.overflow_start == 120 * len(FAMILY)

    def test_it_counts_links_as_written(self) -> None:
        assert text_length(Network.BLUESKY, "https://example.com/abc") == 23


class TestMastodon:
    def test_it_counts_500_graphemes_by_default(self) -> None:
        assert measure(Network.MASTODON, FLAG_FR * 500).fits
        assert not measure(Network.MASTODON, "x" * 501).fits

    def test_it_counts_urls_23(self) -> None:
        assert mastodon_length("https://example.com/" + "a" * 100) == 23

    def test_it_needs_the_protocol_to_see_a_url(self) -> None:
        assert mastodon_length("www.example.com/" + "a" * 10) == 26

    def test_it_counts_a_remote_mention_as_its_local_part(self) -> None:
        assert mastodon_length("@alice@mastodon.social") == len("@alice")
        assert mastodon_length("@alice") == 6

    def test_it_reads_the_server_limits(self) -> None:
        instance = {
            "configuration": {
                "statuses": {"max_characters": 5000, "characters_reserved_per_url": 30},
                "media_attachments": {"image_size_limit": 1024},
            }
        }
        limits = Limits.from_mastodon_instance(instance)
        assert limits.max_length == 5000
        assert text_length(Network.MASTODON, "https://example.com", limits) == 30
        assert measure(Network.MASTODON, "x" * 5000, limits).fits
        assert not measure(Network.MASTODON, "x" * 5001, limits).fits

    def test_it_reads_the_limit_of_pleroma_and_forks(self) -> None:
        assert Limits.from_mastodon_instance({"max_toot_chars": 5000}).max_length == 5000

    def test_it_ignores_garbage_in_the_server_answer(self) -> None:
        limits = Limits.from_mastodon_instance(
            {"configuration": {"statuses": {"max_characters": "9"}}}
        )
        assert limits == Limits()


class TestThreads:
    def test_it_counts_emoji_as_their_utf8_bytes(self) -> None:
        assert threads_length("😀") == 4
        assert threads_length(FAMILY) == 25
        assert threads_length(FLAG_FR) == 8
        assert threads_length("café ☕") == 5 + 3

    def test_it_counts_other_characters_once(self) -> None:
        assert threads_length("Été " + E_COMBINING) == 6
        assert measure(Network.THREADS, "é" * 500).fits
        assert not measure(Network.THREADS, "é" * 499 + "😀").fits


class TestOthers:
    def test_it_counts_utf16_units_on_linkedin_and_telegram(self) -> None:
        assert text_length(Network.LINKEDIN, "😀") == 2
        assert text_length(Network.TELEGRAM, FAMILY) == 11
        assert measure(Network.TELEGRAM, "😀" * 2048).fits
        assert not measure(Network.TELEGRAM, "😀" * 2048 + "a").fits

    @pytest.mark.parametrize(
        ("network", "limit"),
        [
            (Network.INSTAGRAM, 2200),
            (Network.FACEBOOK, 63206),
            (Network.DISCORD, 2000),
            (Network.REDDIT, 40000),
            (Network.LINKEDIN, 3000),
        ],
    )
    def test_it_accepts_exactly_the_limit(self, network: Network, limit: int) -> None:
        assert measure(network, "a" * limit).fits
        measured = measure(network, "a" * (limit + 1))
        assert not measured.fits
        assert measured.overflow_start == limit

    def test_it_counts_code_points_on_discord(self) -> None:
        assert text_length(Network.DISCORD, "😀") == 1
        assert text_length(Network.DISCORD, FAMILY) == 7


class TestTwitterTextConformance:
    """Cases from twitter-text's conformance suite (validate.yml, v3 weighting with emoji)."""

    KANA = "あいうえおかきくけこ"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Hi http://test.co", 26),
            ("http://test.co", 23),
            ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
            ("https://www.twitter.com/aloha " * 10, 240),
            ("H🐱☺" + FAMILY, 7),
            ("😷👾😡🔥💩", 10),
            ("🙋🏽👨\u200d🎤", 4),
            ("1\u20e3", 2),
            ("Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29),
            ("ÁB", 2),
            ("A\ufb2c", 4),  # U+FB2C normalises to three Hebrew code points
            ("randomurl" * 7 + "s.com", 68),  # a 64-letter label is no domain
            ("example.com", 23),
            ("foo.co.jp", 23),
            (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),  # punycode label > 63
            (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
        ],
    )
    def test_it_agrees_with_twitter_text(self, text: str, expected: int) -> None:
        assert x_weighted_length(text) == expected

    def test_it_weighs_general_punctuation_like_twitter_text(self) -> None:
        text = (
            "Punctuation: \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b"
            " ‐ ‑ ‒ – — ― ‖ ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷"
        )
        # Every character here is in the weight-1 ranges (U+2000–200D, 2010–201F, 2032–2037).
        assert x_weighted_length(text) == len(text)

    def test_it_finds_where_the_text_stops_fitting_after_a_url(self) -> None:
        text = "285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24
        measured = measure(Network.X, text)
        assert measured.length == 299
        assert measured.overflow_start == 284
