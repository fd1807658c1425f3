"""The analytics app's background tasks (Huey finds them here): reports' delivery
(``reports_tasks``), and the networks' numbers and the site's visits, polled every 15 minutes.
Each poll claims its account or site (``collect.poll_account``, ``traffic.read_site``), so a task run
twice, or by two workers, reads once."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.analytics import collect, traffic
from ambassade.analytics.reports_tasks import deliver_reports, send_report

__all__ = ["deliver_reports", "poll_account", "poll_accounts", "read_traffic", "send_report"]


@db_task(name="analytics.poll_account")
def poll_account(account_id: int) -> bool:
    return collect.poll_account(account_id)


@db_task(name="analytics.read_traffic")
def read_traffic(site_id: int) -> bool:
    return traffic.read_site(site_id)


@db_periodic_task(crontab(minute="*/15"), name="analytics.poll_accounts")
def poll_accounts() -> int:
    collect.sync_own_accounts()
    due = collect.due_accounts()
    for account_id in due:
        poll_account(account_id)
    sites = traffic.read_due()
    for site_id in sites:
        read_traffic(site_id)
    return len(due) + len(sites)
