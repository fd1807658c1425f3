"""How referrals read on members' timelines (``community.timeline.DESCRIBERS``): on the
referrer's, the person they referred; on the referred person's, who referred them; each linked to
that member's page."""

from __future__ import annotations

from django.urls import reverse

from ambassade.referrals.models import Referral

__all__ = ["referrals", "referrers"]


def _member_line(identity: object, fallback: str, slug: str) -> tuple[str, str]:
    member = getattr(identity, "member", None)
    if member is None:
        return fallback, ""
    return str(member.display_name or fallback), reverse("community:member", args=[slug, member.pk])


def referrals(ids: list[int], slug: str) -> dict[int, tuple[str, str]]:
    rows = Referral.objects.filter(pk__in=ids).select_related("referred__member")
    return {row.pk: _member_line(row.referred, row.name or "—", slug) for row in rows}


def referrers(ids: list[int], slug: str) -> dict[int, tuple[str, str]]:
    rows = Referral.objects.filter(pk__in=ids).select_related("referrer__member")
    return {row.pk: _member_line(row.referrer, "—", slug) for row in rows}
