"""Scores stored after each ingest batch (community/rescoring.py): the members a batch touched are
marked and scored by one task a little later, one task for a burst, nobody else; a lost task is
replaced; a batch marked during a scoring keeps its mark."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from ambassade.community import rescoring, scores, tasks
from ambassade.community.models import Identity, Member
from tests.listening.conftest import days_ago, item


@pytest.fixture
def queue() -> Iterator[Any]:
    """Huey in memory, as a worker would see it; scheduled tasks run by ``run_due``."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # its own storage in memory: no flag left by another test
    try:
        yield HUEY
    finally:
        HUEY.immediate = False


def scheduled(huey: Any) -> list[Any]:
    return [task for task in huey.scheduled() if task.name == "community.score_due"]


def run_due(huey: Any) -> list[Any]:
    """Run the scheduled tasks as the consumer does once their delay has passed."""
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1)
    found = huey.read_schedule(later)
    for task in found:
        huey.execute(task, later)
    return found


def stored(member: Member) -> tuple[Any, ...]:
    member.refresh_from_db()
    return (
        member.love,
        member.level,
        member.sentiment,
        member.influence,
        member.ambassador,
        member.detractor,
        member.rising,
        member.dormant,
    )


def fresh(member: Member, now: dt.datetime) -> tuple[Any, ...]:
    """What a full recompute from the member's timeline gives."""
    one = scores.member_scores(member, now)
    return (
        one.love,
        one.level,
        one.sentiment,
        one.influence,
        *(name in one.classes for name in ("ambassador", "detractor", "rising", "dormant")),
    )


def member_of(handle: str) -> Member:
    return Identity.objects.get(handle=handle).member


def test_it_stores_the_scores_of_the_members_a_batch_touched_without_the_periodic_task(
    personas: Any, source: Any, ingest: Any, queue: Any
) -> None:
    ingest(source, [item("1", "Hello", handle="quiet", at=days_ago(40))])
    run_due(queue)
    quiet = member_of("quiet")
    before = stored(quiet)
    quiet_scored_at = quiet.scored_at
    assert quiet_scored_at is not None and quiet.score_due is None

    ingest(
        source,
        [
            item("2", "I love it", handle="ana", followers=5000, at=days_ago(2)),
            item("3", "Great coffee", handle="ana", at=days_ago(1)),
            item("4", "Slow service", handle="bruno", at=days_ago(1)),
        ],
    )
    ana, bruno = member_of("ana"), member_of("bruno")
    assert ana.score_due is not None and bruno.score_due is not None
    assert ana.scored_at is None  # not yet: a little after the batch
    assert [task.args for task in scheduled(queue)] == [(personas.workspace_a.pk,)]

    run_due(queue)
    now = timezone.now()
    for member in (ana, bruno):
        assert stored(member) == fresh(member, now)
        assert member.score_due is None and member.scored_at is not None
    assert stored(ana)[0] == 2.0  # two mentions
    # Untouched: not scored again.
    assert stored(quiet) == before
    assert quiet.scored_at == quiet_scored_at


def test_a_burst_of_batches_makes_one_task(source: Any, ingest: Any, queue: Any) -> None:
    for number in range(3):
        ingest(source, [item(str(number), "Hi", handle=f"p{number}", at=days_ago(1))])
    assert len(scheduled(queue)) == 1
    run_due(queue)
    assert not Member.objects.filter(score_due__isnull=False).exists()
    assert Member.objects.filter(scored_at__isnull=False).count() == 3
    # The task done, the next batch schedules the next one.
    ingest(source, [item("9", "Again", handle="p0", at=days_ago(0))])
    assert len(scheduled(queue)) == 1
    assert list(Member.objects.filter(score_due__isnull=False).values_list("id", flat=True)) == [
        member_of("p0").pk
    ]


def test_incremental_scoring_equals_a_full_recompute(
    personas: Any, source: Any, ingest: Any, queue: Any
) -> None:
    for number in range(4):
        ingest(
            source,
            [
                item(f"{number}-{who}", "Nice", handle=who, at=days_ago(number * 30 + 1))
                for who in ("ana", "bruno", "chloe")[: number + 1]
            ],
        )
        run_due(queue)
    incremental = {m.pk: stored(m) for m in Member.objects.all()}
    scores.store_scores(personas.workspace_a)  # everyone afresh
    assert {m.pk: stored(m) for m in Member.objects.all()} == incremental
    now = timezone.now()
    assert all(stored(m) == fresh(m, now) for m in Member.objects.all())


def test_a_lost_task_is_replaced_and_left_to_the_periodic_task(
    personas: Any, source: Any, ingest: Any, queue: Any
) -> None:
    workspace_id = personas.workspace_a.pk
    # A flag of a task that never ran (its worker was killed): still fresh, nothing is scheduled…
    queue.put(rescoring.flag_key(workspace_id), time.time())
    ingest(source, [item("1", "Hi", handle="ana", at=days_ago(1))])
    assert scheduled(queue) == []
    ana = member_of("ana")
    # …and the 15-minute task stores the marked members.
    assert ana.pk in set(scores.stale_members(workspace_id))
    tasks.score_active.call_local()
    ana.refresh_from_db()
    assert ana.score_due is None and ana.scored_at is not None
    # Once the flag is old, the next batch replaces it.
    queue.delete(rescoring.flag_key(workspace_id))
    queue.put(rescoring.flag_key(workspace_id), time.time() - rescoring.FLAG_EXPIRES - 1)
    ingest(source, [item("2", "Hi", handle="bruno", at=days_ago(1))])
    assert len(scheduled(queue)) == 1


def test_a_member_marked_again_while_scored_keeps_the_mark(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = personas.workspace_a
    ana = Member.objects.create(workspace=workspace, display_name="ana")
    first = timezone.now() - dt.timedelta(minutes=1)
    rescoring.mark_due([ana.pk], first)
    later = timezone.now()
    rows = scores._rows

    def batch_meanwhile(*args: Any, **kwargs: Any) -> Any:
        rescoring.mark_due([ana.pk], later)  # a batch commits while the timeline is read
        return rows(*args, **kwargs)

    monkeypatch.setattr(scores, "_rows", batch_meanwhile)
    assert scores.store_scores(workspace, [ana.pk]) == 1
    ana.refresh_from_db()
    assert ana.score_due == later and ana.scored_at is not None
    monkeypatch.setattr(scores, "_rows", rows)
    scores.store_scores(workspace, [ana.pk])
    ana.refresh_from_db()
    assert ana.score_due is None
