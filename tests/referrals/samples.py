"""Objects of workspace A for tests/test_access.py's URL walk: a referral code, a referral and
its reward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass
class ReferralSamples:
    code: Any
    referral: Any
    reward: Any


def samples(personas: Any) -> ReferralSamples:
    cached = getattr(personas, "_referrals", None)
    if cached is not None:
        return cached
    from ambassade.referrals import recording, services
    from tests.community.samples import samples as community_samples

    member = community_samples(personas).member
    programme = services.programme_of(personas.workspace_a)
    services.save_programme(
        programme, personas.alice, enabled=True, landing_url="https://a.example/join"
    )
    code = services.give_code(member, personas.alice)
    referral = recording.record_signup(
        programme,
        code=code.code,
        email="newcomer@example.org",
        name="Newcomer",
        customer="",
        address="203.0.113.1",
        at=datetime(2030, 1, 2, 10, tzinfo=UTC),
    ).referral
    result = ReferralSamples(code, referral, referral.rewards.get())
    personas._referrals = result
    return result
