"""The shared claim-send-mark queue (``workspaces/mailqueue.py``) on a queue of report deliveries:
each e-mail sent once, a dead worker's claims resumed, its e-mail in flight never sent again."""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from ambassade.analytics.reports_models import Delivery
from ambassade.connectors.http import OutcomeUnknown
from ambassade.workspaces import mailqueue
from tests.analytics.report_data import monthly
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
QUEUE = mailqueue.Queue(Delivery, state="status", stale=timedelta(minutes=10), max_attempts=2)


@pytest.fixture
def rows(personas: Personas) -> list[int]:
    report = monthly(personas, blocks=["kpis"])
    return [
        Delivery.objects.create(
            workspace=personas.workspace_a,
            report=report,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
            manual=True,
            recipients=[f"n{n}@example.org"],
        ).pk
        for n in range(3)
    ]


class Outbox:
    """A send function that records what it sent, and fails as told."""

    def __init__(self, fail: dict[int, BaseException] | None = None) -> None:
        self.sent: list[int] = []
        self.fail = fail or {}

    def __call__(self, pk: int) -> dict[str, Any]:
        if pk in self.fail:
            raise self.fail[pk]
        self.sent.append(pk)
        return {"sent_at": T0}


def states() -> dict[int, str]:
    return dict(Delivery.objects.values_list("id", "status"))


def at(minutes: float) -> Any:
    return lambda: T0 + timedelta(minutes=minutes)


def test_each_e_mail_is_claimed_sent_and_marked_once(rows: list[int]) -> None:
    outbox = Outbox()
    result = mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(0))
    assert outbox.sent == rows and result.sent_ids == rows and result.sent == 3
    assert set(states().values()) == {"sent"}
    assert mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(1)).sent == 0
    assert outbox.sent == rows


def test_a_batch_claimed_by_one_worker_is_not_sent_by_another(rows: list[int]) -> None:
    assert mailqueue.claim(QUEUE, Delivery.objects.all(), "a", now=T0) == rows
    assert mailqueue.claim(QUEUE, Delivery.objects.all(), "b", now=T0) == []
    assert not mailqueue.begin(QUEUE, rows[0], "b", now=T0)
    outbox = Outbox()
    assert mailqueue.run(QUEUE, Delivery.objects.all(), outbox, worker="b", now=at(5)).sent == 0
    assert outbox.sent == []


def test_a_dead_worker_s_claims_are_resumed_and_its_e_mail_in_flight_never_sent_again(
    rows: list[int],
) -> None:
    first, second, third = rows
    mailqueue.claim(QUEUE, Delivery.objects.all(), "dead", now=T0)
    assert mailqueue.begin(QUEUE, first, "dead", now=T0)  # killed while sending the first
    outbox = Outbox()
    # Before the claims are stale, nobody takes them.
    assert mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(9)).sent == 0
    result = mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(11))
    assert (result.resumed, result.sent) == (2, 2) and outbox.sent == [second, third]
    assert states() == {first: "unknown", second: "sent", third: "sent"}
    # The dead worker waking up can neither send nor mark anything.
    assert not mailqueue.begin(QUEUE, second, "dead", now=T0 + timedelta(minutes=12))
    assert not mailqueue.mark(QUEUE, first, "dead", "sent")
    assert mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(30)).sent == 0
    assert outbox.sent == [second, third]


def test_refusals_are_tried_again_then_failed_skips_and_unknown_outcomes_are_kept(
    rows: list[int],
) -> None:
    refused, skipped, unknown = rows
    outbox = Outbox(
        {
            refused: ConnectionRefusedError("no SMTP server"),
            skipped: mailqueue.Skip(),
            unknown: OutcomeUnknown("no answer after DATA"),
        }
    )
    first = mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(0))
    assert (first.retried, first.skipped, first.unknown, first.sent) == (1, 1, 1, 0)
    assert states() == {refused: "pending", skipped: "skipped", unknown: "unknown"}
    second = mailqueue.run(QUEUE, Delivery.objects.all(), outbox, now=at(1))
    assert second.failed == 1 and second.retried == 0  # the second attempt was the last
    failed = Delivery.objects.get(pk=refused)
    assert (failed.status, failed.attempts) == ("failed", 2)
    # Why, coded, in the reader's language (not the exception's English).
    assert failed.error.code == "mail.server_unreachable"
    assert failed.error.params == {"detail": "no SMTP server"}
    with translation.override("fr"):
        assert (
            str(failed.error) == "Le serveur de messagerie n’a pas pu être joint (no SMTP server)."
        )
    assert outbox.sent == []


@pytest.mark.parametrize(
    ("error", "code", "detail"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 no such user")}),
            "mail.recipients_refused",
            "a@example.org: 550 5.1.1 no such user",
        ),
        (
            smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"),
            "mail.login_refused",
            "535 5.7.8 bad credentials",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"not yours", "x@example.org"),
            "mail.sender_refused",
            "553 not yours",
        ),
        (smtplib.SMTPDataError(554, "rejected"), "mail.server_refused", "554 rejected"),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
            "mail.server_unreachable",
            "Connection unexpectedly closed",
        ),
        (TimeoutError(), "mail.server_unreachable", "TimeoutError"),
        (mailqueue.NotSent("mail.no_recipient"), "mail.no_recipient", None),
        (KeyError("x"), "mail.not_sent", "'x'"),
    ],
)
def test_each_reason_is_coded_and_worded_in_french(
    error: Exception, code: str, detail: str | None
) -> None:
    found = mailqueue.reason(error)
    assert found.code == code
    assert found.params.get("detail") == detail
    with translation.override("fr"):
        worded = str(found)
    assert worded and worded != found.text  # a French wording, not the English text


def test_a_queue_without_a_claimed_state_begins_from_pending(rows: list[int]) -> None:
    direct = mailqueue.Queue(Delivery, state="status", claimed=None)
    with pytest.raises(ValueError):
        mailqueue.claim(direct, Delivery.objects.all(), "a")
    assert mailqueue.begin(direct, rows[0], "a", now=T0)
    assert not mailqueue.begin(direct, rows[0], "b", now=T0)
    resumed, unknown = mailqueue.recover(direct, stale=timedelta(0), except_worker="b", now=T0)
    assert (resumed, unknown) == (0, 1) and states()[rows[0]] == "unknown"
