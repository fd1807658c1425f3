"""The listening area page's figures, read from the mentions and their matches (one aggregate per
period shared by the readers, the partial index of labelled mentions) and through the rollup of
distinct mentions (``listening.rollup``, once it is built), against a straightforward count in
Python of the same small set of mentions: a mention matched by two brand queries, a competitor's,
every filter of the page, and the edges of December in Europe/Paris."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from ambassade.analytics import area_listening, kpis
from ambassade.analytics.areas import comparison_period
from ambassade.analytics.kpis import Scope
from ambassade.engine import measures
from ambassade.engine.measures import Period
from ambassade.listening import rollup
from ambassade.listening.models import ListeningQuery, Mention, Source
from tests.analytics.fixtures import Data, at
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31), "Europe/Paris")


@pytest.fixture(params=["mentions", "rollup"])
def data(request: pytest.FixtureRequest, personas: Personas) -> Data:
    """The fixture's mentions, read from the mentions themselves or, once built, from the rollup
    of distinct mentions."""
    data = _data(personas)
    if request.param == "rollup":
        assert rollup.rebuild(data.workspace).state == "ready"
        assert rollup.usable(data.workspace)
    return data


def _data(personas: Personas) -> Data:
    data = Data(personas.workspace_a, personas.connection)
    other = Source.objects.create(workspace=data.workspace, name="toots", kind="mastodon")
    both = [data.brand, data.brand2]
    rows: list[tuple[Any, str, list[Any], int | None, str, str, list[str], Source]] = [
        # 00:30 on 1 December in Paris, matched by both brand queries: one mention, two matches.
        (at(2026, 11, 30, 23, 30), "positive", both, 10, "ana", "fr", ["Bug", "prix"], other),
        # 23:59 on 30 November in Paris: the period before.
        (at(2026, 11, 30, 22, 59), "negative", [data.brand], 7, "ana", "fr", ["prix"], other),
        (at(2026, 12, 10), "negative", [data.brand2], 20, "bob", "en", ["prix"], data.source),
        (at(2026, 12, 12), "negative", [data.brand], None, "ana", "fr", [], other),
        (at(2026, 12, 15), "neutral", [data.brand], 5, "", "fr", [], other),
        (at(2026, 12, 20), "positive", [data.rival], 1000, "cid", "fr", ["prix"], other),
        (at(2026, 12, 21), "positive", [data.rival, data.brand], 3, "bob", "en", [], data.source),
        # 00:00 on 1 January in Paris: after the period.
        (at(2026, 12, 31, 23, 0), "positive", [data.brand], 99, "ana", "fr", [], other),
    ]
    for created, sentiment, queries, followers, handle, lang, tags, source in rows:
        mention = data.mention(created, sentiment, queries, followers=followers, handle=handle)
        Mention.objects.filter(pk=mention.pk).update(
            lang=lang,
            tags=tags,
            source=source,
            network=source.kind,
            # An author's profile as each mention gave it: the table shows the largest.
            author_url=f"https://social.example/@{handle}/{created.day}" if handle else "",
        )
    return data


def straight(data: Data, period: Period, scope: Scope, kinds: tuple[str, ...] = ("brand",)) -> Any:
    """The period's mentions of the scope, counted one by one in Python."""
    kept = []
    for mention in Mention.objects.filter(workspace=data.workspace).prefetch_related(
        "matches__query"
    ):
        day = mention.created_at.astimezone(PARIS).date()
        queries = [match.query for match in mention.matches.all()]
        if scope.query:
            queries = [q for q in queries if q.pk == scope.query]
        else:
            queries = [q for q in queries if q.kind in kinds]
        if not (period.start <= day <= period.end) or not queries:
            continue
        if scope.network and mention.network != scope.network:
            continue
        if scope.language and mention.lang != scope.language:
            continue
        if scope.tag and scope.tag not in mention.tags:
            continue
        kept.append((mention, queries))
    return kept


SCOPES = [
    Scope(),
    Scope(network="mastodon"),
    Scope(language="en"),
    Scope(tag="prix"),
    Scope(query=0),  # replaced by the second brand query's id
]


def figures_of(data: Data, period: Period, before: Period | None, scope: Scope) -> Any:
    with translation.override("en"):
        return area_listening.build(data.workspace, period, before, scope)


@pytest.mark.parametrize("index", range(len(SCOPES)))
def test_the_listening_page_counts_what_a_straight_count_counts(data: Data, index: int) -> None:
    scope = SCOPES[index]
    if scope.query == 0:
        scope = Scope(query=data.brand2.pk)
    before = comparison_period(DECEMBER, "previous")
    built = figures_of(data, DECEMBER, before, scope)
    shown = {figure.code: figure for figure in built.figures}
    for period, side in ((DECEMBER, "now"), (before, "before")):
        kept = straight(data, period, scope)
        mentions = [mention for mention, _queries in kept]
        positive = sum(1 for m in mentions if m.sentiment == "positive")
        negative = sum(1 for m in mentions if m.sentiment == "negative")
        assert getattr(shown["mention_volume"], side) == len(mentions), (scope, side)
        reach = sum(m.author_followers or 0 for m in mentions)
        assert getattr(shown["potential_reach"], side) == reach, (scope, side)
        assert getattr(shown["net_sentiment"], side) == measures.net_sentiment(positive, negative)
    kept = straight(data, DECEMBER, scope)
    # The authors: mentions per (network, handle), the empty handle left out.
    authors = Counter((m.network, m.author_handle) for m, _q in kept if m.author_handle)
    table = built.section("authors").table.rows
    assert {(row[0], row[2]) for row in table} == {
        (handle, n) for (_network, handle), n in authors.items()
    }
    profiles: dict[str, str] = {}
    for m, _q in kept:
        if m.author_handle:
            profiles[m.author_handle] = max(profiles.get(m.author_handle, ""), m.author_url)
    assert {row[0]: row[5] for row in table} == profiles
    # The labels: each label of the period's brand mentions, once per mention.
    labels = Counter(tag for m, _q in kept for tag in m.tags)
    assert {row[0]: row[1] for row in built.section("labels").table.rows} == dict(labels)
    # The trend counts matches (a mention matched by two brand queries counts twice).
    matches = sum(len(queries) for _m, queries in kept)
    assert sum(row[4] for row in built.section("trend").table.rows) == matches
    networks = Counter(m.network for m, queries in kept for _q in queries)
    assert {row[1] for row in built.section("networks").table.rows} == set(networks.values())
    # Share of voice: every brand query against every competitor's, the query filter aside.
    wide = Scope(network=scope.network, tag=scope.tag, language=scope.language)
    both = (ListeningQuery.Kind.BRAND, ListeningQuery.Kind.COMPETITOR)
    every = straight(data, DECEMBER, wide, both)
    brand = sum(1 for _m, queries in every for q in queries if q.kind == "brand")
    assert shown["share_of_voice"].now == measures.share(
        brand, sum(len(queries) for _m, queries in every)
    )


def test_the_figures_by_hand_and_their_reads(data: Data) -> None:
    """The fixture worked out on paper, and the page's reads: one aggregate per period for the
    three mention figures, however many readers ask for them."""
    built = figures_of(data, DECEMBER, None, Scope())
    shown = {figure.code: figure.now for figure in built.figures}
    # 1 Dec (both brand queries, once), 10 Dec, 12 Dec, 15 Dec, 21 Dec; not 30 Nov, 20 Dec
    # (a competitor's only) nor 1 January in Paris.
    assert shown["mention_volume"] == 5.0
    assert shown["potential_reach"] == 10 + 20 + 5 + 3
    assert shown["net_sentiment"] == measures.net_sentiment(2, 2)
    labels = {row[0]: row[1] for row in built.section("labels").table.rows}
    assert labels == {"Bug": 1, "prix": 2}
    with CaptureQueriesContext(connection) as read, kpis.reading():
        for reader in (kpis.mention_volume, kpis.potential_reach, kpis.net_sentiment):
            reader(data.workspace, DECEMBER)
    mention_reads = [q for q in read.captured_queries if '"listening_mention"' in q["sql"]]
    if rollup.usable(data.workspace):
        # The rollup answers, in one read of its rows: no mention is read.
        assert mention_reads == []
        rows = [q for q in read.captured_queries if '"listening_mentionrollup"' in q["sql"]]
        assert len(rows) == 1, rows
        return
    assert len(mention_reads) == 1, mention_reads
    # Outside a page's build every reader reads afresh: a mention added is counted.
    data.mention(at(2026, 12, 5), "positive", [data.brand], followers=1)
    assert kpis.mention_volume(data.workspace, DECEMBER) == 6.0


def test_the_rollup_is_read_only_ready_and_in_the_workspaces_zone(personas: Personas) -> None:
    """Not built (mentions stored before it existed) or built in another zone: the figures are
    the mentions' own count, never the rollup's stale rows."""
    data = _data(personas)
    assert not rollup.usable(data.workspace)
    shown = {f.code: f.now for f in figures_of(data, DECEMBER, None, Scope()).figures}
    assert shown["mention_volume"] == 5.0
    rollup.rebuild(data.workspace)
    data.workspace.time_zone = "America/New_York"
    data.workspace.save(update_fields=["time_zone"])
    assert not rollup.usable(data.workspace)
    new_york = Period(date(2026, 12, 1), date(2026, 12, 31), "America/New_York")
    # In New York 31 December 23:00 UTC is still 2026 (99 followers), 30 November 23:30 UTC is
    # still November (10 followers): 20 + 5 + 3 + 99, where Paris counts 10 + 20 + 5 + 3.
    with kpis.reading():
        assert kpis.potential_reach(data.workspace, new_york) == 127.0
    assert rollup.rebuild(data.workspace).zone == "America/New_York"
    assert rollup.usable(data.workspace)
    with kpis.reading():
        assert kpis.potential_reach(data.workspace, new_york) == 127.0
        assert kpis.mention_volume(data.workspace, new_york) == 5.0


def test_the_trend_and_share_of_voice_follow_a_change_of_time_zone(personas: Personas) -> None:
    """Built in Paris, then the workspace moves to New York: the daily trend, the networks and the
    share of voice count New York's days at once (from the matches while the rollup is rebuilt),
    and the same after the rebuild, never the days of the zone the rollup was built in."""
    from ambassade.analytics import dashboard

    data = _data(personas)
    rollup.rebuild(data.workspace)
    data.workspace.time_zone = "America/New_York"
    data.workspace.save(update_fields=["time_zone"])
    zone = ZoneInfo("America/New_York")
    new_york = Period(date(2026, 12, 1), date(2026, 12, 31), "America/New_York")

    def expected(kinds: tuple[str, ...]) -> Counter[tuple[date, str]]:
        found: Counter[tuple[date, str]] = Counter()
        for mention in Mention.objects.filter(workspace=data.workspace).prefetch_related(
            "matches__query"
        ):
            day = mention.created_at.astimezone(zone).date()
            for match in mention.matches.all():
                if new_york.start <= day <= new_york.end and match.query.kind in kinds:
                    found[(day, match.query.kind)] += 1
        return found

    brand = expected(("brand",))
    both = expected(("brand", "competitor"))
    # New York's days differ from Paris's: 1 December 00:30 in Paris is 30 November there; the
    # mention of 10 December 00:00 UTC is the 9th; 31 December 23:00 UTC is still December.
    assert (date(2026, 12, 9), "brand") in brand and (date(2026, 12, 31), "brand") in brand
    assert (date(2026, 12, 1), "brand") not in brand
    for state in ("rebuilding", "rebuilt"):
        if state == "rebuilt":
            assert rollup.rebuild(data.workspace).zone == "America/New_York"
        assert rollup.usable(data.workspace) is (state == "rebuilt")
        built = figures_of(data, new_york, None, Scope())
        trend = {row[0]: row[4] for row in built.section("trend").table.rows if row[4]}
        assert trend == {day: n for (day, _kind), n in brand.items()}, state
        rows = dashboard.sentiment_rows(data.workspace, new_york.start, new_york.end)
        per_day: Counter[date] = Counter()
        for day, _sentiment, n in rows:
            per_day[day] += n
        assert +per_day == Counter({day: n for (day, _kind), n in brand.items()}), state
        shown = {figure.code: figure.now for figure in built.figures}
        brand_total = sum(n for (_day, kind), n in both.items() if kind == "brand")
        assert shown["share_of_voice"] == measures.share(brand_total, sum(both.values())), state
        networks = {row[0]: row[1] for row in built.section("networks").table.rows}
        assert sum(networks.values()) == sum(brand.values()), state


@pytest.mark.parametrize("read", ["mentions", "rollup"])
def test_a_source_carrying_two_networks_shows_both(personas: Personas, read: str) -> None:
    """One source (an RSS feed, a webhook, the demo's) whose mentions carry two networks: the
    networks table and the network filter read each mention's own network, not the source's
    kind, from the mentions and from the rollup alike."""
    from ambassade.workspaces.networks import network_label

    data = Data(personas.workspace_a, personas.connection)
    for day, network, queries in (
        (2, "x", [data.brand]),
        (3, "x", [data.brand, data.brand2]),
        (4, "bluesky", [data.brand]),
        (5, "bluesky", [data.rival]),
    ):
        data.mention(at(2026, 12, day, 12), "positive", queries, network=network)
    assert data.source.kind == "rss"
    if read == "rollup":
        rollup.rebuild(data.workspace)
    assert rollup.usable(data.workspace) is (read == "rollup")
    built = figures_of(data, DECEMBER, None, Scope())
    networks = {row[0]: row[1] for row in built.section("networks").table.rows}
    # Matches: the mention matched by both brand queries counts twice, the rival's not at all.
    assert networks == {network_label("x"): 3, network_label("bluesky"): 1}
    # The filter's choices too, from the mentions while the rollup is not ready (it was empty).
    choices = [code for code, _label in area_listening.fields(data.workspace)["network"].choices]
    assert choices == ["", "bluesky", "x"]
    only_x = figures_of(data, DECEMBER, None, Scope(network="x"))
    assert {row[0]: row[1] for row in only_x.section("networks").table.rows} == {
        network_label("x"): 3
    }
    assert sum(row[4] for row in only_x.section("trend").table.rows) == 3
    assert {f.code: f.now for f in only_x.figures}["mention_volume"] == 2.0
