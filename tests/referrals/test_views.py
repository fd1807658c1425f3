"""The referral pages: settings with the secret shown once, review and rewards, the leaderboard,
and the section on the member page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ambassade.referrals import recording
from ambassade.referrals.models import Programme, Referral, Reward
from ambassade.workspaces.models import AuditEntry


@pytest.fixture(autouse=True)
def english(client: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(personas: Any, name: str, *args: Any) -> str:
    return reverse(f"referrals:{name}", args=[personas.workspace_a.slug, *args])


def test_settings_refuse_bad_values_and_save_good_ones(
    setup: Any, personas: Any, client: Any
) -> None:
    client.force_login(personas.alice)
    page = client.get(url(personas, "settings"))
    assert page.status_code == 200 and str(setup.programme.hook_id) in page.content.decode()
    assert setup.secret not in page.content.decode()  # shown once, when made, never again
    bad = {
        "enabled": "on",
        "landing_url": "",
        "parameter": "ref code",
        "signup_points": "9" * 30,
        "conversion_points": "-1",
        "ip_limit": "0",
        "burst_limit": "5",
    }
    response = client.post(url(personas, "settings"), bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "landing_url",
        "parameter",
        "signup_points",
        "conversion_points",
        "ip_limit",
    }
    assert Programme.objects.get().parameter == "ref"  # nothing half-saved
    good = {**bad, "landing_url": "https://cafe.example/", "parameter": "parrain"}
    good.update(signup_points="5", conversion_points="0", ip_limit="3", cap="10")
    assert client.post(url(personas, "settings"), good).status_code == 302
    programme = Programme.objects.get()
    assert (programme.parameter, programme.cap, programme.signup_points) == ("parrain", 10, 5)


def test_a_new_secret_is_shown_once_and_only_to_managers(
    setup: Any, personas: Any, client: Any
) -> None:
    client.force_login(personas.bob)  # an editor
    assert client.get(url(personas, "settings")).status_code == 403
    assert client.post(url(personas, "secret")).status_code == 403
    client.force_login(personas.alice)
    response = client.post(url(personas, "secret"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("rsk_") and secret in response.content.decode()
    assert Programme.objects.get().secret() == secret
    assert secret not in str(AuditEntry.objects.filter(action="referrals.secret.made").values())


def test_held_referrals_are_reviewed_from_the_programme_page(
    setup: Any, personas: Any, client: Any
) -> None:
    held = recording.record_signup(
        Programme.objects.get(),
        code=setup.code.code,
        email="ambre@example.org",
        name="<b>Ambre</b>",
        customer="",
        address="",
        at=setup.code.created_at,
    ).referral
    assert held.review == "held"
    client.force_login(personas.bob)
    page = client.get(url(personas, "home")).content.decode()
    assert "Referred themselves" in page and "<b>Ambre" not in page
    response = client.post(url(personas, "decide", held.pk), {"action": "approve"})
    assert response.status_code == 302
    assert Referral.objects.get().review == "approved"
    reward = Reward.objects.get()
    response = client.post(
        url(personas, "rewards_decide"),
        {"action": "grant", "reward": [str(reward.pk), "9" * 30], "status": "pending"},
    )
    assert response.status_code == 302
    assert Reward.objects.get().status == "granted"
    assert client.get(url(personas, "rewards") + "?status=granted").status_code == 200
    # An analyst sees the pages but decides nothing.
    from ambassade.workspaces.models import Membership, Role

    Membership.objects.filter(user=personas.bob).update(role=Role.ANALYST)
    assert client.get(url(personas, "leaderboard") + "?days=7").status_code == 200
    assert client.post(url(personas, "decide", held.pk), {"action": "reject"}).status_code == 403


def test_the_member_page_shows_their_code_and_referrals(
    setup: Any, personas: Any, client: Any
) -> None:
    recording.record_signup(
        Programme.objects.get(),
        code=setup.code.code,
        email="lea@example.org",
        name="Léa",
        customer="",
        address="",
        at=setup.code.created_at,
    )
    client.force_login(personas.alice)
    member_url = reverse("community:member", args=[personas.workspace_a.slug, setup.referrer.pk])
    page = client.get(member_url).content.decode()
    assert setup.code.code in page and f"/l/{setup.code.code}" in page
    assert "Referred 1 person (0 converted), 10 points." in page
    assert "Referred someone" in page  # the timeline's entry
    lea = Referral.objects.get().referred.member
    theirs = client.get(
        reverse("community:member", args=[personas.workspace_a.slug, lea.pk])
    ).content.decode()
    assert "Joined through a referral of" in theirs and "Ambre" in theirs
    # Giving a code to a member without one.
    response = client.post(url(personas, "member_code", lea.pk))
    assert response.status_code == 302
    assert lea.identities.get().referral_codes.filter(active=True).count() == 1
