"""The rollups of distinct mentions (``listening.rollup``: the figures' and the authors') against
a count of the mentions one by one, after every write path: ingest, a sentiment corrected, labels
and marks, a query applied to stored mentions (matches added and removed), a query's kind changed,
a query deleted, an RGPD erasure, a deletion upstream, a source deleted, the workspace's time zone changed (across the
October DST change in Paris); and its rebuild: with mentions arriving and corrected while it runs,
killed and resumed, failed, from the command line and the worker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ambassade.listening import backfill, pipeline, privacy, rollup, services, tasks
from ambassade.listening.models import (
    AuthorRollup,
    ListeningQuery,
    Mention,
    MentionRollup,
    MentionRollupState,
    Source,
)
from tests.listening.conftest import item

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# Around the end of summer time in Paris (25 October 2026, 03:00 CEST → 02:00 CET) and midnights.
ITEMS = [
    ("1", "lumiere parfait", utc(2026, 10, 24, 21, 59), "mastodon", 10),  # 23:59 on the 24th
    ("2", "lumiere terrible", utc(2026, 10, 24, 22, 0), "mastodon", 20),  # 00:00 on the 25th
    ("3", "lumiere est lent", utc(2026, 10, 25, 0, 30), "x", None),  # 02:30 CEST
    ("4", "lumiere love", utc(2026, 10, 25, 1, 30), "x", 5),  # 02:30 CET, the hour again
    ("5", "grain noir great", utc(2026, 10, 25, 22, 59), "mastodon", 7),  # 23:59 on the 25th
    ("6", "lumiere et grain noir", utc(2026, 10, 25, 23, 0), "mastodon", 3),  # 00:00 on the 26th
    ("7", "nothing here", utc(2026, 10, 26, 9, 0), "mastodon", 1000),
    ("8", "lumiere parfait chez grain noir", utc(2026, 10, 31, 23, 0), "x", 40),  # 1 November
    # The author of 2 again the same day, with more followers, then less: the largest is taken back.
    ("10", "lumiere terrible again", utc(2026, 10, 25, 8, 0), "mastodon", 900),
]
HANDLES = {"10": "h2"}
PERIODS = [
    (date(2026, 10, 25), date(2026, 10, 25)),
    (date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 10, 24), date(2026, 11, 1)),
    (date(2026, 12, 1), date(2026, 12, 31)),  # nothing in it
]


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    workspace = personas.workspace_a
    workspace.time_zone = "Europe/Paris"
    workspace.save(update_fields=["time_zone"])
    source = Source.objects.create(workspace=workspace, name="s", kind="mastodon")
    queries = {
        "brand": ListeningQuery.objects.create(workspace=workspace, name="b", text="lumiere"),
        "brand2": ListeningQuery.objects.create(workspace=workspace, name="b2", text="parfait"),
        "rival": ListeningQuery.objects.create(
            workspace=workspace, name="r", text='"grain noir"', kind="competitor"
        ),
    }
    return {"workspace": workspace, "source": source, "queries": queries, "actor": personas.alice}


def _ingest(world: dict[str, Any], rows: list[tuple[Any, ...]]) -> None:
    pipeline.forget_caches()
    services.ingest(
        world["source"],
        [
            item(
                pk,
                text,
                at=at,
                source=network,
                handle=HANDLES.get(pk, f"h{pk}"),
                followers=followers,
            )
            for pk, text, at, network, followers in rows
        ],
    )


def _mentions(workspace: Any) -> list[tuple[Mention, set[int], date]]:
    zone = ZoneInfo(workspace.time_zone)
    return [
        (m, {match.query_id for match in m.matches.all()}, m.created_at.astimezone(zone).date())
        for m in Mention.objects.filter(workspace=workspace).prefetch_related("matches")
    ]


def _straight(
    mentions: list[tuple[Mention, set[int], date]],
    first: date,
    last: date,
    ids: set[int],
    network: str,
    lang: str,
) -> rollup.Counts:
    n = reach = positive = negative = 0
    for mention, matched, day in mentions:
        if not ids & matched or not first <= day <= last:
            continue
        if (network and mention.network != network) or (lang and mention.lang != lang):
            continue
        n += 1
        reach += mention.author_followers or 0
        positive += mention.sentiment == "positive"
        negative += mention.sentiment == "negative"
    return rollup.Counts(n, reach, positive, negative)


def _authors(
    mentions: list[tuple[Mention, set[int], date]],
    first: date,
    last: date,
    ids: set[int],
    network: str,
    lang: str,
) -> set[rollup.Author]:
    by: dict[tuple[str, str], list[Mention]] = {}
    for mention, matched, day in mentions:
        if not ids & matched or not first <= day <= last or not mention.author_handle:
            continue
        if (network and mention.network != network) or (lang and mention.lang != lang):
            continue
        by.setdefault((mention.network, mention.author_handle), []).append(mention)
    return {
        rollup.Author(
            network,
            handle,
            len(found),
            max(
                (m.author_followers for m in found if m.author_followers is not None), default=None
            ),
            sum(m.sentiment == "positive" for m in found),
            sum(m.sentiment == "negative" for m in found),
        )
        for (network, handle), found in by.items()
    }


def check(world: dict[str, Any]) -> None:
    """Every period, the brand's queries and each query alone, with and without each filter."""
    workspace = world["workspace"]
    workspace.refresh_from_db()
    assert rollup.usable(workspace)
    queries = ListeningQuery.objects.filter(workspace=workspace)
    brand = {q.pk for q in queries if q.kind == "brand"}
    sets = [brand, *({q.pk} for q in queries)]
    mentions = _mentions(workspace)
    for first, last in PERIODS:
        for ids in sets:
            for network, lang in (("", ""), ("x", ""), ("", "fr"), ("mastodon", "en")):
                expected = _straight(mentions, first, last, ids, network, lang)
                found = rollup.counts(workspace, first, last, ids, network=network, language=lang)
                assert found == expected, (first, last, ids, network, lang)
                authors = rollup.top_authors(
                    workspace, first, last, ids, network=network, language=lang, limit=100
                )
                assert set(authors) == _authors(mentions, first, last, ids, network, lang)
    assert not MentionRollup.objects.filter(workspace=workspace, count__lte=0).exists()
    assert not AuthorRollup.objects.filter(workspace=workspace, count__lte=0).exists()
    # The top authors read the sets of queries found by a loose index scan: each set once.
    stored = rollup.author_query_sets(workspace.pk)
    assert sorted(stored) == sorted(
        set(AuthorRollup.objects.filter(workspace=workspace).values_list("queries", flat=True))
    )


def test_every_write_path_keeps_the_rollup_exact(world: dict[str, Any]) -> None:
    workspace, queries = world["workspace"], world["queries"]
    assert rollup.rebuild(workspace).state == "ready"  # nothing yet: ready at once
    _ingest(world, ITEMS[:6])
    check(world)
    # Two brand queries on one mention count it once; its followers once.
    assert (
        rollup.counts(
            workspace, date(2026, 10, 24), date(2026, 10, 24), {q.pk for q in queries.values()}
        ).count
        == 1
    )
    _ingest(world, ITEMS[6:])
    check(world)
    # On SQLite a period holding most of the authors' days reads them in author order (check()
    # compares both ways: October holds 8 of the 9 days, the 25th one).
    if connection.vendor == "sqlite":
        brand = [queries["brand"].pk]
        for first, hinted in ((date(2026, 10, 1), True), (date(2026, 10, 31), False)):
            with CaptureQueriesContext(connection) as read:
                rollup.top_authors(workspace, first, date(2026, 10, 31), brand)
            assert any("INDEXED BY" in q["sql"] for q in read.captured_queries) == hinted
    # A sentiment corrected.
    mention = Mention.objects.get(external_id="3")
    services.correct_sentiment(mention, world["actor"], "positive")
    check(world)
    # Labels, spam and relevance are not counted by the rollups (a label filter reads the
    # mentions): nothing moves.
    services.set_tags(mention, world["actor"], ["prix"])
    services.mark_spam(mention, world["actor"])
    services.mark_irrelevant(mention, world["actor"])
    check(world)
    # A query's text changed and applied to the stored mentions: matches added and removed.
    services.update_query(queries["brand2"], world["actor"], text="terrible OR love")
    queries["brand2"].refresh_from_db()
    started = backfill.start_backfill(queries["brand2"], None, enqueue=False)
    assert backfill.run_backfill(started.pk, batch=3) is not None
    check(world)
    # A query's kind changed, then a query deleted: read through the sets, nothing rewritten.
    ListeningQuery.objects.filter(pk=queries["brand2"].pk).update(kind="topic")
    check(world)
    services.delete_query(queries["brand"], world["actor"])
    check(world)
    # An erasure keeps what is counted; a deletion upstream too.
    privacy.erase_mentions(
        workspace, [Mention.objects.get(external_id=pk).pk for pk in ("8", "10")]
    )
    pipeline.apply_changes(world["source"], [item("6", "", at=ITEMS[5][2], deleted=True)])
    check(world)
    # A source deleted takes its mentions and their rows.
    other = Source.objects.create(workspace=workspace, name="o", kind="x")
    services.ingest(other, [item("9", "lumiere", at=utc(2026, 10, 25, 12), source="x")])
    check(world)
    other.delete()
    check(world)


def test_a_time_zone_change_is_rebuilt_across_dst(world: dict[str, Any]) -> None:
    workspace = world["workspace"]
    rollup.rebuild(workspace)
    _ingest(world, ITEMS)
    workspace.time_zone = "Asia/Tokyo"
    workspace.save(update_fields=["time_zone"])
    assert not rollup.usable(workspace)
    assert workspace.pk in rollup.resumable()
    # A change while it waits is left for the rebuild (the rows are of the old zone).
    services.correct_sentiment(Mention.objects.get(external_id="1"), world["actor"], "negative")
    tasks.keep_rollups.call_local()
    state = MentionRollupState.objects.get(workspace=workspace)
    assert (state.state, state.zone, state.done) == ("ready", "Asia/Tokyo", 9)
    check(world)


def test_a_rebuild_counts_what_arrives_and_changes_while_it_runs(world: dict[str, Any]) -> None:
    workspace = world["workspace"]
    _ingest(world, ITEMS[:6])  # before the rollup: a state "to rebuild", rows not counted
    assert MentionRollupState.objects.get(workspace=workspace).state == "stale"
    assert not rollup.usable(workspace)
    state = rollup.start(workspace)
    assert (state.state, state.total) == ("running", 6)
    with pytest.MonkeyPatch.context():
        from django.db import transaction

        with transaction.atomic():
            rollup._step(workspace.pk, 2, state.started_at)  # mentions 1 and 2 counted
    reached = Mention.objects.get(external_id="1")
    waiting = Mention.objects.get(external_id="5")
    services.correct_sentiment(reached, world["actor"], "negative")
    services.correct_sentiment(waiting, world["actor"], "negative")
    _ingest(world, ITEMS[6:])  # stored after the start: counted as they arrive
    assert rollup.rebuild(workspace).state == "ready"
    check(world)


def test_a_killed_rebuild_resumes_and_a_failed_one_says_why(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = world["workspace"]
    _ingest(world, ITEMS)

    class Killed(BaseException):
        pass

    def kill(state: MentionRollupState) -> None:
        if state.done >= 3:
            raise Killed

    with pytest.raises(Killed):
        rollup.rebuild(workspace, batch=3, progress=kill)
    state = MentionRollupState.objects.get(workspace=workspace)
    assert (state.state, state.done, state.total) == ("running", 3, 9)
    assert not rollup.usable(workspace)
    assert workspace.pk not in rollup.resumable(state.heartbeat_at + timedelta(minutes=1))
    assert workspace.pk in rollup.resumable(state.heartbeat_at + timedelta(minutes=3))
    seen: list[int] = []
    state = rollup.rebuild(workspace, batch=3, progress=lambda s: seen.append(s.done))
    assert seen == [3, 6, 9, 9] and state.state == "ready"  # resumed at 3, not started again
    check(world)

    def broken(*args: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rollup, "_count", broken)
    with pytest.raises(RuntimeError):
        rollup.rebuild(workspace, restart=True)
    state = MentionRollupState.objects.get(workspace=workspace)
    assert (state.state, state.error) == ("failed", "disk full")
    assert not rollup.usable(workspace)
    assert workspace.pk not in rollup.resumable()  # waits for the command


def test_the_command_shows_progress_and_resumes(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = world["workspace"]
    _ingest(world, ITEMS)
    call_command("rollups", "--workspace", workspace.slug, "--batch", "5")
    out = capsys.readouterr()
    assert "5/9 (55%)" in out.err and "9/9 (100%)" in out.err
    assert f"{workspace.slug}: Ready, 9 mentions counted (Europe/Paris)." in out.out
    check(world)
    call_command("rollups")  # ready: left as is
    assert "9 mentions counted" in capsys.readouterr().out
    with pytest.raises(Exception, match="No workspace"):
        call_command("rollups", "--workspace", "nowhere")


def test_it_reads_the_top_authors_of_the_sets_that_meet_the_queries(personas: Any) -> None:
    """The top authors read the sets of queries that meet those counted, found by a loose index
    scan of the workspace's sets (each once, another workspace's not): a set holding query 11 is
    not one holding query 1, a set of several queries counts for each."""
    a, b = personas.workspace_a, personas.workspace_b
    day = date(2026, 10, 25)

    def row(workspace: Any, queries: str, handle: str, count: int) -> AuthorRollup:
        source, _new = Source.objects.get_or_create(workspace=workspace, name="s", kind="mastodon")
        return AuthorRollup(
            workspace=workspace, day=day, source=source, network="mastodon", lang="fr",
            queries=queries, author_handle=handle, count=count, positive=0, negative=0,
            followers=count,
        )  # fmt: skip

    AuthorRollup.objects.bulk_create(
        [
            row(a, ",1,", "one", 3),
            row(a, ",1,2,", "both", 2),
            row(a, ",2,", "two", 5),
            row(a, ",11,", "eleven", 9),
            row(a, ",1,", "both", 1),
            row(b, ",1,", "elsewhere", 50),
        ]
    )
    assert sorted(rollup.author_query_sets(a.pk)) == [",1,", ",1,2,", ",11,", ",2,"]
    assert rollup.author_query_sets(personas.workspace_b.pk) == [",1,"]

    def top(ids: set[int]) -> list[tuple[str, int]]:
        return [(x.handle, x.count) for x in rollup.top_authors(a, day, day, ids)]

    assert top({1}) == [("one", 3), ("both", 3)]  # then by their largest follower count
    assert top({2}) == [("two", 5), ("both", 2)]
    assert top({1, 2}) == [("two", 5), ("one", 3), ("both", 3)]
    assert top({11}) == [("eleven", 9)]
    assert top({7}) == []
    assert rollup.top_authors(a, day + timedelta(days=1), day + timedelta(days=9), {1}) == []
