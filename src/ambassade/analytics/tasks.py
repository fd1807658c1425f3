"""The analytics app's background tasks (Huey finds them here)."""

from ambassade.analytics.reports_tasks import deliver_reports, send_report

__all__ = ["deliver_reports", "send_report"]
