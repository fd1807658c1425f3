"""The referral flow in Chromium: a member is given a code, their link leads to the brand's site
with the code, the site reports sign-ups through the signed API (one of them flagged: the referrer
signing themselves up), the team rejects the flagged one, and the leaderboard counts the other."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_code_link_a_signed_sign_up_a_review_and_the_leaderboard(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.community import activities
    from ambassade.referrals import api, services
    from ambassade.referrals.models import Referral

    workspace = personas.workspace_a
    programme = services.programme_of(workspace)
    services.save_programme(
        programme, personas.alice, enabled=True, landing_url=f"{live_server.url}/join?lang=fr"
    )
    ambre = activities.identity_for(workspace, "mastodon", "ambre", name="Ambre")
    assert ambre is not None
    ambre.member.email = "ambre@example.org"
    ambre.member.save(update_fields=["email"])
    slug = workspace.slug

    _log_in(page, live_server.url, "alice@example.com")
    # The API's secret, made and shown once on the settings page.
    page.goto(f"{live_server.url}/w/{slug}/referrals/settings/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Make the secret|Make a new secret")).click()
    page.wait_for_url(re.compile(r".*/referrals/settings/secret/$"))
    secret = page.locator("#ref-secret").inner_text().strip()
    assert secret.startswith("rsk_")
    # A code for Ambre, from her member page.
    page.goto(f"{live_server.url}/w/{slug}/community/members/{ambre.member_id}/")
    page.get_by_role("button", name="Give a referral code").click()
    page.get_by_text("Referral code given.").wait_for()
    code = page.locator(".ref-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    # Her link leads to the brand's site with the code, the site's own parameters kept.
    page.goto(f"{live_server.url}/l/{code}")
    page.wait_for_url(re.compile(r".*/join\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"lang": ["fr"], "ref": [code]}

    # The site reports two sign-ups, signed as documented: a friend, and Ambre herself.
    def signup(event_id: str, email: str) -> Any:
        body = json.dumps(
            {"event_id": event_id, "type": "signup", "code": query["ref"][0], "email": email}
        ).encode()
        stamp = int(time.time())
        return httpx.post(
            f"{live_server.url}/hooks/referrals/{programme.hook_id}/",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Ambassade-Timestamp": str(stamp),
                "X-Ambassade-Signature": api.signature(secret, stamp, body),
            },
        )

    friend = signup("signup-1", "lea@example.org")
    assert friend.status_code == 200 and friend.json()["referral"]["review"] == "clear"
    herself = signup("signup-2", "Ambre@Example.org")
    assert herself.json()["referral"]["flags"] == ["self_referral"]

    # The team sees the flagged one held for review, and rejects it.
    page.goto(f"{live_server.url}/w/{slug}/referrals/")
    held = page.locator("section[aria-labelledby='h-held'] tbody tr")
    held.first.wait_for()
    assert held.count() == 1 and "Referred themselves" in held.first.inner_text()
    held.first.get_by_role("button", name="Reject").click()
    page.get_by_text("Referral rejected: its rewards are refused.").wait_for()
    assert page.locator("section[aria-labelledby='h-held'] tbody tr").count() == 0
    assert Referral.objects.get(email="ambre@example.org").review == "rejected"

    # The leaderboard counts the friend, not the rejected one.
    page.locator("nav.ref-tabs").get_by_role("link", name="Leaderboard").click()
    page.wait_for_url(re.compile(r".*/referrals/leaderboard/"))
    rows = page.locator("table.leaderboard tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    # Each cell carries its label for phone widths ("Sign-ups 1"): the figure is its last word.
    assert "Ambre" in cells[1] and cells[2].split()[-1] == "1" and cells[3].split()[-1] == "0"
