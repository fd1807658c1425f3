"""Scheduled delivery: the week or month just ended, once per period whatever the workers and
restarts, the PDF attached; a claim left by a dead worker taken again; failures retried then
marked failed with their reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import translation

from ambassade.analytics import reports_services
from ambassade.analytics.reports_models import Delivery
from tests.analytics.report_data import monthly
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
# Tuesday 1 December 2026, 06:59 and 07:00 in Paris (UTC+1).
BEFORE_SEVEN = datetime(2026, 12, 1, 5, 59, tzinfo=UTC)
SEVEN = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def report(personas: Personas) -> Any:
    personas.workspace_a.time_zone = "Europe/Paris"
    personas.workspace_a.save(update_fields=["time_zone"])
    report = monthly(
        personas,
        blocks=["kpis"],
        schedule="monthly",
        recipients="boss@example.com\nclient@example.org",
    )
    report.scheduled_since = datetime(2026, 11, 15, tzinfo=UTC)
    report.save(update_fields=["scheduled_since"])
    return report


def test_the_month_just_ended_is_sent_once_the_morning_after(
    report: Any, mailoutbox: list[Any]
) -> None:
    assert reports_services.schedule_due(BEFORE_SEVEN) == []
    made = reports_services.schedule_due(SEVEN)
    assert len(made) == 1
    # A second worker, or the same one restarted, makes nothing more.
    assert reports_services.schedule_due(SEVEN + timedelta(minutes=10)) == []
    delivery = Delivery.objects.get()
    assert (delivery.period_start.isoformat(), delivery.period_end.isoformat()) == (
        "2026-11-01",
        "2026-11-30",
    )
    assert reports_services.due_deliveries(SEVEN) == [delivery.pk]
    assert reports_services.send_delivery(delivery.pk, SEVEN) is True
    assert reports_services.send_delivery(delivery.pk, SEVEN + timedelta(hours=1)) is False
    assert reports_services.due_deliveries(SEVEN + timedelta(hours=1)) == []
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["boss@example.com", "client@example.org"]
    assert mail.subject == "Rapport mensuel, 1 novembre 2026 – 30 novembre 2026"
    assert mail.extra_headers["Message-ID"].startswith(f"<report-{delivery.pk}@")
    ((name, content, kind),) = mail.attachments
    assert name == "rapport-mensuel-2026-11-01-2026-11-30.pdf" and kind == "application/pdf"
    assert content.startswith(b"%PDF-")
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


def test_a_period_ended_before_the_delivery_was_switched_on_is_not_sent(report: Any) -> None:
    report.scheduled_since = datetime(2026, 12, 1, 2, tzinfo=UTC)
    report.save(update_fields=["scheduled_since"])
    assert reports_services.schedule_due(SEVEN) == []


def test_a_dead_worker_s_claim_is_taken_again_once_stale(
    report: Any, mailoutbox: list[Any]
) -> None:
    (delivery_id,) = reports_services.schedule_due(SEVEN)
    # A worker claimed it and died before sending.
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.CLAIMED, claimed_at=SEVEN, claimed_by="dead"
    )
    assert reports_services.due_deliveries(SEVEN + timedelta(minutes=14)) == []
    assert reports_services.send_delivery(delivery_id, SEVEN + timedelta(minutes=14)) is False
    later = SEVEN + timedelta(minutes=16)
    assert reports_services.due_deliveries(later) == [delivery_id]
    assert reports_services.send_delivery(delivery_id, later) is True
    assert len(mailoutbox) == 1


def test_a_worker_killed_while_sending_never_sends_it_twice(
    report: Any, mailoutbox: list[Any]
) -> None:
    """Killed between the server's "accepted" and the mark, the report may have gone: it is
    "perhaps sent", not sent again (the old loop sent it a second time once stale)."""
    (delivery_id,) = reports_services.schedule_due(SEVEN)
    Delivery.objects.filter(pk=delivery_id).update(
        status=Delivery.Status.SENDING, claimed_at=SEVEN, claimed_by="dead", attempts=1
    )
    later = SEVEN + timedelta(minutes=16)
    assert reports_services.due_deliveries(later) == []
    assert reports_services.send_delivery(delivery_id, later) is False
    assert reports_services.send_delivery(delivery_id, later + timedelta(days=1)) is False
    assert not mailoutbox
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == Delivery.Status.UNKNOWN
    with translation.override("en"):
        assert delivery.get_status_display() == "Perhaps sent (the worker stopped)"


def test_a_failure_is_retried_then_marked_failed(report: Any, monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    monkeypatch.setattr("ambassade.analytics.reports.render_pdf", lambda html: b"%PDF-1.7")
    (delivery_id,) = reports_services.schedule_due(SEVEN)
    for attempt in range(reports_services.MAX_ATTEMPTS):
        now = SEVEN + timedelta(minutes=10 * attempt)
        assert reports_services.send_delivery(delivery_id, now) is False
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert delivery.error.code == "mail.server_unreachable"
    with translation.override("fr"):
        assert "n’a pas pu être joint (no SMTP server)" in str(delivery.error)
    assert reports_services.due_deliveries(SEVEN + timedelta(days=1)) == []


def test_errors_stored_before_codes_read_in_the_reader_s_language(report: Any) -> None:
    """Migration 0006: an old row's English ``Name: detail`` becomes ``mail.not_sent``."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("ambassade.analytics.migrations.0006_delivery_error_coded")
    old = Delivery.objects.create(
        workspace=report.workspace,
        report=report,
        period_start=SEVEN.date(),
        period_end=SEVEN.date(),
        status=Delivery.Status.FAILED,
        error="ConnectionRefusedError: no SMTP server",
    )
    plain = Delivery.objects.create(
        workspace=report.workspace,
        report=report,
        period_start=SEVEN.date(),
        period_end=SEVEN.date(),
        manual=True,
        error="something odd",
    )
    migration.code_old_errors(apps, None)
    old.refresh_from_db()
    plain.refresh_from_db()
    assert old.error.code == "mail.not_sent"
    assert old.error.text == "ConnectionRefusedError: no SMTP server"
    with translation.override("fr"):
        assert str(old.error) == (
            "L’e-mail n’a pas pu être envoyé (ConnectionRefusedError : no SMTP server)."
        )
        assert "(Error : something odd)" in str(plain.error)
    migration.code_old_errors(apps, None)  # again: nothing changes
    assert Delivery.objects.get(pk=old.pk).error == old.error
