"""A query applied to the mentions already stored (issue #10, item 17): what the preview counted is what
the query then holds, in its matches and its rollups; in batches, idempotent, resumed after a killed
worker, superseded when the query changes, with its progress on the page and the command line."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from ambassade.listening import backfill, rollup, services
from ambassade.listening.models import (
    ListeningQuery,
    Mention,
    MentionMatch,
    MentionRollup,
    QueryBackfill,
)
from tests.listening.conftest import NOW, days_ago, item

pytestmark = pytest.mark.django_db

TEXTS = [
    "Lumiere service terrible",
    "I love lumiere",
    "Nothing to see here",
    "lumière est parfait",
    "Grain Noir is great",
    "#lumiere twice charged, terrible",
    "another day",
    "lumiere lent et nul",
]


@pytest.fixture
def history(personas: Any, source: Any, clock_at_now: None) -> list[Mention]:
    """Mentions stored before any query exists, over three weeks, from two networks."""
    services.ingest(
        source,
        [
            item(str(i), text, at=days_ago(i * 2.7), source="x" if i % 2 else "mastodon")
            for i, text in enumerate(TEXTS * 3)
        ],
    )
    return list(Mention.objects.filter(workspace=personas.workspace_a))


def _query(personas: Any, text: str = "lumiere") -> ListeningQuery:
    rollup.rebuild(personas.workspace_a)  # ready: the backfills move it
    return services.create_query(personas.workspace_a, personas.alice, name="Brand", text=text)


def _run(query: ListeningQuery, actor: Any = None, **options: Any) -> QueryBackfill:
    started = backfill.start_backfill(query, actor, enqueue=False)
    result = backfill.run_backfill(started.pk, **options)
    assert result is not None
    return result


def _rollups(query: ListeningQuery) -> Counter[tuple[Any, ...]]:
    """The query's matches in the rollup of distinct mentions (the rows whose set holds it)."""
    found: Counter[tuple[Any, ...]] = Counter()
    for r in MentionRollup.objects.filter(queries__contains=f",{query.pk},"):
        found[(r.day, r.source_id, r.sentiment, r.lang)] += r.count
    return +found


def _total(query: ListeningQuery) -> int:
    return sum(_rollups(query).values())


def _expected_rollups(query: ListeningQuery) -> Counter[tuple[Any, ...]]:
    """The rollups the pipeline would have made had the query existed when the mentions came."""
    zone = ZoneInfo(query.workspace.time_zone)
    return Counter(
        (m.created_at.astimezone(zone).date(), m.source_id, m.sentiment, m.lang)
        for m in Mention.objects.filter(matches__query=query)
    )


def test_a_new_query_holds_what_its_preview_counted(personas: Any, history: Any) -> None:
    query = _query(personas)
    preview = services.preview_query(personas.workspace_a, query.text, days=365)
    assert preview.total == 15
    assert MentionMatch.objects.filter(query=query).count() == 0  # new mentions only, until…

    done = _run(query, batch=5)
    assert (done.state, done.done, done.total, done.added, done.removed) == (
        "done",
        len(history),
        len(history),
        15,
        0,
    )
    assert MentionMatch.objects.filter(query=query).count() == preview.total
    assert _total(query) == 15
    assert _rollups(query) == _expected_rollups(query)
    # The 30 days the preview speaks of agree too, and so does the stream filtered by the query.
    recent = services.preview_query(personas.workspace_a, query.text)
    since = NOW - timedelta(days=30)
    assert recent.total == query.matches.filter(created_at__gte=since).count() < 15
    assert {m.pk for m in preview.latest} <= set(query.matches.values_list("mention_id", flat=True))


def test_running_it_again_changes_nothing(personas: Any, history: Any) -> None:
    query = _query(personas)
    _run(query, batch=7)
    matches = set(MentionMatch.objects.filter(query=query).values_list("mention_id", flat=True))
    rollups = _rollups(query)
    again = _run(query, batch=3)
    assert (again.added, again.removed) == (0, 0)
    assert set(query.matches.values_list("mention_id", flat=True)) == matches
    assert _rollups(query) == rollups


def test_it_leaves_alone_what_ingest_matched(personas: Any, source: Any, history: Any) -> None:
    query = _query(personas)
    services.ingest(source, [item("new", "lumiere again", at=days_ago(0.01))])
    assert query.matches.count() == 1
    done = _run(query)
    assert done.added == 15
    assert query.matches.count() == 16
    assert _rollups(query) == _expected_rollups(query)


def test_a_changed_query_drops_what_it_no_longer_matches(personas: Any, history: Any) -> None:
    query = _query(personas)
    _run(query)
    services.update_query(query, personas.alice, text="lumiere AND terrible")
    done = _run(query)
    preview = services.preview_query(personas.workspace_a, query.text, days=365)
    assert (done.added, done.removed, preview.total) == (0, 9, 6)
    assert query.matches.count() == 6
    assert _total(query) == 6
    assert _rollups(query) == _expected_rollups(query)


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs (not even except Exception)."""


def test_a_killed_worker_is_resumed_where_it_stopped(
    personas: Any, history: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = _query(personas)
    started = backfill.start_backfill(query, None, enqueue=False)
    apply = backfill._apply
    calls = []

    def dies_in_the_third_batch(*args: Any) -> None:
        calls.append(1)
        apply(*args)
        if len(calls) == 3:
            raise Killed  # after the matches were written, before the batch commits

    monkeypatch.setattr(backfill, "_apply", dies_in_the_third_batch)
    with pytest.raises(Killed):
        backfill.run_backfill(started.pk, batch=4)
    monkeypatch.setattr(backfill, "_apply", apply)
    stopped = QueryBackfill.objects.get(pk=started.pk)
    assert (stopped.state, stopped.done) == ("running", 8)  # two batches committed, the third not
    # Another worker does not take it while its heartbeat is fresh, the minute task does later.
    assert backfill.run_backfill(started.pk) is None
    assert backfill.resumable() == []
    later = stopped.heartbeat_at + backfill.STALE_AFTER + timedelta(seconds=1)
    assert backfill.resumable(later) == [started.pk]

    done = backfill.run_backfill(started.pk, batch=4, now=lambda: later)
    assert done is not None
    assert (done.state, done.done, done.added) == ("done", len(history), 15)
    assert query.matches.count() == 15
    assert _rollups(query) == _expected_rollups(query)


def test_the_minute_task_enqueues_lost_and_stale_backfills(
    personas: Any, history: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from ambassade.listening import tasks

    query = _query(personas)
    lost = backfill.start_backfill(
        query, None, enqueue=False, now=timezone.now() - timedelta(hours=1)
    )
    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "backfill_query", enqueued.append)
    assert tasks.resume_backfills.call_local() == 1
    assert enqueued == [lost.pk]
    monkeypatch.undo()  # the real task runs it
    assert tasks.backfill_query.call_local(lost.pk) == 15
    assert tasks.resume_backfills.call_local() == 0


def test_a_new_backfill_supersedes_the_running_one(personas: Any, history: Any) -> None:
    query = _query(personas)
    first = backfill.start_backfill(query, None, enqueue=False)
    second = backfill.start_backfill(query, None, enqueue=False)
    assert QueryBackfill.objects.get(pk=first.pk).state == "superseded"
    assert backfill.run_backfill(first.pk) is None
    assert backfill.run_backfill(second.pk).added == 15  # type: ignore[union-attr]


def test_a_query_that_no_longer_parses_fails_the_backfill_with_its_message(
    personas: Any, history: Any
) -> None:
    query = _query(personas)
    started = backfill.start_backfill(query, None, enqueue=False)
    QueryBackfill.objects.filter(pk=started.pk).update(text="lumiere AND (")
    failed = backfill.run_backfill(started.pk)
    assert failed is not None and failed.state == "failed" and failed.error
    assert query.matches.count() == 0


# --- pages ------------------------------------------------------------------------------------------


def test_saving_a_query_offers_and_starts_the_backfill(
    personas: Any,
    client: Any,
    history: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from ambassade.listening import tasks

    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "backfill_query", enqueued.append)
    slug = personas.workspace_a.slug
    client.force_login(personas.bob)
    form = client.get(reverse("listening:query_create", args=[slug])).content.decode()
    assert 'name="backfill"' in form and "checked" in form.split('name="backfill"')[1][:80]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("listening:query_create", args=[slug]),
            {
                "name": "Brand",
                "text": "lumiere",
                "kind": "brand",
                "enabled": "on",
                "backfill": "on",
            },
        )
    assert response.status_code == 302
    query = ListeningQuery.objects.get(name="Brand")
    started = QueryBackfill.objects.get(query=query)
    assert enqueued == [started.pk]

    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "Waiting for the worker" in page and "every 2s" in page
    backfill.run_backfill(started.pk, batch=10)
    fragment = client.get(
        reverse("listening:query_backfill_progress", args=[slug, query.pk])
    ).content.decode()
    assert "every 2s" not in fragment
    assert "Applied to the 24 stored mentions: 15 matched." in fragment


def test_a_query_saved_without_it_says_it_covers_new_mentions_only(
    personas: Any, client: Any, history: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.listening import tasks

    monkeypatch.setattr(tasks, "backfill_query", lambda backfill_id: None)
    slug = personas.workspace_a.slug
    client.force_login(personas.bob)
    client.post(
        reverse("listening:query_create", args=[slug]),
        {"name": "Brand", "text": "lumiere", "kind": "brand", "enabled": "on"},
    )
    query = ListeningQuery.objects.get(name="Brand")
    assert not QueryBackfill.objects.exists()
    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "New mentions only" in page
    response = client.post(reverse("listening:query_backfill", args=[slug, query.pk]))
    assert response.status_code == 302
    assert QueryBackfill.objects.get(query=query).state == "queued"
    # Only those who manage listening may start one; everyone who views it sees its progress.
    analyst = personas.bob_membership
    analyst.role = "analyst"
    analyst.save()
    assert (
        client.post(reverse("listening:query_backfill", args=[slug, query.pk])).status_code == 403
    )
    assert (
        client.get(reverse("listening:query_backfill_progress", args=[slug, query.pk])).status_code
        == 200
    )


def test_a_changed_text_is_applied_again(
    personas: Any, client: Any, history: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambassade.listening import tasks

    monkeypatch.setattr(tasks, "backfill_query", lambda backfill_id: None)
    query = _query(personas)
    _run(query)
    slug = personas.workspace_a.slug
    client.force_login(personas.alice)
    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "Applied to the 24 stored mentions" in page
    services.update_query(query, personas.alice, text="lumiere AND terrible")
    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "Changed or paused since it was applied to stored mentions" in page


# --- command line -----------------------------------------------------------------------------------


def test_the_command_applies_queries_with_progress(
    personas: Any, history: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    query = _query(personas)
    out = io.StringIO()
    call_command(
        "backfill",
        "--workspace",
        personas.workspace_a.slug,
        "--query",
        "Brand",
        "--batch",
        "10",
        stdout=out,
    )
    assert "Brand: 15 matches added, 0 removed, 24 mentions read." in out.getvalue()
    assert "24/24 (100%)" in capsys.readouterr().err
    assert query.matches.count() == 15
    with pytest.raises(Exception, match="No query named 'Nope'"):
        call_command("backfill", "--workspace", personas.workspace_a.slug, "--query", "Nope")


def test_a_deleted_query_ends_its_backfill_quietly(personas: Any, history: Any) -> None:
    query = _query(personas)
    started = backfill.start_backfill(query, None, enqueue=False)
    services.delete_query(query, personas.alice)
    assert backfill.run_backfill(started.pk) is None
    assert not QueryBackfill.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_backfill_run_it_once(personas: Any, source: Any) -> None:
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory SQLite test database serves one thread: the PostgreSQL run has it"
        )
    services.ingest(source, [item(str(i), f"lumiere {i}", at=days_ago(i / 10)) for i in range(40)])
    query = _query(personas)
    started = backfill.start_backfill(query, None, enqueue=False)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait()
            results.append(backfill.run_backfill(started.pk, batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r is None for r in results) == [False, True]
    assert query.matches.count() == 40
    assert _total(query) == 40


def test_a_query_older_than_every_mention_holds_them_all(
    personas: Any, client: Any, source: Any, clock_at_now: None
) -> None:
    query = _query(personas)
    services.ingest(source, [item("1", "lumiere")])
    slug = personas.workspace_a.slug
    client.force_login(personas.alice)
    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "Every stored mention" in page and "Apply to stored mentions" not in page
    # Paused then resumed, it missed what came meanwhile: offered again.
    services.update_query(query, personas.alice, enabled=False)
    services.update_query(query, personas.alice, enabled=True)
    services.ingest(source, [item("2", "lumiere again")])
    page = client.get(reverse("listening:queries", args=[slug])).content.decode()
    assert "New mentions only" in page and "Apply to stored mentions" in page
