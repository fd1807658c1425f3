"""The team's writes on the audience: following a competitor's account and no longer following
it, each in the audit log. Own accounts follow the workspace's connections (``collect``)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassade.analytics.audience_models import TrackedAccount
from ambassade.workspaces.audit import register_audit_action
from ambassade.workspaces.services import record_audit

__all__ = ["AlreadyFollowed", "add_competitor", "poll_soon", "remove_competitor"]

COMPETITOR_ADDED = register_audit_action(
    "analytics.competitor.added", _("followed the competitor's account")
)
COMPETITOR_REMOVED = register_audit_action(
    "analytics.competitor.removed", _("stopped following the competitor's account")
)


class AlreadyFollowed(ValueError):
    pass


def add_competitor(
    workspace: Any, actor: Any, *, network: str, handle: str, label: str = ""
) -> TrackedAccount:
    try:
        with transaction.atomic():
            account = TrackedAccount.objects.create(
                workspace=workspace,
                role=TrackedAccount.Role.COMPETITOR,
                network=network,
                handle=handle,
                label=label,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                next_poll_at=timezone.now(),
            )
            record_audit(workspace, actor, COMPETITOR_ADDED, account)
    except IntegrityError:
        raise AlreadyFollowed(handle) from None
    return account


@transaction.atomic
def remove_competitor(account: TrackedAccount, actor: Any) -> None:
    record_audit(account.workspace, actor, COMPETITOR_REMOVED, account)
    account.delete()


def poll_soon(account: TrackedAccount) -> None:
    """Read the account at the next tick of the poller (after a reconnection, or to retry)."""
    TrackedAccount.objects.filter(id=account.id).update(next_poll_at=timezone.now())
