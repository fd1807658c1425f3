"""validate(): the problems each network would have with a post."""

from __future__ import annotations

import pytest

from ambassade.engine.publishing import (
    DEFAULT_RULES,
    MESSAGES,
    Limits,
    Media,
    MediaKind,
    Network,
    Problem,
    Severity,
    is_public_url,
    rules_for,
    split_title,
    validate,
)

IMAGE = Media(
    MediaKind.IMAGE, "image/jpeg", 100_000, "Une tasse de café", "https://cdn.ambassade.fr/a.jpg"
)
VIDEO = Media(
    MediaKind.VIDEO, "video/mp4", 1_000_000, "Démonstration", "https://cdn.ambassade.fr/a.mp4"
)
GIF = Media(MediaKind.GIF, "image/gif", 100_000, "Un chat", "https://cdn.ambassade.fr/a.gif")


def codes(problems: list[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def test_every_network_has_rules_and_sources() -> None:
    assert set(DEFAULT_RULES) == set(Network)
    assert all(rules.sources for rules in DEFAULT_RULES.values())


def test_every_problem_has_a_message() -> None:
    problem = Problem(
        "text_too_long", Severity.ERROR, {"network": "X", "length": 281, "limit": 280, "unit": "c"}
    )
    assert problem.message_key == "publishing.text_too_long"
    assert problem.message() == "The text is 281 c long; X accepts 280."


@pytest.mark.parametrize("network", list(Network))
def test_a_short_text_is_fine_everywhere(network: Network) -> None:
    problems = validate(
        network, "Bonjour 👋 https://ambassade.fr", [IMAGE] if network is Network.INSTAGRAM else []
    )
    assert codes(problems) == []


@pytest.mark.parametrize("network", list(Network))
def test_an_empty_post_is_refused(network: Network) -> None:
    assert codes(validate(network, "  \n"))[0] in {"empty", "media_required", "title_required"}


def test_it_reports_the_span_that_does_not_fit() -> None:
    text = "a" * 280 + " de trop"
    (problem,) = validate(Network.X, text)
    assert problem.code == "text_too_long"
    assert problem.severity is Severity.ERROR
    assert problem.params == {
        "network": "X",
        "length": 288,
        "limit": 280,
        "unit": "weighted_characters",
    }
    assert problem.span == (280, len(text))


def test_bluesky_reports_graphemes_and_bytes_apart() -> None:
    assert codes(validate(Network.BLUESKY, "é" * 301)) == ["text_too_long"]
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert codes(validate(Network.BLUESKY, family * 121)) == ["text_too_many_bytes"]


def test_mastodon_uses_the_server_limit() -> None:
    text = "x" * 600
    assert codes(validate(Network.MASTODON, text)) == ["text_too_long"]
    assert validate(Network.MASTODON, text, limits=Limits(max_length=1000)) == []


def test_mastodon_counts_the_content_warning() -> None:
    # "Spoiler 🇫🇷" is 9 graphemes.
    assert validate(Network.MASTODON, "x" * 491, content_warning="Spoiler 🇫🇷") == []
    (problem,) = validate(Network.MASTODON, "x" * 492, content_warning="Spoiler 🇫🇷")
    assert (problem.code, problem.params["length"], problem.params["limit"]) == (
        "text_too_long",
        501,
        500,
    )
    assert validate(Network.X, "x" * 280, content_warning="ignored elsewhere") == []


def test_x_refuses_twitter_texts_invalid_characters() -> None:
    (problem,) = validate(Network.X, "Bonjour\ufeff !")
    assert (problem.code, problem.span, problem.params["character"]) == (
        "forbidden_character",
        (7, 8),
        "U+FEFF",
    )
    assert validate(Network.MASTODON, "Bonjour\ufeff !") == []


class TestTelegram:
    def test_it_accepts_4096_characters_alone(self) -> None:
        assert validate(Network.TELEGRAM, "a" * 4096) == []
        assert codes(validate(Network.TELEGRAM, "a" * 4097)) == ["text_too_long"]

    def test_it_accepts_1024_characters_of_caption(self) -> None:
        assert validate(Network.TELEGRAM, "a" * 1024, [IMAGE]) == []
        (problem,) = validate(Network.TELEGRAM, "a" * 1025, [IMAGE])
        assert problem.code == "caption_too_long"
        assert problem.params["limit"] == 1024


class TestHashtags:
    def test_instagram_accepts_five(self) -> None:
        five = "#un #deux #trois #quatre #cinq"
        assert validate(Network.INSTAGRAM, five, [IMAGE]) == []
        (problem,) = validate(Network.INSTAGRAM, five + " #six #Un", [IMAGE])
        assert problem.code == "too_many_hashtags"
        assert problem.severity is Severity.ERROR
        assert problem.params["count"] == 6
        assert problem.span == (len(five) + 1, len(five) + 5)

    def test_bluesky_warns_over_eight(self) -> None:
        tags = " ".join(f"#tag{n}" for n in range(9))
        (problem,) = validate(Network.BLUESKY, tags)
        assert (problem.code, problem.severity) == ("too_many_hashtags", Severity.WARNING)

    def test_bluesky_warns_of_a_tag_over_64_characters(self) -> None:
        (problem,) = validate(Network.BLUESKY, "#" + "é" * 65)
        assert problem.code == "hashtag_too_long"

    def test_threads_has_one_topic(self) -> None:
        assert validate(Network.THREADS, "#rentrée") == []
        (problem,) = validate(Network.THREADS, "#rentrée #école")
        assert (problem.code, problem.severity) == ("too_many_topic_tags", Severity.WARNING)


def test_threads_accepts_five_links() -> None:
    links = " ".join(f"https://ambassade.fr/{n}" for n in range(5))
    assert validate(Network.THREADS, links + " https://ambassade.fr/0") == []
    text = links + " https://ambassade.fr/0 https://ambassade.fr/5 https://ambassade.fr/6"
    (problem,) = validate(Network.THREADS, text)
    assert (problem.code, problem.params["count"]) == ("too_many_links", 7)
    assert problem.span is not None
    assert text[problem.span[0] : problem.span[1]] == "https://ambassade.fr/5"


def test_reddit_needs_a_title_of_300_characters_at_most() -> None:
    assert validate(Network.REDDIT, "", title="Un titre") == []
    assert codes(validate(Network.REDDIT, "texte", title=" ")) == ["title_required"]
    assert codes(validate(Network.REDDIT, "texte", title="t" * 301)) == ["title_too_long"]


def test_reddit_takes_the_title_from_the_first_line_without_one() -> None:
    assert split_title("\n  Nouvelle carte  \n\nTout est fait maison.\n") == (
        "Nouvelle carte",
        "Tout est fait maison.",
    )
    assert split_title("Un titre seul") == ("Un titre seul", "")
    assert split_title(" \n\n") == ("", "")
    assert validate(Network.REDDIT, "Nouvelle carte\nTout est fait maison.") == []
    assert codes(validate(Network.REDDIT, "\n \n")) == ["title_required"]
    (problem,) = validate(Network.REDDIT, "t" * 301 + "\ncorps")
    assert (problem.code, problem.params["length"]) == ("title_too_long", 301)
    # The body alone counts against the 40,000 characters, and the span points into the whole text.
    text = "Titre\n\n" + "é" * 40_000
    assert validate(Network.REDDIT, text) == []
    (problem,) = validate(Network.REDDIT, text + "!")
    assert problem.code == "text_too_long" and problem.params["length"] == 40_001
    assert problem.span is not None
    assert (text + "!")[problem.span[0] : problem.span[1]] == "!"


def test_linkedin_refuses_a_duplicate() -> None:
    assert codes(validate(Network.LINKEDIN, "Bonjour ", recent_texts=["Bonjour"])) == [
        "duplicate_text"
    ]
    assert validate(Network.LINKEDIN, "Bonjour", recent_texts=["Bonsoir"]) == []


class TestMedia:
    def test_x_takes_four_images_or_one_video_or_one_gif(self) -> None:
        assert validate(Network.X, "ok", [IMAGE] * 4) == []
        assert codes(validate(Network.X, "ok", [IMAGE] * 5)) == ["too_many_media"]
        assert validate(Network.X, "ok", [VIDEO]) == []
        assert codes(validate(Network.X, "ok", [VIDEO, VIDEO])) == ["too_many_media"]
        assert codes(validate(Network.X, "ok", [IMAGE, GIF])) == ["media_mix_not_allowed"]

    def test_facebook_takes_ten_photos_or_one_video(self) -> None:
        assert validate(Network.FACEBOOK, "ok", [IMAGE] * 10) == []
        assert codes(validate(Network.FACEBOOK, "ok", [IMAGE] * 11)) == ["too_many_media"]
        assert codes(validate(Network.FACEBOOK, "ok", [IMAGE, VIDEO])) == ["media_mix_not_allowed"]

    def test_instagram_carousels_hold_two_to_ten_items_at_public_urls(self) -> None:
        assert validate(Network.INSTAGRAM, "", [IMAGE, VIDEO]) == []
        assert codes(validate(Network.INSTAGRAM, "", [IMAGE] * 11)) == ["too_many_media"]
        assert codes(validate(Network.INSTAGRAM, "légende")) == ["media_required"]
        private = Media(MediaKind.IMAGE, "image/jpeg", 10, "alt", "http://192.168.1.20/a.jpg")
        (problem,) = validate(Network.INSTAGRAM, "", [IMAGE, private])
        assert (problem.code, problem.media_index) == ("media_url_not_public", 1)
        assert codes(validate(Network.INSTAGRAM, "", [Media(MediaKind.IMAGE, alt_text="a")])) == [
            "media_url_not_public"
        ]

    def test_instagram_takes_only_jpeg_images(self) -> None:
        png = Media(MediaKind.IMAGE, "image/png", 10, "alt", "https://cdn.ambassade.fr/a.png")
        assert codes(validate(Network.INSTAGRAM, "", [png])) == ["media_type_not_supported"]

    def test_it_checks_sizes(self) -> None:
        big = Media(MediaKind.IMAGE, "image/jpeg", 5 * 1024 * 1024 + 1, "alt")
        (problem,) = validate(Network.X, "ok", [big])
        assert problem.code == "media_too_large"
        assert problem.params["limit"] == 5 * 1024 * 1024
        assert (
            validate(Network.BLUESKY, "ok", [Media(MediaKind.IMAGE, size=1_000_000, alt_text="a")])
            == []
        )
        assert codes(
            validate(Network.BLUESKY, "ok", [Media(MediaKind.IMAGE, size=1_000_001, alt_text="a")])
        ) == ["media_too_large"]

    def test_it_warns_of_a_missing_alt_text(self) -> None:
        bare = Media(MediaKind.IMAGE, "image/jpeg", 10, "  ")
        (problem,) = validate(Network.MASTODON, "ok", [IMAGE, bare])
        assert (problem.code, problem.severity, problem.media_index) == (
            "alt_text_missing",
            Severity.WARNING,
            1,
        )
        # Telegram stores no alt text: nothing to warn about.
        assert validate(Network.TELEGRAM, "ok", [bare]) == []

    def test_it_checks_alt_text_length(self) -> None:
        long = Media(MediaKind.IMAGE, "image/jpeg", 10, "a" * 1001)
        assert codes(validate(Network.X, "ok", [long])) == ["alt_text_too_long"]
        assert validate(Network.MASTODON, "ok", [long]) == []

    def test_it_refuses_a_kind_the_network_does_not_take(self) -> None:
        pdf = Media(MediaKind.DOCUMENT, "application/pdf", 10)
        assert codes(validate(Network.X, "ok", [pdf])) == ["media_kind_not_supported"]
        assert validate(Network.LINKEDIN, "ok", [pdf]) == []

    def test_mastodon_reads_its_media_limits(self) -> None:
        limits = Limits.from_mastodon_instance(
            {
                "configuration": {
                    "statuses": {"max_media_attachments": 8},
                    "media_attachments": {
                        "supported_mime_types": ["image/jpeg"],
                        "image_size_limit": 1000,
                        "video_size_limit": 5000,
                        "description_limit": 10,
                    },
                }
            }
        )
        assert (
            validate(
                Network.MASTODON,
                "ok",
                [Media(MediaKind.IMAGE, "image/jpeg", 1000, "alt")] * 8,
                limits,
            )
            == []
        )
        rules = rules_for(Network.MASTODON, limits)
        assert rules.media.max_items == 8
        assert rules.media.max_bytes[MediaKind.VIDEO] == 5000
        problems = validate(
            Network.MASTODON,
            "ok",
            [Media(MediaKind.IMAGE, "image/png", 1001, "a" * 11)] * 9,
            limits,
        )
        assert sorted(set(codes(problems))) == [
            "alt_text_too_long",
            "media_too_large",
            "media_type_not_supported",
            "too_many_media",
        ]
        # One video stays one video whatever the server's cap.
        assert codes(validate(Network.MASTODON, "ok", [VIDEO, VIDEO], Limits(max_media=8))) == [
            "too_many_media"
        ]


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://cdn.ambassade.fr/a.jpg", True),
        ("http://93.184.215.14/a.jpg", True),
        ("http://localhost/a.jpg", False),
        ("http://127.0.0.1/a.jpg", False),
        ("http://10.0.0.2/a.jpg", False),
        ("http://[::1]/a.jpg", False),
        ("http://nas.local/a.jpg", False),
        ("ftp://cdn.ambassade.fr/a.jpg", False),
        ("file:///tmp/a.jpg", False),
        ("http://[invalid/a.jpg", False),
        ("https://intranet/a.jpg", False),
    ],
)
def test_it_knows_a_public_url(url: str, public: bool) -> None:
    assert is_public_url(url) is public


def test_messages_cover_every_code_used() -> None:
    assert "alt_text_missing" in MESSAGES
