"""The demo brand's referral programme: open, leading to the café's sign-up page; codes for its
five most active members, with clicks; a month of sign-ups reported as the site's API would,
some converted, one held for review (the same person through two codes), rewards granted for the
oldest. Through the services the API calls; running it again creates nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.utils import timezone

from ambassade.community.models import Member
from ambassade.referrals import recording, review, services
from ambassade.referrals.models import ReferralCode, Reward

LANDING = "https://cafe-lumiere.example/rejoindre"

FRIENDS = [
    ("Aline Perrin", 28, True),
    ("Ben Howard", 25, False),
    ("Chiara Bellini", 21, True),
    ("Damien Faure", 18, False),
    ("Elsa Marchand", 14, True),
    ("Farid Mansour", 11, False),
    ("Gaëlle Simon", 8, True),
    ("Henry Cole", 6, False),
    ("Iris Vidal", 4, False),
    ("Jade Lambert", 2, False),
    ("Kevin Dupuis", 1, False),
]


def _email(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return plain.replace(" ", ".") + "@example.net"


def ensure_demo_referrals(
    workspace: Any, owner: Any, out: TextIO, *, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    if ReferralCode.objects.filter(workspace=workspace).exists():
        return
    programme = services.programme_of(workspace)
    services.save_programme(
        programme,
        owner,
        enabled=True,
        landing_url=LANDING,
        parameter="parrain",
        signup_points=10,
        conversion_points=50,
        signup_label="Un café offert",
        conversion_label="Un paquet de 250 g",
        cap=20,
    )
    services.make_secret(programme, owner)  # shown to nobody: connect a real site with a new one
    referrers = [
        member
        for member in Member.objects.filter(workspace=workspace, staff=False)
        .exclude(identities=None)
        .order_by("-mention_count", "id")[:5]
    ]
    if not referrers:
        return
    codes = [services.give_code(member, owner) for member in referrers]
    for index, code in enumerate(codes):
        ReferralCode.objects.filter(pk=code.pk).update(clicks=40 - 7 * index)
    for index, (name, days, converts) in enumerate(FRIENDS):
        code = codes[index % len(codes)]
        at = now - timedelta(days=days, hours=index)
        referral = recording.record_signup(
            programme,
            code=code.code,
            email=_email(name),
            name=name,
            customer=f"cl-{1040 + index}",
            address=f"198.51.100.{10 + index}",
            at=at,
        ).referral
        if converts:
            recording.record_conversion(
                programme,
                code="",
                email="",
                name="",
                customer=f"cl-{1040 + index}",
                address="",
                value=Decimal("32.50"),
                at=at + timedelta(days=2),
            )
        if days > 20:
            review.decide_rewards(
                workspace, owner, referral.rewards.values_list("pk", flat=True), True
            )
    # The same friend again, through another member's code: held for review.
    recording.record_signup(
        programme,
        code=codes[1].code,
        email=_email(FRIENDS[0][0]),
        name=FRIENDS[0][0],
        customer="",
        address="198.51.100.99",
        at=now - timedelta(hours=3),
    )
    granted = Reward.objects.filter(workspace=workspace, status=Reward.Status.GRANTED).count()
    out.write(
        f"Referral programme: {len(codes)} codes, {len(FRIENDS) + 1} sign-ups, "
        f"{granted} rewards granted, one held for review.\n"
    )
