"""Publishing as people click through it in Chromium: Bob composes a post for two networks and sees
the live counters (htmx), submits it for approval; Vera, the client, approves it; it shows scheduled
in the calendar; once the outbox has published it, the post page, the calendar and the list all say
so."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ambassade.connectors.base import Published
from tests.conftest import PASSWORD, Personas

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label(re.compile("^(password|mot de passe)$", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("^(log in|se connecter|connexion)$", re.I)).click()
    page.wait_for_load_state()


def test_it_composes_gets_approval_and_schedules_a_post(
    page: Any, live_server: Any, personas: Personas
) -> None:
    from ambassade.publishing import approvals
    from ambassade.publishing.models import Post, Status
    from ambassade.publishing.outbox import posts as outbox
    from ambassade.workspaces import services as workspace_services
    from ambassade.workspaces.models import Membership, Role

    workspace = personas.workspace_a
    workspace.time_zone = "Europe/Paris"
    workspace.language = "en"
    workspace.save()
    bluesky = workspace_services.connect_account(
        workspace,
        network="bluesky",
        account_name="cafe-lumiere.bsky.social",
        secret={"identifier": "cafe-lumiere.bsky.social", "app_password": "x"},
        actor=personas.alice,
    )
    vera = workspace_services.create_user("vera@client.example", PASSWORD, "Vera Client")
    Membership.objects.create(workspace=workspace, user=vera, role=Role.APPROVER)
    approvals.set_approval_steps(workspace, 1, personas.alice)
    base = live_server.url
    slug = workspace.slug
    day = (timezone.now().astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=2)).date()

    # Bob writes once, for Mastodon and Bluesky, and watches the counters.
    _log_in(page, base, "bob@example.com")
    page.goto(f"{base}/w/{slug}/publishing/")
    page.get_by_role("link", name="Write a post").first.click()
    page.wait_for_url(re.compile("/publishing/new/$"))
    page.get_by_role("checkbox", name=re.compile(r"@brand_a@mastodon\.social")).check()
    page.get_by_role("checkbox", name=re.compile(r"cafe-lumiere\.bsky\.social")).check()
    text = "Nouvelle carte d'automne au Café Lumière ☕ https://cafe.example/carte"
    page.locator("textarea[name=text]").fill(text)
    mastodon_count = page.locator(f"#tabcount-{personas.connection.pk}")
    bluesky_count = page.locator(f"#tabcount-{bluesky.pk}")
    # Mastodon counts every link as 23 characters; Bluesky counts graphemes, the link whole.
    page.wait_for_function(
        "([id, value]) => document.getElementById(id).textContent === value",
        arg=[f"tabcount-{personas.connection.pk}", "66/500"],
    )
    assert bluesky_count.text_content() == f"{len(text)}/300"
    assert mastodon_count.text_content() == "66/500"
    # The Bluesky tab shows its preview and its counter.
    page.get_by_role("tab", name=re.compile("Bluesky")).click()
    panel = page.locator(f"#panel-{bluesky.pk}")
    expect(panel).to_be_visible()
    expect(panel.get_by_text(f"{len(text)} of 300 characters")).to_be_visible()
    expect(page.locator(f"#panel-{personas.connection.pk}")).to_be_hidden()
    page.locator("input[name=date]").fill(day.isoformat())
    page.locator("input[name=time]").fill("09:30")
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(r"/publishing/\d+/$"))
    expect(page.get_by_text("The post is waiting for approval.")).to_be_visible()
    post = Post.objects.get(workspace=workspace)
    assert {v.status for v in post.variants.all()} == {Status.PENDING_APPROVAL}
    assert page.locator('[data-status="pending_approval"]').count() == 2
    page.context.clear_cookies()

    # Vera, the client, approves it; she cannot write posts.
    _log_in(page, base, "vera@client.example")
    page.goto(f"{base}/w/{slug}/publishing/{post.pk}/")
    assert page.get_by_role("link", name="Edit").count() == 0
    page.get_by_label("Comment", exact=True).first.fill("Parfait, merci !")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your approval is recorded.")).to_be_visible()
    assert page.locator('[data-status="scheduled"]').count() == 2

    # The calendar shows it once on its day, at 09:30 Paris time, scheduled on both networks.
    page.goto(f"{base}/w/{slug}/publishing/calendar/?date={day.isoformat()}")
    cell = page.locator(f'[data-drop-date="{day.isoformat()}"]')
    assert cell.locator(".pub-cal-item").count() == 1
    expect(cell.get_by_text("09:30").first).to_be_visible()
    assert cell.locator('[data-status="scheduled"]').count() == 2
    post.refresh_from_db()
    local = post.scheduled_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.date(), local.hour, local.minute) == (day, 9, 30)

    # The time comes; the outbox publishes both (a stand-in network), and every page says so.
    def network(connection: Any) -> Any:
        class Stand:
            def upload_media(self, credentials: Any, media: Any) -> str:
                return "m"

            def publish(self, credentials: Any, draft: Any) -> Published:
                return Published(
                    f"id-{connection.pk}", f"https://net.example/{connection.pk}", when
                )

        return Stand()

    when = post.scheduled_at
    for variant in post.variants.all():
        assert outbox.publish_variant(variant.id, now=when, publisher_factory=network) == (
            "published"
        )
    for address in (
        f"{base}/w/{slug}/publishing/{post.pk}/",
        f"{base}/w/{slug}/publishing/calendar/?date={day.isoformat()}",
        f"{base}/w/{slug}/publishing/",
    ):
        page.goto(address)
        assert page.locator('[data-status="published"]').count() == 2, address
        assert page.locator('[data-status="scheduled"]').count() == 0, address


def test_it_drags_a_post_to_another_day_and_hour_in_the_calendar(
    page: Any, live_server: Any, personas: Personas
) -> None:
    """Week view: the post is dragged to the next day at 14:00; month view: to a later day, keeping
    its time. The stored instant is the Paris wall-clock time in UTC. An analyst sees no handle."""
    from datetime import UTC, datetime

    from ambassade.publishing import approvals, authoring
    from ambassade.publishing.models import Variant
    from ambassade.workspaces.models import Membership, Role
    from ambassade.workspaces.services import create_user

    workspace = personas.workspace_a
    workspace.time_zone = "Europe/Paris"
    workspace.language = "en"
    workspace.save()
    # A Thursday in July (UTC+2), far enough ahead to be in the future whenever the test runs.
    year = timezone.now().year + 2
    thursday = datetime(year, 7, 1, tzinfo=UTC)
    while thursday.weekday() != 3:
        thursday += timedelta(days=1)
    post = authoring.create_post(
        workspace,
        personas.bob,
        text="Atelier latte art\nInscriptions au comptoir.",
        connections=[personas.connection],
        scheduled_at=thursday.replace(hour=7, minute=45),  # 09:45 in Paris
    )
    approvals.submit_post(post, personas.bob)
    base, slug = live_server.url, workspace.slug
    day = thursday.date()
    friday = day + timedelta(days=1)

    _log_in(page, base, "bob@example.com")
    page.goto(f"{base}/w/{slug}/publishing/calendar/?view=week&date={day.isoformat()}")
    item = page.locator(".pub-cal-item", has_text="Atelier latte art")
    assert item.get_attribute("draggable") == "true"
    assert page.locator(f'[data-drop-date="{day}"][data-drop-hour="9"] .pub-cal-item').count() == 1
    target = page.locator(f'[data-drop-date="{friday}"][data-drop-hour="14"]')
    with page.expect_navigation():
        item.drag_to(target)
    assert "view=week" in page.url
    expect(page.get_by_text("The post is rescheduled.")).to_be_visible()
    variant = Variant.objects.get(post=post)
    # 14:45 in Paris on Friday (summer time, UTC+2) is 12:45 UTC.
    assert (
        variant.scheduled_at
        == variant.due_at
        == datetime(friday.year, friday.month, friday.day, 12, 45, tzinfo=UTC)
    )
    moved = page.locator(f'[data-drop-date="{friday}"][data-drop-hour="14"] .pub-cal-item')
    assert moved.count() == 1 and "14:45" in (moved.text_content() or "")

    # Month view: dropped on a day, the post keeps its time.
    later = friday + timedelta(days=3)
    page.goto(f"{base}/w/{slug}/publishing/calendar/?date={day.isoformat()}")
    with page.expect_navigation():
        page.locator(".pub-cal-item", has_text="Atelier latte art").drag_to(
            page.locator(f'[data-drop-date="{later}"]')
        )
    variant.refresh_from_db()
    assert variant.scheduled_at == datetime(later.year, later.month, later.day, 12, 45, tzinfo=UTC)

    # Without a mouse: the post's own move form (ISO date and time).
    page.locator(".pub-cal-item", has_text="Atelier latte art").locator("summary").click()
    form = page.locator(".pub-cal-item", has_text="Atelier latte art").locator("form")
    form.locator("input[name=date]").fill(day.isoformat())
    form.locator("input[name=time]").fill("18:00")
    with page.expect_navigation():
        form.get_by_role("button", name="Move").click()
    variant.refresh_from_db()
    assert variant.scheduled_at == datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)

    # An analyst sees the post but cannot drag it.
    dave = create_user("dave@example.com", PASSWORD, "Dave Analyst")
    Membership.objects.create(workspace=workspace, user=dave, role=Role.ANALYST)
    page.context.clear_cookies()
    _log_in(page, base, "dave@example.com")
    page.goto(f"{base}/w/{slug}/publishing/calendar/?date={day.isoformat()}")
    seen = page.locator(".pub-cal-item", has_text="Atelier latte art")
    assert seen.count() == 1 and seen.get_attribute("draggable") is None
    assert seen.locator("summary").count() == 0
