"""Background tasks of bug reports (Huey). Each claims its rows with a conditional UPDATE."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ambassade.bugreports import services


@db_task(name="bugreports.send_report")
def send_report(report_id: int) -> None:
    """One attempt at sending a report; another is scheduled when the tracker asked to wait."""
    delay = services.send(report_id)
    if delay is not None:
        send_report.schedule((report_id,), delay=delay)


@db_periodic_task(crontab(minute="*"), name="bugreports.resume")
def resume() -> int:
    """Every minute, hand on the reports whose sending stopped (a worker killed, a wait over)."""
    return services.resume_stuck()


@db_periodic_task(crontab(minute="*/5"), name="bugreports.poll")
def poll() -> int:
    """Every five minutes, read the state of the open issues whose time has come."""
    return services.poll_due()
