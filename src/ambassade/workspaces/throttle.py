"""Login throttling: at most ``MAX_FAILURES`` password checks for one account from one address within
``WINDOW``; then that account is locked from that address for ``LOCK``.

The count lives in the database (``LoginThrottle``), keyed by a hash of the e-mail address and the
client address (:mod:`ambassade.config.proxies` reads it behind a reverse proxy), so every web
process sees it and no address is stored in clear.

An attempt is counted *before* its password is checked, in the same UPDATE that checks the lock
(:func:`attempt`): of twenty wrong passwords sent at once, exactly ``MAX_FAILURES`` are checked,
whatever the number of threads or processes, on SQLite as on PostgreSQL. A success clears the count.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone

from ambassade.workspaces.models import LoginThrottle

__all__ = ["LOCK", "MAX_FAILURES", "WINDOW", "attempt", "key_for", "purge", "record_success"]

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


def key_for(email: str, request: HttpRequest | None) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    raw = f"{settings.SECRET_KEY}|{email.strip().lower()}|{address}"
    return hashlib.sha256(raw.encode()).hexdigest()


def attempt(key: str, now: datetime | None = None) -> datetime | None:
    """Count one attempt for ``key`` if it may be made: None, and the caller checks the password
    (then calls :func:`record_success` if it was right); otherwise when the lock ends.

    Three statements, each atomic on its own and safe to interleave: make the row if it is missing;
    start afresh when the window or the lock is over (it changes the very fields it tests, so it
    resets once); and the conditional UPDATE that takes one of the window's attempts, locking the
    account as it takes the last one.
    """
    now = now or timezone.now()
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=key, failures=0, first_failure_at=now)], ignore_conflicts=True
    )
    LoginThrottle.objects.filter(key=key).filter(
        Q(locked_until__lte=now) | Q(locked_until=None, first_failure_at__lte=now - WINDOW)
    ).update(failures=0, first_failure_at=now, locked_until=None)
    taken = LoginThrottle.objects.filter(
        key=key, locked_until=None, failures__lt=MAX_FAILURES
    ).update(
        failures=F("failures") + 1,
        # SET expressions read the row as it was: ``failures`` here is the count before this one.
        locked_until=Case(
            When(failures__gte=MAX_FAILURES - 1, then=Value(now + LOCK)), default=Value(None)
        ),
    )
    if taken:
        return None
    row = LoginThrottle.objects.filter(key=key).values_list("locked_until", flat=True).first()
    return row or now + LOCK


def record_success(key: str) -> None:
    LoginThrottle.objects.filter(key=key).delete()


def purge(now: datetime | None = None) -> int:
    """Delete the rows whose window and lock are over (they would be reset anyway)."""
    now = now or timezone.now()
    deleted, _counts = (
        LoginThrottle.objects.filter(first_failure_at__lte=now - WINDOW)
        .exclude(locked_until__gt=now)
        .delete()
    )
    return deleted
