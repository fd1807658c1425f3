"""Claim, send, mark: the one way Ambassade sends e-mails that must go at most once (a campaign's
recipients, an event's tickets, reminders and follow-ups, a report's delivery).

Each e-mail is a row of some model (the caller's: ``Recipient``, ``events.Email``,
``analytics.Delivery``) with a state, who claimed it and when, and how many times it was tried.
Described once by a :class:`Queue`, every row goes through the same conditional UPDATEs, each
committed before the next step:

1. **claim** a batch: ``pending → claimed`` with the worker's id and the time;
2. **begin** one row just before talking to the SMTP server: ``claimed → sending`` (only by the
   worker that claimed it, so a worker that lost its claim sends nothing);
3. **send** it (the caller's function);
4. **mark** it: ``sending → sent``; ``→ pending`` again when the server refused it before
   accepting anything (tried again, ``failed`` after ``max_attempts``); ``→ unknown`` when the
   outcome cannot be known; ``→ skipped`` when the caller found it no longer due.

Why a row was not sent is stored in its ``error`` field (a ``MessageField``) with a code and its
parameters (:func:`reason`: ``mail.server_unreachable``, ``mail.recipients_refused``…, or the
code of a connector error), worded in the reader's language where a page shows it.

A worker killed at any point leaves its rows ``claimed`` or ``sending``. :func:`recover` (each run
calls it first) gives ``claimed`` rows older than ``stale`` back to ``pending``: nothing of them
went out, they are **resumed**. A row left ``sending`` may have been accepted by the server just
before the kill: it becomes ``unknown`` and is **never sent again** — a person missing one e-mail
is a smaller harm than receiving it twice, and pages count the unknown ones.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from ambassade.connectors.http import OutcomeUnknown
from ambassade.workspaces.messages import MessageField, StoredMessage, coded

__all__ = [
    "NotSent",
    "Queue",
    "Result",
    "Skip",
    "begin",
    "claim",
    "mark",
    "reason",
    "recover",
    "run",
    "send_claimed",
    "worker_id",
]

log = logging.getLogger(__name__)


class NotSent(Exception):
    """Raised by a send function when nothing was sent, with the code and parameters of why
    (tried again, ``failed`` after ``max_attempts``)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = coded(code, **params).text
        super().__init__(self.message)


class Skip(Exception):
    """Raised by a send function: the e-mail is no longer due (the row becomes ``skipped``)."""


@dataclass(frozen=True)
class Queue:
    """How a model's rows hold their e-mail's state: field names and state values."""

    model: type[Model]
    state: str = "state"
    pending: str = "pending"
    #: None: rows go straight from ``pending`` to ``sending`` (one at a time, :func:`begin`).
    claimed: str | None = "claimed"
    sending: str = "sending"
    sent: str = "sent"
    failed: str = "failed"
    unknown: str = "unknown"
    skipped: str = "skipped"
    claimed_by: str = "claimed_by"
    claimed_at: str = "claimed_at"
    attempts: str = "attempts"
    #: A claim this old belongs to a worker that died.
    stale: timedelta = timedelta(minutes=10)
    max_attempts: int = 3

    def rows(self) -> QuerySet[Any]:
        return self.model._default_manager.all()

    def _in(self, state: str | None) -> Q:
        return Q(**{self.state: state})


@dataclass
class Result:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    resumed: int = 0
    lost: int = 0  # claimed rows another worker took over meanwhile: not sent by this one
    sent_ids: list[int] = field(default_factory=list)


def worker_id() -> str:
    return secrets.token_hex(8)


def recover(
    queue: Queue,
    rows: QuerySet[Any] | None = None,
    *,
    now: datetime | None = None,
    stale: timedelta | None = None,
    except_worker: str = "",
    unknown_changes: dict[str, Any] | None = None,
) -> tuple[int, int]:
    """Rows of dead workers: ``claimed`` ones back to ``pending`` (resumed), ``sending`` ones to
    ``unknown`` (never sent again, with ``unknown_changes`` such as the reason). ``stale``
    overrides the queue's (``timedelta(0)`` when the caller holds a lease that proves the others
    dead). Returns (resumed, unknown)."""
    now = now or timezone.now()
    before = now - (queue.stale if stale is None else stale)
    base = queue.rows() if rows is None else rows
    old = Q(**{f"{queue.claimed_at}__lte": before}) | Q(**{f"{queue.claimed_at}__isnull": True})
    if except_worker:
        old &= ~Q(**{queue.claimed_by: except_worker})
    resumed = 0
    if queue.claimed is not None:
        resumed = base.filter(queue._in(queue.claimed), old).update(
            **{queue.state: queue.pending, queue.claimed_by: ""}
        )
    unknown = base.filter(queue._in(queue.sending), old).update(
        **{queue.state: queue.unknown, **(unknown_changes or {})}
    )
    if resumed or unknown:
        log.info(
            "%s: %d claimed e-mails resumed, %d perhaps sent marked unknown",
            queue.model.__name__,
            resumed,
            unknown,
        )
    return resumed, unknown


def claim(
    queue: Queue,
    rows: QuerySet[Any],
    worker: str,
    *,
    limit: int = 100,
    now: datetime | None = None,
) -> list[int]:
    """Claim up to ``limit`` pending rows of ``rows`` (oldest id first) for ``worker``; the ids
    this worker won (another worker claiming at the same time wins the others)."""
    if queue.claimed is None:
        raise ValueError("this queue claims one row at a time: use begin()")
    now = now or timezone.now()
    wanted = list(
        rows.filter(queue._in(queue.pending)).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    if not wanted:
        return []
    queue.rows().filter(queue._in(queue.pending), pk__in=wanted).update(
        **{queue.state: queue.claimed, queue.claimed_by: worker, queue.claimed_at: now}
    )
    return list(
        queue.rows()
        .filter(queue._in(queue.claimed), pk__in=wanted, **{queue.claimed_by: worker})
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def begin(queue: Queue, pk: int, worker: str, *, now: datetime | None = None) -> bool:
    """The row is about to be sent: ``claimed → sending`` (or ``pending → sending`` for a queue
    without a claimed state), committed first. False: not this worker's to send."""
    now = now or timezone.now()
    rows = queue.rows().filter(pk=pk)
    if queue.claimed is None:
        rows = rows.filter(queue._in(queue.pending))
    else:
        rows = rows.filter(queue._in(queue.claimed), **{queue.claimed_by: worker})
    return bool(
        rows.update(
            **{
                queue.state: queue.sending,
                queue.claimed_by: worker,
                queue.claimed_at: now,
                queue.attempts: F(queue.attempts) + 1,
            }
        )
    )


def mark(queue: Queue, pk: int, worker: str, state: str, **changes: Any) -> bool:
    """End a row this worker is sending: its new ``state`` and other ``changes``. False when the
    row is no longer this worker's (taken over: it was marked unknown)."""
    values = {queue.state: state, **changes}
    if state == queue.pending:
        values[queue.claimed_by] = ""
    return bool(
        queue.rows()
        .filter(queue._in(queue.sending), pk=pk, **{queue.claimed_by: worker})
        .update(**values)
    )


def send_claimed(
    queue: Queue,
    ids: Iterable[int],
    worker: str,
    send: Callable[[int], dict[str, Any] | None],
    *,
    now: Callable[[], datetime] | None = None,
) -> Result:
    """Begin, send and mark each claimed row. ``send(pk)`` sends the e-mail and may return more
    fields to write with ``sent``; it raises :class:`Skip` (no longer due),
    :class:`~ambassade.connectors.http.OutcomeUnknown` (perhaps sent), or anything else when
    nothing was sent (tried again later, failed after ``max_attempts``)."""
    clock = now or timezone.now
    result = Result()
    for pk in ids:
        if not begin(queue, pk, worker, now=clock()):
            result.lost += 1
            continue
        try:
            extra = send(pk) or {}
        except Skip:
            mark(queue, pk, worker, queue.skipped)
            result.skipped += 1
            continue
        except OutcomeUnknown as error:
            log.warning("%s %s: outcome unknown (%s)", queue.model.__name__, pk, error)
            mark(queue, pk, worker, queue.unknown)
            result.unknown += 1
            continue
        except Exception as error:  # nothing was sent: tried again, then failed
            attempts = (
                queue.rows().filter(pk=pk).values_list(queue.attempts, flat=True).first() or 0
            )
            log.warning(
                "%s %s not sent (%s), attempt %d",
                queue.model.__name__,
                pk,
                type(error).__name__,
                attempts,
            )
            if attempts >= queue.max_attempts:
                mark(queue, pk, worker, queue.failed, **_error(queue, error))
                result.failed += 1
            else:
                mark(queue, pk, worker, queue.pending, **_error(queue, error))
                result.retried += 1
            continue
        if mark(queue, pk, worker, queue.sent, **extra):
            result.sent += 1
            result.sent_ids.append(pk)
    return result


#: What the network said, kept in a reason (the server's words, never the e-mail's content).
_DETAIL = 200


def _said(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error
        text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
        return f"{error.smtp_code} {text}".strip()[:_DETAIL]
    return str(error)[:_DETAIL]


def reason(error: BaseException) -> StoredMessage:
    """Why an e-mail was not sent, as a coded message (worded where it is shown)."""
    if isinstance(getattr(error, "code", None), str):  # NotSent, connector errors
        return StoredMessage.of(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        said = "; ".join(
            f"{address}: {code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
        return coded("mail.recipients_refused", detail=said[:_DETAIL])
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return coded("mail.login_refused", detail=_said(error))
    if isinstance(error, smtplib.SMTPSenderRefused):
        return coded("mail.sender_refused", detail=_said(error))
    if isinstance(error, smtplib.SMTPResponseException):
        return coded("mail.server_refused", detail=_said(error))
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return coded("mail.server_unreachable", detail=_said(error) or type(error).__name__)
    return coded("mail.not_sent", kind=type(error).__name__, detail=_said(error))


def _error(queue: Queue, error: Exception) -> dict[str, Any]:
    """The reason, in the row's ``error`` field when it has one (never the message's content)."""
    field = next((f for f in queue.model._meta.get_fields() if f.name == "error"), None)
    if field is None:
        return {}
    found = reason(error)
    if isinstance(field, MessageField):
        return {"error": found}
    limit = getattr(field, "max_length", None) or 500
    return {"error": found.text[:limit]}


def run(
    queue: Queue,
    rows: QuerySet[Any],
    send: Callable[[int], dict[str, Any] | None],
    *,
    worker: str | None = None,
    limit: int = 100,
    now: Callable[[], datetime] | None = None,
) -> Result:
    """Recover the dead workers' rows among ``rows``, claim a batch of the pending ones, send
    them: one run of a periodic task."""
    clock = now or timezone.now
    worker = worker or worker_id()
    resumed, _unknown = recover(queue, rows, now=clock())
    ids = claim(queue, rows, worker, limit=limit, now=clock())
    result = send_claimed(queue, ids, worker, send, now=clock)
    result.resumed = resumed
    return result
