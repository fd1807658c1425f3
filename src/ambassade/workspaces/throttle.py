"""Login throttling: after ``MAX_FAILURES`` failed attempts for one account from one address within
``WINDOW``, that account is locked from that address for ``LOCK``.

The count lives in the database (``LoginThrottle``), keyed by a hash of the e-mail address and the
client address, so every web process sees it and no address is stored in clear.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from ambassade.workspaces.models import LoginThrottle

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)


def key_for(email: str, request: HttpRequest | None) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    raw = f"{settings.SECRET_KEY}|{email.strip().lower()}|{address}"
    return hashlib.sha256(raw.encode()).hexdigest()


def locked_until(key: str) -> datetime | None:
    """When the lock ends, or None if the account may try now."""
    row = LoginThrottle.objects.filter(key=key).first()
    if row is None or row.locked_until is None or row.locked_until <= timezone.now():
        return None
    return row.locked_until


def record_failure(key: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Start afresh when the window or the lock is over; then count atomically.
        LoginThrottle.objects.filter(key=key).filter(
            Q(locked_until__lte=now) | Q(locked_until=None, first_failure_at__lte=now - WINDOW)
        ).update(failures=0, first_failure_at=now, locked_until=None)
        updated = LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    LoginThrottle.objects.create(key=key, failures=1, first_failure_at=now)
            except IntegrityError:
                LoginThrottle.objects.filter(key=key).update(failures=F("failures") + 1)
        LoginThrottle.objects.filter(key=key, failures__gte=MAX_FAILURES, locked_until=None).update(
            locked_until=now + LOCK
        )


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
