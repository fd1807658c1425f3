"""Codes and links, fraud checks, review, rewards and the leaderboard."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from ambassade.community import activities
from ambassade.community import services as community_services
from ambassade.referrals import board, recording, review, services
from ambassade.referrals.models import Programme, Referral, ReferralCode, Reward

NOW = dt.datetime(2030, 5, 1, 12, tzinfo=dt.UTC)


def sign(setup: Any, email: str, *, code: Any = None, at: dt.datetime = NOW, **extra: Any) -> Any:
    values = {"name": "", "customer": "", "address": "203.0.113.50", **extra}
    return recording.record_signup(
        Programme.objects.get(pk=setup.programme.pk),
        code=(code or setup.code).code,
        email=email,
        at=at,
        **values,
    )


def another_referrer(personas: Any, handle: str) -> Any:
    identity = activities.identity_for(personas.workspace_a, "bluesky", handle)
    assert identity is not None
    return services.give_code(identity.member, personas.alice)


def test_codes_are_typed_forgivingly_and_drawn_at_random(setup: Any, personas: Any) -> None:
    code = setup.code.code
    assert len(code) == 9 and code[4] == "-"
    assert set(code.replace("-", "")) <= set(services.ALPHABET)
    assert services.normalise_code(code.lower().replace("-", " ")) == code
    assert services.normalise_code("O0O0-1111") == ""  # letters a person would confuse
    # A member has one active code: asking again gives the same one.
    assert services.give_code(setup.referrer, personas.alice) == setup.code
    others = {another_referrer(personas, f"p{index}").code for index in range(20)}
    assert len(others) == 20 and code not in others


def test_the_link_counts_the_click_and_carries_the_code(setup: Any, client: Any) -> None:
    response = client.get(f"/l/{setup.code.code.lower()}")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.netloc, target.path) == ("cafe.example", "/join")
    assert parse_qs(target.query) == {"lang": ["fr"], "ref": [setup.code.code]}
    assert ReferralCode.objects.get(pk=setup.code.pk).clicks == 1
    # Deactivated: the page, without the code, and no click counted.
    services.deactivate_code(setup.code, None)
    response = client.get(f"/l/{setup.code.code}")
    assert parse_qs(urlsplit(response["Location"]).query) == {"lang": ["fr"]}
    assert ReferralCode.objects.get(pk=setup.code.pk).clicks == 1
    # Closed programme: nowhere to go.
    Programme.objects.update(enabled=False)
    assert client.get(f"/l/{setup.code.code}").status_code == 404
    assert client.get("/l/ZZZZ-ZZZZ").status_code == 404


def test_the_code_follows_merges(setup: Any, personas: Any) -> None:
    other = activities.identity_for(personas.workspace_a, "x", "ambre_x")
    assert other is not None
    merged = community_services.merge_members(other.member, setup.referrer, personas.alice)
    assert services.code_of(merged) == setup.code


def test_a_clear_signup_is_rewarded_pending(setup: Any) -> None:
    outcome = sign(setup, "new@example.org")
    assert outcome.flags == [] and outcome.referral.review == "clear"
    assert outcome.referral.rewards.get().status == "pending"


@pytest.mark.parametrize("how", ["member_email", "email_account", "merged_identity"])
def test_self_referral_is_held(setup: Any, personas: Any, how: str) -> None:
    if how == "member_email":
        email = "AMBRE@example.org".casefold()
    elif how == "email_account":
        email = "ambre.perso@example.org"
        account = activities.identity_for(personas.workspace_a, "email", email)
        assert account is not None
        community_services.merge_members(setup.referrer, account.member, personas.alice)
    else:
        # Signed up first with a code of someone else, then merged into the referrer.
        email = "ambre.alt@example.org"
        friend = another_referrer(personas, "friend")
        sign(setup, email, code=friend)
        referred = Referral.objects.get(email=email).referred
        community_services.merge_members(setup.referrer, referred.member, personas.alice)
        Referral.objects.filter(email=email).update(review="rejected")
        email = "ambre.alt2@example.org"
        account = activities.identity_for(personas.workspace_a, "email", email)
        assert account is not None
        community_services.merge_members(setup.referrer, account.member, personas.alice)
    outcome = sign(setup, email)
    assert "self_referral" in outcome.flags
    assert outcome.referral.review == "held"


def test_the_same_person_through_two_codes_is_held(setup: Any, personas: Any) -> None:
    sign(setup, "twice@example.org", customer="c-9")
    other = another_referrer(personas, "rival")
    by_email = sign(setup, "twice@example.org", code=other)
    assert by_email.flags == ["already_referred"]
    by_customer = sign(setup, "another@example.org", code=other, customer="c-9")
    assert "already_referred" in by_customer.flags
    # The same person on the same code is the same referral, not a new one.
    again = sign(setup, "twice@example.org")
    assert again.duplicate and Referral.objects.filter(code=setup.code).count() == 1


def test_too_many_signups_from_one_address_or_in_a_burst_are_held(setup: Any) -> None:
    Programme.objects.update(ip_limit=2, burst_limit=3)
    flags = [
        sign(setup, f"p{i}@example.org", at=NOW + dt.timedelta(minutes=i)).flags for i in range(4)
    ]
    assert flags[:2] == [[], []]
    assert flags[2] == ["ip_limit"] and flags[3] == ["ip_limit", "burst"]
    # A day later from that address, and twenty minutes after the burst, it is clear again.
    later = sign(setup, "later@example.org", at=NOW + dt.timedelta(days=1, minutes=5))
    assert later.flags == []
    other = sign(setup, "o@example.org", at=NOW + dt.timedelta(minutes=20), address="198.51.100.1")
    assert other.flags == []


def test_review_decides_held_referrals_and_their_rewards(setup: Any, personas: Any) -> None:
    held = sign(setup, "ambre@example.org").referral
    reward = held.rewards.get()
    # A held referral's reward cannot be granted.
    assert review.decide_rewards(personas.workspace_a, personas.alice, [reward.pk], True) == 0
    review.decide_referral(held, personas.alice, approve=True)
    assert review.decide_rewards(personas.workspace_a, personas.alice, [reward.pk], True) == 1
    assert Reward.objects.get(pk=reward.pk).status == "granted"
    with pytest.raises(review.ReviewError):
        review.decide_referral(held, personas.alice, approve=False)
    clear = sign(setup, "clear@example.org").referral
    with pytest.raises(review.ReviewError):
        review.decide_referral(clear, personas.alice, approve=True)  # only held ones
    review.decide_referral(clear, personas.alice, approve=False)
    assert clear.rewards.get().status == "rejected"
    # Another workspace's reward ids are ignored.
    assert review.decide_rewards(personas.workspace_b, personas.charlie, [reward.pk], False) == 0


def test_the_cap_refuses_rewards_past_it(setup: Any) -> None:
    Programme.objects.update(cap=2)
    for index in range(3):
        sign(setup, f"c{index}@example.org", at=NOW + dt.timedelta(hours=index))
    statuses = list(Reward.objects.order_by("created_at").values_list("status", "reason"))
    assert statuses == [("pending", ""), ("pending", ""), ("rejected", "cap")]


def test_the_leaderboard_ranks_over_a_period_without_staff(setup: Any, personas: Any) -> None:
    other = another_referrer(personas, "bea")
    staff = another_referrer(personas, "barista")
    staff.identity.member.staff = True
    staff.identity.member.save(update_fields=["staff"])
    now = timezone.now()
    for index in range(2):
        sign(
            setup, f"a{index}@example.org", at=now - dt.timedelta(days=2), address=f"10.0.0.{index}"
        )
    sign(setup, "old@example.org", at=now - dt.timedelta(days=100), address="10.0.1.1")
    for index in range(5):
        sign(setup, f"s{index}@example.org", code=staff, at=now, address=f"10.0.2.{index}")
    converted = sign(setup, "b@example.org", code=other, at=now - dt.timedelta(days=1)).referral
    recording.record_conversion(
        Programme.objects.get(),
        code="",
        email="b@example.org",
        name="",
        customer="",
        address="",
        value=None,
        at=now,
    )
    rejected = sign(setup, "r@example.org", code=other, at=now, address="10.0.3.1").referral
    review.decide_referral(rejected, personas.alice, approve=False)
    week = board.leaderboard(personas.workspace_a, now - dt.timedelta(days=7))
    assert [(line.member.pk, line.signups, line.conversions, line.points) for line in week] == [
        (setup.referrer.pk, 2, 0, 20),
        (other.identity.member_id, 1, 1, 60),
    ]
    assert converted.pk
    ever = board.leaderboard(personas.workspace_a, None)
    assert ever[0].signups == 3 and ever[0].rank == 1
