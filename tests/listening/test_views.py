"""The listening pages: stream filters, a mention, corrections, queries with preview, sources,
insights, CSV export, permissions, and untrusted text rendered inert everywhere."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from ambassade.listening import services
from ambassade.listening.demo import ensure_demo_stream
from ambassade.listening.models import Feedback, ListeningQuery, Mention, Source
from tests.listening.conftest import NOW, days_ago, item

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)> lumiere'


class Scripts(HTMLParser):
    """Collects what would run: script elements and on* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline script")
        self.found.extend(f"{tag}[{name}]" for name, _ in attrs if name.startswith("on"))


def scripts(html: str) -> list[str]:
    parser = Scripts()
    parser.feed(html)
    return parser.found


@pytest.fixture
def stream(personas: Any, source: Any, brand_query: Any) -> Any:
    services.ingest(
        source,
        [
            item("1", "I love lumiere", handle="ana", followers=9000, at=days_ago(1)),
            item("2", "Lumiere service terrible", handle="bob", at=days_ago(2)),
            item("3", "Merci, le café est parfait", handle="chloe", source="reddit"),
            item("4", PAYLOAD, handle="evil", html=f"<p>{PAYLOAD}</p>"),
        ],
    )
    return source


def url(name: str, personas: Any, *args: Any) -> str:
    return reverse(f"listening:{name}", args=[personas.workspace_a.slug, *args])


def test_it_lists_and_filters_the_stream(personas: Any, client: Any, stream: Any) -> None:
    client.force_login(personas.bob)
    page = client.get(url("stream", personas)).content.decode()
    assert "I love lumiere" in page and "terrible" in page
    page = client.get(url("stream", personas), {"sentiment": "negative"}).content.decode()
    assert "terrible" in page and "I love" not in page
    page = client.get(url("stream", personas), {"lang": "fr"}).content.decode()
    assert "parfait" in page and "terrible" not in page
    page = client.get(url("stream", personas), {"author": "@ana"}).content.decode()
    assert "I love" in page and "terrible" not in page
    page = client.get(url("stream", personas), {"q": "cafe"}).content.decode()
    assert "parfait" in page and "I love" not in page
    query = ListeningQuery.objects.get(name="Brand")
    page = client.get(url("stream", personas), {"query": query.pk}).content.decode()
    assert "I love" in page and "parfait" not in page
    since = days_ago(1.5).date().isoformat()
    page = client.get(url("stream", personas), {"since": since}).content.decode()
    assert "I love" in page and "terrible" not in page


def test_it_pages_the_stream_in_a_fixed_number_of_queries(
    personas: Any, client: Any, source: Any, django_assert_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.ingest(source, [item(str(i), f"message {i}", at=days_ago(i / 100)) for i in range(60)])
    client.force_login(personas.alice)
    client.get(url("stream", personas))
    # One mention on the page, then a full page: the same queries (no query per row).
    with CaptureQueriesContext(connection) as one:
        client.get(url("stream", personas), {"author": "someone", "q": "59"})
    with django_assert_num_queries(len(one)):
        response = client.get(url("stream", personas), {"page": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert "message 25" in page and "message 24" not in page
    assert 'rel="next"' in page and 'rel="prev"' in page


def test_it_renders_untrusted_text_inert_everywhere(
    personas: Any, client: Any, stream: Any, brand_query: Any
) -> None:
    client.force_login(personas.alice)
    mention = Mention.objects.get(external_id="4")
    pages = [
        client.get(url("stream", personas)),
        client.get(url("mention", personas, mention.pk)),
        client.get(url("mention", personas, Mention.objects.get(external_id="1").pk)),
        client.get(url("insights", personas)),
        client.post(url("query_preview", personas), {"text": "lumiere"}),
        client.post(url("query_preview", personas), {"text": "<script>x</script> ("}),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert scripts(html) == [], response.request["PATH_INFO"]
        assert "<script>alert" not in html
    assert "&lt;script&gt;" in pages[0].content.decode()


def test_it_shows_a_mention_with_its_author_and_scores(
    personas: Any, client: Any, stream: Any
) -> None:
    services.ingest(stream, [item("5", "another lumiere post by ana", handle="ana")])
    mention = Mention.objects.get(external_id="1")
    client.force_login(personas.bob)
    page = client.get(url("mention", personas, mention.pk)).content.decode()
    assert re.search(r"9\W?000 followers", page)
    assert "another lumiere post by ana" in page
    assert 'href="https://social.example/@ana/1"' in page
    assert "0.80" in page  # the sentiment score


def test_it_corrects_the_sentiment_and_keeps_feedback(
    personas: Any, client: Any, stream: Any, brand_query: Any
) -> None:
    from zoneinfo import ZoneInfo

    from ambassade.listening import match_counts, rollup

    rollup.rebuild(personas.workspace_a)
    mention = Mention.objects.get(external_id="2")
    client.force_login(personas.bob)
    response = client.post(
        url("mention_feedback", personas, mention.pk),
        {"action": "sentiment", "sentiment": "neutral"},
    )
    assert response.status_code == 302
    mention.refresh_from_db()
    assert (mention.sentiment, mention.sentiment_corrected) == ("neutral", True)
    feedback = Feedback.objects.get()
    assert (feedback.previous, feedback.value, feedback.author) == (
        "negative",
        "neutral",
        personas.bob,
    )
    day = mention.created_at.astimezone(ZoneInfo(personas.workspace_a.time_zone)).date()
    counts = match_counts.count(
        personas.workspace_a, day, day, [brand_query.pk], ("sentiment",), rolled=True
    )
    assert counts == {("neutral",): 1}
    client.post(url("mention_feedback", personas, mention.pk), {"action": "spam"})
    client.post(url("mention_feedback", personas, mention.pk), {"action": "irrelevant"})
    client.post(url("mention_feedback", personas, mention.pk), {"action": "tags", "tags": "a, b"})
    mention.refresh_from_db()
    assert mention.marked_spam and mention.marked_irrelevant and mention.tags == ["a", "b"]
    assert Feedback.objects.count() == 3


def test_it_refuses_corrections_to_an_approver(personas: Any, client: Any, stream: Any) -> None:
    from ambassade.workspaces.models import Membership

    Membership.objects.filter(pk=personas.bob_membership.pk).update(role="approver")
    client.force_login(personas.bob)
    mention = Mention.objects.get(external_id="2")
    response = client.post(url("mention_feedback", personas, mention.pk), {"action": "spam"})
    assert response.status_code == 403
    assert client.get(url("stream", personas)).status_code == 200
    assert client.get(url("query_create", personas)).status_code == 403


def test_it_previews_a_query_and_points_at_errors(
    personas: Any, client: Any, stream: Any, clock_at_now: None
) -> None:
    client.force_login(personas.bob)
    page = client.post(url("query_preview", personas), {"text": "lumiere"}).content.decode()
    assert "Would have matched 3 mentions in the last 30 days" in page
    page = client.post(url("query_preview", personas), {"text": "lumiere AND ("}).content.decode()
    assert "Column 14" in page and "<mark>" in page


def test_it_words_query_errors_in_the_readers_language(personas: Any, client: Any) -> None:
    # The engine's English must not reach a French page (issue 10, item 14).
    client.force_login(personas.bob)
    text = {"text": "avion NEAR/0 retard"}
    page = client.post(url("query_preview", personas), text, HTTP_ACCEPT_LANGUAGE="fr")
    assert "NEAR demande une distance d’au moins 1, pas ‘0’" in page.content.decode()
    assert "needs a distance" not in page.content.decode()
    page = client.post(url("query_preview", personas), text, HTTP_ACCEPT_LANGUAGE="en")
    assert "NEAR needs a distance of at least 1, not ‘0’" in page.content.decode()
    form = {"name": "Brand", "text": "lumiere OR", "kind": "brand", "enabled": "on"}
    page = client.post(url("query_create", personas), form, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Colonne 11 : un terme" in page.content.decode().replace("\xa0", " ")


def test_it_creates_edits_and_deletes_a_query(personas: Any, client: Any) -> None:
    client.force_login(personas.bob)
    response = client.post(
        url("query_create", personas),
        {"name": "Brand", "text": '"cafe lumiere" OR', "kind": "brand", "enabled": "on"},
    )
    assert response.status_code == 200 and "Column" in response.content.decode()
    response = client.post(
        url("query_create", personas),
        {"name": "Brand", "text": '"cafe lumiere" OR lumiere', "kind": "brand", "enabled": "on"},
    )
    assert response.status_code == 302
    query = ListeningQuery.objects.get(workspace=personas.workspace_a)
    response = client.post(
        url("query_edit", personas, query.pk),
        {"name": "Brand 2", "text": "lumiere", "kind": "brand", "enabled": "on"},
    )
    assert response.status_code == 302
    query.refresh_from_db()
    assert (query.name, query.text) == ("Brand 2", "lumiere")
    assert "Brand 2" in client.get(url("queries", personas)).content.decode()
    client.post(url("query_delete", personas, query.pk))
    assert not ListeningQuery.objects.exists()


def test_it_adds_and_edits_a_source(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    chooser = client.get(url("source_create", personas)).content.decode()
    assert "?kind=rss" in chooser and "?kind=mastodon" in chooser
    page = client.get(url("source_create", personas) + "?kind=rss").content.decode()
    assert 'name="settings-url"' in page and "settings_json" not in page and "JSON" not in page
    page = client.get(url("source_create", personas) + "?kind=youtube").content.decode()
    assert 'data-show-when="settings-mode:video_comments"' in page
    response = client.post(
        url("source_create", personas),
        {
            "name": "Blog",
            "kind": "rss",
            "settings-url": "https://blog.example/feed",
            "settings-item_kind": "review",
            "interval_minutes": "30",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    source = Source.objects.get(name="Blog")
    assert (source.interval, source.config) == (
        1800,
        {"url": "https://blog.example/feed", "kind": "review"},
    )
    page = client.get(url("source_edit", personas, source.pk)).content.decode()
    assert 'value="https://blog.example/feed"' in page
    response = client.post(
        url("source_edit", personas, source.pk),
        {"name": "Blog", "settings-url": "ftp://nope", "settings-item_kind": "article",
         "interval_minutes": "30"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'id="id_settings-url_errors"' in response.content.decode()
    assert "Blog" in client.get(url("sources", personas)).content.decode()
    client.post(url("source_run", personas, source.pk))
    client.post(url("source_delete", personas, source.pk))
    assert not Source.objects.filter(name="Blog").exists()


@pytest.mark.parametrize(
    ("kind", "fields", "config", "error"),
    [
        ("mastodon", {"instance": "https://mastodon.social", "mode": "hashtag", "tag": "#cafe"},
         {"instance": "https://mastodon.social", "mode": "hashtag", "tag": "cafe"}, None),
        ("mastodon", {"instance": "http://mastodon.social", "mode": "hashtag", "tag": "cafe"},
         None, "instance"),
        ("mastodon", {"instance": "https://m.example", "mode": "search", "query": ""},
         None, "query"),
        ("reddit", {"mode": "comments", "subreddit": "r/france"},
         {"mode": "comments", "subreddit": "france"}, None),
        ("reddit", {"mode": "comments"}, None, "subreddit"),
        ("youtube", {"mode": "video_comments", "video_id": "dQw4w9WgXcQ"},
         {"mode": "video_comments", "video_id": "dQw4w9WgXcQ"}, None),
        ("youtube", {"mode": "channel_comments", "channel_id": "nope"}, None, "channel_id"),
        ("bluesky", {"query": "café lumière", "lang": "fr"},
         {"query": "café lumière", "lang": "fr"}, None),
        ("x", {"query": "x" * 513}, None, "query"),
        ("hackernews", {"query": "lumiere", "tags": "story"},
         {"query": "lumiere", "tags": "story"}, None),
    ],
)  # fmt: skip
def test_each_kind_has_its_own_validated_form(
    personas: Any, client: Any, kind: str, fields: dict[str, str], config: Any, error: str | None
) -> None:
    client.force_login(personas.alice)
    data = {"name": "S", "kind": kind, "interval_minutes": "15", "enabled": "on"}
    data |= {f"settings-{name}": value for name, value in fields.items()}
    response = client.post(url("source_create", personas), data)
    if error is None:
        assert response.status_code == 302, response.content.decode()
        assert Source.objects.get(name="S").config == config
    else:
        assert response.status_code == 200
        assert f'id="id_settings-{error}_errors"' in response.content.decode()
        assert not Source.objects.filter(name="S").exists()


def test_editing_keeps_the_settings_a_form_does_not_show(personas: Any, client: Any) -> None:
    source = Source.objects.create(
        workspace=personas.workspace_a, name="Replay", kind="replay", interval=60,
        config={"format": "csv", "mapping": {"text": "t", "created_at": "d"}, "speed": 60,
                "started_at": "2026-11-01T00:00:00+00:00"},
    )  # fmt: skip
    client.force_login(personas.alice)
    response = client.post(
        url("source_edit", personas, source.pk),
        {"name": "Replay", "settings-speed": "120", "interval_minutes": "1", "enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()
    source.refresh_from_db()
    assert source.config["speed"] == 120 and source.config["mapping"] == {
        "text": "t",
        "created_at": "d",
    }


def test_it_exports_the_filtered_view_as_csv(personas: Any, client: Any, stream: Any) -> None:
    services.ingest(stream, [item("6", "=HYPERLINK(evil) lumiere")])
    client.force_login(personas.alice)
    response = client.get(url("export", personas), {"sentiment": "negative"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["text"] for row in rows] == ["Lumiere service terrible"]
    response = client.get(url("export", personas), {"q": "hyperlink"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert next(iter(csv.DictReader(io.StringIO(body))))["text"].startswith("'=")


def test_it_shows_share_of_voice_trends_and_authors(
    personas: Any, client: Any, django_capture_on_commit_callbacks: Any, clock_at_now: None
) -> None:
    # The generator's volume follows the hour of the day: generating up to a fixed time, with the
    # pages' clock at that time, gives the same mentions whenever the test runs.
    ensure_demo_stream(personas.workspace_a, io.StringIO(), now=NOW, days=3)
    client.force_login(personas.alice)
    page = client.get(url("insights", personas)).content.decode()
    # the share-of-voice chart: a Vega-Lite spec stacked to 100 %, its table behind it
    assert 'data-chart="' in page and "&quot;normalize&quot;" in page
    assert "Share of the period" in page
    assert "Grain Noir" in page and "Brand A" in page
    # The chart library is loaded once, in the body, never inside the page's <title>.
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<script" not in title
    assert page.count("vendor/vega-lite-") == 1, "the chart library is loaded more than once"
    # The page lists the top 15 trending terms, the incident's hashtags among them.
    from django.utils.html import escape

    from ambassade.listening import insights

    trends = insights.trending_terms(personas.workspace_a, limit=100)
    assert trends and all(escape(t.surface) in page for t in trends[:15])
    assert {"#doublepaiement", "#doublecharge"} & {t.term for t in trends[:15]}


def test_it_adds_a_competitor(personas: Any, client: Any) -> None:
    client.force_login(personas.alice)
    response = client.post(
        url("competitor_create", personas), {"name": "Rival", "color": "#112233"}
    )
    assert response.status_code == 302
    assert "competitor=" in response["Location"]


def test_it_caps_the_preview_on_a_large_workspace(
    personas: Any, source: Any, clock_at_now: None
) -> None:
    services.ingest(source, [item(str(i), f"lumiere {i}", at=days_ago(i / 100)) for i in range(12)])
    preview = services.preview_query(personas.workspace_a, "lumiere", limit=10)
    assert (preview.total, preview.scanned, preview.capped) == (10, 10, True)
    assert [m.external_id for m in preview.latest[:2]] == ["0", "1"]
    preview = services.preview_query(personas.workspace_a, "lumiere")
    assert (preview.total, preview.capped) == (12, False)


def test_the_mention_page_says_how_each_mention_was_analysed(
    personas: Any, client: Any, source: Any
) -> None:
    """Which language's heads scored it (both for a text undetermined between French and English,
    the shared heads for another language), the tier; in English and French; nothing for a mention
    stored before it was kept."""
    from ambassade.engine.text import Analysis

    how = {
        "mixed": Analysis(
            "und", 0.2, "neutral", 0.0, 0.1, 0.0, 0.0, 1, (), ("fr", "en"), "accurate"
        ),
        "french": Analysis("fr", 0.9, "positive", 0.7, 0.0, 0.0, 0.0, 2, (), (), "accurate"),
        "german": Analysis("de", 0.9, "neutral", 0.0, 0.0, 0.0, 0.0, 3, (), (), "accurate"),
        "fast": Analysis("en", 0.9, "neutral", 0.0, 0.0, 0.0, 0.0, 4, (), (), "fast"),
        "none": Analysis("en", 0.9, "unsupported", 0.0, 0.0, 0.0, 0.0, 5, ()),
    }
    services.ingest(
        source,
        [item(name, name, lang="en" if name == "french" else "") for name in how],
        analyser=lambda texts: [how[text] for text in texts],
    )
    stored = {m.external_id: m for m in Mention.objects.filter(source=source)}
    assert stored["mixed"].analysed_as == "fr+en" and stored["mixed"].lang == ""
    # The network said English; the engine heard French and used the French heads: both are kept.
    assert stored["french"].analysed_as == "fr" and stored["french"].lang == "en"
    assert [stored[name].analysis_tier for name in how] == [
        "accurate", "accurate", "accurate", "fast", "none"
    ]  # fmt: skip
    client.force_login(personas.bob)

    def analysis(name: str, lang: str = "en") -> str:
        page = client.get(
            url("mention", personas, stored[name].pk), HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()
        found = re.search(r'<dl class="scores">(.*?)</dl>', page, re.S)
        assert found, name
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))

    mixed = analysis("mixed")
    assert (
        "Analysed as French or English, undetermined: both the French and the English models"
        in mixed
    )
    assert "Analysis tier Accurate (sentence encoders stacked with the lexical models)" in mixed
    assert "Analysed as French: the French models" in analysis("french")
    assert "German: the models shared by every language" in analysis("german")
    assert "Fast (the lexical models alone)" in analysis("fast")
    assert "Not analysed: the text model was not installed" in analysis("none")
    french = analysis("mixed", "fr")
    assert (
        "Analysé comme" in french
        and "à la fois les modèles français et les modèles anglais" in french
    )
    assert "Précis" in french
    assert "Allemand : les modèles communs" in analysis("german", "fr")
    Mention.objects.filter(external_id="french").update(analysed_as="", analysis_tier="")
    assert "Analysed as" not in analysis("french") and "tier" not in analysis("french")
