"""Sign-ups and conversions reported by the brand's site (through ``api``), with their fraud
checks, rewards and timeline entries.

A sign-up makes the referred person a member of the community (an ``email`` account when the site
gives their address), puts ``referral`` on the referrer's timeline and ``referred`` on theirs. A
flagged sign-up is held for review: its rewards wait for a person to approve it (``review``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from ambassade.community import activities
from ambassade.community.models import Identity
from ambassade.referrals import fraud
from ambassade.referrals.models import Programme, Referral, ReferralCode, Reward

__all__ = [
    "SOURCE_CONVERSION",
    "SOURCE_REFERRAL",
    "SOURCE_REFERRED",
    "Outcome",
    "RecordError",
    "record_conversion",
    "record_signup",
]

SOURCE_REFERRAL = "referrals.referral"
SOURCE_REFERRED = "referrals.referred"
SOURCE_CONVERSION = "referrals.conversion"


class RecordError(Exception):
    """The event names something that does not exist: ``code`` says what (``unknown_code``,
    ``inactive_code``, ``unknown_referral``), ``field`` which field of the body."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass
class Outcome:
    referral: Referral
    duplicate: bool = False
    flags: list[str] = field(default_factory=list)


def _within_cap(programme: Programme, referrer: Identity | None, referral: Referral) -> bool:
    """Whether ``referral`` may still be rewarded under the programme's cap: fewer than ``cap``
    other referrals of the referrer's member earned a reward that was not refused."""
    if programme.cap is None or referrer is None:
        return True
    rewarded = (
        Reward.objects.filter(referrer__member_id=referrer.member_id)
        .exclude(status=Reward.Status.REJECTED)
        .exclude(referral=referral)
        .values("referral_id")
        .distinct()
        .count()
    )
    return rewarded < programme.cap


def _reward(programme: Programme, referral: Referral, kind: str, at: dt.datetime) -> None:
    points, label = (
        (programme.signup_points, programme.signup_label)
        if kind == Reward.Kind.SIGNUP
        else (programme.conversion_points, programme.conversion_label)
    )
    if not points and not label:
        return
    status, reason = Reward.Status.PENDING, ""
    if referral.review == Referral.Review.REJECTED:
        status = Reward.Status.REJECTED
    elif not _within_cap(programme, referral.referrer, referral):
        status, reason = Reward.Status.REJECTED, "cap"
    Reward.objects.get_or_create(
        referral=referral,
        kind=kind,
        defaults={
            "workspace_id": referral.workspace_id,
            "referrer": referral.referrer,
            "points": points,
            "label": label,
            "status": status,
            "reason": reason,
            "created_at": at,
        },
    )


def _code(programme: Programme, code: str) -> ReferralCode:
    from ambassade.referrals.services import normalise_code

    written = normalise_code(code)
    found = (
        ReferralCode.objects.filter(workspace_id=programme.workspace_id, code=written)
        .select_related("identity__member")
        .first()
        if written
        else None
    )
    if found is None:
        raise RecordError("unknown_code", "code")
    if not found.active:
        raise RecordError("inactive_code", "code")
    return found


def record_signup(
    programme: Programme,
    *,
    code: str,
    email: str,
    name: str,
    customer: str,
    address: str,
    at: dt.datetime,
) -> Outcome:
    """Record that a person signed up with ``code`` (once: the same person on the same code is
    the referral already recorded)."""
    found = _code(programme, code)
    with transaction.atomic():
        same = Q(pk__in=[])
        if email:
            same |= Q(email=email)
        if customer:
            same |= Q(customer=customer)
        existing = Referral.objects.filter(code=found).filter(same).first()
        if existing is not None:
            return Outcome(existing, duplicate=True, flags=list(existing.flags))
        referred = None
        if email:
            referred = activities.identity_for(programme.workspace, "email", email, name=name)
        address_hash = fraud.ip_hash(programme, address)
        flags = fraud.check(
            programme,
            found,
            email=email,
            customer=customer,
            referred=referred,
            address_hash=address_hash,
            at=at,
        )
        referral = Referral.objects.create(
            workspace_id=programme.workspace_id,
            code=found,
            referrer=found.identity,
            referred=referred,
            email=email,
            name=name,
            customer=customer,
            ip_hash=address_hash,
            review=Referral.Review.HELD if flags else Referral.Review.CLEAR,
            flags=flags,
            signed_up_at=at,
        )
        _reward(programme, referral, Reward.Kind.SIGNUP, at)
        activities.record(found.identity, "referral", at, SOURCE_REFERRAL, referral.pk)
        if referred is not None:
            activities.record(referred, "referred", at, SOURCE_REFERRED, referral.pk)
    return Outcome(referral, flags=flags)


def record_conversion(
    programme: Programme,
    *,
    code: str,
    email: str,
    name: str,
    customer: str,
    address: str,
    value: Decimal | None,
    at: dt.datetime,
) -> Outcome:
    """Record that a referred person converted (their first purchase, a paid plan…): the referral
    found by customer id, else by e-mail address; with a code and no referral yet, the sign-up is
    recorded first. A referral converts once (later conversions answer it as a duplicate)."""
    with transaction.atomic():
        referral = None
        if customer:
            referral = Referral.objects.filter(
                workspace_id=programme.workspace_id, customer=customer
            ).first()
        if referral is None and email:
            referral = Referral.objects.filter(
                workspace_id=programme.workspace_id, email=email
            ).first()
        if referral is None:
            if not code:
                raise RecordError("unknown_referral", "customer" if customer else "email")
            referral = record_signup(
                programme,
                code=code,
                email=email,
                name=name,
                customer=customer,
                address=address,
                at=at,
            ).referral
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status == Referral.Status.CONVERTED:
            return Outcome(referral, duplicate=True, flags=list(referral.flags))
        referral.status = Referral.Status.CONVERTED
        referral.converted_at = max(at, referral.signed_up_at)
        referral.value = value
        referral.save(update_fields=["status", "converted_at", "value"])
        _reward(programme, referral, Reward.Kind.CONVERSION, referral.converted_at)
        if referral.referrer is not None:
            activities.record(
                referral.referrer,
                "referral_converted",
                referral.converted_at,
                SOURCE_CONVERSION,
                referral.pk,
            )
    return Outcome(referral, flags=list(referral.flags))
