"""The ingest pipeline: idempotency, de-duplication, matching, rollups, routing, full-text search."""

from __future__ import annotations

from typing import Any

import pytest

from ambassade.listening import pipeline, rollup, routing, search, services
from ambassade.listening.models import (
    ListeningQuery,
    Mention,
    MentionMatch,
    MentionRollup,
    Source,
    TermRollup,
)
from tests.listening.conftest import NOW, days_ago, item


def test_it_stores_analysed_matched_mentions(personas: Any, source: Any, brand_query: Any) -> None:
    result = services.ingest(
        source,
        [
            item("1", "I love the new Lumière latte, great job", handle="ana", followers=5000),
            item("2", "Nothing to do with the brand at all"),
        ],
    )
    assert (result.received, result.created, result.matches) == (2, 2, 1)
    mention = Mention.objects.get(external_id="1")
    assert mention.workspace == personas.workspace_a
    assert (mention.sentiment, mention.lang, mention.network) == ("positive", "en", "mastodon")
    assert (mention.author_handle, mention.author_followers) == ("ana", 5000)
    assert mention.fingerprint != 0 and mention.cluster == mention.fingerprint
    assert list(mention.matches.values_list("query", flat=True)) == [brand_query.pk]
    assert not Mention.objects.get(external_id="2").matches.exists()
    source.refresh_from_db()
    assert source.mentions_count == 2


def test_it_changes_nothing_when_the_same_items_come_again(
    personas: Any, source: Any, brand_query: Any
) -> None:
    items = [item(str(i), f"Lumière message number {i} with words {i * 7}") for i in range(30)]
    rollup.rebuild(personas.workspace_a)
    services.ingest(source, items)
    before = (
        Mention.objects.count(),
        MentionMatch.objects.count(),
        sorted(MentionRollup.objects.values_list("day", "queries", "count")),
        sorted(TermRollup.objects.values_list("term", "count")),
    )
    again = services.ingest(source, items)
    assert (again.created, again.already_known, again.matches) == (0, 30, 0)
    after = (
        Mention.objects.count(),
        MentionMatch.objects.count(),
        sorted(MentionRollup.objects.values_list("day", "queries", "count")),
        sorted(TermRollup.objects.values_list("term", "count")),
    )
    assert after == before
    source.refresh_from_db()
    assert source.mentions_count == 30


def test_it_keeps_one_item_per_external_id_within_a_batch(source: Any) -> None:
    result = services.ingest(source, [item("1", "first version"), item("1", "second version")])
    assert result.created == 1
    assert Mention.objects.get().text == "second version"


def test_it_stores_the_same_external_id_from_two_sources(personas: Any, source: Any) -> None:
    other = Source.objects.create(workspace=personas.workspace_a, name="X", kind="x")
    services.ingest(source, [item("1", "hello there")])
    services.ingest(other, [item("1", "hello there", source="x")])
    assert Mention.objects.count() == 2


def test_it_groups_near_duplicates_in_one_cluster(source: Any) -> None:
    text = "Win a FREE Lumière gift card today, just fill in the form at the link below please"
    services.ingest(source, [item("1", text)])
    result = services.ingest(
        source,
        [
            item("2", text + "!"),
            item("3", "Completely different words about coffee beans and roasting"),
        ],
    )
    assert result.near_duplicates == 1
    first, second, third = Mention.objects.order_by("external_id")
    assert second.cluster == first.cluster and second.is_duplicate
    assert not first.is_duplicate
    assert third.cluster != first.cluster and not third.is_duplicate


def test_it_matches_every_query_and_field_filters(personas: Any, source: Any) -> None:
    workspace = personas.workspace_a
    french = ListeningQuery.objects.create(workspace=workspace, name="fr", text="cafe lang:fr")
    author = ListeningQuery.objects.create(workspace=workspace, name="a", text="author:ana")
    network = ListeningQuery.objects.create(
        workspace=workspace, name="n", text="cafe AND source:mastodon"
    )
    site = ListeningQuery.objects.create(workspace=workspace, name="s", text="site:blog.example")
    services.ingest(
        source,
        [
            item("1", "Le café est parfait", handle="ana"),
            item("2", "The cafe is fine", handle="bob", url="https://blog.example/post"),
        ],
    )
    first = set(Mention.objects.get(external_id="1").matches.values_list("query", flat=True))
    second = set(Mention.objects.get(external_id="2").matches.values_list("query", flat=True))
    assert first == {french.pk, author.pk, network.pk}
    assert second == {network.pk, site.pk}


def test_it_rebuilds_the_matcher_when_queries_change(
    personas: Any, source: Any, brand_query: Any
) -> None:
    services.ingest(source, [item("1", "lumiere one")])
    services.update_query(brand_query, personas.alice, text="tea")
    services.ingest(source, [item("2", "lumiere two"), item("3", "tea three")])
    matched = set(
        MentionMatch.objects.filter(query=brand_query).values_list(
            "mention__external_id", flat=True
        )
    )
    assert matched == {"1", "3"}
    brand_query.enabled = False
    brand_query.save()
    services.ingest(source, [item("4", "tea four")])
    assert not Mention.objects.get(external_id="4").matches.exists()


def test_it_skips_a_stored_query_that_does_not_parse(
    personas: Any, source: Any, brand_query: Any
) -> None:
    ListeningQuery.objects.create(workspace=personas.workspace_a, name="broken", text="(a OR")
    result = services.ingest(source, [item("1", "lumiere")])
    assert result.matches == 1


def test_it_does_not_match_another_workspace_queries(personas: Any, source: Any) -> None:
    ListeningQuery.objects.create(workspace=personas.workspace_b, name="B", text="lumiere")
    assert services.ingest(source, [item("1", "lumiere")]).matches == 0


def test_it_counts_rollups_per_day_sentiment_and_language(
    personas: Any, source: Any, brand_query: Any
) -> None:
    rollup.rebuild(personas.workspace_a)
    services.ingest(
        source,
        [
            item("1", "I love lumiere", at=days_ago(1)),
            item("2", "lumiere is great", at=days_ago(1)),
            item("3", "lumiere terrible", at=days_ago(1)),
            item("4", "Merci lumiere, parfait", at=days_ago(0)),
        ],
    )
    services.ingest(source, [item("5", "lumiere twice broken", at=days_ago(1))])
    rows = {
        (str(r.day), r.sentiment, r.lang): r.count
        for r in MentionRollup.objects.filter(queries=rollup.query_set([brand_query.pk]))
    }
    assert rows == {
        ("2026-11-19", "positive", "en"): 2,
        ("2026-11-19", "negative", "en"): 2,
        ("2026-11-20", "positive", "fr"): 1,
    }


def test_it_counts_rollups_in_the_workspace_time_zone(
    personas: Any, source: Any, brand_query: Any
) -> None:
    workspace = personas.workspace_a
    workspace.time_zone = "America/New_York"
    workspace.save()
    source.workspace.refresh_from_db()
    rollup.rebuild(workspace)
    services.ingest(source, [item("1", "lumiere", at=NOW.replace(hour=2))])
    assert str(MentionRollup.objects.get().day) == "2026-11-19"


def test_it_counts_terms_without_spam_or_duplicates(source: Any) -> None:
    services.ingest(
        source,
        [
            item("1", "Amazing #Lumiere espresso tasting"),
            item("2", "Amazing #Lumiere espresso tasting"),
            item("3", "free espresso giveaway click"),
        ],
    )
    terms = dict(TermRollup.objects.values_list("term", "count"))
    assert terms["#lumiere"] == 1
    assert terms["espresso"] == 1
    assert "giveaway" not in terms


def test_it_routes_new_mentions_only_after_commit(
    source: Any, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[tuple[Any, list[str]]] = []
    routing.register("test", lambda ws, ms: received.append((ws, [m.external_id for m in ms])))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ingest(source, [item("1", "hello"), item("2", "world")])
        with django_capture_on_commit_callbacks(execute=True):
            services.ingest(source, [item("1", "hello")])
    finally:
        routing.unregister("test")
    assert received == [(source.workspace, ["1", "2"])]


def test_it_survives_a_failing_receiver(
    source: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    def broken(workspace: Any, mentions: Any) -> None:
        raise RuntimeError("boom")

    routing.register("broken", broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ingest(source, [item("1", "hello")])
    finally:
        routing.unregister("broken")
    assert Mention.objects.count() == 1
    assert "routing receiver broken failed" in caplog.text


def test_it_ingests_into_a_workspace_by_item_kind(personas: Any) -> None:
    result = services.ingest(
        personas.workspace_a,
        [item("1", "a", source="reddit"), item("2", "b", source="x"), item("3", "c", source="x")],
    )
    assert result.created == 3
    assert sorted(Source.objects.values_list("kind", flat=True)) == ["reddit", "x"]


def test_it_sanitises_html_and_refuses_script_urls(source: Any) -> None:
    services.ingest(
        source,
        [
            item(
                "1",
                "hello",
                html='<p onclick="x()">hi <script>alert(1)</script><a href="javascript:x">l</a></p>',
                url="javascript:alert(1)",
            )
        ],
    )
    mention = Mention.objects.get()
    assert "script" not in mention.html and "onclick" not in mention.html
    assert "javascript" not in mention.html
    assert mention.url == ""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("cafe", {"1", "2"}),
        ("CAFÉ", {"1", "2"}),
        ("lumière café", {"1"}),
        ('"latte noisette"', {"2"}),
        ("nois*", {"2"}),
        ("@ana", {"1"}),
        ('" OR * NEAR(', set()),
        ("absent", set()),
    ],
)
def test_it_searches_full_text_on_this_database(
    personas: Any, source: Any, typed: str, expected: set[str]
) -> None:
    services.ingest(
        source,
        [
            item("1", "Le café de Lumière est parfait", handle="ana"),
            item("2", "Un latte noisette au cafe", handle="bob"),
            item("3", "Nothing here", handle="carl"),
        ],
    )
    found = search.search(Mention.objects.filter(workspace=personas.workspace_a), typed)
    if not search.fts_query(typed):
        found = found.none()
    assert set(found.values_list("external_id", flat=True)) == expected


def test_it_forgets_deleted_mentions_in_the_index(personas: Any, source: Any) -> None:
    services.ingest(source, [item("1", "ephemeral words")])
    Mention.objects.all().delete()
    services.ingest(source, [item("2", "other text")])
    found = search.search(Mention.objects.all(), "ephemeral")
    assert not found.exists()


def test_it_keeps_the_real_engine_contract(source: Any, monkeypatch: Any) -> None:
    from ambassade.listening import analysis

    monkeypatch.undo()  # the real engine (or its documented degraded mode without a model)
    results = analysis.analyse(["Merci pour ce café, il est parfait", "Thanks, great coffee"])
    assert [r.lang for r in results] == ["fr", "en"]
    assert all(r.sentiment in {"positive", "neutral", "negative", "unsupported"} for r in results)


def test_it_caches_the_matcher_per_workspace(personas: Any, brand_query: Any) -> None:
    first, _ = pipeline.matcher_for(personas.workspace_a)
    second, _ = pipeline.matcher_for(personas.workspace_a)
    assert first is second


def test_a_huge_text_is_stored_cut_and_analysed_by_its_beginning(
    personas: Any, source: Any, brand_query: Any
) -> None:
    text = "Lumière " + "latte délicieux, merci. " * 200_000  # 4.8 million characters
    html = "<p>" + "x" * (pipeline.MAX_HTML * 2) + "</p>"
    result = services.ingest(source, [item("big", text, html=html)])
    assert (result.created, result.matches) == (1, 1)
    mention = Mention.objects.get(external_id="big")
    assert len(mention.text) == pipeline.MAX_TEXT and mention.text.endswith("…")
    assert mention.text.startswith("Lumière latte délicieux")
    assert len(mention.html) <= pipeline.MAX_HTML + 20
    assert mention.lang == "fr"
