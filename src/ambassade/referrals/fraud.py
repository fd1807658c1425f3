"""Fraud checks on a sign-up, each a flag that holds the referral for a person's review instead of
rewarding it (docs/community.md, "Referral programme"):

- ``self_referral`` — the referred person is the referrer: the same member (an identity merged
  into them), or their e-mail address is the referrer's (the member's, or one of their e-mail
  accounts).
- ``already_referred`` — the same person was referred before through another code: the same
  e-mail address, the same customer id of the brand's site, or an identity of the same member.
- ``ip_limit`` — more sign-ups from the person's address in 24 hours than the programme allows.
- ``burst`` — more sign-ups on the code in ten minutes than the programme allows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db.models import Q

from ambassade.community.models import Identity
from ambassade.referrals.models import Programme, Referral, ReferralCode

__all__ = ["BURST_WINDOW", "FLAGS", "IP_WINDOW", "check", "ip_hash"]

FLAGS = ("self_referral", "already_referred", "ip_limit", "burst")
IP_WINDOW = dt.timedelta(hours=24)
BURST_WINDOW = dt.timedelta(minutes=10)


def ip_hash(programme: Programme, address: str) -> str:
    """The person's address as a keyed hash: sign-ups from one address are counted, and the
    address itself is never stored."""
    if not address:
        return ""
    raw = f"{settings.SECRET_KEY}|referrals|{programme.workspace_id}|{address}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _referrer_emails(code: ReferralCode) -> set[str]:
    member = code.identity.member
    emails = {member.email.casefold()} if member.email else set()
    emails |= set(member.identities.filter(network="email").values_list("handle", flat=True))
    return emails


def check(
    programme: Programme,
    code: ReferralCode,
    *,
    email: str,
    customer: str,
    referred: Identity | None,
    address_hash: str,
    at: dt.datetime,
) -> list[str]:
    """The flags a new sign-up raises (empty: clear)."""
    flags: list[str] = []
    referrer_member = code.identity.member_id
    if (referred is not None and referred.member_id == referrer_member) or (
        email and email in _referrer_emails(code)
    ):
        flags.append("self_referral")
    same_person = Q(pk__in=[])
    if email:
        same_person |= Q(email=email)
    if customer:
        same_person |= Q(customer=customer)
    if referred is not None:
        same_person |= Q(referred__member_id=referred.member_id)
    earlier = Referral.objects.filter(workspace_id=programme.workspace_id).filter(same_person)
    if earlier.exclude(review=Referral.Review.REJECTED).exists():
        flags.append("already_referred")
    if address_hash:
        from_address = Referral.objects.filter(
            workspace_id=programme.workspace_id,
            ip_hash=address_hash,
            signed_up_at__gt=at - IP_WINDOW,
            signed_up_at__lte=at,
        ).count()
        if from_address + 1 > programme.ip_limit:
            flags.append("ip_limit")
    on_code = Referral.objects.filter(
        code=code, signed_up_at__gt=at - BURST_WINDOW, signed_up_at__lte=at
    ).count()
    if on_code + 1 > programme.burst_limit:
        flags.append("burst")
    return flags
