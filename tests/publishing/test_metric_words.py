"""Every counter a publisher can give back is said in words, and only interactions count as
engagement."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from ambassade.publishing import authoring
from ambassade.publishing.metrics import ENGAGEMENT, engagement, metric_phrase
from ambassade.publishing.models import Status, Variant
from tests.conftest import Personas

# Each name a publisher under src/ambassade/connectors/*/publish.py puts in its metrics.
PUBLISHED_NAMES = {
    "likes": "12 likes",
    "reposts": "12 reposts",
    "replies": "12 replies",
    "quotes": "12 quotes",
    "reactions": "12 reactions",
    "shares": "12 shares",
    "comments": "12 comments",
    "views": "12 views",
    "score": "score 12",
    "upvote_percent": "12 % upvoted",
}


@pytest.mark.parametrize(("name", "words"), sorted(PUBLISHED_NAMES.items()))
def test_each_counter_is_said_in_words(name: str, words: str) -> None:
    with translation.override("en"):
        assert metric_phrase(name, 12) == words


def test_singular_and_unknown_names() -> None:
    with translation.override("en"):
        assert metric_phrase("likes", 1) == "1 like"
        assert metric_phrase("replies", 1) == "1 reply"
        assert metric_phrase("bookmarks", 3) == "bookmarks 3"
        assert metric_phrase("likes", "n/a") == "likes n/a"


def test_the_counters_are_said_in_french() -> None:
    with translation.override("fr"):
        assert metric_phrase("likes", 2) == "2 j'aime"
        assert metric_phrase("upvote_percent", 94) == "94 % de votes positifs"


def test_engagement_adds_interactions_only() -> None:
    metrics = {"likes": 10, "replies": 2, "views": 5000, "score": 40, "upvote_percent": 94}
    assert engagement(metrics) == 12
    assert engagement(None) == 0
    assert engagement({"likes": True}) == 0
    assert {"views", "score", "upvote_percent"}.isdisjoint(ENGAGEMENT)


@pytest.mark.django_db
def test_the_post_page_shows_a_reddit_posts_counters(personas: Personas, client: Any) -> None:
    post = authoring.create_post(
        personas.workspace_a, personas.bob, text="x", connections=[personas.connection]
    )
    at = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)
    Variant.objects.filter(post=post).update(
        status=Status.PUBLISHED,
        published_at=at,
        remote_id="t3_1",
        metrics={"score": 40, "replies": 3, "upvote_percent": 94},
    )
    client.force_login(personas.bob)
    page = client.get(
        reverse(
            "publishing:post",
            kwargs={"workspace_slug": personas.workspace_a.slug, "post_id": post.id},
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "score 40" in page and "3 replies" in page and "94 % upvoted" in page
    assert "upvote_percent" not in page
