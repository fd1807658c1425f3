"""The mission matcher: URL normalisation, short links, replies, quotes, reviews and hashtags."""

from __future__ import annotations

import pytest

from ambassade.engine.missions import (
    REVIEW_MIN_WORDS,
    Mission,
    MissionMatcher,
    Post,
    links_in,
    normalise_url,
)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://www.Cafe.fr/blog/new/?utm_source=x&utm_medium=y#top", "cafe.fr/blog/new"),
        ("http://cafe.fr:80/a//b?b=2&a=1&fbclid=zz", "cafe.fr/a/b?a=1&b=2"),
        ("https://cafe.fr:8443/a", "cafe.fr:8443/a"),
        ("https://twitter.com/ana/status/123?s=20&t=abc", "x.com/ana/status/123"),
        ("https://mobile.twitter.com/ana/status/123/", "x.com/ana/status/123"),
        ("https://youtu.be/dQw4?si=share&t=30", "youtube.com/watch?v=dQw4"),
        ("https://m.youtube.com/watch?v=dQw4&feature=share&list=x", "youtube.com/watch?v=dQw4"),
        ("cafe.fr/menu", "cafe.fr/menu"),
        ("mailto:ana@cafe.fr", ""),
        ("javascript:alert(1)", ""),
        ("https://[::1", ""),
        ("not a link", ""),
        ("", ""),
    ],
)
def test_it_normalises_addresses(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


def test_it_reads_links_from_text_and_sanitised_html() -> None:
    links = links_in(
        "Voir https://cafe.fr/a et https://t.co/xyz",
        "<p><a href=\"https://cafe.fr/b?x=1&amp;y=2\">t.co/xyz</a> <a href='mailto:a@b.fr'>m</a></p>",
    )
    assert links == ("https://cafe.fr/a", "https://t.co/xyz", "https://cafe.fr/b?x=1&y=2")


SHARE = Mission(
    "s", "share", url="https://cafe.fr/blog/new-roast?utm_campaign=launch", post_id="p1"
)
ANSWER = Mission("a", "answer", url="https://forum.example/t/which-grinder/42", post_id="q9")
REVIEW = Mission("r", "review", product="7")
TAG = Mission("h", "hashtag", hashtag="#CaféLumière")


def matched(post: Post, short: dict[str, str] | None = None) -> list[tuple[str, str]]:
    matcher = MissionMatcher([SHARE, ANSWER, REVIEW, TAG], short_links=short or {})
    return [(m.mission, m.evidence) for m in matcher.match(post)]


def test_a_share_is_a_link_to_the_post_however_written() -> None:
    assert matched(Post("Lisez ça https://www.cafe.fr/blog/new-roast/?fbclid=1")) == [
        ("s", "mission.linked")
    ]
    assert matched(Post("lien", html='<a href="https://cafe.fr/blog/new-roast">x</a>')) == [
        ("s", "mission.linked")
    ]
    assert matched(Post("https://cafe.fr/blog/other-roast")) == []
    # A quote or repost of the post, where the network gives its id.
    assert matched(Post("so good", quoted_id="p1")) == [("s", "mission.quoted")]
    # A reply to the post is not a share.
    assert matched(Post("so good", parent_id="p1")) == []


def test_it_follows_the_brands_short_links() -> None:
    short = {"https://amb.example/l/Ab12": "https://cafe.fr/blog/new-roast?utm_source=mastodon"}
    assert matched(Post("read https://amb.example/l/Ab12"), short) == [("s", "mission.linked")]
    assert matched(Post("read https://amb.example/l/Zz99"), short) == []


def test_an_answer_replies_to_the_question_or_links_to_it() -> None:
    assert matched(Post("the Baratza", parent_id="q9")) == [("a", "mission.replied")]
    assert matched(Post("the Baratza", parent_id="x", thread_id="q9")) == [("a", "mission.replied")]
    assert matched(Post("see https://forum.example/t/which-grinder/42")) == [
        ("a", "mission.linked")
    ]
    # Its own address is not a link to the target (a message quoting its own URL).
    own = "https://forum.example/t/which-grinder/42"
    assert matched(Post(f"here {own}", url=own)) == []


def test_a_review_speaks_of_the_product_at_length_or_is_one() -> None:
    long = " ".join(["word"] * REVIEW_MIN_WORDS)
    short = " ".join(["word"] * (REVIEW_MIN_WORDS - 1))
    assert matched(Post(long, products=("7",))) == [("r", "mission.reviewed")]
    assert matched(Post(short, products=("7",))) == []
    assert matched(Post("love it", kind="review", products=("7",))) == [("r", "mission.reviewed")]
    assert matched(Post(long, products=("8",))) == []
    assert matched(Post(long)) == []


def test_a_hashtag_matches_case_and_accents_aside() -> None:
    assert matched(Post("Super matin #cafelumiere !")) == [("h", "mission.hashtag")]
    assert matched(Post("#CAFÉLUMIÈRE")) == [("h", "mission.hashtag")]
    assert matched(Post("cafelumiere sans dièse")) == []
    assert matched(Post("#cafelumiere2")) == []


def test_one_message_can_complete_several_missions_each_once() -> None:
    post = Post(
        "https://cafe.fr/blog/new-roast https://cafe.fr/blog/new-roast?utm_x=1 #cafelumiere",
        quoted_id="p1",
    )
    assert matched(post) == [("h", "mission.hashtag"), ("s", "mission.quoted")]


def test_it_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown mission kind"):
        Mission("x", "like")
