from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from ambassade.workspaces import services, tasks
from ambassade.workspaces.models import Invitation
from tests.conftest import Personas


def test_it_registers_the_purge_as_a_daily_periodic_task() -> None:
    periodic = {task.name: task for task in HUEY._registry.periodic_tasks}
    assert "workspaces.purge_expired_invitations" in periodic
    task = periodic["workspaces.purge_expired_invitations"]
    assert task.validate_datetime(dt.datetime(2026, 3, 1, 3, 17))
    assert not task.validate_datetime(dt.datetime(2026, 3, 1, 3, 18))
    assert not task.validate_datetime(dt.datetime(2026, 3, 1, 4, 17))
    due = [t.name for t in HUEY.read_periodic(dt.datetime(2026, 3, 2, 3, 17))]
    assert "workspaces.purge_expired_invitations" in due


def test_it_purges_expired_invitations_only_and_is_idempotent(
    personas: Personas, mailoutbox: Any
) -> None:
    now = timezone.now()
    expired, _ = services.invite_member(
        personas.workspace_a, email="old@example.com", role="editor", invited_by=personas.alice
    )
    used, _ = services.invite_member(
        personas.workspace_a, email="used@example.com", role="editor", invited_by=personas.alice
    )
    Invitation.objects.filter(id__in=[expired.id, used.id]).update(
        expires_at=now - timedelta(days=1)
    )
    Invitation.objects.filter(id=used.id).update(accepted_at=now - timedelta(days=2))
    # Calling the task runs it now (Huey calls the function when invoked with .call_local()).
    assert tasks.purge_expired_invitations.call_local() == 1
    assert tasks.purge_expired_invitations.call_local() == 0
    remaining = set(Invitation.objects.values_list("email", flat=True))
    assert remaining == {"dave@example.com", "used@example.com"}


def test_it_forgets_finished_login_throttles(db: Any) -> None:
    from ambassade.workspaces import throttle
    from ambassade.workspaces.models import LoginThrottle

    now = timezone.now()
    LoginThrottle.objects.create(key="old", failures=2, first_failure_at=now - timedelta(hours=1))
    LoginThrottle.objects.create(
        key="locked",
        failures=5,
        first_failure_at=now - timedelta(hours=1),
        locked_until=now + timedelta(minutes=5),
    )
    LoginThrottle.objects.create(key="recent", failures=1, first_failure_at=now)
    assert tasks.purge_login_throttles.call_local() == 1
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {"locked", "recent"}
    assert throttle.purge(now + timedelta(hours=1)) == 2
