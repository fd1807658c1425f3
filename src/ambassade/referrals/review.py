"""The team's decisions: a held referral approved or rejected, a reward granted or refused.

Approving a held referral makes its pending rewards grantable; rejecting one refuses its rewards.
A reward is granted (the team gave it: points counted, a voucher sent) or refused, once: a decided
reward does not change again. Each decision is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from ambassade.referrals.models import Referral, Reward
from ambassade.workspaces import services as workspace_services
from ambassade.workspaces.models import Workspace

__all__ = ["ReviewError", "decide_referral", "decide_rewards"]


class ReviewError(Exception):
    """The decision cannot be made now; ``code`` says why (worded in ``messages.py``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def decide_referral(referral: Referral, actor: Any, approve: bool) -> Referral:
    """Approve or reject a referral held for review (a clear one may be rejected too)."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.review in (Referral.Review.APPROVED, Referral.Review.REJECTED):
            raise ReviewError("referral.decided")
        if approve and locked.review != Referral.Review.HELD:
            raise ReviewError("referral.not_held")
        now = timezone.now()
        locked.review = Referral.Review.APPROVED if approve else Referral.Review.REJECTED
        locked.reviewed_by, locked.reviewed_at = actor, now
        locked.save(update_fields=["review", "reviewed_by", "reviewed_at"])
        if not approve:
            Reward.objects.filter(referral=locked, status=Reward.Status.PENDING).update(
                status=Reward.Status.REJECTED, decided_by=actor, decided_at=now
            )
        workspace_services.record_audit(
            locked.workspace,
            actor,
            "referrals.referral.approved" if approve else "referrals.referral.rejected",
            None,
            object_repr=f"#{locked.pk}",
            details={"flags": list(locked.flags)},
        )
    return locked


def decide_rewards(workspace: Workspace, actor: Any, reward_ids: Iterable[int], grant: bool) -> int:
    """Grant or refuse pending rewards of ``workspace`` (others' ids are ignored); a reward of a
    referral still held for review is not granted. Returns how many changed."""
    ids = [int(pk) for pk in reward_ids]
    with transaction.atomic():
        rows = Reward.objects.filter(workspace=workspace, pk__in=ids, status=Reward.Status.PENDING)
        if grant:
            rows = rows.exclude(referral__review=Referral.Review.HELD)
        changed = rows.update(
            status=Reward.Status.GRANTED if grant else Reward.Status.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if changed:
            workspace_services.record_audit(
                workspace,
                actor,
                "referrals.rewards.granted" if grant else "referrals.rewards.rejected",
                None,
                details={"count": changed},
            )
    return changed
