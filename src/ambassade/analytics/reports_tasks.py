"""The worker's side of reports: deliveries due every ten minutes, a "Send now" at once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.analytics import reports_services


@db_task()
def send_report(delivery_id: int) -> bool:
    return reports_services.send_delivery(delivery_id)


@db_periodic_task(crontab(minute="*/10"), name="analytics.deliver_reports")
def deliver_reports() -> int:
    """Make the deliveries of the week or month just ended, then send every one still to send
    (a worker killed while sending left its claim: it is taken again once stale)."""
    reports_services.schedule_due()
    sent = 0
    for delivery_id in reports_services.due_deliveries():
        sent += reports_services.send_delivery(delivery_id)
    return sent
