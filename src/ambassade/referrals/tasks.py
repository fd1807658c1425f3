"""Background tasks of referrals (Huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ambassade.referrals import api


@db_periodic_task(crontab(minute="*/10"), name="referrals.purge_throttles")
def purge_throttles() -> int:
    """Every ten minutes: the API's rate-limit rows of past minutes (one per calling address)."""
    return api.purge_throttles()
