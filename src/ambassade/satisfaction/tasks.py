"""Background tasks of satisfaction surveys (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ambassade.satisfaction import services


@db_periodic_task(crontab(minute="*"), name="satisfaction.ask_due")
def ask_due() -> int:
    """Every minute, ask the conversations resolved long enough ago (each once: the survey's
    conversation is unique, so two workers never ask one twice)."""
    return services.ask_due()
