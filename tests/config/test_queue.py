"""The task queue: configured from the settings, really stores and runs tasks."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from huey import RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY

from tests import services


def test_it_uses_the_backend_the_environment_asks_for() -> None:
    if os.environ.get("REDIS_URL"):
        assert isinstance(HUEY, RedisHuey)
    else:
        assert isinstance(HUEY, SqliteHuey)
        assert HUEY.storage.filename == str(settings.DATA_DIR / "tasks.sqlite3")


def _round_trip(huey: SqliteHuey | RedisHuey) -> None:
    @huey.task(name=f"test-double-{uuid.uuid4().hex}")
    def double(number: int) -> int:
        return number * 2

    huey.flush()
    result = double(21)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 42
    assert huey.pending_count() == 0


def test_it_round_trips_a_task_through_the_configured_queue() -> None:
    _round_trip(HUEY)


def test_it_round_trips_a_task_through_redis() -> None:
    url = services.redis_url()
    _round_trip(RedisHuey(f"ambassade-test-{uuid.uuid4().hex}", url=url))
