"""An editor gives ambassadors a mission in Chromium, an ambassador's message completes it, and
another is marked done by hand; the leaderboard ranks them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.e2e.test_listening import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_mission_is_given_completed_and_ranked(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.community.models import Identity, Member
    from ambassade.connectors.base import Author, RawItem
    from ambassade.listening import services as listening
    from ambassade.listening.models import Source
    from ambassade.missions import services

    workspace = personas.workspace_a
    source = Source.objects.create(workspace=workspace, name="Demo", kind="demo", interval=300)
    now = timezone.now()

    def said(key: str, handle: str, text: str, at: Any) -> RawItem:
        return RawItem(
            source="mastodon",
            external_id=key,
            text=text,
            created_at=at,
            url=f"https://social.example/@{handle}/{key}",
            author=Author(handle=handle, name=handle.title()),
        )

    listening.ingest(
        source, [said(h, h, "bonjour", now - timedelta(days=5)) for h in ("ana", "ben")]
    )
    Member.objects.update(ambassador=True)
    _log_in(page, live_server.url, "alice@example.com")
    page.goto(f"{live_server.url}/w/{workspace.slug}/missions/")
    page.get_by_role("link", name="New mission").click()
    page.get_by_label("Title").fill("Share the new roast")
    page.get_by_label("Kind").select_option("share")
    page.get_by_label("Address").fill("https://cafe.example/blog/roast")
    page.get_by_label("Starts").fill((now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Mission created.").wait_for()
    # Ana links to the post (with tracking parameters); the matching task finds it.
    listening.ingest(
        source, [said("s", "ana", "https://cafe.example/blog/roast/?utm_source=x", now)]
    )
    services.match_new(workspace.pk)
    page.reload()
    page.get_by_text("Links to the target:").wait_for()
    ben = Identity.objects.get(handle="ben").member
    page.get_by_label("Member").select_option(str(ben.pk))
    page.get_by_label("Note").fill("Shared it at the shop")
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text("Marked done.").wait_for()
    expect(page.get_by_text("Shared it at the shop")).to_be_visible()
    page.get_by_role("link", name="All missions").click()
    page.get_by_role("link", name="Leaderboard").click()
    page.wait_for_url("**/missions/leaderboard/")
    rows = page.locator("table.leaderboard tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
