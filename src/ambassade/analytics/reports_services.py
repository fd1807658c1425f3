"""Every write about reports (each in the audit log) and their delivery by e-mail.

Delivery: every ten minutes the worker (``tasks.deliver_reports``) creates, for each report sent
weekly or monthly, the delivery of the last complete week or month once it is past ``SEND_HOUR``
in the workspace's time zone. The delivery is unique per (report, period): two workers, or a
worker restarted, create it once. It is sent through the shared claim-send-mark queue
(``workspaces/mailqueue.py``, :data:`QUEUE`): a claim left by a worker that died before sending is
taken again after ``STALE``; a delivery left "sending" by a worker that died may have been
accepted by the server, so it becomes "perhaps sent" and is never sent twice. A refusal is tried
again, up to ``MAX_ATTEMPTS`` in all, with the same Message-ID each time, then marked failed
with its reason."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassade.analytics import reports
from ambassade.analytics.reports_models import Delivery, Report, Schedule
from ambassade.workspaces import mailqueue
from ambassade.workspaces.audit import register_audit_action
from ambassade.workspaces.services import record_audit

__all__ = [
    "create_report",
    "delete_report",
    "due_deliveries",
    "schedule_due",
    "send_delivery",
    "send_now",
    "update_report",
]

log = logging.getLogger(__name__)

#: Local hour from which the last period's report is sent (the morning after it ends).
SEND_HOUR = 7
#: A claim older than this is a worker that died while sending: taken again.
STALE = timedelta(minutes=15)
MAX_ATTEMPTS = 3
QUEUE = mailqueue.Queue(Delivery, state="status", stale=STALE, max_attempts=MAX_ATTEMPTS)

REPORT_CREATED = register_audit_action(
    "analytics.report.created", gettext_lazy("created the report")
)
REPORT_UPDATED = register_audit_action(
    "analytics.report.updated", gettext_lazy("changed the report")
)
REPORT_DELETED = register_audit_action(
    "analytics.report.deleted", gettext_lazy("removed the report")
)
REPORT_SENT = register_audit_action(
    "analytics.report.sent", gettext_lazy("sent the report by e-mail")
)

FIELDS = (
    "name",
    "template",
    "language",
    "blocks",
    "commentary",
    "campaign",
    "period_start",
    "period_end",
    "schedule",
    "recipients",
)


def _apply(report: Report, fields: dict[str, Any], logo: Any, remove_logo: bool) -> None:
    previous_schedule = report.schedule if report.pk else ""
    for name in FIELDS:
        if name in fields:
            setattr(report, name, fields[name])
    if report.schedule and report.schedule != previous_schedule:
        report.scheduled_since = timezone.now()
    if logo is not None:
        report.logo, report.logo_width, report.logo_height = logo.png, logo.width, logo.height
    elif remove_logo:
        report.logo, report.logo_width, report.logo_height = None, 0, 0


@transaction.atomic
def create_report(
    workspace: Any, actor: Any, *, logo: Any = None, remove_logo: bool = False, **fields: Any
) -> Report:
    report = Report(
        workspace=workspace,
        language=workspace.language,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply(report, fields, logo, remove_logo)
    report.save()
    record_audit(workspace, actor, REPORT_CREATED, report)
    return report


@transaction.atomic
def update_report(
    report: Report, actor: Any, *, logo: Any = None, remove_logo: bool = False, **fields: Any
) -> Report:
    _apply(report, fields, logo, remove_logo)
    report.save()
    record_audit(report.workspace, actor, REPORT_UPDATED, report)
    return report


@transaction.atomic
def delete_report(report: Report, actor: Any) -> None:
    record_audit(report.workspace, actor, REPORT_DELETED, report)
    report.delete()


@transaction.atomic
def send_now(report: Report, actor: Any, start: date, end: date) -> Delivery:
    """Send the report for ``start``–``end`` to its recipients, from the worker, now."""
    delivery = Delivery.objects.create(
        workspace=report.workspace,
        report=report,
        period_start=start,
        period_end=end,
        recipients=report.recipient_list,
        manual=True,
    )
    record_audit(
        report.workspace,
        actor,
        REPORT_SENT,
        report,
        details={"start": start.isoformat(), "end": end.isoformat()},
    )
    from ambassade.analytics.reports_tasks import send_report

    transaction.on_commit(lambda: send_report(delivery.pk))
    return delivery


# --- the schedule -------------------------------------------------------------------------------


def scheduled_period(report: Report, today: date) -> tuple[date, date]:
    if report.schedule == Schedule.WEEKLY:
        return reports.last_week(today)
    return reports.last_month(today)


def schedule_due(now: datetime | None = None) -> list[int]:
    """Create the deliveries that are due and not made yet; their ids."""
    now = now or timezone.now()
    made: list[int] = []
    for report in (
        Report.objects.exclude(schedule="").exclude(recipients="").select_related("workspace")
    ):
        zone = ZoneInfo(report.workspace.time_zone)
        local = now.astimezone(zone)
        start, end = scheduled_period(report, local.date())
        due = datetime.combine(end + timedelta(days=1), time(SEND_HOUR), tzinfo=zone)
        period_over = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        if now < due or (report.scheduled_since and report.scheduled_since > period_over):
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    workspace=report.workspace,
                    report=report,
                    period_start=start,
                    period_end=end,
                    recipients=report.recipient_list,
                )
        except IntegrityError:
            continue  # made already, by this worker earlier or another one
        made.append(delivery.pk)
    return made


def due_deliveries(now: datetime | None = None) -> list[int]:
    """Deliveries to send: the pending ones, and those whose worker died after claiming them
    (those it died sending become "perhaps sent")."""
    now = now or timezone.now()
    mailqueue.recover(QUEUE, now=now)
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )


def period_text(start: date, end: date) -> str:
    return _("%(start)s – %(end)s") % {
        "start": formats.date_format(start, "DATE_FORMAT"),
        "end": formats.date_format(end, "DATE_FORMAT"),
    }


def file_name(report: Report, start: date, end: date, extension: str) -> str:
    base = slugify(report.name)[:60] or "report"
    return f"{base}-{start.isoformat()}-{end.isoformat()}.{extension}"


def build_message(delivery: Delivery) -> EmailMessage:
    """The e-mail of one delivery, in the report's language, its PDF attached."""
    report = delivery.report
    start, end = delivery.period_start, delivery.period_end
    html = reports.render_html(report, start, end)
    pdf = reports.render_pdf(html)
    with translation.override(report.language):
        period = period_text(start, end)
        subject = _("%(report)s, %(period)s") % {"report": report.name, "period": period}
        body = _(
            "Hello,\n\nPlease find attached the report “%(report)s” of %(workspace)s for "
            "%(period)s (PDF).\n\n— Sent by Ambassade"
        ) % {"report": report.name, "workspace": report.workspace.name, "period": period}
    domain = (settings.DEFAULT_FROM_EMAIL or "ambassade.invalid").rpartition("@")[2].strip("> ")
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=list(delivery.recipients),
        headers={"Message-ID": f"<report-{delivery.pk}@{domain or 'ambassade.invalid'}>"},
    )
    message.attach(file_name(report, start, end, "pdf"), pdf, "application/pdf")
    return message


def _send(delivery_id: int) -> dict[str, Any]:
    delivery = Delivery.objects.select_related("report__workspace").get(id=delivery_id)
    if not delivery.recipients:
        raise mailqueue.NotSent("mail.no_recipient")
    build_message(delivery).send()
    return {"sent_at": timezone.now(), "error": ""}


def send_delivery(delivery_id: int, now: datetime | None = None) -> bool:
    """Send one delivery if it can be claimed; True when this call sent it."""
    worker = mailqueue.worker_id()
    claimed = mailqueue.claim(QUEUE, Delivery.objects.filter(id=delivery_id), worker, now=now)
    clock = (lambda: now) if now is not None else None
    return mailqueue.send_claimed(QUEUE, claimed, worker, _send, now=clock).sent == 1
