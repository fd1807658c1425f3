"""`ambassade bench community`'s per-batch part: what storing the scores after each ingest batch
costs (``community/rescoring.py``), on the product's own tables, SQLite and PostgreSQL.

In a child process with its own data directory (SQLite, or PostgreSQL with
``AMBASSADE_TEST_DATABASE_URL``): ``members`` members (2,000), each with a year of timeline (a
mention each, as many as a heavy-tailed law gives them: most a few, some hundreds), their scores
stored once. Then ``batches`` ingest batches of ``mentions`` (200) new mentions by ``touched``
(150) members, the more active more likely, each:

- recorded by the ingest's receiver, ``services.record_authors`` (appearances, timeline rows,
  identities' and members' figures, the members' marks and the task's scheduling): timed;
- then scored by the ``community.score_due`` task as a worker runs it (the marked members read
  with their year of timeline, ``Scorer.update``, stored with their history): timed.

The mentions themselves are written before, untimed (the listening pipeline's part, measured by
``ambassade bench ingest``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from typing import Any

from ambassade.benchmarks._child import bench_workspace, fresh_database, run_in_child

__all__ = ["measure_in_child"]


def measure_in_child(
    members: int, batches: int, mentions: int, touched: int, database_url: str
) -> dict[str, Any]:
    return run_in_child(
        "ambassade.benchmarks._community_batches",
        members,
        batches,
        mentions,
        touched,
        prefix="ambassade-bench-batches-",
        database_url=database_url,
    )


def _measure(members: int, batches: int, per_batch: int, touched: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from ambassade.community import scores, services, tasks
    from ambassade.community.models import Activity, Appearance, Identity, Member
    from ambassade.listening.models import Mention, Source

    fresh_database()
    _user, workspace = bench_workspace()
    source = Source.objects.create(workspace=workspace, name="Bench", kind="mastodon")
    rng = random.Random(14)
    now = timezone.now()
    sentiments = ("positive", "neutral", "negative", "neutral")
    serial = iter(range(10**9))

    def mention(handle: str, at: dt.datetime) -> Mention:
        return Mention(
            workspace=workspace,
            source=source,
            network="mastodon",
            external_id=f"bench-{next(serial)}",
            text="bench",
            author_handle=handle,
            author_name=handle,
            author_followers=rng.randrange(10, 5000),
            sentiment=rng.choice(sentiments),
            created_at=at,
            ingested_at=at,
        )

    # The community and its year: members, identities, a mention, appearance and activity each.
    handles = [f"m{n}" for n in range(members)]
    sizes = [min(600, int(rng.paretovariate(1.2) * 6)) for _ in handles]
    made = Member.objects.bulk_create(
        [Member(workspace=workspace, display_name=h) for h in handles], batch_size=2000
    )
    identities = Identity.objects.bulk_create(
        [
            Identity(workspace=workspace, member=m, network="mastodon", handle=h)
            for m, h in zip(made, handles, strict=True)
        ],
        batch_size=2000,
    )
    year = [
        (
            identity,
            mention(identity.handle, now - dt.timedelta(seconds=rng.randrange(365 * 86_400))),
        )
        for identity, size in zip(identities, sizes, strict=True)
        for _ in range(size)
    ]
    Mention.objects.bulk_create([m for _i, m in year], batch_size=2000)
    Appearance.objects.bulk_create(
        [
            Appearance(workspace=workspace, identity=i, mention=m, created_at=m.created_at)
            for i, m in year
        ],
        batch_size=2000,
    )
    Activity.objects.bulk_create(
        [
            Activity(
                workspace=workspace,
                identity=i,
                kind="mention",
                occurred_at=m.created_at,
                source="listening.mention",
                source_id=m.pk,
                weight=1.0,
                mention=m,
            )
            for i, m in year
        ],
        batch_size=2000,
    )
    services.recount_identities(list(Identity.objects.filter(workspace=workspace)))
    scores.store_scores(workspace)
    print(f"batches: {len(year):,} mentions in the year, scores stored", file=sys.stderr)

    weights = [size + 1 for size in sizes]
    found: dict[str, Any] = {
        "members": members,
        "year_mentions": len(year),
        "batches": [],
        "vendor": connection.vendor,
    }
    for number in range(batches):
        who: set[str] = set()
        while len(who) < touched:
            who.update(rng.choices(handles, weights=weights, k=touched - len(who)))
        authors = sorted(who)
        authors += rng.choices(authors, k=per_batch - len(authors))
        at = timezone.now()
        batch = Mention.objects.bulk_create(
            [mention(h, at - dt.timedelta(seconds=rng.randrange(3600))) for h in authors]
        )
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        services.record_authors(workspace, batch)
        record = (time.perf_counter() - wall, time.process_time() - cpu)
        ids = list(Member.objects.filter(score_due__isnull=False).values_list("id", flat=True))
        read = Activity.objects.filter(
            identity__member_id__in=ids, occurred_at__gte=timezone.now() - dt.timedelta(days=366)
        ).count()
        wall, cpu = time.perf_counter(), time.process_time()
        scored = tasks.score_due.call_local(workspace.pk)
        score = (time.perf_counter() - wall, time.process_time() - cpu)
        assert scored == len(ids) and not Member.objects.filter(score_due__isnull=False).exists()
        found["batches"].append(
            {
                "record_wall": record[0],
                "record_cpu": record[1],
                "score_wall": score[0],
                "score_cpu": score[1],
                "scored": scored,
                "activities": read,
                "load": load,
            }
        )
        print(f"batch {number + 1}/{batches}: {found['batches'][-1]}", file=sys.stderr)
    rows = found["batches"]
    found["median_activities"] = statistics.median(b["activities"] for b in rows)
    return found


if __name__ == "__main__":
    print(json.dumps(_measure(*(int(arg) for arg in sys.argv[1:5]))))
