"""Rate limits of the public forms (an event's RSVP, a contest's entry), counted in the database so
that they hold across processes and machines.

A model with ``key`` (unique), ``window_start`` and ``count`` holds one row per key (the SHA-256 of
what is limited, e.g. the event and the visitor's address: no address is stored in clear). Each
request is counted by one conditional UPDATE, so concurrent requests cannot all slip under the
limit: either the count was under the limit in the current window and went up, or the window had
passed and starts again at one, or the request is refused.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

__all__ = ["WINDOW", "hit", "key", "purge"]

WINDOW = timedelta(hours=1)


def key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def hit(model: Any, found: str, limit: int, *, now: datetime | None = None) -> bool:
    """Count one request for ``found`` (a :func:`key`); True when it is past ``limit`` in the
    window (the form is refused, and the refused request is not counted)."""
    now = now or timezone.now()
    start = now - WINDOW
    rows = model.objects.filter(key=found)
    if rows.filter(window_start__gt=start, count__lt=limit).update(count=F("count") + 1):
        return False
    if rows.filter(window_start__lte=start).update(window_start=now, count=1):
        return False
    if rows.exists():
        return True  # the window is full
    try:
        with transaction.atomic():
            model.objects.create(key=found, window_start=now, count=1)
    except IntegrityError:  # a concurrent first request made the row: count against it
        return hit(model, found, limit, now=now)
    return False


def purge(model: Any, now: datetime | None = None) -> int:
    """Remove the rows whose window has passed (a periodic task calls it)."""
    now = now or timezone.now()
    deleted, _rows = model.objects.filter(window_start__lte=now - WINDOW).delete()
    return int(deleted)
