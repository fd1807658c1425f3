"""The exactly-once mechanism of the outbox, for any kind of item sent to a network.

An item (a post's variant today; a reply, an e-mail later) is a row of a model with these columns::

    workspace, status, due_at, claimed_at, heartbeat_at, deadline_at, reconcile_at, attempts,
    idempotency_key, keep_key, key_deduplicated, remote_id, remote_url, published_at, error

and a log model of its attempts (``number, is_check, idempotency_key, started_at, finished_at,
outcome, message``, with a foreign key to the item). A :class:`Kind` says the rest: how to send
one, how to recognise it on the network, the words of its failures, whom to tell of a change.

The state machine, every transition a conditional UPDATE naming the status (and the attempt
number) it expects, so two workers cannot both take an item and a late answer cannot overwrite a
newer state::

    scheduled ──claim──→ publishing ──→ published
        ▲                    │  ├────→ failed     (permanent error, expired token: a person acts)
        │   (429, 5xx…)      │  └────→ unknown    (sent, no answer; or the worker died mid-call)
        └────────────────────┘              │
        ▲                                    │ reconcile: read the network first
        └──── not found on the network ◄─────┴──→ published (found)

A call whose outcome is unknown is never retried blindly: on a network that deduplicates with our
key the retry carries the *same* key while the network still remembers it; on any other network
the kind reads the account and the item is published when it is found there. Each attempt runs
under a deadline (no request of it starts after, so nothing of a dead worker's attempt can still
reach the network then) and a heartbeat (a claim whose beats stopped belongs to a dead worker and
is swept to unknown). The crisis hold (:mod:`.hold`) keeps every condition on the item's own row.
"""

from __future__ import annotations

import logging
import threading
import time as time_module
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, ExpressionWrapper, F, Model, Q
from django.utils import timezone

from ambassade.connectors.base import AuthExpired, ConnectorError, Published, RawItem
from ambassade.connectors.http import OutcomeUnknown, deadline
from ambassade.connectors.publishers import UnknownPublisher, new_idempotency_key
from ambassade.publishing.models import PublishAttempt, Status
from ambassade.publishing.outbox.hold import not_paused
from ambassade.publishing.outbox.kind import Ask, Call, Finding, Found, Kind, NotFound
from ambassade.workspaces.messages import StoredMessage

__all__ = [
    "CHECK_EVERY",
    "DEAD_AFTER",
    "ENQUEUE_AHEAD",
    "HEARTBEAT_EVERY",
    "MAX_ATTEMPTS",
    "MAX_CHECKS",
    "PUBLISH_DEADLINE",
    "RECONCILE_DELAY",
    "RECONCILE_MARGIN",
    "RECORDING_GRACE",
    "STUCK_AFTER",
    "Ask",
    "Call",
    "Finding",
    "Found",
    "Heartbeat",
    "Kind",
    "NotFound",
    "claim",
    "due_ids",
    "expire_stuck",
    "finish_attempt",
    "mark_failed",
    "mark_published",
    "next_step",
    "publish",
    "reconcile",
    "retry",
    "unknown_ids",
    "upcoming_due",
    "upcoming_unknown",
]

log = logging.getLogger(__name__)

#: Temporary failures (5xx, dropped connections) are retried this many times in all, then fail.
MAX_ATTEMPTS = 5
#: The first retry of a temporary failure waits this long; each next one twice as long (1, 2, 4,
#: 8 minutes).
RETRY_AFTER = timedelta(minutes=1)
#: Every request of one attempt (media uploads, the post, a thread's parts) starts before this
#: deadline and gives up by it (``connectors.http.deadline``): two of the HTTP client's 15 s
#: timeouts. After it, nothing of a dead worker's attempt can still be on its way to the network.
PUBLISH_DEADLINE = timedelta(seconds=30)
#: The worker holding a claim refreshes its heartbeat this often while it works…
HEARTBEAT_EVERY = timedelta(seconds=5)
#: …so a claim whose heartbeat is older than this (three beats missed) belongs to a dead worker.
DEAD_AFTER = timedelta(seconds=15)
#: A heartbeat vouches for an attempt only this long after its deadline (time to record the answer):
#: a worker hung after its call stops beating and the sweeper takes over.
RECORDING_GRACE = timedelta(seconds=30)
#: A claim without any heartbeat (taken before heartbeats existed) is dead after this long.
STUCK_AFTER = timedelta(minutes=10)
#: On a network without keys, the account is read this long after the attempt's last request could
#: have reached it: what we allow for the network to finish a request whose client gave up and to
#: list the new post in the account's timeline (read-after-write lag). An assumption, not a measure:
#: Mastodon, Bluesky and X list a post within a second or two of answering its creation.
RECONCILE_DELAY = timedelta(seconds=15)
#: A failed reading of the network is tried again this long after.
CHECK_EVERY = timedelta(minutes=1)
#: The periodic run enqueues each item due within this much time as a task with its exact time
#: (Huey's ``eta``), so that it goes out on time rather than at the next minute.
ENQUEUE_AHEAD = timedelta(seconds=90)
#: How far back before the attempt the account's posts are read when reconciling.
RECONCILE_MARGIN = timedelta(minutes=5)
#: Reading the network for an unknown outcome is tried this many times (a minute apart) before a
#: person is asked to look.
MAX_CHECKS = 30


# --- lists for the periodic run ------------------------------------------------------------------


def due_ids(kind: Kind, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Items whose time has come, in workspaces whose outbox runs."""
    now = now or timezone.now()
    return list(
        kind.model.objects.filter(not_paused(), status=Status.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def unknown_ids(kind: Kind, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Unknown outcomes whose time to be settled has come."""
    now = now or timezone.now()
    return [item_id for item_id, _at in upcoming_unknown(kind, now, timedelta(0), limit)]


def upcoming_unknown(
    kind: Kind, now: datetime, ahead: timedelta | None = None, limit: int = 200
) -> list[tuple[int, datetime]]:
    """Unknown outcomes to settle before ``now + ahead``, with the time each may be settled."""
    ahead = ENQUEUE_AHEAD if ahead is None else ahead
    rows = (
        kind.model.objects.filter(not_paused(), status=Status.UNKNOWN)
        .order_by("reconcile_at", "claimed_at", "id")
        .values_list("id", "reconcile_at", "claimed_at")
    )
    found = []
    for item_id, reconcile_at, claimed_at in rows:
        at = reconcile_at or (claimed_at or now) + RECONCILE_DELAY
        if at <= now + ahead:
            found.append((item_id, at))
            if len(found) >= limit:
                break
    return found


def upcoming_due(
    kind: Kind, now: datetime, ahead: timedelta | None = None, limit: int = 1000
) -> list[tuple[int, datetime]]:
    """Scheduled items due before ``now + ahead``, with their time, in running outboxes."""
    ahead = ENQUEUE_AHEAD if ahead is None else ahead
    return list(
        kind.model.objects.filter(not_paused(), status=Status.SCHEDULED, due_at__lte=now + ahead)
        .order_by("due_at", "id")
        .values_list("id", "due_at")[:limit]
    )


def next_step(kind: Kind, item_id: int, now: datetime | None = None) -> tuple[str, datetime] | None:
    """What the outbox must do next for an item, and when: ``("publish", due)``, ``("reconcile",
    at)``, ``("watch", at)`` (a claim to check for a dead worker), or None (settled, held, draft)."""
    now = now or timezone.now()
    row = (
        kind.model.objects.filter(not_paused(), id=item_id)
        .values("status", "due_at", "reconcile_at", "claimed_at", "heartbeat_at")
        .first()
    )
    if row is None:
        return None
    if row["status"] == Status.SCHEDULED and row["due_at"] is not None:
        return "publish", row["due_at"]
    if row["status"] == Status.UNKNOWN:
        at = row["reconcile_at"] or (row["claimed_at"] or now) + RECONCILE_DELAY
        return "reconcile", at
    if row["status"] == Status.PUBLISHING:
        if row["heartbeat_at"] is not None:
            return "watch", row["heartbeat_at"] + DEAD_AFTER + timedelta(seconds=1)
        return "watch", (row["claimed_at"] or now) + STUCK_AFTER + timedelta(seconds=1)
    return None


# --- claims, heartbeats and dead workers ---------------------------------------------------------


def claim(kind: Kind, item_id: int, now: datetime) -> Any | None:
    """Take a due item for sending; None when it is not due, held, or another worker has it.
    The claim starts the attempt's heartbeat and deadline, with a new key unless the last attempt
    asked to resend its own (``keep_key``)."""
    objects = kind.model.objects
    current = (
        objects.filter(id=item_id, status=Status.SCHEDULED)
        .values("attempts", "keep_key", "idempotency_key", *kind.claim_fields)
        .first()
    )
    if current is None:
        return None
    key = current["idempotency_key"] if current["keep_key"] else new_idempotency_key()
    lasts, deduplicated = kind.claim_terms(current)
    taken = (
        objects.filter(
            not_paused(),
            id=item_id,
            status=Status.SCHEDULED,
            due_at__lte=now,
            attempts=current["attempts"],
        ).update(
            status=Status.PUBLISHING,
            claimed_at=now,
            heartbeat_at=now,
            deadline_at=now + lasts,
            reconcile_at=None,
            # Corrected before sending once the publisher and the credentials are known.
            key_deduplicated=deduplicated,
            attempts=current["attempts"] + 1,
            idempotency_key=key,
            keep_key=False,
        )
        == 1
    )
    if not taken:
        return None
    kind.changed([item_id])
    return kind.load(item_id)


class Heartbeat:
    """Refreshes a claim's ``heartbeat_at`` every :data:`HEARTBEAT_EVERY` from a thread while the
    worker works on it, until the attempt's deadline plus :data:`RECORDING_GRACE`. When the claim is
    no longer this attempt's (the sweeper judged the worker dead), it cancels the attempt's HTTP
    deadline, so that no further request starts."""

    #: The items' model (a kind's subclass sets it, or the ``model`` argument does).
    model: type[Model] | None = None

    def __init__(
        self,
        item_id: int,
        attempts: int,
        now: datetime,
        bound: Any = None,
        every: timedelta | None = None,
        lasts: timedelta | None = None,
        *,
        model: type[Model] | None = None,
    ) -> None:
        self.item_id, self.attempts, self.bound = item_id, attempts, bound
        self.items = model or self.model
        if self.items is None:
            raise TypeError("Heartbeat needs the items' model")
        self.every = (every or HEARTBEAT_EVERY).total_seconds()
        self.start_wall, self.start = now, time_module.monotonic()
        self.until = ((lasts or PUBLISH_DEADLINE) + RECORDING_GRACE).total_seconds()
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{item_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def beat(self) -> bool:
        """One refresh; False when the claim is no longer this attempt's."""
        elapsed = time_module.monotonic() - self.start
        at = self.start_wall + timedelta(seconds=elapsed)
        self.beats += 1
        return bool(
            self.items.objects.filter(
                id=self.item_id, status=Status.PUBLISHING, attempts=self.attempts
            ).update(heartbeat_at=at)
        )

    def _run(self) -> None:
        from django.db import connections

        used = False
        try:
            while not self._stop.wait(self.every):
                if time_module.monotonic() - self.start > self.until:
                    return
                used = True
                if not self.beat():
                    if self.bound is not None:
                        self.bound.cancel()
                    return
        except Exception:  # the heartbeat must never break the call it watches
            log.exception("heartbeat of item %s failed", self.item_id)
        finally:
            if used:
                connections.close_all()


def expire_stuck(kind: Kind, now: datetime | None = None, ids: Iterable[int] | None = None) -> int:
    """Claims left by a dead worker (its heartbeat stopped, or it never had one) become unknown.

    Safe because the outcome is only *unknown*: on a network that deduplicates our key the retry
    resends the same key; on any other the account is read, but only once the attempt's deadline
    (and the network's lag) has passed, when no request of the dead attempt can still land."""
    now = now or timezone.now()
    objects = kind.model.objects
    dead = Q(heartbeat_at__lt=now - DEAD_AFTER) | Q(
        heartbeat_at__isnull=True, claimed_at__lt=now - STUCK_AFTER
    )
    stuck = objects.filter(dead, status=Status.PUBLISHING)
    if ids is not None:
        stuck = stuck.filter(id__in=list(ids))
    found = list(stuck.values_list("id", flat=True))
    if not found:
        return 0
    stuck = stuck.filter(id__in=found)
    count = 0
    # The same key resent at once where the network deduplicates it; otherwise read the account
    # once the deadline and the network's lag have passed (a claim without a deadline, taken
    # before deadlines existed, has waited STUCK_AFTER already: the lag alone).
    count += stuck.filter(key_deduplicated=True).update(
        status=Status.UNKNOWN, claimed_at=now, reconcile_at=now
    )
    count += stuck.filter(key_deduplicated=False, deadline_at__isnull=False).update(
        status=Status.UNKNOWN,
        claimed_at=now,
        reconcile_at=ExpressionWrapper(
            F("deadline_at") + RECONCILE_DELAY, output_field=DateTimeField()
        ),
    )
    count += stuck.filter(key_deduplicated=False, deadline_at__isnull=True).update(
        status=Status.UNKNOWN, claimed_at=now, reconcile_at=now + RECONCILE_DELAY
    )
    if count:
        log.warning("outbox: %s claim(s) of dead workers are now unknown", count)
        kind.changed(
            objects.filter(id__in=found, status=Status.UNKNOWN, claimed_at=now).values_list(
                "id", flat=True
            )
        )
    return count


# --- recording outcomes --------------------------------------------------------------------------


def _start_attempt(kind: Kind, item: Any, now: datetime, *, is_check: bool = False) -> Any:
    return kind.log_model.objects.create(
        workspace_id=item.workspace_id,
        is_check=is_check,
        number=item.attempts,
        idempotency_key=item.idempotency_key,
        started_at=now,
        **{kind.log_key: item},
    )


def finish_attempt(attempt: Any, outcome: str, message: Any = "") -> None:
    """``message``: a coded message, an error or text, stored to be worded when shown."""
    type(attempt).objects.filter(id=attempt.id).update(
        outcome=outcome, message=StoredMessage.of(message), finished_at=timezone.now()
    )


def mark_published(
    kind: Kind, item: Any, published: Published | RawItem, expected: Iterable[str], attempts: int
) -> bool:
    if isinstance(published, Published):
        remote_id, url, at = published.external_id, published.url, published.published_at
    else:
        remote_id, url, at = published.external_id, published.url, published.created_at
    changed = kind.model.objects.filter(
        id=item.id, status__in=list(expected), attempts=attempts
    ).update(
        status=Status.PUBLISHED,
        remote_id=remote_id[:300],
        remote_url=url[:500],
        published_at=at,
        error="",
        claimed_at=None,
        due_at=None,
        keep_key=False,
    )
    if changed:
        kind.published(item, url)
        kind.changed([item.id])
    return bool(changed)


def mark_failed(kind: Kind, item: Any, message: Any, attempts: int, expected: str) -> bool:
    changed = kind.model.objects.filter(id=item.id, status=expected, attempts=attempts).update(
        status=Status.FAILED,
        error=StoredMessage.of(message),
        claimed_at=None,
        due_at=None,
        keep_key=False,
    )
    if changed:
        kind.failed(item, message)
        kind.changed([item.id])
    return bool(changed)


def _fail(kind: Kind, item: Any, attempt: Any, attempts: int, message: Any, expected: str) -> str:
    mark_failed(kind, item, message, attempts, expected)
    finish_attempt(attempt, PublishAttempt.Outcome.FAILED, message)
    return Status.FAILED


def retry(kind: Kind, item_id: int, now: datetime) -> bool:
    """A person asks to send a failed item again: a new attempt, with a new key."""
    return bool(
        kind.model.objects.filter(id=item_id, status=Status.FAILED).update(
            status=Status.SCHEDULED, due_at=now, error="", keep_key=False, attempts=0
        )
    )


# --- one attempt ---------------------------------------------------------------------------------


def publish(
    kind: Kind,
    item_id: int,
    *,
    now: datetime | None = None,
    publisher_factory: Any = None,
    on_claim: Callable[[int], Any] | None = None,
) -> str:
    """Send one due item at most once. Returns the status it ends in (or ``"skipped"``).
    ``on_claim(item_id)`` runs right after the claim (the task schedules the watch that settles
    the claim if this worker dies)."""
    status = _publish(
        kind, item_id, now=now, publisher_factory=publisher_factory, on_claim=on_claim
    )
    if status in (Status.PUBLISHED, Status.FAILED):
        kind.settled(item_id)
    return status


def _publish(
    kind: Kind,
    item_id: int,
    *,
    now: datetime | None,
    publisher_factory: Any,
    on_claim: Callable[[int], Any] | None,
) -> str:
    now = now or timezone.now()
    # The in-process deadline counts from here, so it never ends after the one the claim records.
    started = time_module.monotonic()
    item = claim(kind, item_id, now)
    if item is None:
        return "skipped"
    if on_claim is not None:
        on_claim(item_id)
    attempts = item.attempts
    attempt = _start_attempt(kind, item, now)
    refusal = kind.refusal(item)
    if refusal is not None:
        return _fail(kind, item, attempt, attempts, refusal, Status.PUBLISHING)
    limit = kind.attempt_deadline(item)

    def ended() -> datetime:
        """The moment the call ended, on the clock ``now`` was given on."""
        return now + timedelta(seconds=time_module.monotonic() - started)

    with (
        deadline(limit.total_seconds() - (time_module.monotonic() - started)) as bound,
        Heartbeat(item.id, attempts, now, bound, lasts=limit, model=kind.model),
    ):
        return _call_and_record(kind, item, attempt, attempts, now, ended, publisher_factory)


def _call_and_record(
    kind: Kind,
    item: Any,
    attempt: Any,
    attempts: int,
    now: datetime,
    ended: Callable[[], datetime],
    publisher_factory: Any,
) -> str:
    call: Call | None = None
    deduplicated = item.key_deduplicated
    try:
        call = kind.open(item, publisher_factory)
        # Recorded before anything is sent: it decides how a dead worker's attempt is settled.
        deduplicated = call.deduplicates()
        if deduplicated != item.key_deduplicated:
            kind.model.objects.filter(
                id=item.id, status=Status.PUBLISHING, attempts=attempts
            ).update(key_deduplicated=deduplicated)
        published = kind.send(item, call, attempts)
    except UnknownPublisher:
        message = kind.unsupported_message(item)
        return _fail(kind, item, attempt, attempts, message, Status.PUBLISHING)
    except AuthExpired as error:
        kind.needs_reconnection(item, error)
        message = kind.reconnect_message(item, error)
        return _fail(kind, item, attempt, attempts, message, Status.PUBLISHING)
    except OutcomeUnknown as error:
        return _outcome_unknown(kind, item, attempt, attempts, error, ended(), deduplicated)
    except ConnectorError as error:
        if error.permanent:
            message = kind.refused_message(item, error)
            return _fail(kind, item, attempt, attempts, message, Status.PUBLISHING)
        return _retry_later(kind, item, attempt, attempts, error, now, call)
    except Exception as error:  # a bug or a crash mid-call: the network may have the item
        log.exception("sending outbox item %s failed unexpectedly", item.id)
        return _outcome_unknown(
            kind, item, attempt, attempts, repr(error)[:300], ended(), deduplicated
        )
    finally:
        if call is not None:
            call.close()
    mark_published(kind, item, published, [Status.PUBLISHING, Status.UNKNOWN], attempts)
    finish_attempt(attempt, PublishAttempt.Outcome.PUBLISHED, published.url)
    return Status.PUBLISHED


def _outcome_unknown(
    kind: Kind,
    item: Any,
    attempt: Any,
    attempts: int,
    why: Any,
    ended: datetime,
    deduplicated: bool,
) -> str:
    """The call ended without a known outcome. Its requests are over (this worker saw them end), so
    the wait before reading the network runs from now, not from the attempt's deadline."""
    quiet = min(ended, item.deadline_at) if item.deadline_at else ended
    if kind.model.objects.filter(id=item.id, status=Status.PUBLISHING, attempts=attempts).update(
        status=Status.UNKNOWN,
        claimed_at=ended,
        deadline_at=quiet,
        reconcile_at=ended if deduplicated else quiet + RECONCILE_DELAY,
    ):
        kind.changed([item.id])
    finish_attempt(attempt, PublishAttempt.Outcome.UNKNOWN, why)
    return Status.UNKNOWN


def _keeps_key(kind: Kind, item: Any, call: Call | None, until: datetime) -> bool:
    """Whether the next attempt must send this attempt's key again.

    A temporary error does not prove the network did nothing: a proxy answers 502 or 504 after the
    server created the item. On a network that deduplicates with our key, resending the same key
    while the network remembers it sends at most once; a new key would send a second one."""
    if call is None or not call.deduplicates():
        return False
    first = (
        kind.log_model.objects.filter(
            is_check=False, idempotency_key=item.idempotency_key, **{kind.log_key: item}
        )
        .order_by("started_at", "id")
        .values_list("started_at", flat=True)
        .first()
    )
    return first is not None and until - first < call.window


def _retry_later(
    kind: Kind,
    item: Any,
    attempt: Any,
    attempts: int,
    error: ConnectorError,
    now: datetime,
    call: Call | None,
) -> str:
    objects = kind.model.objects
    if error.retry_after is not None:
        # A rate limit: wait for the reset the network gave, and so does the rest of the account.
        until = now + timedelta(seconds=max(1.0, error.retry_after))
        if objects.filter(id=item.id, status=Status.PUBLISHING, attempts=attempts).update(
            status=Status.SCHEDULED,
            due_at=until,
            claimed_at=None,
            attempts=attempts - 1,
            keep_key=_keeps_key(kind, item, call, until),
        ):
            kind.changed([item.id])
        objects.filter(kind.same_limit(item), status=Status.SCHEDULED, due_at__lt=until).update(
            due_at=until
        )
        finish_attempt(attempt, PublishAttempt.Outcome.RETRY, error)
        return Status.SCHEDULED
    if attempts >= MAX_ATTEMPTS:
        message = kind.gave_up_message(item, error)
        return _fail(kind, item, attempt, attempts, message, Status.PUBLISHING)
    until = now + RETRY_AFTER * 2 ** (attempts - 1)
    if objects.filter(id=item.id, status=Status.PUBLISHING, attempts=attempts).update(
        status=Status.SCHEDULED,
        due_at=until,
        claimed_at=None,
        keep_key=_keeps_key(kind, item, call, until),
    ):
        kind.changed([item.id])
    finish_attempt(attempt, PublishAttempt.Outcome.RETRY, error)
    return Status.SCHEDULED


# --- an unknown outcome: read the network before any retry --------------------------------------


def reconcile(
    kind: Kind, item_id: int, *, now: datetime | None = None, publisher_factory: Any = None
) -> str:
    """Settle an item whose last call has an unknown outcome; see :func:`_reconcile`."""
    status = _reconcile(kind, item_id, now=now, publisher_factory=publisher_factory)
    if status in (Status.PUBLISHED, Status.FAILED):
        kind.settled(item_id)
    return status


def _reconcile(kind: Kind, item_id: int, *, now: datetime | None, publisher_factory: Any) -> str:
    """Settle an item whose last call has an unknown outcome, by reading the network first.

    - On a network that deduplicates our key and still remembers it: schedule a retry with the same
      key; the network answers with the item it already has, or takes it once.
    - Otherwise, once no request of the attempt can still land: the kind reads the network
      (:meth:`Kind.find`). Found → published. Not found → scheduled again with a new key. Nothing
      to recognise it by → a person is asked. Reading fails → stays unknown, tried a minute later
      (:data:`MAX_CHECKS` times), then a person is asked.
    """
    now = now or timezone.now()
    objects = kind.model.objects
    row = (
        objects.filter(id=item_id, status=Status.UNKNOWN)
        .values("attempts", "claimed_at", "reconcile_at")
        .first()
    )
    if row is None:
        return "skipped"
    # Not before its time: on a network without keys, a request of the attempt could still land.
    if now < (row["reconcile_at"] or (row["claimed_at"] or now) + RECONCILE_DELAY):
        return "waiting"
    # Claim the reconciliation itself: a second worker finds claimed_at moved and stops, and one
    # that reads the row after this claim finds its time pushed back by the lease (CHECK_EVERY),
    # which every outcome below replaces (or, if this worker dies, lets another try again).
    if not objects.filter(
        not_paused(),
        id=item_id,
        status=Status.UNKNOWN,
        attempts=row["attempts"],
        claimed_at=row["claimed_at"],
        reconcile_at=row["reconcile_at"],
    ).update(claimed_at=now, reconcile_at=now + CHECK_EVERY):
        return "skipped"
    item = kind.load(item_id)
    attempts = item.attempts
    log_rows = kind.log_model.objects.filter(**{kind.log_key: item})
    # The call itself, not one of the checks since.
    first = log_rows.filter(number=attempts, is_check=False).order_by("-id").first()
    started = first.started_at if first else (row["claimed_at"] or now)
    call = kind.open(item, publisher_factory, lenient=True)
    if call.deduplicates() and now - started < call.window:
        call.release()
        if objects.filter(id=item_id, status=Status.UNKNOWN, attempts=attempts).update(
            status=Status.SCHEDULED, due_at=now, keep_key=True, claimed_at=None, reconcile_at=None
        ):
            kind.changed([item_id])
        return Status.SCHEDULED
    # Read only once no request of the attempt can still land (the sweeper may have assumed a key
    # the network turns out not to deduplicate: a Discord webhook).
    quiet = item.deadline_at
    if quiet is not None and now < quiet + RECONCILE_DELAY:
        call.release()
        objects.filter(id=item_id, status=Status.UNKNOWN, attempts=attempts).update(
            reconcile_at=quiet + RECONCILE_DELAY
        )
        return "waiting"
    check = _start_attempt(kind, item, now, is_check=True)
    finding = kind.before_reading(item, call)
    if finding is not None:
        call.release()
        return _settle(kind, item, check, attempts, finding, now)
    try:
        if call.publisher is None:
            raise ConnectorError(kind.cannot_read(item), permanent=False)
        try:
            finding = kind.find(item, call, started, now)
        finally:
            call.close()
    except AuthExpired as error:
        kind.needs_reconnection(item, error)
        message = kind.check_refused_message(item, error)
        return _fail(kind, item, check, attempts, message, Status.UNKNOWN)
    except ConnectorError as error:
        checks = log_rows.filter(
            is_check=True,
            outcome=PublishAttempt.Outcome.UNKNOWN,
            id__gt=first.id if first else 0,
        ).count()
        if not error.permanent and checks < MAX_CHECKS:
            objects.filter(id=item_id, status=Status.UNKNOWN, attempts=attempts).update(
                reconcile_at=now + CHECK_EVERY
            )
            finish_attempt(check, PublishAttempt.Outcome.UNKNOWN, error)
            return Status.UNKNOWN
        # The network cannot be read (a Telegram bot, a Discord webhook), or not for a long while:
        # only a person can tell now.
        return _settle(kind, item, check, attempts, Ask(error), now)
    return _settle(kind, item, check, attempts, finding, now)


def _settle(
    kind: Kind, item: Any, check: Any, attempts: int, finding: Finding, now: datetime
) -> str:
    if isinstance(finding, Found):
        mark_published(kind, item, finding.record, [Status.UNKNOWN], attempts)
        finish_attempt(check, PublishAttempt.Outcome.FOUND, finding.note)
        return Status.PUBLISHED
    if isinstance(finding, Ask):
        message = kind.ask_message(item, finding.reason)
        return _fail(kind, item, check, attempts, message, Status.UNKNOWN)
    if kind.model.objects.filter(id=item.id, status=Status.UNKNOWN, attempts=attempts).update(
        status=Status.SCHEDULED, due_at=now, keep_key=False, claimed_at=None, reconcile_at=None
    ):
        kind.changed([item.id])
    finish_attempt(check, PublishAttempt.Outcome.NOT_FOUND)
    return Status.SCHEDULED
