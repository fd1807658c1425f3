"""A person's referrals, for the community's RGPD export and erasure (called with the member's
identities and e-mail addresses, like the other apps' ``privacy`` modules).

- **Export**: their codes (with clicks), the referrals they made (dates, status, review, their
  rewards; not the referred people's details, which are those people's), and the referral that
  brought them (with their own details as the brand's site gave them).
- **Erasure**: as a referred person, their e-mail address, name, customer id and address hash are
  emptied and the referral detached from them; it stays, so the referrer's rewards and the
  programme's figures do not change. As a referrer, their codes go with their identities (the
  referrals they made stay, detached from them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from ambassade.referrals.models import Referral, ReferralCode, Reward
from ambassade.workspaces.models import Workspace

__all__ = ["erase_person", "export_person"]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _as_referred(
    workspace: Workspace, identity_ids: list[int], emails: Iterable[str]
) -> QuerySet[Referral]:
    query = Q(referred_id__in=identity_ids)
    addresses = [email.casefold() for email in emails if email]
    if addresses:
        query |= Q(email__in=addresses)
    return Referral.objects.filter(workspace=workspace).filter(query)


def export_person(
    workspace: Workspace, identity_ids: list[int], emails: Iterable[str]
) -> dict[str, Any]:
    made = Referral.objects.filter(workspace=workspace, referrer_id__in=identity_ids)
    rewards: dict[int, list[dict[str, Any]]] = {}
    for reward in Reward.objects.filter(referral__in=made).order_by("id"):
        rewards.setdefault(reward.referral_id, []).append(
            {
                "for": reward.kind,
                "points": reward.points,
                "reward": reward.label,
                "status": reward.status,
            }
        )
    return {
        "codes": [
            {
                "code": code.code,
                "active": code.active,
                "clicks": code.clicks,
                "created_at": _iso(code.created_at),
            }
            for code in ReferralCode.objects.filter(
                workspace=workspace, identity_id__in=identity_ids
            ).order_by("id")
        ],
        "referred_others": [
            {
                "id": referral.pk,
                "signed_up_at": _iso(referral.signed_up_at),
                "status": referral.status,
                "converted_at": _iso(referral.converted_at),
                "review": referral.review,
                "rewards": rewards.get(referral.pk, []),
            }
            for referral in made.order_by("signed_up_at", "id")
        ],
        "referred_by": [
            {
                "id": referral.pk,
                "code": referral.code.code if referral.code else None,
                "email": referral.email,
                "name": referral.name,
                "customer": referral.customer,
                "signed_up_at": _iso(referral.signed_up_at),
                "status": referral.status,
                "converted_at": _iso(referral.converted_at),
                "value": str(referral.value) if referral.value is not None else None,
            }
            for referral in _as_referred(workspace, identity_ids, emails)
            .select_related("code")
            .order_by("signed_up_at", "id")
        ],
    }


def erase_person(workspace: Workspace, identity_ids: list[int], emails: Iterable[str]) -> int:
    changed = _as_referred(workspace, identity_ids, list(emails)).update(
        email="", name="", customer="", ip_hash="", referred=None
    )
    # Their codes are deleted with their identities; what they referred stays, detached.
    changed += Referral.objects.filter(workspace=workspace, referrer_id__in=identity_ids).update(
        referrer=None
    )
    Reward.objects.filter(workspace=workspace, referrer_id__in=identity_ids).update(referrer=None)
    deleted, _rows = ReferralCode.objects.filter(
        workspace=workspace, identity_id__in=identity_ids
    ).delete()
    return int(changed + deleted)
