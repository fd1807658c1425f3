"""`ambassade bench community`'s score-history part: what keeping the history of the stored scores
costs (``community/history.py``), on the product's own tables, SQLite and PostgreSQL.

In a child process with its own data directory (SQLite, or PostgreSQL with
``AMBASSADE_TEST_DATABASE_URL``): ``members`` members (100,000) with stored scores, then
``days`` nightly storings as ``community.score_everyone`` does them: every member passed to
``history.record_members`` (500 a transaction, like ``scores.store_scores``) and the day's
``history.record_classes``. Only those two are timed, not the scoring. Each day after the first a
share of the members have new scores: the share measured on the synthetic community of the
scores part (members whose 9-byte record differs from one day to the next), passed in. Measured:
the time of the first storing of a year (a record for everyone), of a following day, the bytes
the records add per member and day, and on PostgreSQL the tables' size on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from typing import Any

from ambassade.benchmarks._child import bench_workspace, fresh_database, run_in_child

__all__ = ["measure_in_child"]

#: The first stored day: a year's rows are one per member and year, so days stay within one.
FIRST_DAY = dt.date(2026, 3, 2)


def measure_in_child(members: int, days: int, changed: float, database_url: str) -> dict[str, Any]:
    return run_in_child(
        "ambassade.benchmarks._community_history",
        members,
        days,
        repr(changed),
        prefix="ambassade-bench-history-",
        database_url=database_url,
    )


def _measure(members: int, days: int, changed: float) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection, transaction

    from ambassade.community import history
    from ambassade.community.models import ClassCount, Member, ScoreHistory
    from ambassade.community.services import _update

    fresh_database()
    _user, workspace = bench_workspace()
    rng = random.Random(14)
    start = dt.datetime.combine(FIRST_DAY, dt.time(23), tzinfo=dt.UTC)
    made = Member.objects.bulk_create(
        [
            Member(
                workspace=workspace,
                display_name=f"m{n}",
                love=round(rng.paretovariate(1.3) - 1, 1),
                level=rng.choice((1, 2, 3, 4, 4, 4, 4)),
                sentiment=round(rng.uniform(-0.6, 1.0), 2),
                influence=float(rng.randrange(0, 120)),
                ambassador=rng.random() < 0.015,
                detractor=rng.random() < 0.002,
                rising=rng.random() < 0.04,
                dormant=rng.random() < 0.05,
                last_seen_at=start - dt.timedelta(days=rng.randrange(400)),
            )
            for n in range(members)
        ],
        batch_size=5000,
    )
    people = list(Member.objects.filter(workspace=workspace).order_by("id"))
    assert len(people) == len(made)
    table = ScoreHistory._meta.db_table

    def stored_bytes() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(SUM(LENGTH(points)), 0) FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def disk(model: Any) -> int:
        if connection.vendor != "postgresql":
            return 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
            return int(cursor.fetchone()[0])

    fields = ["love", "sentiment", "influence", "level", "ambassador", "rising", "dormant"]
    found: dict[str, Any] = {"days": [], "members": members, "changed_share": changed}
    for number in range(days):
        day = FIRST_DAY + dt.timedelta(days=number)
        now = dt.datetime.combine(day, dt.time(23), tzinfo=dt.UTC)
        moved = 0
        if number:
            moving = rng.sample(people, round(changed * len(people)))
            for member in moving:
                member.love = round(member.love + rng.choice((-1, 1)) * rng.uniform(0.1, 3), 1)
                member.love = max(0.0, member.love)
                member.rising = rng.random() < 0.04
                member.dormant = rng.random() < 0.05
            _update(moving, fields)  # stored by the scoring, not timed
            moved = len(moving)
        before = stored_bytes()
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        written = 0
        for first in range(0, len(people), 500):
            with transaction.atomic():
                written += history.record_members(workspace.pk, day, people[first : first + 500])
        members_wall, members_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        history.record_classes(workspace.pk, day, now)
        classes_wall, classes_cpu = time.perf_counter() - wall, time.process_time() - cpu
        found["days"].append(
            {
                "moved": moved,
                "written": written,
                "members_wall": members_wall,
                "members_cpu": members_cpu,
                "classes_wall": classes_wall,
                "classes_cpu": classes_cpu,
                "added_bytes": stored_bytes() - before,
                "load": load,
            }
        )
        print(f"history day {number + 1}/{days}: {found['days'][-1]}", file=sys.stderr)
    found["bytes"] = stored_bytes()
    found["rows"] = ScoreHistory.objects.count()
    found["disk"] = disk(ScoreHistory)
    found["class_rows"] = ClassCount.objects.count()
    found["class_disk"] = disk(ClassCount)
    found["vendor"] = connection.vendor
    return found


if __name__ == "__main__":
    print(json.dumps(_measure(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))))
